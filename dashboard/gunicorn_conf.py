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
accesslog = os.environ.get("BAROMETER_ACCESS_LOG") or None  # "-" logs every request to stdout
limit_request_line = 8190  # the longest request line gunicorn reads (its maximum): links up to 8 KB, as nginx


def when_ready(arbiter) -> None:
    """Have the loaded app answer one request for its page, in the master, before any worker is forked, and the
    requests gunicorn refuses itself (a link too long) answered with the dashboard's error page; then move
    every object the app holds out of the garbage collector's way (`gc.freeze`)."""
    from werkzeug.test import Client

    from dashboard.error_page import install

    install()

    response = Client(arbiter.app.wsgi()).get("/")
    if response.status_code != 200:
        logging.getLogger("gunicorn.error").warning("the page answered %s before the workers started", response.status)
    # The loaded app (data, arrays, Dash, plotly, pandas) is some 185,000 objects that live as long as the
    # process: frozen, a full collection in a worker no longer walks them (a 100-130 ms pause in about one
    # filter change in 30, measured in-process) and the workers keep sharing their memory pages with the master.
    gc.freeze()
