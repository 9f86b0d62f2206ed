"""Server time of the callbacks one filter change triggers: the project against the floor and a naive app.

For random filter states (all different, so no response comes from the cache) each app's Flask
server is called in-process, exactly as the browser calls it (the same bodies, gzip/br accepted):

- project: ``write_url`` and then ``update_figures`` (16 figures), on the shipped data, response cache
  cold (a fresh folder); the same states again show the time of a cache hit;
- floor: a minimal Dash app whose callback returns the project's figures response from a dict, served
  as the project serves every response (Brotli, as the browser accepts it); also without compression,
  which leaves the floor only Dash's own cost of sending the same JSON uncompressed;
- naive: a pandas filter + groupby on the microdata and plotly express, 16 figures.

Prints medians (and p95) and the ratios project/floor (goal <= 7) and naive/project (goal >= 10), the
project also against the uncompressed floor.
With --by DIM every state is broken down by that dimension (goal <= 10).
Usage: python benchmarks/server.py [--filters 30] [--seed 1] [--by size]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import brotli

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.callbacks import body, control_values, distinct_states, filter_change, server_callbacks  # noqa: E402
from benchmarks.floor import answer_of, create_floor_app, state_key  # noqa: E402
from benchmarks.naive import create_naive_app  # noqa: E402

HEADERS = {"Accept-Encoding": "br, gzip"}


def post(client, body: dict):
    """Return the response of one callback POST; fail loudly on anything but 200 (or 204: nothing to update)."""
    res = client.post("/_dash-update-component", json=body, headers=HEADERS)
    assert res.status_code in (200, 204), (res.status_code, res.get_data()[:300])
    return res


def json_of(res) -> dict:
    """Return the JSON body of a response, decompressed."""
    raw, encoding = res.get_data(), res.headers.get("Content-Encoding")
    raw = brotli.decompress(raw) if encoding == "br" else gzip.decompress(raw) if encoding == "gzip" else raw
    return json.loads(raw)


def timed(client, bodies: list[tuple[str, dict]]) -> tuple[dict[str, tuple[float, float]], list]:
    """Return ({name: (wall seconds, CPU seconds)}, responses) of posting `bodies` one after another."""
    times, responses = {}, []
    for name, payload in bodies:
        wall, cpu = time.perf_counter(), time.process_time()
        res = post(client, payload)
        times[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        res.close()  # sent: as a server does then, this writes the response cache entry (outside the time)
        responses.append(res)
    return times, responses


def stats(pairs: list[tuple[float, float]]) -> str:
    """Return the median and p95 of (wall, CPU) seconds, as text in ms."""
    def both(values):
        values = sorted(values)
        return 1000 * statistics.median(values), 1000 * values[min(len(values) - 1, int(0.95 * len(values)))]

    (wall, wall95), (cpu, cpu95) = both([w for w, _ in pairs]), both([c for _, c in pairs])
    return f"median {wall:7.1f} ms, p95 {wall95:7.1f} ms   (CPU: median {cpu:7.1f} ms, p95 {cpu95:7.1f} ms)"


def median(pairs: list[tuple[float, float]], which: int) -> float:
    """Return the median wall (0) or CPU (1) time of (wall, CPU) pairs."""
    return statistics.median(p[which] for p in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filters", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--by", help="break every state down by this dimension (a broken-down redraw)")
    args = parser.parse_args()

    from dashboard.app import create_app
    from dashboard.data.load import load
    from dashboard.data.shipped import DEFAULT_DATA

    data = load(DEFAULT_DATA)
    first, *states = [{**s, "by": args.by} for s in distinct_states(args.filters + 1, args.seed)]
    changed = ["filter-sector.value"]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BAROMETER_CACHE_URL"] = Path(tmp).as_uri()
        project = create_app(data, chromium=None).server.test_client()
        deps = project.get("/_dash-dependencies").get_json()
        figures_dep = server_callbacks(deps)[1]
        timed(project, filter_change(deps, first))  # builds the cubes: a one-off at startup
        cold, answers = {"write_url": [], "update_figures": [], "total": []}, {}
        for state in states:
            times, responses = timed(project, filter_change(deps, state))
            for name, pair in times.items():
                cold[name].append(pair)
            cold["total"].append(tuple(map(sum, zip(*times.values()))))
            answers[state_key(figures_dep, control_values(state))] = answer_of(figures_dep, json_of(responses[-1])["response"])
        warm = [timed(project, filter_change(deps, state))[0]["update_figures"] for state in states]

    others = {}
    for name, app in (("floor", create_floor_app(figures_dep, answers, compressed=True)),
                      ("floor_plain", create_floor_app(figures_dep, answers)), ("naive", create_naive_app(data))):
        client = app.server.test_client()
        (dep,) = client.get("/_dash-dependencies").get_json()
        others[name] = [timed(client, [(name, body(dep, control_values(state), changed))])[0][name] for state in states]

    print(f"server time of one filter change{f', broken down by {args.by}' if args.by else ''}, {len(states)} random "
          f"filter states, shipped data ({len(data):,} rows); "
          f"machine load (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  project, cold cache: write_url        {stats(cold['write_url'])}")
    print(f"  project, cold cache: update_figures  {stats(cold['update_figures'])}")
    print(f"  project, cold cache: both (total)    {stats(cold['total'])}")
    print(f"  project, cache hit:  update_figures  {stats(warm)}")
    print(f"  floor (dict lookup, the same JSON)   {stats(others['floor'])}")
    print(f"  floor, uncompressed                  {stats(others['floor_plain'])}")
    print(f"  naive (pandas + plotly express)      {stats(others['naive'])}")
    goal = 10 if args.by else 7  # a broken-down redraw computes a state per group
    for which, label in ((0, "wall time"), (1, "CPU time (steadier on a busy machine)")):
        project = median(cold["total"], which)
        print(f"ratios of medians, {label}: project/floor {project / median(others['floor'], which):6.1f}x (goal <= {goal}), "
              f"naive/project {median(others['naive'], which) / project:6.1f}x (goal >= 10); "
              f"project/uncompressed floor {project / median(others['floor_plain'], which):6.1f}x")


if __name__ == "__main__":
    main()
