"""Background jobs: the manager that runs Dash background callbacks (the "Download all" export), the
store the jobs share, and render slots that cap how many exports run at once.

One machine (the default, no extra service): Dash's `DiskcacheManager`. Each job runs in its own
process; results, progress and slots live in a diskcache directory that every gunicorn worker of the
machine shares: ``$BAROMETER_JOBS_DIR``, else ``<temp dir>/innovationsbarometer-jobs-<uid>``.

Scale-out: ``BAROMETER_JOBS_URL=redis://host:6379/0`` gives Dash's `CeleryManager`, with Redis as
broker, result backend and store. The jobs then run in Celery workers, which the operator starts
with the same environment (``BAROMETER_JOBS_URL``, ``BAROMETER_DATA``) as the web app::

    celery -A dashboard.jobs worker --loglevel INFO

The worker builds the dashboard over the same data file (`create_app()`), which registers the
export task; its concurrency defaults to the export limit.

``BAROMETER_EXPORT_LIMIT`` (default 2) is how many exports render at once per machine; as many again
may wait for a slot, and an export beyond that is refused with a message. A job renders on the CPU
time the web app leaves (`low_priority`), so redraws stay as fast while exports run.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dash import CeleryManager, DiskcacheManager

logger = logging.getLogger(__name__)

JOBS_URL = "BAROMETER_JOBS_URL"
JOBS_DIR = "BAROMETER_JOBS_DIR"
EXPORT_LIMIT = "BAROMETER_EXPORT_LIMIT"
DEFAULT_LIMIT = 2
RESULT_SECONDS = 120  # how long a job's result stays once the page has fetched it
JOB_SECONDS = 3600  # how long what is known of a job (its arguments, its last sign of life) is kept
BEAT_SECONDS = 2  # a running job gives a sign of life this often
LOST_SECONDS = 8  # a job without a sign of life for this long is lost: started again once, then reported
EXPORT_SECONDS = 3600  # how long a rendered export stays in the store for identical requests
SLOT_SECONDS = 10  # a slot whose holder died is free again after this long (a live holder renews it)
WAIT_SECONDS = 600  # an export waiting for a render slot gives up after this long
DEADLINE_SECONDS = WAIT_SECONDS + 300  # a job still running after this long is stopped and reported
# The CPU priority of a rendering job and of the sessions its browser starts: under full load such a
# session gets about a tenth of the CPU a normal one gets, so redraws stay fast and exports still finish.
NICENESS = 10


class ConfigError(ValueError):
    """A BAROMETER_* setting of the background jobs is not usable; the message names it."""


def jobs_url() -> str | None:
    """Return the Redis URL of the Celery broker and store ($BAROMETER_JOBS_URL), or None: one machine."""
    url = os.environ.get(JOBS_URL, "").strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"{JOBS_URL} must be a redis:// URL, got {url[:80]!r}")
    return url or None


def jobs_dir() -> Path:
    """Return the diskcache directory of the jobs on this machine ($BAROMETER_JOBS_DIR or a temp folder)."""
    explicit = os.environ.get(JOBS_DIR, "").strip()
    return Path(explicit) if explicit else Path(tempfile.gettempdir()) / f"innovationsbarometer-jobs-{os.getuid()}"


def export_limit() -> int:
    """Return how many exports may render at once per machine ($BAROMETER_EXPORT_LIMIT, default 2).

    >>> export_limit() >= 1
    True
    """
    raw = os.environ.get(EXPORT_LIMIT, "").strip() or str(DEFAULT_LIMIT)
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ConfigError(f"{EXPORT_LIMIT} must be a whole number of at least 1, got {raw[:40]!r}")
    return limit


# --------------------------------------------------------------------------------------------------
# The store: diskcache on one machine, Redis when configured
# --------------------------------------------------------------------------------------------------
class RedisStore:
    """The part of `diskcache.Cache`'s interface the jobs use (add, get, set, delete, incr), on Redis."""

    def __init__(self, url: str, prefix: str = "barometer:"):
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix

    def add(self, key: str, value, expire: float | None = None) -> bool:
        """Set `key` only if it is absent; return whether it was set."""
        return bool(self.client.set(self.prefix + key, value, nx=True, ex=_seconds(expire)))

    def get(self, key: str, default=None):
        """Return the value of `key` (bytes, or an int for counters), or `default`."""
        value = self.client.get(self.prefix + key)
        return default if value is None else value

    def set(self, key: str, value, expire: float | None = None) -> None:
        self.client.set(self.prefix + key, value, ex=_seconds(expire))

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def incr(self, key: str, delta: int = 1) -> int:
        """Add `delta` to the counter `key` (0 if absent) and return the new value."""
        return int(self.client.incr(self.prefix + key, delta))


def _seconds(expire: float | None) -> int | None:
    return None if expire is None else max(1, int(expire))


@functools.cache
def _disk_cache(directory: str):
    import diskcache

    return diskcache.Cache(directory)


@functools.cache
def _redis_store(url: str) -> RedisStore:
    return RedisStore(url)


def store():
    """Return the store the jobs of this deployment share: Redis if $BAROMETER_JOBS_URL, else diskcache."""
    url = jobs_url()
    return _redis_store(url) if url else _disk_cache(str(jobs_dir()))


def counter(store, key: str) -> int:
    """Return the value of counter `key` in `store` (0 if never counted)."""
    return int(store.get(key, 0) or 0)


# --------------------------------------------------------------------------------------------------
# Slots: at most N holders at once
# --------------------------------------------------------------------------------------------------
class Slots:
    """At most `size` holders at once, held as expiring keys ``name:0`` .. ``name:<size-1>`` in a store.

    Each key is set only if absent (diskcache ``add``, Redis ``SET NX``), so the processes and
    machines sharing the store agree without a lock of their own. A holder renews its key while it
    holds the slot; one that dies without freeing it loses it after `expire` seconds.
    """

    def __init__(self, store, name: str, size: int, expire: float = SLOT_SECONDS):
        self.store, self.name, self.size, self.expire = store, name, size, expire

    def take(self) -> str | None:
        """Return the key of a free slot, now held, or None when all are taken."""
        for i in range(self.size):
            key = f"{self.name}:{i}"
            if self.store.add(key, _holder(), expire=self.expire):
                return key
        return None

    def wait(self, timeout: float, poll: float = 0.2) -> str | None:
        """Return a slot's key once one is free, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while (key := self.take()) is None:
            if time.monotonic() >= deadline:
                return None
            time.sleep(poll)
        return key

    def free(self, key: str) -> None:
        self.store.delete(key)

    @contextmanager
    def held(self, key: str) -> Iterator[str]:
        """Hold slot `key` for the block, renewing it (a long render keeps its slot), then free it."""
        done = threading.Event()

        def renew():
            while not done.wait(self.expire / 3):
                self.store.set(key, _holder(), expire=self.expire)

        renewer = threading.Thread(target=renew, daemon=True)
        renewer.start()
        try:
            yield key
        finally:
            done.set()
            renewer.join()
            self.free(key)


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def machine_slots(store, name: str, size: int) -> Slots:
    """Return the slots `name` of this machine (its host name is part of the keys)."""
    return Slots(store, f"{name}:{socket.gethostname()}", size)


@contextmanager
def low_priority(poll: float = 0.1) -> Iterator[None]:
    """Leave the web app the CPU: put this process (for good) at nice NICENESS, and during the block
    every session its children start (Chromium starts one) at the same autogroup priority.

    Linux shares the CPU equally between sessions (autogroups) whatever their processes' nice values,
    so a browser in a session of its own would otherwise take as much CPU as the whole web app.
    """
    if os.getpriority(os.PRIO_PROCESS, 0) < NICENESS:
        os.setpriority(os.PRIO_PROCESS, 0, NICENESS)
    done = threading.Event()
    watcher = threading.Thread(target=_lower_child_sessions, args=(done, poll), daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def _lower_child_sessions(done: threading.Event, poll: float) -> None:
    """Until `done`, give each session a child of this process starts the autogroup priority NICENESS."""
    import psutil

    me, own_session, seen = psutil.Process(), os.getsid(0), set()
    while True:
        for child in me.children(recursive=True):
            if child.pid in seen:
                continue
            seen.add(child.pid)
            try:
                if os.getsid(child.pid) != own_session:  # never this process's own session: the web app's
                    Path(f"/proc/{child.pid}/autogroup").write_text(str(NICENESS))
            except OSError:  # gone already, or no autogroups here
                pass
        if done.wait(poll):
            return


# --------------------------------------------------------------------------------------------------
# The managers of Dash background callbacks
# --------------------------------------------------------------------------------------------------
class _Jobs:
    """What every background callback of the app gets from its manager, besides running the job.

    - Only the callbacks registered after this manager was made (the first of each key): Dash hands every
      background callback of every app in the process to every manager, under a key made of the callback's
      outputs and source; with two apps in one process (as in the tests) an app would otherwise run the
      other app's callback, over the other app's data.
    - A job gives a sign of life every BEAT_SECONDS: it sends its last progress again (`beating`), and every
      progress the page reads is noted in the store (`seen:<key>`). A job with no sign of life for
      LOST_SECONDS (a killed worker or process, a lost broker, a lost task) is lost: it is started again once
      (an export is safe to repeat), and if that is lost too, the page gets the callback's error handler's
      answer (`on_error`, given the job's arguments through `lost_arguments`). One log line says which job
      and why. Until then the page keeps polling, whatever Dash or Celery say of the job's process.
    """

    def __init__(self, *args, **kwargs):
        self._replaying = True  # the base class registers the earlier apps' callbacks here
        super().__init__(*args, **kwargs)
        self._replaying = False

    def register(self, key, fn, progress):
        """Register a background callback of this manager's app: the app whose manager was made last (Dash
        hands every callback to every live manager, which would keep replaced apps alive)."""
        from dash.background_callback.managers import BaseBackgroundCallbackManager as Base

        newest = Base.managers[-1] if Base.managers else self
        if not self._replaying and key not in self.func_registry and newest is self:
            self._own = {**getattr(self, "_own", {}), key: fn}
            super().register(key, fn, progress)

    def make_job_fn(self, fn, progress, key=None):
        return super().make_job_fn(beating(fn) if progress else fn, progress, key)

    def call_job_fn(self, key, job_fn, args, context):
        job = super().call_job_fn(key, job_fn, args, context)
        registered = next((k for k, f in self.func_registry.items() if f is job_fn), None)
        book = store()
        book.set(f"jobkey:{job}", key, expire=JOB_SECONDS)
        book.set(f"job:{key}", json.dumps({"fn": registered, "args": args, "context": context, "tries": 1},
                                          default=repr), expire=JOB_SECONDS)
        book.set(f"seen:{key}", str(time.time()), expire=JOB_SECONDS)
        book.set(f"started:{key}", str(time.time()), expire=JOB_SECONDS)
        return job

    def get_progress(self, key):
        progress = super().get_progress(key)
        if progress:
            store().set(f"seen:{key}", str(time.time()), expire=JOB_SECONDS)
        return progress

    def get_result(self, key, job):
        result = super().get_result(key, job)
        if result is not self.UNDEFINED or self._alive(key):
            return result
        book = store()
        info = book.get(f"job:{key}")
        if info is None:  # not a job of this app's (or long gone)
            return result
        info = json.loads(info)
        if not book.add(f"handling:{key}", "1", expire=LOST_SECONDS):  # another web process handles it
            return result
        quiet = time.time() - float(book.get(f"seen:{key}") or 0)
        overdue = time.time() - float(book.get(f"started:{key}") or time.time()) > DEADLINE_SECONDS
        if overdue:
            self.terminate_job(job)
            logger.warning("job %s (%s) passed its deadline of %d s; the page is told", key[:12],
                           _described(info["args"]), DEADLINE_SECONDS)
        elif info["tries"] < 2 and info["fn"] in self.func_registry:
            info["tries"] += 1
            book.set(f"job:{key}", json.dumps(info, default=repr), expire=JOB_SECONDS)
            book.set(f"seen:{key}", str(time.time()), expire=JOB_SECONDS)
            new = super().call_job_fn(key, self.func_registry[info["fn"]], info["args"], info["context"])
            book.set(f"jobkey:{new}", key, expire=JOB_SECONDS)
            logger.warning("job %s (%s) lost: no sign of life for %.0f s; started again as %s",
                           key[:12], _described(info["args"]), quiet, new)
            return result
        else:
            logger.warning("job %s (%s) lost again: no sign of life for %.0f s; the page is told", key[:12],
                           _described(info["args"]), quiet)
        book.delete(f"job:{key}")
        return {"background_callback_error": {"msg": LOST + json.dumps(info["args"], default=repr), "tb": ""}}

    def job_running(self, job):
        key = store().get(f"jobkey:{job}")
        if key is None:
            return super().job_running(job)
        key = key.decode() if isinstance(key, bytes) else key
        if self.result_ready(key):  # finished after this poll looked for its result: the next poll reads it (Dash
            return True  # would otherwise take a finished job without a result for a cancelled one: 204, no file)
        return self._alive(key)  # a job is running while it gives signs of life, whatever its process says

    @staticmethod
    def _alive(key) -> bool:
        """Return True while the job of `key` gave a sign of life within LOST_SECONDS and has run for less than
        DEADLINE_SECONDS (or is unknown here)."""
        book = store()
        seen, started = book.get(f"seen:{key}"), book.get(f"started:{key}")
        if seen is None:
            return True
        now = time.time()
        return now - float(seen) <= LOST_SECONDS and now - float(started or now) <= DEADLINE_SECONDS


MANAGER = "barometer_jobs"  # the app's manager of background callbacks, in ``server.extensions``
LOST = "job lost: "  # how the error a lost job ends with begins (see `lost_arguments`)


def lost_arguments(error: Exception) -> list | None:
    """Return the arguments of a background job that was lost, from the error Dash hands the callback's error
    handler, or None when the error is another."""
    text = str(error)
    if LOST not in text:
        return None
    try:
        return json.loads(text.split(LOST, 1)[1].splitlines()[0])
    except ValueError:
        return None


def _described(args) -> str:
    """Return a job's arguments in a few words for a log line."""
    parts = []
    for a in args if isinstance(args, list) else [args]:
        if isinstance(a, dict):  # the filter controls, grouped by key
            parts += [f"{k}={str(v)[:40]}" for k, v in a.items() if v not in (None, [], "")]
        elif a not in (None, [], ""):
            parts.append(str(a)[:40])
    return ", ".join(parts)


def beating(fn):
    """Return `fn` (a background callback's function, its progress setter first) sending its last progress
    again every BEAT_SECONDS while it runs: the job's sign of life."""

    @functools.wraps(fn)
    def run(set_progress, *args, **kwargs):
        last: list = []
        done = threading.Event()

        def said(value):
            last[:] = [value]
            set_progress(value)

        def beat():
            while not done.wait(BEAT_SECONDS):
                if last:
                    try:
                        set_progress(last[0])
                    except Exception:  # the store is away for a moment: the next beat tries again
                        logger.debug("a job's sign of life could not be sent", exc_info=True)

        thread = threading.Thread(target=beat, daemon=True)
        thread.start()
        try:
            return fn(said, *args, **kwargs)
        finally:
            done.set()
            thread.join()

    return run


class DiskJobs(_Jobs, DiskcacheManager):
    """Dash's DiskcacheManager, with the app's own callbacks and lost jobs seen (`_Jobs`)."""


class CeleryJobs(_Jobs, CeleryManager):
    """Dash's CeleryManager, with the app's own callbacks and lost jobs seen (`_Jobs`)."""


def _request_token() -> str:
    """Return a fresh token: part of every job's key, so two identical requests never share a job's result.

    Without it Dash keys a job by its inputs alone, and the first of two users who click with the same
    filters would take (and delete) the result of both. Identical requests are served from the export
    cache instead (see dashboard/callbacks/export.py).
    """
    return uuid.uuid4().hex


def forget(server) -> None:
    """Drop the background callbacks of the app of a Flask `server` that is no longer served (a reload replaced
    it) from the lists Dash keeps of every app's, so the app and its data can be collected; returns None."""
    from dash.background_callback.managers import BaseBackgroundCallbackManager as Base

    manager = getattr(server, "extensions", {}).get(MANAGER)
    if manager is None:
        return
    own = getattr(manager, "_own", {})
    Base.managers[:] = [m for m in Base.managers if m is not manager]
    Base.functions[:] = [f for f in Base.functions if own.get(f[0]) is not f[1]]


@functools.cache
def celery_app(url: str):
    """Return the Celery app over Redis at `url` (broker and result backend), one per process."""
    from celery import Celery

    app = Celery("innovationsbarometer", broker=url, backend=url)
    app.conf.update(
        result_expires=EXPORT_SECONDS,
        worker_concurrency=export_limit(),
        worker_prefetch_multiplier=1,  # a busy worker leaves the next export to an idle one
        broker_connection_retry_on_startup=True,
        task_serializer="json", result_serializer="json", accept_content=["json"],
    )
    return app


def background_manager():
    """Return the manager of Dash background callbacks: Celery over Redis if configured, else diskcache."""
    url = jobs_url()
    if url:
        return CeleryJobs(celery_app(url), cache_by=[_request_token], expire=RESULT_SECONDS)
    return DiskJobs(_disk_cache(str(jobs_dir())), cache_by=[_request_token], expire=RESULT_SECONDS)


def worker_app():
    """Return the Celery app a worker runs, with the dashboard's export task registered over the same
    data as the web app ($BAROMETER_DATA or the shipped file), and a watch that logs when that file changes."""
    url = jobs_url()
    if url is None:
        raise ConfigError(f"a Celery worker needs {JOBS_URL}=redis://host:6379/0, the same as the web app's")
    from .app import create_app
    from .reload import EXTENSION, watch

    server = create_app().server  # registers the export task on celery_app(url)
    logger.info("Celery worker for exports over %s, at most %d rendering at once",
                server.extensions[EXTENSION].describe(), export_limit())
    watch(server, "Restart the job workers to load it (it is validated first); until then they refuse the exports "
                  "of pages made from other data.")
    return celery_app(url)


def __getattr__(name: str):
    """`celery -A dashboard.jobs worker` finds the worker's Celery app as the attribute ``celery``."""
    if name == "celery":
        return worker_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
