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
EXPORT_SECONDS = 3600  # how long a rendered export stays in the store for identical requests
SLOT_SECONDS = 60  # a slot whose holder died is free again after this long (a live holder renews it)
WAIT_SECONDS = 600  # an export waiting for a render slot gives up after this long
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
class _OwnCallbacks:
    """Run only the background callbacks registered after this manager was made (the first of each key).

    Dash hands every background callback of every app in the process to every manager, under a key
    made of the callback's outputs and source; with two apps in one process (as in the tests) an app
    would otherwise run the other app's callback, over the other app's data.
    """

    def __init__(self, *args, **kwargs):
        self._replaying = True  # the base class registers the earlier apps' callbacks here
        super().__init__(*args, **kwargs)
        self._replaying = False

    def register(self, key, fn, progress):
        if not self._replaying and key not in self.func_registry:
            super().register(key, fn, progress)


class DiskJobs(_OwnCallbacks, DiskcacheManager):
    """Dash's DiskcacheManager, running only its own app's callbacks."""


class CeleryJobs(_OwnCallbacks, CeleryManager):
    """Dash's CeleryManager, running only its own app's callbacks."""


def _request_token() -> str:
    """Return a fresh token: part of every job's key, so two identical requests never share a job's result.

    Without it Dash keys a job by its inputs alone, and the first of two users who click with the same
    filters would take (and delete) the result of both. Identical requests are served from the export
    cache instead (see dashboard/callbacks/export.py).
    """
    return uuid.uuid4().hex


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
    data as the web app ($BAROMETER_DATA or the shipped file)."""
    url = jobs_url()
    if url is None:
        raise ConfigError(f"a Celery worker needs {JOBS_URL}=redis://host:6379/0, the same as the web app's")
    from .app import create_app
    from .data.shipped import data_path

    create_app()  # registers the export task on celery_app(url)
    logger.info("Celery worker for exports over %s, at most %d rendering at once", data_path(), export_limit())
    return celery_app(url)


def __getattr__(name: str):
    """`celery -A dashboard.jobs worker` finds the worker's Celery app as the attribute ``celery``."""
    if name == "celery":
        return worker_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
