"""Cold first loads and repaints of two or more checkouts of the project, alternated in one run.

Each checkout (a directory: a git worktree of another commit, say) is served by its own Procfile
command, and headless Chromium loads them in turn, in fresh profiles, alternating the order each round,
so that a noisy machine slows every checkout alike. Prints, per checkout, the median time until all 16
charts are drawn and until the charts on the first screen are (benchmarks/browser.py's probe), and,
with --changes, the median repaint of the charts in view after a filter change.

Usage: python benchmarks/checkouts.py [--loads 12] [--changes 0] DIR [DIR ...]
e.g.   git worktree add /tmp/before HEAD~1 && python benchmarks/checkouts.py /tmp/before .
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, cold_load, repaints  # noqa: E402

# Run in a checkout: serve it with its own Procfile command, print the address, wait to be stopped.
SERVE = ("import sys, time; sys.path.insert(0, '.'); from benchmarks.procfile import procfile_server\n"
         "with procfile_server() as url:\n    print(url, flush=True)\n    time.sleep(1e6)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=12)
    parser.add_argument("--changes", type=int, default=0, help="filter changes per checkout (0: none)")
    parser.add_argument("dirs", nargs="+", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    servers = [subprocess.Popen([sys.executable, "-c", SERVE], cwd=d, stdout=subprocess.PIPE, text=True)
               for d in args.dirs]
    try:
        urls = [s.stdout.readline().strip() for s in servers]
        loads: dict[int, list] = {k: [] for k in range(len(urls))}
        paints: dict[int, list] = {k: [] for k in range(len(urls))}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for url in urls:  # each server's caches warm, as in benchmarks/browser.py after its first load
                cold_load(browser, url)
            for n in range(args.loads):
                order = list(range(len(urls))) if n % 2 == 0 else list(reversed(range(len(urls))))
                for k in order:
                    loads[k].append(cold_load(browser, urls[k]))
            if args.changes:
                for k, url in enumerate(urls):
                    paints[k] = repaints(browser, url, args.changes, seed=3)
            browser.close()
    finally:
        for s in servers:
            s.terminate()
    print(f"{args.loads} cold loads each, alternated (1440 px, loopback, fresh profiles):")
    for k, d in enumerate(args.dirs):
        drawn = statistics.median(x[1] for x in loads[k]) * 1000
        screen = statistics.median(x[3] for x in loads[k]) * 1000
        line = f"  {str(d):32s} 16 charts drawn {drawn:6.0f} ms   first screen {screen:6.0f} ms"
        if paints[k]:
            line += f"   repaint median {statistics.median(paints[k]):5.0f} ms ({len(paints[k])} changes)"
        print(line)


if __name__ == "__main__":
    main()
