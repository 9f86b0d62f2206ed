""""Download all" against the Procfile's gunicorn: one export alone, 4 at once, and redraws meanwhile.

Starts the Procfile's web command on a free port (a fresh jobs directory and response cache), then,
through HTTP as the page does (one POST starts the background job, polls every 500 ms fetch it):

- redraws with nothing else running (the baseline: a filter change = the URL sync and the 16 figures);
- one export alone (16 PNG at scale 3, 16 SVG, 16 CSV, the XLSX), with redraws meanwhile;
- 4 exports at once (different filters, so none comes from the store), each one's time, with redraws
  meanwhile: median, p99 and their ratio to the baseline (goal: p99 <= 1 s);
- 4 more exports at once, their jobs and browsers paused (SIGSTOP) in every other window of 5 s:
  redraws in running windows against redraws in paused ones, which see the same outside load;
- the first export again: served from the store;
- redraws with nothing running again, and the load average: other processes on the machine shift
  both baselines, so the ratios are the measure.

``--bundle`` also times the export suite in-process (PNG only, PNG + SVG, the whole bundle).
Usage: python benchmarks/export.py [--preset slide|a4] [--at-once 4] [--pause 0.5] [--idle 20]
       [--window 5] [--windows 8] [--bundle]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from callbacks import DEFAULT_STATE, control_values, distinct_states, filter_change, find, split_outputs  # noqa: E402
from procfile import PROCFILE, procfile_server  # noqa: E402

CONFIG = re.compile(r'<script id="_dash-config" type="application/json">(.*?)</script>', re.S)
PHASE = 1000  # filter states per phase, more than one user changes in a phase
EXPORT_STATES = [{"sector": ["state"]}, {"sector": ["region"]}, {"sector": ["municipality"]},
                 {"value": ["quality"]}, {"value": ["efficiency"]}, {"tech_role": ["new_tech"]},
                 {"tech_role": ["known_tech"]}, {"tech_role": ["non_tech"]}, {"value": ["political_goals"]}]


class Page:
    """One browser tab's worth of HTTP: the page's end_id and the callback dependencies."""

    def __init__(self, url: str):
        self.url, self.http = url, requests.Session()
        self.end_id = json.loads(CONFIG.search(self.http.get(url + "/").text).group(1))["end_id"]
        self.deps = self.http.get(url + "/_dash-dependencies").json()

    def post(self, body: dict, **query) -> requests.Response:
        res = self.http.post(self.url + "/_dash-update-component", json=body,
                             params={"endId": self.end_id, **query}, timeout=120)
        if res.status_code not in (200, 204):
            raise RuntimeError(f"{res.status_code}: {res.text[:300]}")
        return res

    def redraw(self, state: dict) -> float:
        """Return the seconds one filter change takes: the URL sync, then the 16 figures."""
        started = time.perf_counter()
        for _, body in filter_change(self.deps, state):
            self.post(body)
        return time.perf_counter() - started

    def export(self, preset: str, filters: dict) -> tuple[float, int]:
        """Return the seconds from pressing "Download all" to the ZIP, and the ZIP's size in bytes."""
        dep = find(self.deps, "export-download.data")
        values = {**control_values({**DEFAULT_STATE, **filters}), ("export-size", "value"): preset}
        body = {"output": dep["output"], "outputs": split_outputs(dep["output"]),  # 'children@<hash>', as the page
                "inputs": [{"id": "export-all", "property": "n_clicks", "value": 1}],
                "changedPropIds": ["export-all.n_clicks"],
                "state": [dict(s, value=values.get((s["id"], s["property"]))) for s in dep["state"]]}
        started = time.perf_counter()
        handles = self.post(body).json()
        polled = json.loads(json.dumps(body))
        for item in polled["inputs"] + polled["state"]:
            item["value"] = None
        while True:
            time.sleep(0.5)
            answer = self.post(polled, **handles)
            if answer.status_code == 200 and "response" in (data := answer.json()):
                download = data["response"].get("export-download")
                if download is None:
                    raise RuntimeError(f"no ZIP: {json.dumps(data['response'], ensure_ascii=False)[:300]}")
                return time.perf_counter() - started, len(download["data"]["content"]) * 3 // 4


class Redraws(threading.Thread):
    """Changes the filters every `pause` seconds until stopped; `times` holds each redraw's seconds."""

    def __init__(self, url: str, pause: float, states: list[dict]):
        super().__init__(daemon=True)
        self.page, self.pause, self.states = Page(url), pause, states
        self.times: list[float] = []
        self.starts: list[float] = []  # perf_counter() at each redraw's start
        self.done = threading.Event()

    def run(self):
        for state in self.states:
            if self.done.is_set():
                return
            self.starts.append(time.perf_counter())
            self.times.append(self.page.redraw(state))
            self.done.wait(self.pause)

    def stop(self) -> list[float]:
        self.done.set()
        self.join()
        return self.times


def p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def describe(times: list[float], baseline: list[float] | None = None) -> str:
    text = (f"median {1000 * statistics.median(times):4.0f} ms, p99 {1000 * p99(times):5.0f} ms, "
            f"max {1000 * max(times):5.0f} ms ({len(times)} redraws)")
    if baseline:
        text += (f"; x{statistics.median(times) / statistics.median(baseline):.1f} and "
                 f"x{p99(times) / p99(baseline):.1f} the idle median and p99")
    return text


def page_export(url: str, preset: str, filters: dict) -> None:
    Page(url).export(preset, filters)


def while_redrawing(url: str, pause: float, states: list[dict], work):
    """Run work() while another user changes filters to `states`; return (work's result, the redraw times)."""
    redraws = Redraws(url, pause, states)
    redraws.start()
    try:
        result = work()
    finally:
        times = redraws.stop()
    return result, times


def job_processes(port: int) -> list[psutil.Process]:
    """Return the export jobs of the gunicorn serving `port` (its workers' children) and the browsers they run."""
    servers = [p for p in psutil.process_iter(["cmdline"]) if "gunicorn" in " ".join(p.info["cmdline"] or [])]
    try:
        master = next(p for p in servers if p.environ().get("PORT") == str(port)
                      and p.parent() is not None and "gunicorn" not in " ".join(p.parent().cmdline()))
        return [job for worker in master.children() for job in worker.children(recursive=True)]
    except (StopIteration, psutil.Error):
        return []


class Pauser(threading.Thread):
    """Pauses (SIGSTOP) and resumes (SIGCONT) the export jobs in alternate windows; `windows` records them."""

    def __init__(self, port: int, window: float, count: int):
        super().__init__(daemon=True)
        self.port, self.window, self.count = port, window, count
        self.windows: list[tuple[float, float, bool]] = []  # (start, end, running)

    def signal_jobs(self, running: bool) -> None:
        for job in job_processes(self.port):
            try:
                job.send_signal(signal.SIGCONT if running else signal.SIGSTOP)
            except psutil.Error:
                pass

    def run(self):
        try:
            for i in range(self.count):
                running, start = i % 2 == 0, time.perf_counter()
                while time.perf_counter() < start + self.window:
                    self.signal_jobs(running)  # also the jobs and browsers started since
                    time.sleep(0.2)
                self.windows.append((start, time.perf_counter(), running))
        finally:
            self.signal_jobs(True)

    def split(self, redraws: Redraws) -> tuple[list[float], list[float]]:
        """Return the redraw times that fell wholly in running windows, and those in paused windows."""
        out: dict[bool, list[float]] = {True: [], False: []}
        for started, seconds in zip(redraws.starts, redraws.times):
            for start, end, running in self.windows:
                if start + 0.3 <= started and started + seconds <= end:  # 0.3 s for the signals to land
                    out[running].append(seconds)
        return out[True], out[False]


def server_benchmark(args) -> None:
    with tempfile.TemporaryDirectory(prefix="barometer-jobs-") as jobs_dir:
        with procfile_server({"BAROMETER_JOBS_DIR": jobs_dir}) as url:
            print(f"server: {PROCFILE.read_text().strip()}  (jobs in a fresh diskcache directory)")
            states = distinct_states(8 + 4 * PHASE, args.seed)  # no redraw is served from the response cache
            phases = [states[8 + k * PHASE: 8 + (k + 1) * PHASE] for k in range(4)]
            page = Page(url)
            for state in states[:8]:  # warm up every worker's cubes
                page.redraw(state)
            _, idle = while_redrawing(url, args.pause, phases[0], lambda: time.sleep(args.idle))
            print(f"redraws, nothing else running:    {describe(idle)}")

            (seconds, size), times = while_redrawing(url, args.pause, phases[1],
                                                     lambda: page.export(args.preset, EXPORT_STATES[0]))
            print(f"one export alone:                 {seconds:5.1f} s ({size / 1e6:.1f} MB ZIP)")
            print(f"  redraws meanwhile:              {describe(times, idle)}")

            results: dict[int, float] = {}

            def one(i: int) -> None:
                results[i] = Page(url).export(args.preset, EXPORT_STATES[1 + i % (len(EXPORT_STATES) - 1)])[0]

            def at_once():
                threads = [threading.Thread(target=one, args=(i,)) for i in range(args.at_once)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()

            started = time.perf_counter()
            _, times = while_redrawing(url, args.pause, phases[2], at_once)
            each = ", ".join(f"{results[i]:.1f}" for i in sorted(results))
            print(f"{args.at_once} exports at once:               each {each} s "
                  f"(all done after {time.perf_counter() - started:.1f} s)")
            print(f"  redraws meanwhile:              {describe(times, idle)}")
            verdict = "meets" if p99(times) <= 1.0 else "misses"
            print(f"  goal redraw p99 <= 1 s while {args.at_once} exports run: {verdict} ({1000 * p99(times):.0f} ms)")

            # the same again with other filters, the jobs paused in every other window: a fair comparison
            # on a machine that other processes load, as both kinds of window see the same load
            pauser = Pauser(int(url.rsplit(":", 1)[1]), args.window, args.windows)
            redraws = Redraws(url, args.pause, phases[3][:PHASE // 2])
            others = EXPORT_STATES[-args.at_once:]
            threads = [threading.Thread(target=page_export, args=(url, args.preset, f)) for f in others]
            for thread in threads:
                thread.start()
            time.sleep(2)  # the jobs start
            redraws.start()
            pauser.start()
            pauser.join()
            redraws.stop()
            for thread in threads:
                thread.join()
            running, paused = pauser.split(redraws)
            print(f"{args.at_once} exports, paused every other {args.window:g} s window:")
            print(f"  redraws while they run:         {describe(running)}")
            print(f"  redraws while they are paused:  {describe(paused)}")
            print(f"  running / paused: x{statistics.median(running) / statistics.median(paused):.2f} median, "
                  f"x{p99(running) / p99(paused):.2f} p99")

            seconds, _ = page.export(args.preset, EXPORT_STATES[0])
            print(f"the first export again (store):   {seconds:5.1f} s")
            _, after = while_redrawing(url, args.pause, phases[3][PHASE // 2:], lambda: time.sleep(args.idle))
            print(f"redraws, nothing running again:   {describe(after)}")
            print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min); other processes on the machine "
                  "slow every figure alike")


def bundle_benchmark(args) -> None:
    from dashboard.data.filters import parse_filter
    from dashboard.data.load import load
    from dashboard.data.shipped import DEFAULT_DATA
    from dashboard.export.bundle import export_files
    from dashboard.figures.tables import FigureData

    data = FigureData(load(DEFAULT_DATA))
    for formats in (("png",), ("png", "svg"), ("png", "svg", "csv", "xlsx")):
        started = time.perf_counter()
        files = export_files(data, parse_filter(sector="state"), formats=formats, preset=args.preset, scale=3)
        print(f"in-process {'+'.join(formats):<18} preset {args.preset:<5} scale 3: {len(files):>2} files, "
              f"{time.perf_counter() - started:5.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="slide")
    parser.add_argument("--at-once", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between one user's filter changes")
    parser.add_argument("--idle", type=float, default=20, help="seconds of redraws for each baseline")
    parser.add_argument("--window", type=float, default=5, help="seconds of each running or paused window")
    parser.add_argument("--windows", type=int, default=8, help="running and paused windows, alternating")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bundle", action="store_true", help="also time the export suite in-process")
    args = parser.parse_args()
    server_benchmark(args)
    if args.bundle:
        bundle_benchmark(args)


if __name__ == "__main__":
    main()
