"""Time to compute the numbers of all 16 figures for one filter, on the shipped data and scaled up.

Prints, per data size: rows, the one-off cost of building the per-figure cubes (startup), and the
median / 95th percentile time to compute every figure table for a random filter state.
Usage: python benchmarks/figures.py [--scale 400] [--filters 50] [--seed 1]
"""

import argparse
import random
import statistics
import time

from dashboard.data.dimensions import DIMENSIONS
from dashboard.data.filters import Filter
from dashboard.data.load import load
from dashboard.data.shipped import DEFAULT_DATA
from dashboard.data.synth import scale_up
from dashboard.figures.specs import IDS
from dashboard.figures.tables import FigureData


def random_filter(rng: random.Random) -> Filter:
    """Return a random filter state, as a user clicking around would produce."""
    pick = {}
    for d in DIMENSIONS:  # a nested control offers the codes found under its parent's choice
        codes = d.under(pick[d.within[0]]) if d.within else d.codes
        pick[d.key] = tuple(sorted(rng.sample(codes, rng.randint(0, 2)))) if d.multiple else rng.choice(codes)
    return Filter(**pick)


def run(data, label: str, filters: int, seed: int) -> None:
    started = time.perf_counter()
    fd = FigureData(data)
    for figure in IDS:
        fd.table(figure)
    build = time.perf_counter() - started
    rng, times = random.Random(seed), []
    for _ in range(filters):
        filt = random_filter(rng)
        t = time.perf_counter()
        for figure in IDS:
            fd.table(figure, filt)
        times.append(time.perf_counter() - t)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"{label:<22} rows {len(data):>10,}   cube build {build:6.2f} s   "
          f"all 16 figures per filter: median {1000 * statistics.median(times):6.1f} ms, p95 {1000 * p95:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=400)
    parser.add_argument("--filters", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    t = time.perf_counter()
    shipped = load(DEFAULT_DATA)
    print(f"load + validate shipped file: {time.perf_counter() - t:.2f} s")
    run(shipped, "shipped data", args.filters, args.seed)
    big = scale_up(shipped, args.scale)
    run(big, f"--scale {args.scale}", args.filters, args.seed)


if __name__ == "__main__":
    main()
