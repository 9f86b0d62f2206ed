""""Download all" through Celery and Redis (BAROMETER_JOBS_URL): a real redis-server and a real Celery
worker (`celery -A dashboard.jobs worker`), both started here on a free port and stopped afterwards.

The web app runs in-process and only sends the job; the worker builds the dashboard over the same data
file (BAROMETER_DATA), renders and stores the ZIP in Redis, where the page's polls find it.
Without redis-server the tests skip, or fail when BAROMETER_REQUIRE_SERVICES=1 (as in CI).
"""

import gc
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.procfile import free_port
from dashboard import jobs
from dashboard.callbacks.export import RENDERS
from dashboard.data.filters import Filter
from dashboard.data.load import load
from dashboard.export import images
from dashboard.figures.tables import FigureData
from tests.dash_client import count_by_kind
from tests.shipped import figure_data
from tests.test_export_jobs import run_export, status_of, zip_of

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def wait_for(check, timeout: float, what: str, log: Path | None = None):
    """Return check()'s first truthy value, polling; fail naming `what` (and the log's tail) on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"{what} not ready within {timeout:.0f} s\n{tail}")


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a process started here (and its children: its own process group), gently first."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A redis-server of its own on a free port, in a temp dir, without persistence."""
    if not os.path.exists(REDIS_SERVER):
        if os.environ.get("BAROMETER_REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is required (BAROMETER_REQUIRE_SERVICES=1): apt-get install redis-server")
        pytest.skip("redis-server not installed")
    import redis

    port, tmp = free_port(), tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp), "--logfile", str(tmp / "redis.log")],
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def answers():
        try:
            return redis.Redis(port=port).ping()
        except redis.ConnectionError:
            return False

    try:
        wait_for(answers, 20, "redis-server", tmp / "redis.log")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    """A microdata file that is not the shipped one (another seed), for the worker and the web app alike."""
    from dashboard.data.synth import generate, write

    path = tmp_path_factory.mktemp("data") / "barometer_seed7.csv"
    write(generate(seed=7), path)
    return path


@pytest.fixture(scope="module")
def settings(redis_url, data_file):
    """The environment both the worker and the web app get: the Redis URL, the data file, one render at a time."""
    return {jobs.JOBS_URL: redis_url, "BAROMETER_DATA": str(data_file), jobs.EXPORT_LIMIT: "1"}


class Worker:
    """`celery -A dashboard.jobs worker`, as the operator starts it, with one process; it can be killed and
    started again (the log goes on in the same file)."""

    def __init__(self, settings: dict, log: Path):
        self.settings, self.log, self.process = settings, log, None

    def start(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "dashboard.jobs", "worker", "--loglevel", "INFO",
                   "--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat",
                   "--hostname", f"barometer-test-{os.getpid()}@%h"]
        ready = self.log.read_text(errors="replace").count(" ready.") if self.log.exists() else 0
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **self.settings}, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: self.process.poll() is not None or self.log.read_text(errors="replace").count(" ready.") > ready,
                 180, "the Celery worker", self.log)
        assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        """Kill the whole worker at once (SIGKILL to its process group): no chance to hand its task back."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def pool_processes(self) -> list[int]:
        import psutil

        return [c.pid for c in psutil.Process(self.process.pid).children() if "celery" in " ".join(c.cmdline())]

    def read_text(self, **kwargs) -> str:
        return self.log.read_text(**kwargs)


@pytest.fixture(scope="module")
def worker(settings, tmp_path_factory):
    """The Celery worker of the module's tests."""
    if images.find_chromium() is None:
        pytest.skip("Chromium not installed")
    running = Worker(settings, tmp_path_factory.mktemp("worker") / "worker.log")
    running.start()
    try:
        yield running
    finally:
        stop(running.process)


@pytest.fixture(scope="module")
def web(settings, worker):
    """The web app with the same settings: its jobs go to the Celery worker through Redis."""
    from dashboard.app import create_app

    with pytest.MonkeyPatch.context() as mp:
        for name, value in settings.items():
            mp.setenv(name, value)
        app = create_app()
        assert isinstance(jobs.background_manager(), jobs.CeleryJobs)
        yield app.server.test_client()
    gc.collect()  # Celery's pending results leave Redis while it still runs


@pytest.fixture(scope="module")
def store(redis_url):
    return jobs.RedisStore(redis_url)


def test_the_zip_arrives_from_the_worker_over_the_same_data(web, store, worker, data_file):
    before = jobs.counter(store, RENDERS)
    outputs, statuses = run_export(web, "slide", sector=["region"], lang="en")
    name, archive = zip_of(outputs)
    assert name == "innovationsbarometer_sector-region_en_slide.zip"  # a file of its own: real microdata
    assert count_by_kind(archive) == {"csv": 16, "png": 16, "svg": 16, "xlsx": 1, "txt": 1}
    assert status_of(outputs) == "The ZIP file is ready: Sector: Region · English."
    assert "Packing the ZIP file …" in statuses
    assert jobs.counter(store, RENDERS) == before + 1
    assert "export rendered in" in worker.read_text()  # rendered by the worker, not by this process
    # the numbers are those of the data file both were given, not of the shipped data
    got = pd.read_csv(io.BytesIO(archive.read("fig4_sector-region.csv")), keep_default_na=False, na_values=[""])
    expected = FigureData(load(data_file)).table("fig4", Filter(sector=("region",)), "en")
    assert got["n"].tolist() == expected["n"].tolist()
    # to the precision of the download (one decimal), and unlike the shipped data's
    pd.testing.assert_series_equal(got["share"], expected["share"], check_names=False, check_dtype=False, atol=0.05)
    shipped = figure_data().table("fig4", Filter(sector=("region",)), "en")
    assert (got["share"] - shipped["share"]).abs().max() > 0.3
    assert got["note"].isna().all()  # a file of its own counts as real microdata: no synthetic label

    # the same request again: the same ZIP from Redis, nothing rendered
    again, statuses = run_export(web, "slide", sector=["region"], lang="en")
    assert again["export-download"]["data"] == outputs["export-download"]["data"]
    assert "Packing the ZIP file …" not in statuses and jobs.counter(store, RENDERS) == before + 1


def test_queue_full_over_redis_slots(web, store):
    places = jobs.machine_slots(store, "export-place", 2)  # the worker runs on this machine, limit 1
    held = [places.take(), places.take()]
    try:
        assert None not in held
        before = jobs.counter(store, RENDERS)
        outputs, _ = run_export(web, "a4", value=["efficiency"], lang="en")
        assert "export-download" not in outputs
        assert status_of(outputs) == ("The server is already making 1 exports. Try again in a moment; "
                                      "nothing was downloaded.")
        assert jobs.counter(store, RENDERS) == before
    finally:
        for key in held:
            if key:
                places.free(key)


def test_crafted_input_through_the_worker_gives_a_notice(web):
    outputs, _ = run_export(web, "poster", lang="en")
    assert "export-download" not in outputs and outputs["notice"]["is_open"] is True
    assert "Unknown export size 'poster'" in outputs["notice"]["children"]


# --------------------------------------------------------------------------------------------------
# A worker that dies: the task is seen lost within seconds, sent again once, and the ZIP arrives
# --------------------------------------------------------------------------------------------------
def test_a_worker_killed_during_an_export_and_started_again_5_s_later_delivers_the_zip(web, store, worker, caplog):
    """The issue's example: the task was lost (empty queue, PENDING) and the page polled forever."""
    from tests.test_export_jobs import poll_export, start_export

    body, _, query = start_export(web, "a4", sector=["municipality"], lang="en")
    poll_export(web, body, query, timeout=120, until=lambda s: any(x.startswith("Drawing") for x in s))
    worker.kill()
    time.sleep(5)
    worker.start()
    outputs, _ = poll_export(web, body, query, timeout=240)
    name, archive = zip_of(outputs)
    assert name == "innovationsbarometer_sector-municipality_en_a4.zip" and count_by_kind(archive)["png"] == 16
    lost = [r.getMessage() for r in caplog.records if r.name == "dashboard.jobs" and "lost" in r.getMessage()]
    assert len(lost) == 1 and "started again" in lost[0]


def test_the_process_doing_the_export_killed_the_task_is_sent_again(web, store, worker, caplog):
    import psutil

    from tests.test_export_jobs import poll_export, start_export

    body, _, query = start_export(web, "a4", sector=["state"], value=["quality"], lang="en")
    poll_export(web, body, query, timeout=120, until=lambda s: any(x.startswith("Drawing") for x in s))
    for pid in worker.pool_processes():  # the pool process rendering, with its browser
        for child in psutil.Process(pid).children(recursive=True):
            child.kill()
        psutil.Process(pid).kill()
    outputs, _ = poll_export(web, body, query, timeout=240)
    assert zip_of(outputs)[0] == "innovationsbarometer_sector-state_value-quality_en_a4.zip"
    assert status_of(outputs) == "The ZIP file is ready: Sector: State; Value: Higher quality · English."
    assert len([r for r in caplog.records if r.name == "dashboard.jobs" and "lost" in r.getMessage()]) == 1


# --------------------------------------------------------------------------------------------------
# The data file changes: a worker notices, and one started again over the new file renders no page of the old
# --------------------------------------------------------------------------------------------------
def test_a_worker_restarted_after_the_file_changed_refuses_the_pages_of_the_old_data(web, store, worker, data_file):
    """The issue's fault: a worker restarted after the file changed rendered ZIPs from the new file while the page
    showed the old (fig4 region: n differed, shares up to 0.9 points apart). Runs last: it changes the file."""
    from dashboard.data.synth import generate, write

    before = jobs.counter(store, RENDERS)
    write(generate(seed=8), data_file)
    wait_for(lambda: "changed on disk" in worker.read_text(errors="replace"), 10, "the worker's log of the change")
    assert worker.read_text(errors="replace").count("changed on disk") == 1
    worker.kill()
    worker.start()
    outputs, _ = run_export(web, "slide", sector=["region"], lang="en")
    assert "export-download" not in outputs
    assert status_of(outputs) == "The data on the server have changed; nothing was downloaded. Reload the page."
    assert jobs.counter(store, RENDERS) == before
    assert worker.read_text(errors="replace").count("export refused: the page was made from data") == 1
