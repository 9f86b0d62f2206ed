"""The production server's settings (gunicorn): one place for the Procfile and `barometer serve`.

The Procfile runs ``gunicorn --config python:dashboard.gunicorn_conf dashboard.app:server``;
`barometer serve` runs gunicorn with these settings, its options (--host, --port, --workers,
--threads) overriding them. The environment sets them where a platform expects it:

- ``PORT``: the port (default 8050), on all interfaces (``BAROMETER_HOST`` to change that);
- ``WEB_CONCURRENCY``: worker processes (default 2, one per core of a small machine);
- ``BAROMETER_THREADS``: threads per worker (default 4: callbacks mostly wait on the network).

Requests gunicorn refuses before the app sees them (a link longer than 8 KB, headers too large) get the
dashboard's error page (`dashboard.error_page`), as they do through nginx.

Workers are forked from one loaded app (``preload_app``): the data are read and checked once, and
the workers share the per-machine response cache. Before they are forked, the app answers one
request for its page (`when_ready`): Dash sets itself up on its first request, and a new worker
whose threads all start at once would otherwise answer some of the page's scripts before that setup
is done (a 404 that leaves the page blank).

The log (`logconfig_dict`): every line gunicorn writes (master and workers) and every line of the app's
loggers (``dashboard.*`` from INFO, anything else from WARNING: Flask, werkzeug, Dash) goes to stderr as
``2026-12-07 18:40:01,123 WARNING [pid 1234] dashboard.cache: ...``. ``BAROMETER_ACCESS_LOG`` keeps
gunicorn's access format, on stdout ("-") or in the file it names. gunicorn applies it when it starts;
`barometer serve`, which creates the app before that, applies it first.

Signals (deploy/README.md, "Restarts"): HUP loads the data file again, through validation (`on_reload`:
kept as it was if the file fails), and forks new workers from the master's app while the old ones finish
their requests, so no request fails; it does not load new code (a new release is a new server). The master
logs when the data file changes on disk (`dashboard.reload`). TERM stops gracefully: requests in progress
are finished (for up to `graceful_timeout`).
"""

from __future__ import annotations

import gc
import logging
import os

WORKERS = 2
THREADS = 4
PORT = 8050
HOST = "0.0.0.0"


def _count(name: str, default: int) -> int:
    """Return the whole number >= 1 in environment variable `name`, or `default`; exit with a message if bad."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"barometer: {name}={raw!r} must be a whole number of at least 1")
    return int(raw)


bind = [f"{os.environ.get('BAROMETER_HOST', HOST)}:{_count('PORT', PORT)}"]
workers = _count("WEB_CONCURRENCY", WORKERS)
threads = _count("BAROMETER_THREADS", THREADS)
worker_class = "gthread"
preload_app = True
timeout = 120  # seconds a request may take before its worker is restarted
graceful_timeout = 30
keepalive = 75  # seconds an idle connection stays open: longer than a user's pause between two filter
# changes, so a connection is not closed just as the next change is sent on it (an idle one holds no thread)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat files off the disk
control_socket_disable = True  # gunicorn's control socket sits at one path per user: two servers would clash
limit_request_line = 8190  # the longest request line gunicorn reads (its maximum): links up to 8 KB, as nginx

# --------------------------------------------------------------------------------------------------
# The log
# --------------------------------------------------------------------------------------------------
LOG_FORMAT = "%(asctime)s %(levelname)s [pid %(process)d] %(name)s: %(message)s"

accesslog = os.environ.get("BAROMETER_ACCESS_LOG") or None  # "-" logs every request to stdout
# Applied by gunicorn in the master before the app is loaded (and again on HUP); the workers inherit it.
# gunicorn.access is left out: gunicorn sets its handler itself, from `accesslog`.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": LOG_FORMAT}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stderr"}},
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        # no level: gunicorn's --log-level (default info) stays in force
        "gunicorn.error": {"handlers": ["stderr"], "propagate": False},
        "dashboard": {"level": "INFO", "handlers": [], "propagate": True},  # to root's handler
    },
}


# --------------------------------------------------------------------------------------------------
# Server hooks (gunicorn calls the functions of these names)
# --------------------------------------------------------------------------------------------------


def _prepare(server) -> None:
    """Have a loaded app answer one request for its page, in the master, before any worker is forked from it;
    then move every object the master holds out of the garbage collector's way (`gc.freeze`). Returns None."""
    from werkzeug.test import Client

    response = Client(server).get("/")
    if response.status_code != 200:
        logging.getLogger("gunicorn.error").warning("the page answered %s before the workers started", response.status)
    # The loaded app (data, arrays, Dash, plotly, pandas) is some 185,000 objects that live as long as the
    # process: frozen, a full collection in a worker no longer walks them (a 100-130 ms pause in about one
    # filter change in 30, measured in-process) and the workers keep sharing their memory pages with the master.
    gc.freeze()


def _watch(arbiter) -> None:
    """Have the master log when the data file it serves changes on disk (`dashboard.reload.Watch`); returns None."""
    from dashboard.reload import watch

    watch(arbiter.app.wsgi(), f"To load it (it is validated first): kill -HUP {arbiter.pid}")


def when_ready(arbiter) -> None:
    """Prepare the loaded app for the workers (`_prepare`), have the requests gunicorn refuses itself (a link too
    long) answered with the dashboard's error page, and watch the data file."""
    from dashboard.error_page import install

    install()
    _prepare(arbiter.app.wsgi())
    _watch(arbiter)


def on_reload(arbiter) -> None:
    """On HUP, before the new workers are forked: load the data file again if it changed, through validation and
    its checksum file (`dashboard.reload.reload_app`). If it passes, the new workers serve an app built over it;
    if not, the error is logged and they serve the data the server had."""
    from dashboard.app import create_app
    from dashboard.jobs import forget
    from dashboard.reload import EXTENSION, reload_app

    current = arbiter.app.wsgi()
    source = getattr(current, "extensions", {}).get(EXTENSION)
    if source is None or source.path is None:  # not the dashboard, or data given as a frame: no file to load
        return
    new = reload_app(current, lambda: create_app(source.path).server)
    if new is current:
        return
    try:
        forget(current)  # the old app's background jobs, which Dash keeps for every app made
        gc.unfreeze()  # the old app can now be collected
        arbiter.app.callable = current = new
        gc.collect()
        _prepare(new)
        _watch(arbiter)
    except Exception:  # the master must go on: its new workers serve what it holds now
        logging.getLogger("gunicorn.error").exception("reload: preparing the new app failed")
