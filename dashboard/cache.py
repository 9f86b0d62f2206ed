"""Memoized callback responses (Flask-Caching), keyed by what determines them: the caller's key
(filter, language, chart widths), the data (a fingerprint of the microdata) and the program (its
version and a fingerprint of its code).

Where the entries live is set by ``BAROMETER_CACHE_URL``:

- unset: files in a new folder of the system's temp dir (`FileCache`), made when the app is created and
  removed when the process that made it ends. gunicorn forks its workers from that app
  (``preload_app``), so they all share it: a response computed by one worker is served by all, and
  survives a worker's restart. A per-process SimpleCache would compute each response once per worker
  and lose it with the worker. No extra service.
- ``file:///path/to/folder``: the same, in a folder that outlives the server.
- ``redis://[:password@]host:port/db``, ``rediss://...`` or ``unix:///path/to/socket``: Redis, shared by
  every worker on every machine that points at it (keep it private: entries are pickles).

An entry is one figures response, stored as its JSON bytes (13 bytes more as a file). Measured on
the shipped data over 30 filters in three chart widths: 127 to 182 kB, median 142 kB as a desktop
draws the page, 155 kB as a phone does. A file cache keeps its entries under ``BAROMETER_CACHE_MB``
in all (a whole number, default 200: about 1,300 entries of 155 kB), dropping the oldest first.
The app cannot bound Redis: Redis does. Give the cache a Redis of its own with ``maxmemory 256mb``
(about 1,600 entries) and ``maxmemory-policy allkeys-lru``, so that Redis evicts the least recently
used entries; with Redis's default policy, ``noeviction``, a full Redis refuses every new entry
(which costs the cache, not the responses). Don't set an eviction policy on a Redis that also holds
the jobs (``BAROMETER_JOBS_URL``): it would evict them too.

Entries expire after TIMEOUT seconds.

A response in which a figure failed is not stored. A cache that fails (Redis down or full, a full
disk, a folder gone or read-only) costs one warning, naming the operation and the cause; the cache
is then left alone for RETRY_AFTER seconds at a time, silently, until the operation works again,
which is logged once. Responses are then computed, never refused.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import logging
import os
import pickle
import re
import shutil
import struct
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import orjson
import pandas as pd
from flask import after_this_request, has_request_context
from flask_caching.backends.filesystemcache import FileSystemCache
from plotly.io.json import to_json_plotly

from . import __version__

T = TypeVar("T")
logger = logging.getLogger(__name__)

CACHE_URL_ENV = "BAROMETER_CACHE_URL"
CACHE_MB_ENV = "BAROMETER_CACHE_MB"
REDIS_SCHEMES = ("redis", "rediss", "unix")
TIMEOUT = 24 * 3600  # seconds an entry lives; a new data file or program never reads old entries anyway
DEFAULT_MB = 200  # MB a file cache keeps: ~1,300 entries of 155 kB (measured on the shipped data: 127-182 kB)
MB = 1_000_000
PRUNE_TO = 0.9  # a full file cache drops its oldest entries until they fill this share of the bound
STALE_AFTER = 60.0  # seconds after which a temporary file is one a dead writer left, and is removed
RETRY_AFTER = 10.0  # seconds a failed cache is skipped before it is tried again
REDIS_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "health_check_interval": 30}


class CacheConfigError(ValueError):
    """BAROMETER_CACHE_URL or BAROMETER_CACHE_MB names no cache the dashboard can use; the message says
    what is accepted."""


def data_fingerprint(frame: pd.DataFrame) -> str:
    """Return a short hash of a data frame's columns, types and values: equal frames, equal hashes.

    >>> data_fingerprint(pd.DataFrame({"a": [1, 2]})) == data_fingerprint(pd.DataFrame({"a": [1, 2]}))
    True
    >>> data_fingerprint(pd.DataFrame({"a": [1, 2]})) == data_fingerprint(pd.DataFrame({"a": [1, 3]}))
    False
    """
    digest = hashlib.sha256(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def code_fingerprint() -> str:
    """Return a short hash of the program's code (every .py file of the package): a changed program,
    even at the same version, never reads the entries of another."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _remove(folder: str, owner: int) -> None:
    if os.getpid() == owner:  # not in a forked worker: the folder is the whole server's
        shutil.rmtree(folder, ignore_errors=True)


def new_folder() -> str:
    """Return a new private folder in the system's temp dir, removed when this process ends."""
    folder = tempfile.mkdtemp(prefix="innovationsbarometer-cache-")
    atexit.register(_remove, folder, os.getpid())
    return folder


def _discard(path: str) -> None:
    """Remove the file at `path` if it is there; returns None."""
    with suppress(FileNotFoundError):
        os.unlink(path)


def _size(path: str) -> int:
    """Return the bytes of the file at `path`, 0 if there is none."""
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


class FileCache(FileSystemCache):
    """Flask-Caching's FileSystemCache, made to fail loudly, clean up and keep to a size.

    `get` and `set` raise OSError where FileSystemCache would log a traceback and carry on (the caller
    decides what to log), `set` leaves no temporary file behind when it fails, and the entries stay
    under `max_bytes` in all, the oldest dropped first. The processes sharing the folder keep a running
    total of its entries' bytes in its file SIZE_FILE, updated under an exclusive lock, so a write
    costs no listing of the folder; only a full cache lists it, to drop entries and recount.
    A damaged entry is a miss.
    """

    SIZE_FILE = "size"
    ENTRY = re.compile("[0-9a-f]{64}")  # entry files are named by the sha256 of their key

    def __init__(self, cache_dir: str, max_bytes: int, default_timeout: int = 300, **kwargs):
        super().__init__(cache_dir, threshold=0, default_timeout=default_timeout, **kwargs)
        self.max_bytes = max_bytes

    @classmethod
    def factory(cls, app, config, args, kwargs) -> FileCache:
        """Return the cache of a Flask-Caching `config` (CACHE_DIR; max_bytes among CACHE_OPTIONS)."""
        return cls(config["CACHE_DIR"], *args, **kwargs)

    def get(self, key: str) -> Any:
        """Return the value stored under `key`, or None if there is none, it expired or it is damaged.

        Raises OSError if the folder cannot be read.
        """
        filename = self._get_filename(key)
        try:
            with open(filename, "rb") as f:
                content = f.read()
        except FileNotFoundError:
            return None
        try:
            (expires,) = struct.unpack("I", content[:4])
            return pickle.loads(content[4:]) if expires == 0 or expires >= time.time() else None
        except Exception:  # a damaged entry (cut short, overwritten): a miss, and removed
            _discard(filename)
            return None

    def _is_mgmt(self, name: str) -> bool:
        """Return True for the folder's own files (the running total, temporary files), which are no entries."""
        return name == self.SIZE_FILE or super()._is_mgmt(name)

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        """Store `value` under `key` for `timeout` seconds (None: the default; 0: for ever); return True.

        Raises OSError if it cannot: the entry is then not stored and no temporary file is left.
        """
        data = struct.pack("I", self._normalize_timeout(timeout)) + pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        if len(data) > self.max_bytes:  # never fits: not kept, and no fault of the cache
            logger.debug("an entry of %d bytes is more than the cache's bound, %d bytes: not kept", len(data),
                         self.max_bytes)
            return True
        fd, temporary = tempfile.mkstemp(suffix=self._fs_transaction_suffix, dir=self._path)
        try:
            with os.fdopen(fd, "wb") as f:  # private to this user (0600), as the folder
                f.write(data)
            self._replace(temporary, self._get_filename(key), len(data))
        except BaseException as exc:
            _discard(temporary)
            if isinstance(exc, OSError) and exc.filename is None:  # a full disk names no file: name the folder
                exc.filename = self._path
            raise
        return True

    def _replace(self, temporary: str, filename: str, size: int) -> None:
        """Move the new entry `temporary` (`size` bytes) to `filename`, making room for it first and
        counting it in the running total; returns None."""
        with self._size_file() as fd:
            total = self._total(fd)
            if total is None or total - _size(filename) + size > self.max_bytes:
                total = self._make_room(size)
            total -= _size(filename)
            os.replace(temporary, filename)
            os.pwrite(fd, b"%020d" % (total + size), 0)

    @contextmanager
    def _size_file(self) -> Iterator[int]:
        """Yield the descriptor of the folder's SIZE_FILE, locked against every other writer."""
        fd = os.open(os.path.join(self._path, self.SIZE_FILE), os.O_RDWR | os.O_CREAT, self._mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # and with it the lock

    @staticmethod
    def _total(fd: int) -> int | None:
        """Return the running total of the entries' bytes kept in the size file `fd`, or None if it
        holds none (a new folder)."""
        text = os.pread(fd, 20, 0)
        return int(text) if text.isdigit() else None

    def _make_room(self, size: int) -> int:
        """Drop the oldest entries until `size` more bytes fit in PRUNE_TO of the bound, and any
        temporary file older than STALE_AFTER seconds; return the bytes the entries then hold."""
        entries, stale = self._listing()
        for path in stale:
            _discard(path)
        total = sum(nbytes for _, nbytes, _ in entries)
        for _, nbytes, path in sorted(entries):
            if total + size <= self.max_bytes * PRUNE_TO:
                break
            _discard(path)
            total -= nbytes
        return total

    def _listing(self) -> tuple[list[tuple[float, int, str]], list[str]]:
        """Return (modified, bytes, path) of each entry in the folder, and the paths of stale temporary files."""
        entries, stale, now = [], [], time.time()
        with os.scandir(self._path) as found:
            for item in found:
                with suppress(FileNotFoundError):  # removed meanwhile by another process
                    if self.ENTRY.fullmatch(item.name):
                        info = item.stat()
                        entries.append((info.st_mtime, info.st_size, item.path))
                    elif item.name.endswith(self._fs_transaction_suffix) and \
                            now - item.stat().st_mtime > STALE_AFTER:
                        stale.append(item.path)
        return entries, stale


def cache_mb(raw: str | None) -> int:
    """Return the bound of a file cache in MB for a BAROMETER_CACHE_MB (None or '': DEFAULT_MB).

    Raises CacheConfigError for anything but a whole number of at least 1.

    >>> cache_mb(None), cache_mb(" 50 ")
    (200, 50)
    >>> cache_mb("0.5")
    Traceback (most recent call last):
    dashboard.cache.CacheConfigError: BAROMETER_CACHE_MB='0.5' is not a whole number of MB of at least 1, e.g. 200
    """
    text = (raw or "").strip()
    if not text:
        return DEFAULT_MB
    if not text.isdigit() or int(text) < 1:
        raise CacheConfigError(f"{CACHE_MB_ENV}={raw!r} is not a whole number of MB of at least 1, "
                               f"e.g. {DEFAULT_MB}")
    return int(text)


def cache_config(url: str | None, mb: int = DEFAULT_MB) -> dict[str, Any]:
    """Return the Flask-Caching configuration for a BAROMETER_CACHE_URL (None or '': per machine),
    a file cache holding at most `mb` MB (Redis keeps to its own ``maxmemory``).

    Raises CacheConfigError for a URL that names no usable cache.

    >>> cache_config("redis://cache.internal:6379/2")["CACHE_TYPE"]
    'RedisCache'
    >>> config = cache_config("file:///var/cache/barometer", mb=50)
    >>> config["CACHE_TYPE"], config["CACHE_DIR"], config["CACHE_OPTIONS"]
    ('dashboard.cache.FileCache', '/var/cache/barometer', {'max_bytes': 50000000})
    """
    common = {"CACHE_DEFAULT_TIMEOUT": TIMEOUT}
    files = {**common, "CACHE_TYPE": f"{__name__}.FileCache", "CACHE_OPTIONS": {"max_bytes": mb * MB}}
    if not url:
        return {**files, "CACHE_DIR": new_folder()}
    parts = urlsplit(url)
    if parts.scheme in REDIS_SCHEMES:
        if parts.scheme != "unix" and not parts.hostname:
            raise CacheConfigError(f"{CACHE_URL_ENV}={url!r} names no Redis host; e.g. redis://localhost:6379/0")
        return {**common, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_OPTIONS": dict(REDIS_OPTIONS)}
    if parts.scheme == "file":
        folder = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not folder.startswith("/"):
            raise CacheConfigError(f"{CACHE_URL_ENV}={url!r}: a file cache needs an absolute folder, "
                                   "e.g. file:///var/cache/barometer")
        return {**files, "CACHE_DIR": folder}
    raise CacheConfigError(f"{CACHE_URL_ENV}={url!r} is not a cache the dashboard can use; give "
                           "redis://host:port/db, rediss://..., unix:///path/to/socket or file:///folder, "
                           "or leave it unset for a cache on this machine")


def complete(value) -> bool:
    """Return whether a computed response may be stored: not one with failed figures.

    >>> complete({"outputs": [], "failed": []}), complete({"outputs": [], "failed": ["fig1"]})
    (True, False)
    """
    return not (isinstance(value, dict) and value.get("failed"))


def encoded(value) -> bytes:
    """Return the JSON of a response as Dash would send it: orjson directly for plain data (as the figures
    are built), plotly's encoder for anything else (components, numpy arrays)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)
    except TypeError:
        return to_json_plotly(value).encode()


class ResponseCache:
    """A cache of computed responses under one namespace; without a backend it keeps nothing.

    `stats` counts hits, misses (computed) and errors (the backend failed) in this process. An outage
    (the backend failing) is logged twice: a warning when it starts, an info line when the operation
    that failed works again.
    """

    def __init__(self, backend=None, namespace: str = ""):
        self.backend = backend
        self.namespace = namespace
        self.stats = {"hits": 0, "misses": 0, "errors": 0}
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self._outage: tuple[str, float] | None = None  # the operation that failed first, and when

    def _write_behind(self, key: str, value) -> None:
        """Encode and store `value` once the response has been sent (in a request; at once outside one),
        so the client never waits for the cache; returns None."""
        def write():
            self._call("set", key, encoded(value))

        def when_sent(response):
            response.call_on_close(write)
            return response

        if has_request_context():
            after_this_request(when_sent)
        else:
            write()

    def _count(self, what: str) -> None:
        with self._lock:
            self.stats[what] += 1

    def _call(self, operation: str, *args):
        """Return the backend's answer to `operation`, or None if it failed (or is being left alone).

        A `set` that answers False failed too.
        """
        if self.backend is None or time.monotonic() < self._skip_until:
            return None
        try:
            answer = getattr(self.backend, operation)(*args)
        except Exception as exc:  # any backend failure (Redis down, disk full) only costs the cache
            self._failed(operation, f"{type(exc).__name__}: {exc}")
            return None
        if operation == "set" and answer is False:
            self._failed(operation, "the backend did not store the entry")
            return None
        self._worked(operation)
        return answer

    def _failed(self, operation: str, cause: str) -> None:
        """Leave the backend alone for RETRY_AFTER seconds; log a warning if this starts an outage,
        a debug line if it continues one. Returns None."""
        now = time.monotonic()
        with self._lock:
            self.stats["errors"] += 1
            self._skip_until = now + RETRY_AFTER
            starts = self._outage is None
            if starts:
                self._outage = (operation, now)
        if starts:
            logger.warning("response cache %s failed (%s); computing without it, trying again every %g s",
                           operation, cause, RETRY_AFTER)
        else:
            logger.debug("response cache %s still failing (%s)", operation, cause)

    def _worked(self, operation: str) -> None:
        """End the outage if `operation` is the one that started it, logging how long it lasted; returns None."""
        if self._outage is None or self._outage[0] != operation:  # the usual case, without the lock
            return
        with self._lock:
            outage = self._outage
            if outage is None or outage[0] != operation:
                return
            self._outage = None
        logger.info("response cache is back: %s works again after %.1f s", operation, time.monotonic() - outage[1])

    def get_or_set(self, key: str, compute: Callable[[], T], keep: Callable[[T], bool] = complete) -> T:
        """Return the cached value of `key`, or compute it, store it if `keep(value)`, and return it.

        With a backend the value is stored as the JSON text Dash would send for it, encoded once, after
        the response has been sent; a hit returns it decoded into plain JSON data (components as
        {"type", "namespace", "props"} dicts), so it costs no component encoding, and a miss returns the
        computed value itself.
        """
        full_key = f"{self.namespace}|{key}"
        stored = self._call("get", full_key)
        if isinstance(stored, (bytes, str)):
            try:
                stored = orjson.loads(stored)
            except orjson.JSONDecodeError:  # a damaged entry: computed again (and stored over it)
                stored = None
        if stored is not None:
            self._count("hits")
            return stored
        self._count("misses")
        value = compute()
        if self.backend is not None and keep(value):
            self._write_behind(full_key, value)
        return value


def response_cache(server, data: pd.DataFrame | None = None, **context) -> ResponseCache:
    """Return the response cache of a Flask `server` over the microdata `data`, per BAROMETER_CACHE_URL
    and BAROMETER_CACHE_MB.

    Entries are keyed by the program (version and code), a fingerprint of `data` and the `context`
    (anything else the responses depend on, e.g. ``synthetic=True``), so apps over the same data share
    them and a changed file or program never reads old ones. Without `data` the namespace is unique to
    this app (shared by the workers gunicorn forks from it, by no one else). The cache is also at
    ``server.extensions["barometer_response_cache"]``.
    Raises CacheConfigError when BAROMETER_CACHE_URL or BAROMETER_CACHE_MB names no usable cache.
    """
    from flask_caching import Cache

    mb = cache_mb(os.environ.get(CACHE_MB_ENV))
    config = cache_config(os.environ.get(CACHE_URL_ENV, "").strip() or None, mb)
    backend = Cache(server, config=config)
    fingerprint = data_fingerprint(data) if data is not None else f"app-{uuid.uuid4().hex}"
    settings = ",".join(f"{k}={v}" for k, v in sorted(context.items()))
    cache = ResponseCache(backend, f"barometer:{__version__}:{code_fingerprint()}:{fingerprint}:{settings}")
    server.extensions["barometer_response_cache"] = cache
    where = f"files in {config['CACHE_DIR']}, at most {mb} MB" if "CACHE_DIR" in config else "Redis, shared"
    logger.info("response cache: %s", where)
    return cache
