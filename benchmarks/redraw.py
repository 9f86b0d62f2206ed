"""Server time of a full redraw (all 16 figures) after a filter change, through the real callback.

Posts the figures callback to the app's Flask server in-process, exactly as the browser does, for
random filter states, and prints the median and 95th percentile of the server time.
Usage: python benchmarks/redraw.py [--filters 50] [--seed 1] [--scale 1]
"""

import argparse
import random
import statistics
import time

from dashboard.app import create_app
from dashboard.data.filters import ALLOWED
from dashboard.data.load import load
from dashboard.data.shipped import DEFAULT_DATA
from dashboard.data.synth import scale_up

CONTROLS = {"filter-sector": "sector", "filter-tech-role": "tech_role", "filter-value": "value",
            "filter-round": "round", "lang": "lang"}


def figures_callback(client) -> dict:
    """Return the dependency entry of the callback that draws fig1 (and every other figure)."""
    deps = client.get("/_dash-dependencies").get_json()
    return next(d for d in deps if "fig1.figure" in d["output"])


def payload(dep: dict, state: dict) -> dict:
    """Return the POST body for the figures callback with the given control values."""
    def value(item):
        key = CONTROLS.get(item["id"])
        if key is not None and item["property"] == "value":
            return state[key]
        return None

    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in dep["output"][2:-2].split("...")]
    inputs = [dict(i, value=value(i)) for i in dep["inputs"]]
    return {"output": dep["output"], "outputs": outputs, "inputs": inputs,
            "changedPropIds": ["filter-sector.value"], "state": [dict(s, value=value(s)) for s in dep["state"]]}


def random_state(rng: random.Random) -> dict:
    """Return random control values, as a user clicking around would set them."""
    state = {k: sorted(rng.sample(ALLOWED[k], rng.randint(0, 2))) for k in ("sector", "tech_role", "value")}
    return {**state, "round": rng.choice(ALLOWED["round"]), "lang": rng.choice(("da", "en"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filters", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    data = scale_up(load(DEFAULT_DATA), args.scale)
    started = time.perf_counter()
    app = create_app(data)
    client = app.server.test_client()
    dep = figures_callback(client)
    rng = random.Random(args.seed)
    client.post("/_dash-update-component", json=payload(dep, random_state(rng)))  # builds the cubes
    print(f"rows {len(data):,}; app start and first redraw {time.perf_counter() - started:.2f} s")
    times = []
    for _ in range(args.filters):
        body = payload(dep, random_state(rng))
        t = time.perf_counter()
        response = client.post("/_dash-update-component", json=body)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200, response.data[:200]
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"full redraw of 16 figures, {args.filters} random filter states: median {1000 * statistics.median(times):.0f} ms, "
          f"p95 {1000 * p95:.0f} ms, max {1000 * times[-1]:.0f} ms")


if __name__ == "__main__":
    main()
