"""Server time of the data API's question crosstabs: against the Dash floor, and with the data 20 times larger.

For random explorer states (a question, two breakdown dimensions, filters of up to two codes; all different,
so no answer comes from the cache) the API is called in-process, as a client calls it (Brotli accepted):

- api: ``GET /api/v1/crosstab.json?question=…&by=…,…&<filters>`` on the shipped data, response cache cold;
- floor: a minimal Dash app whose one callback returns the same JSON text from a dict, served with the
  project's compression: what any Dash answer of that size costs;
- scale 20: the same requests over the shipped data repeated 20 times (`barometer synth --scale 20`): the
  sums are additive over fine cells, so the time should not grow with the rows.

Prints medians (and p95) and the ratios api/floor (goal <= 5) and scale 20/scale 1 (goal <= 1.5).
Usage: python benchmarks/api.py [--states 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HEADERS = {"Accept-Encoding": "br, gzip"}


def explorer_states(count: int, seed: int) -> list[str]:
    """Return `count` distinct API queries: a question, two breakdown dimensions and filters of up to two codes,
    each within the explorer's limits."""
    from dashboard.data.dimensions import BY_KEYS, DIMENSIONS
    from dashboard.data.filters import FilterError, parse_filter
    from dashboard.data.questionnaire import QUESTIONS
    from dashboard.figures.explore import ExploreError, check

    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        q = rng.choice(QUESTIONS)
        by = tuple(rng.sample(BY_KEYS, 2))
        query = {d.key: ",".join(rng.sample(d.codes, rng.randint(1, 2))) for d in DIMENSIONS
                 if d.multiple and rng.random() < 0.3}
        try:
            check(q, parse_filter(**query), by, q.rounds)
        except (ExploreError, FilterError):
            continue
        text = "/api/v1/crosstab.json?" + urlencode({"question": q.id, "by": ",".join(by), **query}, safe=",")
        if text not in out:
            out.append(text)
    return out


def timed(client, urls: list[str]) -> tuple[list[tuple[float, float]], list[str]]:
    """Return ([(wall, CPU) seconds], bodies) of getting `urls` one after another."""
    times, bodies = [], []
    for url in urls:
        wall, cpu = time.perf_counter(), time.process_time()
        res = client.get(url, headers=HEADERS)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
        assert res.status_code == 200, (url, res.status_code, res.get_data()[:200])
        res.close()  # sent: as a server does then, this writes the response cache entry (outside the time)
        bodies.append(client.get(url, headers={"Accept-Encoding": "identity"}).get_data(as_text=True))
    return times, bodies


def floor_app(answers: dict[str, str]):
    """Return a minimal Dash app whose one callback returns the answer of a query from `answers`, compressed
    as the project compresses."""
    from dash import Dash, Input, Output, html

    from dashboard.serving import register_serving

    app = Dash(__name__, suppress_callback_exceptions=True)
    register_serving(app)
    app.layout = html.Div()

    @app.callback(Output("out", "children"), Input("q", "value"))
    def answer(query):
        return answers[query]

    return app


def floor_times(app, queries: list[str]) -> list[tuple[float, float]]:
    """Return the (wall, CPU) seconds of the floor answering each query."""
    client = app.server.test_client()
    client.get("/_dash-dependencies")
    out = []
    for query in queries:
        body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
                "inputs": [{"id": "q", "property": "value", "value": query}], "changedPropIds": ["q.value"]}
        wall, cpu = time.perf_counter(), time.process_time()
        res = client.post("/_dash-update-component", json=body, headers=HEADERS)
        out.append((time.perf_counter() - wall, time.process_time() - cpu))
        assert res.status_code == 200
        res.close()
    return out


def stats(pairs: list[tuple[float, float]]) -> str:
    """Return the median and p95 of (wall, CPU) seconds, as text in ms."""
    wall = sorted(p[0] for p in pairs)
    cpu = statistics.median(p[1] for p in pairs)
    return (f"median {1000 * statistics.median(wall):7.1f} ms, p95 {1000 * wall[int(0.95 * (len(wall) - 1))]:7.1f} ms"
            f"   (CPU median {1000 * cpu:7.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from dashboard.app import create_app
    from dashboard.data.load import load
    from dashboard.data.shipped import DEFAULT_DATA
    from dashboard.data.synth import scale_up

    data = load(DEFAULT_DATA)
    first, *queries = explorer_states(args.states + 1, args.seed)
    results = {}
    for label, frame in (("scale 1", data), ("scale 20", scale_up(data, 20))):
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["BAROMETER_CACHE_URL"] = Path(tmp).as_uri()
            client = create_app(frame, synthetic=True, chromium=None).server.test_client()
            timed(client, [first])  # the figures' arrays and first answers: a one-off at startup
            results[label] = timed(client, queries)
    times, bodies = results["scale 1"]
    floor = floor_times(floor_app(dict(zip(queries, bodies, strict=True))), queries)
    print(f"server time of an explorer crosstab through the API (a question, two breakdowns, filters), "
          f"{len(queries)} random states; machine load (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  api, cold cache, scale 1 ({len(data):,} rows)    {stats(times)}")
    print(f"  api, cold cache, scale 20 ({20 * len(data):,} rows) {stats(results['scale 20'][0])}")
    print(f"  floor (Dash, the same JSON from a dict)    {stats(floor)}")
    for which, label in ((0, "wall time"), (1, "CPU time")):
        med = {k: statistics.median(p[which] for p in v[0]) for k, v in results.items()}
        base = statistics.median(p[which] for p in floor)
        print(f"ratios of medians, {label}: api/floor {med['scale 1'] / base:6.1f}x (goal <= 5), "
              f"scale 20/scale 1 {med['scale 20'] / med['scale 1']:5.2f}x (goal <= 1.5)")


if __name__ == "__main__":
    main()
