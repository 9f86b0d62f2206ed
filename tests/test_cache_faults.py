"""Faults of the response cache's storage, made on the real folder or a real redis-server: the
responses stay right (computed without the cache), an outage costs one warning line without a
traceback, and one info line when it is over; a failed write leaves no temporary file; a file cache
keeps to BAROMETER_CACHE_MB.

CI runs as root, whom permissions do not stop, so the faults are ones root meets too: a folder
replaced by a file, a folder removed, a full file system (a small tmpfs), a file size limit."""

import logging
import os
import resource
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager, nullcontext

import pytest

from benchmarks.callbacks import DESKTOP, distinct_states, filter_change
from benchmarks.procfile import free_port
from dashboard import cache as cache_module
from dashboard.app import create_app
from dashboard.cache import FileCache, ResponseCache

N = 50  # requests during an outage
STATES = distinct_states(5, 11)  # the filters they cycle through
TEMPORARY = FileCache._fs_transaction_suffix


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------
def ask(client, state: dict) -> dict:
    """Post the figures callback for a control state as the browser does; return its response."""
    deps = client.get("/_dash-dependencies").get_json()
    _, body = filter_change(deps, state, widths=DESKTOP)[-1]
    res = client.post("/_dash-update-component", json=body)
    assert res.status_code == 200, res.get_data()[:300]
    res.close()  # as a server does once the response is sent: the cache entry is written then
    return res.get_json()["response"]


def ask_all(client, reference: list[dict], n: int = N) -> None:
    """Ask for STATES in turn, `n` times in all, checking each response against `reference`."""
    for i in range(n):
        assert ask(client, STATES[i % len(STATES)]) == reference[i % len(STATES)]


def app_on(monkeypatch, url: str, data, mb: int | None = None):
    """Return (test client, response cache) of a new app whose cache is at `url`."""
    monkeypatch.setenv("BAROMETER_CACHE_URL", url)
    if mb is not None:
        monkeypatch.setenv("BAROMETER_CACHE_MB", str(mb))
    app = create_app(data, chromium=None)
    return app.server.test_client(), app.server.extensions["barometer_response_cache"]


def warnings_in(log) -> list[str]:
    """Return the messages logged at WARNING or above, after checking that no record holds a traceback."""
    assert not any(r.exc_info for r in log.records) and "Traceback" not in log.text
    return [r.getMessage() for r in log.records if r.levelno >= logging.WARNING]


def assert_one_outage(log, cache, operation: str, cause: str) -> None:
    """Check that the outage was logged once, as a warning naming `operation` and `cause`, and each try
    of the cache since (with a debug line at most)."""
    (warning,) = warnings_in(log)
    assert warning.startswith(f"response cache {operation} failed (") and cause in warning, warning
    retries = [r for r in log.records if "still failing" in r.getMessage()]
    assert len(retries) == cache.stats["errors"] - 1 and all(r.levelno == logging.DEBUG for r in retries)


def assert_back(log) -> None:
    (back,) = [r for r in log.records if "response cache is back" in r.getMessage()]
    assert back.levelno == logging.INFO


def temporary_files(folder) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(TEMPORARY)]


def folder_bytes(folder) -> int:
    return sum(entry.stat().st_size for entry in os.scandir(folder))


@pytest.fixture(scope="module")
def reference(synth_data) -> list[dict]:
    """The figures response of each of STATES, from an app whose cache works."""
    client = create_app(synth_data, chromium=None).server.test_client()
    return [ask(client, state) for state in STATES]


@pytest.fixture()
def log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture()
def quick_retry(monkeypatch) -> float:
    """A failed cache is tried again after 0.05 s (not 10), so an outage sees many tries; returns that time."""
    monkeypatch.setattr(cache_module, "RETRY_AFTER", 0.05)
    return 0.05


# --------------------------------------------------------------------------------------------------
# The folder goes away
# --------------------------------------------------------------------------------------------------
def test_a_folder_replaced_by_a_file_costs_one_warning_until_it_is_back(monkeypatch, tmp_path, synth_data,
                                                                         reference, log, quick_retry):
    folder = tmp_path / "cache"
    client, cache = app_on(monkeypatch, folder.as_uri(), synth_data)
    assert ask(client, STATES[0]) == reference[0]
    log.clear()
    shutil.rmtree(folder)
    folder.write_text("not a folder")
    ask_all(client, reference)
    assert_one_outage(log, cache, "get", "Not a directory")
    assert cache.stats["errors"] > 1 and cache.stats["hits"] == 0  # tried again, quietly
    folder.unlink()
    folder.mkdir()
    time.sleep(quick_retry)
    assert ask(client, STATES[1]) == reference[1]
    assert_back(log)
    assert ask(client, STATES[1]) == reference[1] and cache.stats["hits"] == 1
    assert len(warnings_in(log)) == 1 and temporary_files(folder) == []


def test_a_removed_folder_costs_one_warning_until_it_is_back(monkeypatch, tmp_path, synth_data,
                                                              reference, log, quick_retry):
    folder = tmp_path / "cache"
    client, cache = app_on(monkeypatch, folder.as_uri(), synth_data)
    assert ask(client, STATES[0]) == reference[0]
    log.clear()
    shutil.rmtree(folder)
    ask_all(client, reference)
    assert_one_outage(log, cache, "set", "No such file or directory")  # reading found nothing: a miss
    assert cache.stats["errors"] > 1 and cache.stats["hits"] == 0
    folder.mkdir()
    time.sleep(quick_retry)
    assert ask(client, STATES[1]) == reference[1]
    assert_back(log)
    assert ask(client, STATES[1]) == reference[1] and cache.stats["hits"] == 1
    assert temporary_files(folder) == []


# --------------------------------------------------------------------------------------------------
# The disk is full
# --------------------------------------------------------------------------------------------------
@contextmanager
def small_tmpfs(folder, size: str):
    """Mount a tmpfs of `size` on `folder` (made here) for the block; skips the test where mounting is not allowed."""
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@contextmanager
def file_size_limit(nbytes: int):
    """Let this process write no file past `nbytes` for the block (root included): a write there fails
    (EFBIG), as on a full disk or over a quota."""
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the signal ends the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        signal.signal(signal.SIGXFSZ, handler)


@pytest.mark.parametrize("disk,cause", [("tmpfs", "No space left on device"), ("file size limit", "File too large")])
def test_a_full_disk_costs_one_warning_and_leaves_no_temporary_file(monkeypatch, tmp_path, synth_data, reference,
                                                                     log, quick_retry, disk, cause):
    folder = tmp_path / "cache"
    with small_tmpfs(folder, "400k") if disk == "tmpfs" else nullcontext():  # room for two entries
        client, cache = app_on(monkeypatch, folder.as_uri(), synth_data)
        log.clear()
        with file_size_limit(16_000) if disk == "file size limit" else nullcontext():
            ask_all(client, reference)
        assert_one_outage(log, cache, "set", f"{cause}: '{folder}'")
        assert cache.stats["errors"] > 1 and cache.stats["misses"] + cache.stats["hits"] == N
        assert temporary_files(folder) == []


def test_a_set_that_answers_false_is_a_failure_too(log, quick_retry):
    class Backend:  # one that reports, rather than raises, that it stored nothing
        stores = False

        def get(self, key):
            return None

        def set(self, key, value):
            return self.stores

    backend = Backend()
    cache = ResponseCache(backend, "test")
    for i in range(N):
        assert cache.get_or_set("k", lambda i=i: {"outputs": [i]}) == {"outputs": [i]}
        time.sleep(0.002)
    assert_one_outage(log, cache, "set", "the backend did not store the entry")
    backend.stores = True
    time.sleep(quick_retry)
    cache.get_or_set("k", dict)
    assert_back(log)


# --------------------------------------------------------------------------------------------------
# The bound and damaged files
# --------------------------------------------------------------------------------------------------
def test_the_folder_keeps_to_its_bound_dropping_the_oldest_first(monkeypatch, tmp_path, synth_data, log):
    folder = tmp_path / "cache"
    folder.mkdir()
    dead = folder / f"tmpdead{TEMPORARY}"  # left by a writer that died a while ago
    dead.write_bytes(b"x" * 50_000)
    os.utime(dead, (time.time() - 600,) * 2)
    workers = [app_on(monkeypatch, folder.as_uri(), synth_data, mb=1) for _ in range(2)]  # sharing the folder
    log.clear()
    states = distinct_states(16, 5)  # about 2.5 MB of responses
    for i, state in enumerate(states):
        ask(workers[i % 2][0], state)
        assert folder_bytes(folder) <= 1_000_000
    assert not dead.exists() and temporary_files(folder) == []
    entries = [e for e in os.scandir(folder) if FileCache.ENTRY.fullmatch(e.name)]
    assert 3 <= len(entries) < len(states)
    assert int((folder / FileCache.SIZE_FILE).read_text()) == sum(e.stat().st_size for e in entries)
    client, cache = workers[0]
    ask(client, states[-1])  # the newest, written by the other worker: kept
    ask(client, states[0])  # the oldest: dropped
    assert cache.stats["hits"] == 1
    assert warnings_in(log) == []


def test_writes_under_the_bound_do_not_list_the_folder(monkeypatch, tmp_path, synth_data):
    client, cache = app_on(monkeypatch, tmp_path.as_uri(), synth_data)
    listings = []
    real = FileCache._listing
    monkeypatch.setattr(FileCache, "_listing", lambda self: listings.append(1) or real(self))
    for state in distinct_states(8, 3):
        ask(client, state)
    assert cache.stats["misses"] == 8 and len(listings) == 1  # the first write, to learn the folder's size


def test_a_damaged_entry_is_computed_again_and_replaced(monkeypatch, tmp_path, synth_data, reference, log):
    client, cache = app_on(monkeypatch, tmp_path.as_uri(), synth_data)
    log.clear()
    ask(client, STATES[0])
    for entry in os.scandir(tmp_path):
        if FileCache.ENTRY.fullmatch(entry.name):
            with open(entry.path, "r+b") as f:
                f.truncate(100)
    assert ask(client, STATES[0]) == reference[0] and cache.stats == {"hits": 0, "misses": 2, "errors": 0}
    assert ask(client, STATES[0]) == reference[0] and cache.stats["hits"] == 1
    assert warnings_in(log) == []


def test_an_entry_larger_than_the_bound_is_not_kept_and_is_no_fault(tmp_path):
    cache = FileCache(str(tmp_path), max_bytes=1_000)
    assert cache.set("k", b"x" * 2_000) is True  # not an outage of the cache: that entry just never fits
    assert os.listdir(tmp_path) == [] and cache.get("k") is None


@pytest.mark.parametrize("damage", [b"\x00\x00\x00\x00\x80\x09junk", b"\x00\x00\x00\x00not a pickle", b"\x01"])
def test_an_entry_damaged_in_any_way_is_a_miss_and_removed(tmp_path, damage):
    cache = FileCache(str(tmp_path), max_bytes=1_000_000)
    cache.set("k", b"value")
    assert cache.get("k") == b"value"
    with open(cache._get_filename("k"), "wb") as f:
        f.write(damage)
    assert cache.get("k") is None and not os.path.exists(cache._get_filename("k"))
    assert sorted(os.listdir(tmp_path)) == [FileCache.SIZE_FILE] and cache._is_mgmt(FileCache.SIZE_FILE)


# --------------------------------------------------------------------------------------------------
# Redis: a real redis-server, started and stopped here
# --------------------------------------------------------------------------------------------------
@pytest.fixture()
def redis_server(tmp_path):
    """Return start(port, *options) -> a running redis-server (stopped after the test)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        if os.environ.get("BAROMETER_REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is required for the shared-cache tests: apt-get install redis-server")
        pytest.skip("redis-server not installed")
    import redis

    started = []

    def start(port: int, *options: str):
        process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", str(tmp_path), *options],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        started.append(process)
        client, deadline = redis.Redis(port=port), time.monotonic() + 20
        while True:
            try:
                client.ping()
                return process
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {port}")
                time.sleep(0.02)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_redis_going_down_costs_one_warning_and_coming_back_one_line(monkeypatch, synth_data, reference,
                                                                     log, quick_retry, redis_server):
    port = free_port()
    server = redis_server(port)
    client, cache = app_on(monkeypatch, f"redis://127.0.0.1:{port}/0", synth_data)
    assert ask(client, STATES[0]) == reference[0]
    log.clear()
    server.terminate()
    server.wait(timeout=10)
    ask_all(client, reference)
    assert_one_outage(log, cache, "get", "Connection refused")
    assert cache.stats["errors"] > 1 and cache.stats["hits"] == 0
    redis_server(port)  # back, empty
    time.sleep(quick_retry)
    assert ask(client, STATES[1]) == reference[1]
    assert_back(log)
    assert ask(client, STATES[1]) == reference[1] and cache.stats["hits"] == 1


def test_a_full_redis_refuses_entries_with_one_warning(monkeypatch, synth_data, reference, log, quick_retry,
                                                       redis_server):
    port = free_port()
    redis_server(port, "--maxmemory", "1mb", "--maxmemory-policy", "noeviction")  # Redis's default policy
    client, cache = app_on(monkeypatch, f"redis://127.0.0.1:{port}/0", synth_data)
    log.clear()
    ask_all(client, reference)
    assert_one_outage(log, cache, "set", "command not allowed when used memory > 'maxmemory'")
    assert cache.stats["errors"] > 1


def test_redis_with_maxmemory_and_lru_keeps_to_its_bound(monkeypatch, synth_data, log, redis_server):
    import redis

    port = free_port()
    redis_server(port, "--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru")  # as the module docs say
    client, cache = app_on(monkeypatch, f"redis://127.0.0.1:{port}/0", synth_data)
    log.clear()
    states = distinct_states(20, 9)  # about 3 MB of responses
    for state in states:
        ask(client, state)
    store = redis.Redis(port=port)
    assert store.info("memory")["used_memory"] <= 2 * 2**20 + 200_000  # evicts before the next write
    assert 0 < store.dbsize() < len(states) and cache.stats["errors"] == 0
    assert warnings_in(log) == []
