"""Memoized callback responses (Flask-Caching), keyed by what determines them: the caller's key
(filter, language, chart widths), the data (a fingerprint of the microdata) and the program (its
version and a fingerprint of its code).

Where the entries live is set by ``BAROMETER_CACHE_URL``:

- unset: files in a new folder of the system's temp dir (Flask-Caching's FileSystemCache), made when
  the app is created and removed when the process that made it ends. gunicorn forks its workers from
  that app (``preload_app``), so they all share it: a response computed by one worker is served by
  all, and survives a worker's restart. A per-process SimpleCache would compute each response once
  per worker and lose it with the worker. No extra service; at most THRESHOLD entries.
- ``file:///path/to/folder``: the same, in a folder that outlives the server.
- ``redis://[:password@]host:port/db``, ``rediss://...`` or ``unix:///path/to/socket``: Redis, shared by
  every worker on every machine that points at it (keep it private: entries are pickles).

Entries expire after TIMEOUT seconds.

A response in which a figure failed is not stored. A cache that fails (Redis down) is logged and
left alone for RETRY_AFTER seconds: responses are then computed, never refused.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import orjson
import pandas as pd
from flask import after_this_request, has_request_context
from plotly.io.json import to_json_plotly

from . import __version__

T = TypeVar("T")
logger = logging.getLogger(__name__)

CACHE_URL_ENV = "BAROMETER_CACHE_URL"
REDIS_SCHEMES = ("redis", "rediss", "unix")
TIMEOUT = 24 * 3600  # seconds an entry lives; a new data file or program never reads old entries anyway
THRESHOLD = 2000  # entries a file cache keeps (a figures response is about 80 kB, pickled)
RETRY_AFTER = 10.0  # seconds a failed cache is skipped before it is tried again
REDIS_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "health_check_interval": 30}


class CacheConfigError(ValueError):
    """BAROMETER_CACHE_URL names no cache the dashboard can use; the message says what is accepted."""


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


def cache_config(url: str | None) -> dict[str, Any]:
    """Return the Flask-Caching configuration for a BAROMETER_CACHE_URL (None or '': per machine).

    Raises CacheConfigError for a URL that names no usable cache.

    >>> cache_config("redis://cache.internal:6379/2")["CACHE_TYPE"]
    'RedisCache'
    >>> cache_config("file:///var/cache/barometer")["CACHE_DIR"]
    '/var/cache/barometer'
    """
    common = {"CACHE_DEFAULT_TIMEOUT": TIMEOUT}
    if not url:
        return {**common, "CACHE_TYPE": "FileSystemCache", "CACHE_DIR": new_folder(), "CACHE_THRESHOLD": THRESHOLD}
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
        return {**common, "CACHE_TYPE": "FileSystemCache", "CACHE_DIR": folder, "CACHE_THRESHOLD": THRESHOLD}
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

    `stats` counts hits, misses (computed) and errors (the backend failed) in this process.
    """

    def __init__(self, backend=None, namespace: str = ""):
        self.backend = backend
        self.namespace = namespace
        self.stats = {"hits": 0, "misses": 0, "errors": 0}
        self._lock = threading.Lock()
        self._skip_until = 0.0

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
        """Return the backend's answer to `operation`, or None after logging a failure."""
        if self.backend is None or time.monotonic() < self._skip_until:
            return None
        try:
            return getattr(self.backend, operation)(*args)
        except Exception as exc:  # any backend failure (Redis down, disk full) only costs the cache
            self._count("errors")
            self._skip_until = time.monotonic() + RETRY_AFTER
            logger.warning("response cache %s failed (%s: %s); computing without it for %.0f s",
                           operation, type(exc).__name__, exc, RETRY_AFTER)
            return None

    def get_or_set(self, key: str, compute: Callable[[], T], keep: Callable[[T], bool] = complete) -> T:
        """Return the cached value of `key`, or compute it, store it if `keep(value)`, and return it.

        With a backend the value is stored as the JSON text Dash would send for it, encoded once, after
        the response has been sent; a hit returns it decoded into plain JSON data (components as
        {"type", "namespace", "props"} dicts), so it costs no component encoding, and a miss returns the
        computed value itself.
        """
        full_key = f"{self.namespace}|{key}"
        stored = self._call("get", full_key)
        if stored is not None:
            self._count("hits")
            return orjson.loads(stored) if isinstance(stored, (bytes, str)) else stored
        self._count("misses")
        value = compute()
        if self.backend is not None and keep(value):
            self._write_behind(full_key, value)
        return value


def response_cache(server, data: pd.DataFrame | None = None, **context) -> ResponseCache:
    """Return the response cache of a Flask `server` over the microdata `data`, per BAROMETER_CACHE_URL.

    Entries are keyed by the program (version and code), a fingerprint of `data` and the `context`
    (anything else the responses depend on, e.g. ``synthetic=True``), so apps over the same data share
    them and a changed file or program never reads old ones. Without `data` the namespace is unique to
    this app (shared by the workers gunicorn forks from it, by no one else). The cache is also at
    ``server.extensions["barometer_response_cache"]``.
    Raises CacheConfigError when BAROMETER_CACHE_URL names no usable cache.
    """
    from flask_caching import Cache

    config = cache_config(os.environ.get(CACHE_URL_ENV, "").strip() or None)
    backend = Cache(server, config=config)
    fingerprint = data_fingerprint(data) if data is not None else f"app-{uuid.uuid4().hex}"
    settings = ",".join(f"{k}={v}" for k, v in sorted(context.items()))
    cache = ResponseCache(backend, f"barometer:{__version__}:{code_fingerprint()}:{fingerprint}:{settings}")
    server.extensions["barometer_response_cache"] = cache
    logger.info("response cache: %s (%s)", config["CACHE_TYPE"], config.get("CACHE_DIR") or "shared")
    return cache
