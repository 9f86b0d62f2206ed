"""50 users changing filters every 2-5 s against the Procfile's command (gunicorn 2 workers x 4 threads).

Starts the Procfile's web command on a free port (response cache fresh), runs benchmarks/locustfile.py
headless with Locust, and prints per request the count, median, p99 and failures, and for a whole
filter change (both callbacks). Goal (issue 10): 0 failures, p99 <= 500 ms.
Usage: python benchmarks/load.py [--users 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.procfile import ROOT, procfile_server  # noqa: E402

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def run_locust(url: str, users: int, seconds: int, prefix: Path) -> None:
    """Run Locust headless against `url`, writing its statistics to `prefix`_stats.csv; raise if it writes none."""
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url,
               "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s", "--csv", str(prefix),
               "--only-summary", "--loglevel", "WARNING"]
    done = subprocess.run(command, cwd=ROOT, check=False, capture_output=True, text=True)
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust wrote no statistics (exit {done.returncode}): {done.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp, procfile_server() as url:
        prefix = Path(tmp, "locust")
        run_locust(url, args.users, args.seconds, prefix)
        rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))
        failures = list(csv.DictReader(open(f"{prefix}_failures.csv")))
    print(f"{args.users} users, filter change every 2-5 s, {args.seconds} s, Procfile command (gunicorn); "
          f"machine load (1 min) before: {load_before:.1f} on {os.cpu_count()} cores")
    print(f"  {'request':<16} {'count':>6} {'median':>8} {'p99':>8} {'max':>8} {'failures':>9}")
    for row in rows:
        print(f"  {row['Name']:<16} {row['Request Count']:>6} {row['50%']:>6} ms {row['99%']:>6} ms "
              f"{float(row['Max Response Time']):>6.0f} ms {row['Failure Count']:>9}")
    for failure in failures:
        print(f"  failure: {failure['Name']}: {failure['Error']} ({failure['Occurrences']}x)")
    print("goal: 0 failures, p99 <= 500 ms")


if __name__ == "__main__":
    main()
