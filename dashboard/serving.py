"""How the app is served: compressed responses and long-cache headers on fingerprinted files.

- Every text response (the page, layout, dependencies, callbacks, scripts, styles) is compressed
  with Brotli or gzip, as the browser accepts (Flask-Compress). The compressed body of a static file
  is computed once per process and kept (there are few of them and they do not change); callback
  answers are compressed at Brotli's quality 4 (1.6 ms for a full figures response).
- A fingerprinted file (a Dash component file whose name carries version and time, an asset with
  ``?m=``, the favicon with ``?v=``) is sent with ``Cache-Control: public, max-age=31536000,
  immutable``: a new version has a new address, so a browser never needs to ask again.
- The page gets plotly.js from ``assets/vendor/plotly-basic.min.js`` (the official "basic" bundle:
  the scatter and bar traces the charts draw, and pie), so Dash's full plotly.min.js (4.8 MB) is
  never loaded: dcc.Graph uses the ``window.Plotly`` that bundle defines. (Which scripts the page
  leaves out or preloads is decided in ``dashboard.app``, ``PageDash``.)
"""

from __future__ import annotations

import brotli
from dash.fingerprint import check_fingerprint
from flask import request
from flask_compress import Compress

LONG_CACHE = "public, max-age=31536000, immutable"
STATIC_BR_QUALITY = 6  # Brotli quality of static files (10 and 11 save 8 % more for 25-65 times the time)
SUITES = "_dash-component-suites/"
FAVICON = "_favicon.ico"


class StaticBodies:
    """Flask-Compress's cache of compressed bodies, holding static files only (see `static_key`).

    A Brotli body is stored recompressed at STATIC_BR_QUALITY: the scripts of a first load shrink from
    739 to 675 kB (a third of a second less on a slow phone line) for about 25 ms, once per process.
    """

    def __init__(self):
        self.bodies: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        """Return the compressed body stored under `key`, or None."""
        return self.bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        """Store a compressed body ('algorithm;file'), unless `key` names no static file (it ends with ';')."""
        if key.endswith(";") or key in self.bodies:
            return
        if key.startswith("br;"):
            value = brotli.compress(brotli.decompress(value), quality=STATIC_BR_QUALITY)
        self.bodies[key] = value


def _static_path(prefix: str, assets: str) -> str | None:
    """Return the file a request asks for ('dash/dcc/x.js', 'assets/style.css'), fingerprint removed,
    or None when it asks for no static file."""
    path = request.path
    if request.method not in ("GET", "HEAD") or not path.startswith(prefix):
        return None
    rest = path[len(prefix):]
    if rest.startswith(SUITES):
        return check_fingerprint(rest[len(SUITES):])[0]
    if rest.startswith(assets) or rest == FAVICON:
        return rest
    return None


def _fingerprinted(prefix: str, assets: str) -> bool:
    """Return whether the request names a file by an address that changes when the file does."""
    path = request.path
    if request.method not in ("GET", "HEAD") or not path.startswith(prefix):
        return False
    rest = path[len(prefix):]
    if rest.startswith(SUITES):
        return check_fingerprint(rest[len(SUITES):])[1]
    if rest.startswith(assets):
        return "m" in request.args
    return rest == FAVICON and "v" in request.args


def register_serving(app) -> None:
    """Set up compression and caching headers on `app`'s server; returns None."""
    server = app.server
    prefix = app.config.routes_pathname_prefix
    assets = app.config.assets_url_path.strip("/") + "/"

    def static_key(_request) -> str:
        return _static_path(prefix, assets) or ""

    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=4,  # 1.6 ms for a full figures response; level 5 would triple that for 9 % less
        COMPRESS_LEVEL=6,
        COMPRESS_STREAMS=False,  # a streamed body (a byte range of a file) is sent as it is
        COMPRESS_CACHE_BACKEND=StaticBodies,
        COMPRESS_CACHE_KEY=static_key,
    )
    Compress(server)

    @server.after_request
    def static_headers(response):
        # Runs before Flask-Compress's own hook (Flask calls them in reverse order of registration).
        if response.status_code == 200 and _static_path(prefix, assets) is not None and response.is_streamed:
            response.direct_passthrough = False  # a whole file (sent as a stream by Flask): buffer it,
            response.make_sequence()  # so that it is compressed once and kept
        if response.status_code in (200, 304) and _fingerprinted(prefix, assets):
            response.headers["Cache-Control"] = LONG_CACHE
        return response
