"""Restarting the Procfile's gunicorn behind deploy/nginx.conf, under load, and what the server logs.

Twenty clients request the page, its layout and a callback (a POST) through nginx, each on a new
connection, for the whole restart; every answer must be a 200 with the right content:

- a graceful reload (HUP to the master: new workers, the old ones finish their requests): no failure;
- a release, two servers behind nginx restarted one at a time (stop, start the new code, wait until it
  answers, then the other): no failure;
- a plain stop and start of the only server (measured and reported): every request meanwhile gets
  nginx's 503 with Retry-After, nothing else (no 502, no dropped connection).

And every line gunicorn and the app write to stderr (master, workers, `dashboard.*`) carries its time,
level and process id, from the Procfile's command and from `barometer serve`.

deploy/README.md ("Restarts") describes these paths; it quotes the numbers printed here.
"""

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_nginx import (
    CALLBACK,
    ROOT,
    UNAVAILABLE,
    free_port,
    get,
    nginx_serving,
    prefix_dir,
    procfile_command,
    stop,
    wait_for,
)

CLIENTS = 20
JSON = {"Content-Type": "application/json"}
# (method, path, body, what a right answer holds): the page, its layout, a callback
MIX = [("GET", "/", None, b"react-entry-point"), ("GET", "/_dash-layout", None, b'"fig1"'),
       ("POST", "/_dash-update-component", CALLBACK, b"export-size")]
# A line of the log: time (with seconds and milliseconds), level, process id, logger, message
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \[pid (\d+)\] [\w.]+: \S")


# --------------------------------------------------------------------------------------------------
# A server that can be stopped and started again, and the clients
# --------------------------------------------------------------------------------------------------
class Server:
    """The Procfile's web command on a fixed port; stderr and stdout to their own files, kept across restarts."""

    def __init__(self, tmp: Path, port: int, cache: Path):
        self.port, self.err, self.out = port, tmp / f"gunicorn-{port}.err", tmp / f"gunicorn-{port}.out"
        # two servers share the response cache and the job store, as deploy/README.md says to
        self.env = {**os.environ, "PORT": str(port), "BAROMETER_HOST": "127.0.0.1", "WEB_CONCURRENCY": "2",
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                    "BAROMETER_CACHE_URL": (cache / "cache").as_uri(), "BAROMETER_JOBS_DIR": str(cache / "jobs")}
        self.env.pop("BAROMETER_ACCESS_LOG", None)
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        """Start a new server process (the code as it is on disk now); return the seconds until it answered."""
        begin = time.monotonic()
        with self.err.open("ab") as err, self.out.open("ab") as out:
            self.process = subprocess.Popen(["bash", "-c", "exec " + procfile_command()], cwd=ROOT, env=self.env,
                                            stdout=out, stderr=err, start_new_session=True)
        wait_for("127.0.0.1", self.port, self.process, self.err)
        return time.monotonic() - begin

    def stop(self) -> None:
        """TERM to the master (gunicorn's graceful stop: requests in progress are finished); wait for it."""
        if self.process is not None:
            stop(self.process)

    def workers(self) -> set[int]:
        """Return the pids of the workers running now (the master's children, from /proc)."""
        found = set()
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(self.process.pid):
                    found.add(int(entry.name))
            except OSError:
                pass
        return found


@dataclass
class Result:
    begin: float
    end: float
    path: str
    status: int | str  # the status, or the error (a dropped connection: its exception's name)
    retry_after: str | None = None
    right: bool = False  # a 200 with what the answer must hold, or nginx's 503 with its body


class Load:
    """CLIENTS threads sending MIX through nginx in turn, each request on a new connection, until stopped."""

    def __init__(self, port: int):
        self.port, self.results, self.done = port, [], threading.Event()
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(CLIENTS)]

    def client(self, first: int) -> None:
        k = first
        while not self.done.is_set():
            method, path, body, needle = MIX[k % len(MIX)]
            k += 1
            begin = time.monotonic()
            try:
                status, headers, answer = get("127.0.0.1", self.port, path, method, body, JSON if body else None,
                                              timeout=30)
            except (OSError, http.client.HTTPException) as exc:
                self.results.append(Result(begin, time.monotonic(), path, type(exc).__name__))
                continue
            right = needle in answer if status == 200 else status == 503 and answer == UNAVAILABLE
            self.results.append(Result(begin, time.monotonic(), path, status, headers.get("retry-after"), right))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def wait_for_answers(self, count: int, timeout: float = 30) -> None:
        """Return once `count` more requests have been answered."""
        target, deadline = len(self.results) + count, time.monotonic() + timeout
        while len(self.results) < target:
            assert time.monotonic() < deadline, f"only {len(self.results)} answers of {target} in {timeout:.0f} s"
            time.sleep(0.05)

    def failed(self, since: float = 0.0) -> list[Result]:
        return [r for r in self.results if r.begin >= since and not (r.status == 200 and r.right)]

    def summary(self, results: list[Result]) -> dict:
        counts = {}
        for r in results:
            counts[(r.path, r.status)] = counts.get((r.path, r.status), 0) + 1
        return counts


def log_summary(log: Path) -> dict[str, int]:
    """Return how often each kind of message is in nginx's error log (its text up to the first comma)."""
    counts = {}
    for line in log.read_text().splitlines():
        kind = re.sub(r"^\S+ \S+ (\[\w+\]) \S+ (\*\d+ )?", r"\1 ", line).split(",")[0]
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def worker_pids(log: str) -> list[int]:
    return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", log)]


# --------------------------------------------------------------------------------------------------
# The servers: one behind nginx, and a pair behind another
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("restart")


@pytest.fixture(scope="module")
def single(tmp):
    """One server behind nginx (the site file as shipped); yields (server, nginx's port)."""
    server = Server(tmp, free_port(), tmp / "single")
    prefix = prefix_dir()
    try:
        server.start()
        with nginx_serving(prefix, f"127.0.0.1:{server.port}") as port:
            yield server, port
    finally:
        server.stop()
        shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture(scope="module")
def pair(tmp):
    """Two servers behind nginx: the site file with the second server line deploy/README.md tells to add;
    yields (first, second, nginx's port)."""
    first, second = Server(tmp, free_port(), tmp / "pair"), Server(tmp, free_port(), tmp / "pair")
    prefix = prefix_dir()
    try:
        for server in (first, second):
            server.start()
        with nginx_serving(prefix, f"127.0.0.1:{first.port}", more_upstreams=(f"127.0.0.1:{second.port}",)) as port:
            # the upstream block as deploy/README.md shows it for two servers
            assert re.search(rf"upstream barometer {{\n    server 127.0.0.1:{first.port} max_fails=0;.*\n"
                             rf"    server 127.0.0.1:{second.port} max_fails=0;\n}}",
                             (prefix / "barometer.conf").read_text())
            yield first, second, port, prefix / "error.log"
    finally:
        for server in (first, second):
            server.stop()
        shutil.rmtree(prefix, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# Restarts
# --------------------------------------------------------------------------------------------------
def test_a_graceful_reload_hup_fails_no_request(single):
    server, port = single
    old = server.workers()
    assert len(old) == 2, old
    with Load(port) as load:
        load.wait_for_answers(100)
        signalled = time.monotonic()
        os.kill(server.process.pid, signal.SIGHUP)
        deadline = time.monotonic() + 30
        while (server.workers() & old or len(server.workers()) != 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        replaced = time.monotonic() - signalled
        load.wait_for_answers(100)
    new = server.workers()
    during = [r for r in load.results if r.begin >= signalled and r.begin <= signalled + replaced]
    failed = load.failed()
    print(f"\nHUP with {CLIENTS} clients: workers {sorted(old)} -> {sorted(new)} in {replaced:.2f} s; "
          f"{len(failed)} of {len(load.results)} requests failed ({len(during)} sent during the reload)")
    assert not new & old and len(new) == 2, (old, new)
    assert len(during) >= 10, "too few requests during the reload to show anything"
    assert len(failed) == 0, (f"{len(failed)} of {len(load.results)} requests failed during the reload: "
                              f"{load.summary(failed)}")
    assert server.process.poll() is None  # the same master, still serving


def test_a_plain_stop_and_start_answers_503_with_retry_after_meanwhile(single):
    server, port = single
    with Load(port) as load:
        load.wait_for_answers(100)
        rate = 100 / (time.monotonic() - load.results[-100].begin)  # answers a second, before the restart
        stopped = time.monotonic()
        server.stop()
        startup = server.start()
        down = time.monotonic() - stopped
        load.wait_for_answers(100)
    failed = load.failed()
    kinds = load.summary(failed)
    window = max(r.end for r in failed) - min(r.begin for r in failed) if failed else 0.0
    print(f"\nplain stop and start with {CLIENTS} clients: {len(failed)} of {len(load.results)} requests failed, all "
          f"503 with Retry-After, over {window:.2f} s (nginx answers them at once; about {rate * window:.0f} requests "
          f"at the rate served before); the server answered again {startup:.2f} s after its start, {down:.2f} s "
          f"after the stop began")
    assert failed, "no request failed: a plain restart should show nginx's 503"
    assert all(r.status == 503 and r.retry_after == "10" and r.right for r in failed), kinds
    assert {r.path for r in failed} == {path for _, path, _, _ in MIX}, kinds  # the POSTs get it too
    assert window <= down + 0.5, (window, down)  # only while no server was up


def test_a_release_restarts_two_servers_one_at_a_time_and_fails_no_request(pair):
    first, second, port, nginx_log = pair
    took = []
    with Load(port) as load:
        load.wait_for_answers(100)
        begun = time.monotonic()
        for server in (first, second):
            old = server.process.pid
            server.stop()
            took.append(server.start())  # the new code; start() returns once it answers 200
            assert server.process.pid != old
            load.wait_for_answers(50)
        ended = time.monotonic()
        load.wait_for_answers(100)
    failed = load.failed()
    during = [r for r in load.results if begun <= r.begin <= ended]
    print(f"\nrelease, two servers restarted one at a time, {CLIENTS} clients: {len(failed)} of {len(load.results)} "
          f"requests failed ({len(during)} during the {ended - begun:.2f} s of the release; "
          f"each server answered {', '.join(f'{t:.2f}' for t in took)} s after its start)")
    assert len(during) >= 100
    assert len(failed) == 0, (f"{len(failed)} of {len(load.results)} requests failed during the release: "
                              f"{load.summary(failed)}; nginx's log: {log_summary(nginx_log)}")
    # nginx did meet each stopped server (refused, or reset as it stopped) and passed those requests on
    assert any("Connection refused" in kind for kind in log_summary(nginx_log)), log_summary(nginx_log)


# --------------------------------------------------------------------------------------------------
# A new data file: noticed, and loaded on HUP only through validation
# --------------------------------------------------------------------------------------------------
FINGERPRINT = re.compile(rb'"id":\s*"data-fingerprint"[^}]*?"data":\s*"([0-9a-f]+)"|'
                         rb'"data":\s*"([0-9a-f]+)"[^}]*?"id":\s*"data-fingerprint"')


def served_fingerprint(port: int) -> str:
    """Return the data fingerprint of the page a server makes now."""
    status, _, layout = get("127.0.0.1", port, "/_dash-layout")
    found = FINGERPRINT.search(layout)
    assert status == 200 and found, status
    return (found.group(1) or found.group(2)).decode()


def wait_for_log(server: Server, text: str, count: int = 1, timeout: float = 60) -> str:
    """Return the server's log once `text` is in it `count` times; fail with the log's tail."""
    deadline = time.monotonic() + timeout
    while server.err.read_text().count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} not logged in {timeout:.0f} s:\n{server.err.read_text()[-3000:]}"
        time.sleep(0.1)
    return server.err.read_text()


def test_a_changed_data_file_is_logged_and_loaded_on_hup_only_when_it_passes(tmp):
    """The issue's fault: a running server never noticed a changed file, SIGHUP included, and logged nothing."""
    from dashboard.cache import data_fingerprint
    from dashboard.data import integrity
    from dashboard.data.load import load
    from dashboard.data.shipped import DEFAULT_DATA
    from tests.test_data_integrity import cut

    folder = tmp / "data"
    folder.mkdir()
    data, side = folder / "survey.csv", integrity.sidecar(folder / "survey.csv")
    shutil.copy(DEFAULT_DATA, data)
    shutil.copy(integrity.sidecar(DEFAULT_DATA), side)
    server = Server(tmp, free_port(), tmp / "data-cache")
    server.env["BAROMETER_DATA"] = str(data)
    server.start()
    try:
        before = served_fingerprint(server.port)
        assert before == data_fingerprint(load(DEFAULT_DATA))
        # 90 % of the rows, put in place as a whole (renamed over it), its checksum file left as it was
        cut(DEFAULT_DATA, folder / "new.csv")
        changed = time.monotonic()
        os.replace(folder / "new.csv", data)
        text = wait_for_log(server, "changed on disk", timeout=10)
        print(f"\nthe change was logged {time.monotonic() - changed:.1f} s after it")
        assert f"data file {data} changed on disk" in text and f"kill -HUP {server.process.pid}" in text
        time.sleep(2.5)
        assert server.err.read_text().count("changed on disk") == 1  # one line, not one per look
        assert served_fingerprint(server.port) == before

        os.kill(server.process.pid, signal.SIGHUP)  # it does not match its checksum file: refused, old data kept
        text = wait_for_log(server, "reload: the data file was not loaded, still serving")
        assert "does not match its checksum file survey.csv.sha256" in text
        wait_for_log(server, "Booting worker", count=4)  # the new workers, forked from the app it had
        assert served_fingerprint(server.port) == before

        integrity.write(data, integrity.digest(data.read_bytes()))  # the change is intended: sealed
        os.kill(server.process.pid, signal.SIGHUP)
        text = wait_for_log(server, "reload: now serving")
        after = data_fingerprint(load(data))
        assert f"survey.csv: 4,170 rows, fingerprint {after}" in text and f"(was {before})" in text
        deadline = time.monotonic() + 30
        while served_fingerprint(server.port) != after:
            assert time.monotonic() < deadline, "the new workers do not serve the new data"
            time.sleep(0.2)
        assert server.process.poll() is None  # the same master throughout
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------
# The log: time, level and process id on every line
# --------------------------------------------------------------------------------------------------
def assert_every_line_formatted(text: str) -> dict[int, list[str]]:
    """Assert every line matches LINE; return the lines by process id."""
    lines = text.splitlines()
    bad = [line for line in lines if not LINE.match(line)]
    assert lines and not bad, f"{len(bad)} of {len(lines)} lines lack time, level or pid:\n" + "\n".join(bad[:10])
    by_pid = {}
    for line in lines:
        by_pid.setdefault(int(LINE.match(line)[2]), []).append(line)
    return by_pid


def refused_request(port: int) -> None:
    """Send a callback that is not JSON: the app refuses it (400) and its guard logs a warning, in a worker."""
    status, _, _ = get("127.0.0.1", port, "/_dash-update-component", "POST", b"not json", JSON)
    assert status == 400


def test_every_line_of_the_procfile_servers_log_has_time_level_and_pid(single):
    server, _ = single
    refused_request(server.port)
    deadline = time.monotonic() + 10
    while "dashboard.guard: refused POST" not in server.err.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = server.err.read_text()
    by_pid = assert_every_line_formatted(text)
    master = server.process.pid
    started = [line for line in by_pid[master] if "gunicorn.error: Starting gunicorn" in line]
    # the app's INFO lines (the response cache it uses, ...) are logged now, by the master that loads it
    assert started and any(re.search(r" INFO \[pid \d+\] dashboard\.", line) for line in by_pid[master]), text
    for pid in worker_pids(text):  # a worker's lines carry its own pid
        assert any(f"gunicorn.error: Booting worker with pid: {pid}" in line for line in by_pid[pid])
    warning = [line for line in text.splitlines() if "dashboard.guard: refused POST" in line]
    assert len(warning) == 1 and " WARNING [pid " in warning[0], warning
    assert int(LINE.match(warning[0])[2]) in server.workers()  # logged by the worker that refused it
    assert server.out.read_text() == ""  # stdout: the access log only, and that is off


def test_every_line_of_barometer_serves_log_has_time_level_and_pid(tmp):
    barometer = Path(sys.executable).with_name("barometer")
    command = [str(barometer)] if barometer.exists() else [sys.executable, "-m", "dashboard.cli"]
    port = free_port()
    err, out = tmp / "serve.err", tmp / "serve.out"
    env = {**os.environ, "BAROMETER_CACHE_URL": (tmp / "serve-cache").as_uri(), "BAROMETER_JOBS_DIR": str(tmp / "serve-jobs")}
    with err.open("wb") as err_file, out.open("wb") as out_file:
        process = subprocess.Popen([*command, "serve", "--port", str(port), "--workers", "1"], cwd=ROOT, env=env,
                                   stdout=out_file, stderr=err_file, start_new_session=True)
    try:
        wait_for("127.0.0.1", port, process, err)
        refused_request(port)
        deadline = time.monotonic() + 10
        while "dashboard.guard: refused POST" not in err.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop(process)
    text = err.read_text()
    by_pid = assert_every_line_formatted(text)
    assert any("gunicorn.error: Starting gunicorn" in line for line in by_pid[process.pid]), text
    assert any("WARNING" in line and "dashboard.guard: refused POST" in line for line in text.splitlines()), text
