"""`barometer serve`, run as an operator runs it: gunicorn with the requested workers and threads, the
development server with --dev, and a clear message (no traceback) for every bad setting."""

import gzip
import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.procfile import free_port, wait_until_up
from tests.test_cli import run

ROOT = Path(__file__).resolve().parents[1]
BAROMETER = Path(sys.executable).with_name("barometer")


def barometer(*args) -> list[str]:
    """Return the command line of `barometer ARGS` (the installed script, else python -m dashboard.cli)."""
    if BAROMETER.exists():
        return [str(BAROMETER), *args]
    return [sys.executable, "-m", "dashboard.cli", *args]


@contextmanager
def serving(tmp_path, *args, env=None):
    """Run `barometer serve ARGS` on a free port; yield (process, base URL, a function returning its log)."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = open(log_path, "w")
    full_env = {**os.environ, "BAROMETER_CACHE_URL": tmp_path.as_uri(), **(env or {})}
    process = subprocess.Popen(barometer("serve", "--port", str(port), *args), cwd=ROOT, env=full_env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process)
        yield process, f"http://127.0.0.1:{port}", lambda: log_path.read_text()
    finally:  # the whole process group: gunicorn's workers, or the development server's reloader child
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def get_gzip(url: str) -> tuple[int, str | None, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=20) as res:
        return res.status, res.headers.get("Content-Encoding"), res.read()


def wait_for(text_of, needle: str, count: int = 1, timeout: float = 20) -> str:
    """Return the log once it holds `needle` `count` times (or after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    text = text_of()
    while text.count(needle) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        text = text_of()
    return text


def wait_for_children(process, count: int, timeout: float = 20) -> list:
    """Return the child processes of `process` once there are `count` (or after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while len(children := process.children()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return children


def test_serve_runs_gunicorn_with_the_requested_workers_and_threads(tmp_path):
    psutil = pytest.importorskip("psutil")
    with serving(tmp_path, "--workers", "3", "--threads", "2") as (process, url, log):
        status, encoding, body = get_gzip(url + "/")
        assert status == 200 and encoding == "gzip" and b"react-entry-point" in gzip.decompress(body)
        text = wait_for(log, "Booting worker", 3)
        workers = wait_for_children(psutil.Process(process.pid), 3)
        assert len(workers) == 3 and all(w.is_running() for w in workers), text[-2000:]
        assert "Using worker: gthread" in text and text.count("Booting worker") == 3, text[-2000:]
        assert f"dashboard on {url}/ (gunicorn, 3 workers x 2 threads)" in text
        status, _, layout = get_gzip(url + "/_dash-layout")
        assert status == 200 and b'"fig1"' in gzip.decompress(layout)


def test_serve_dev_runs_the_development_server(tmp_path):
    with serving(tmp_path, "--dev") as (_, url, log):
        status, encoding, _ = get_gzip(url + "/")
        text = wait_for(log, "Debug mode: on")
        assert status == 200 and encoding == "gzip"
        assert "Debug mode: on" in text and "development server: not for production" in text
        assert "gunicorn" not in text.lower()


@pytest.mark.parametrize("args,code,needle", [
    (("--workers", "0"), 2, "--workers must be a whole number of at least 1"),
    (("--threads", "-2"), 2, "--threads must be a whole number of at least 1"),
    (("--port", "70000"), 2, "--port must be between 1 and 65535"),
    (("--data", "no/such/file.csv"), 1, "no/such/file.csv"),
])
def test_serve_refuses_bad_options_with_a_message(args, code, needle):
    got, _, err = run("serve", *args)
    assert got == code and needle in err and "Traceback" not in err


def test_serve_refuses_a_bad_cache_url_with_a_message(monkeypatch):
    monkeypatch.setenv("BAROMETER_CACHE_URL", "memcached://cache:11211")
    code, _, err = run("serve")
    assert code == 1 and "BAROMETER_CACHE_URL='memcached://cache:11211'" in err and "redis://" in err


def test_serve_refuses_a_bad_worker_count_in_the_environment(tmp_path):
    env = {**os.environ, "WEB_CONCURRENCY": "lots", "BAROMETER_CACHE_URL": tmp_path.as_uri()}
    done = subprocess.run(barometer("serve", "--port", str(free_port())), cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "WEB_CONCURRENCY='lots' must be a whole number of at least 1" in done.stderr
    assert "Traceback" not in done.stderr
