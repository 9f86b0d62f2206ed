"""Server time of a full redraw (all 16 figures) after a filter change, through the real callback.

Posts the figures callback to the app's Flask server in-process, exactly as the browser does, for
random filter states (all different, so none is served from the response cache), and prints the
median and 95th percentile of the server time. `--scale K` repeats the rows K times.
See benchmarks/server.py for the comparison with the floor and a naive app.
Usage: python benchmarks/redraw.py [--filters 50] [--seed 1] [--scale 1]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.callbacks import distinct_states, filter_change  # noqa: E402
from dashboard.app import create_app  # noqa: E402
from dashboard.data.load import load  # noqa: E402
from dashboard.data.shipped import DEFAULT_DATA  # noqa: E402
from dashboard.data.synth import scale_up  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filters", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    data = scale_up(load(DEFAULT_DATA), args.scale)
    started = time.perf_counter()
    client = create_app(data, chromium=None).server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    first, *states = distinct_states(args.filters + 1, args.seed)
    client.post("/_dash-update-component", json=filter_change(deps, first)[-1][1])  # builds the cubes
    print(f"rows {len(data):,}; app start and first redraw {time.perf_counter() - started:.2f} s")
    times = []
    for state in states:
        _, body = filter_change(deps, state)[-1]
        t = time.perf_counter()
        response = client.post("/_dash-update-component", json=body)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200, response.data[:200]
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"full redraw of 16 figures, {len(states)} random filter states: median {1000 * statistics.median(times):.0f} ms, "
          f"p95 {1000 * p95:.0f} ms, max {1000 * times[-1]:.0f} ms")


if __name__ == "__main__":
    main()
