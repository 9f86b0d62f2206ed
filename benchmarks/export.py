"""Time to export all figures for one filter: 16 PNGs at scale 3 (target: within 15 s on 2 cores).

Prints the time for PNG only, for PNG + SVG, and for the whole bundle (PNG, SVG, CSV, XLSX),
each in one Chromium session, on the shipped data.
Usage: python benchmarks/export.py [--preset slide|a4] [--scale 3] [--repeat 3]
"""

import argparse
import statistics
import time

from dashboard.data.filters import parse_filter
from dashboard.data.load import load
from dashboard.data.shipped import DEFAULT_DATA
from dashboard.export.bundle import export_files
from dashboard.figures.tables import FigureData


def timed(data, formats, preset, scale, repeat):
    """Return (median seconds, number of files) over `repeat` runs."""
    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        files = export_files(data, parse_filter(sector="state"), formats=formats, preset=preset, scale=scale)
        times.append(time.perf_counter() - started)
        count = len(files)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="slide")
    parser.add_argument("--scale", type=float, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = FigureData(load(DEFAULT_DATA))
    for formats in (("png",), ("png", "svg"), ("png", "svg", "csv", "xlsx")):
        seconds, count = timed(data, formats, args.preset, args.scale, args.repeat)
        print(f"{'+'.join(formats):<18} preset {args.preset:<5} scale {args.scale:g}: {count:>2} files, "
              f"median {seconds:5.1f} s over {args.repeat} runs")


if __name__ == "__main__":
    main()
