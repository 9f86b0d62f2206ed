"""Security headers on every response: a content security policy and the browser's other safeguards.

The policy allows scripts only from the app's own origin and Dash's inline scripts by their hashes
(the clientside callbacks given as strings and the renderer's start-up line); no 'unsafe-inline'
and no 'unsafe-eval' for scripts (plotly.js draws these bar charts without eval). Style elements
allow 'unsafe-inline': plotly.js, the dropdown's CSS-in-JS and React insert `<style>` elements
whose rules are made in the browser, so no hash can be known in advance; a style cannot run code.
Style attributes are refused (``style-src-attr 'none'``: every inline style is set through the
CSSOM, which CSP allows). Images allow `data:` and `blob:`: the camera button's PNG is drawn
through both.

Configuration, read when the app is created (a bad value stops it with a message naming the variable):

- ``BAROMETER_FRAME_ANCESTORS``: who may embed the dashboard in a frame, as CSP sources separated by
  spaces (``'none'``, ``'self'``, ``https://www.example.dk``, ``https://*.example.dk``); default ``'self'``.
- ``BAROMETER_HSTS_MAX_AGE``: seconds for ``Strict-Transport-Security``; set it (for example to
  ``31536000``) only when the site is served over HTTPS. Unset or 0: no HSTS header.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.serving import WSGIRequestHandler

FRAME_ANCESTORS = "BAROMETER_FRAME_ANCESTORS"
HSTS_MAX_AGE = "BAROMETER_HSTS_MAX_AGE"
DEFAULT_FRAME_ANCESTORS = ("'self'",)

# A CSP source for frame-ancestors: a keyword, a scheme, or a host with optional scheme, port and path.
_SOURCE = re.compile(r"'self'|'none'|[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*://)?(\*\.)?[a-z0-9.-]+(:(\d+|\*))?(/[^\s;,']*)?",
                     re.IGNORECASE)

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "usb"))


@dataclass(frozen=True)
class SecurityConfig:
    """The deployment's choices: who may frame the page, and how long browsers keep to HTTPS."""

    frame_ancestors: tuple[str, ...] = DEFAULT_FRAME_ANCESTORS
    hsts_max_age: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SecurityConfig:
        """Return the configuration named by the BAROMETER_* variables; raises ValueError on a bad value."""
        sources = tuple(environ.get(FRAME_ANCESTORS, "").split()) or DEFAULT_FRAME_ANCESTORS
        bad = [s for s in sources if not _SOURCE.fullmatch(s)]
        if bad:
            raise ValueError(f"{FRAME_ANCESTORS}: {bad[0]!r} is not a CSP source such as 'self', 'none' or "
                             "https://www.example.dk")
        if "'none'" in sources and len(sources) > 1:
            raise ValueError(f"{FRAME_ANCESTORS}: 'none' cannot be combined with other sources")
        raw = environ.get(HSTS_MAX_AGE, "").strip() or "0"
        if not raw.isdigit():
            raise ValueError(f"{HSTS_MAX_AGE}: {raw!r} is not a whole number of seconds")
        return cls(frame_ancestors=sources, hsts_max_age=int(raw))


def content_security_policy(script_hashes: list[str], frame_ancestors: tuple[str, ...]) -> str:
    """Return the Content-Security-Policy value that allows the app's own scripts and these inline ones."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-attr": ["'none'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": list(frame_ancestors),
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def security_headers(config: SecurityConfig, script_hashes: list[str]) -> dict[str, str]:
    """Return the security headers of every response, for `config` and the page's inline script hashes."""
    headers = {
        "Content-Security-Policy": content_security_policy(script_hashes, config.frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    legacy_frame_options = {("'none'",): "DENY", ("'self'",): "SAMEORIGIN"}.get(config.frame_ancestors)
    if legacy_frame_options:  # for browsers without frame-ancestors; it cannot name other origins
        headers["X-Frame-Options"] = legacy_frame_options
    if config.hsts_max_age:
        headers["Strict-Transport-Security"] = f"max-age={config.hsts_max_age}"
    return headers


def register_security(app, config: SecurityConfig | None = None) -> None:
    """Add the security headers to every response of `app`'s server; returns None.

    `config` defaults to `SecurityConfig.from_env()`. The inline script hashes are taken at the first
    response, once Dash has set up the server (its hooks may add clientside callbacks then), from the
    same scripts the page inlines.
    """
    config = config or SecurityConfig.from_env()
    headers: dict[str, str] = {}

    @app.server.after_request
    def add_security_headers(response):
        if not headers:
            headers.update(security_headers(config, list(app.csp_hashes())))
        response.headers.update(headers)
        return response


class DevRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler without the ``Server: Werkzeug/x Python/y`` header (for the dev server)."""

    def send_response(self, code, message=None):
        """Send the status line and Date, but no Server header; returns None."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())
