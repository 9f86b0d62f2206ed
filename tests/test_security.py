"""Security headers on every response: the content security policy Dash runs under, and its configuration."""

import base64
import hashlib
import http.client
from html.parser import HTMLParser

import pytest
from dash import Dash, Input, Output, html

from dashboard.guard import MAX_BODY
from dashboard.security import (
    FRAME_ANCESTORS,
    HSTS_MAX_AGE,
    DevRequestHandler,
    SecurityConfig,
    register_security,
)
from tests.dash_client import valid_body
from tests.local_server import serving

SAME_ON_EVERY_RESPONSE = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy",
                          "Cross-Origin-Opener-Policy", "X-Frame-Options")


def directives(policy: str) -> dict[str, list[str]]:
    """Return {directive: [sources]} of a Content-Security-Policy value."""
    out = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


class InlineScripts(HTMLParser):
    """Collects the text of every inline script a browser would run (not JSON data blocks, not src= scripts)."""

    def __init__(self):
        super().__init__()
        self.scripts, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        runs = attrs.get("type") in (None, "", "text/javascript", "application/javascript", "module")
        self._open = [] if tag == "script" and "src" not in attrs and runs else None

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append("".join(self._open))
        self._open = None


def inline_script_hashes(page: str) -> list[str]:
    parser = InlineScripts()
    parser.feed(page)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in parser.scripts]


# --------------------------------------------------------------------------------------------------
# Every response carries the same headers
# --------------------------------------------------------------------------------------------------
REQUESTS = {
    "page": lambda c: c.get("/"),
    "layout": lambda c: c.get("/_dash-layout"),
    "dependencies": lambda c: c.get("/_dash-dependencies"),
    "callback": lambda c: c.post("/_dash-update-component", json=valid_body(c, "export-size.options")),
    "background poll": lambda c: c.post("/_dash-update-component?cacheKey=x&job=1",
                                        json=valid_body(c, "export-size.options")),
    "reload hash": lambda c: c.get("/_reload-hash"),
    "asset": lambda c: c.get("/assets/style.css"),
    "component suite": lambda c: c.get("/_dash-component-suites/dash/dcc/async-graph.js"),
    "favicon": lambda c: c.get("/_favicon.ico"),
    "not modified": lambda c: c.get("/_dash-component-suites/dash/dcc/async-graph.js",
                                    headers={"If-None-Match": c.get("/_dash-component-suites/dash/dcc/async-graph.js")
                                             .headers["ETag"]}),
    "unknown path": lambda c: c.get("/nope"),
    "missing source map": lambda c: c.get("/_dash-component-suites/dash/dcc/async-mathjax.js.map"),
    "malformed callback": lambda c: c.post("/_dash-update-component", data=b"[" * 5000, content_type="application/json"),
    "too large": lambda c: c.post("/_dash-update-component", data=b"x" * (MAX_BODY + 10), content_type="application/json"),
    "wrong method": lambda c: c.post("/_dash-layout"),
}


@pytest.fixture(scope="module")
def page_headers(app):
    return app.server.test_client().get("/").headers


@pytest.mark.parametrize("kind", REQUESTS)
def test_every_response_has_the_security_headers(client, page_headers, kind):
    res = REQUESTS[kind](client)
    expected_status = {"not modified": 304, "unknown path": 404, "missing source map": 404, "malformed callback": 400,
                       "too large": 413, "wrong method": 405}.get(kind, 200)
    assert res.status_code == expected_status, res.get_data(as_text=True)[:200]
    for name in SAME_ON_EVERY_RESPONSE:
        assert res.headers.get(name) == page_headers[name], name
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in res.headers  # not configured for TLS
    assert "Server" not in res.headers  # the app adds none; the server's own is tested below


def test_an_internal_error_has_the_security_headers_too():
    app = Dash(__name__)
    app.layout = html.Div()

    @app.server.route("/boom")
    def boom():
        raise RuntimeError("boom")

    register_security(app)
    res = app.server.test_client().get("/boom")
    assert res.status_code == 500
    assert res.headers["X-Content-Type-Options"] == "nosniff" and "script-src" in res.headers["Content-Security-Policy"]


# --------------------------------------------------------------------------------------------------
# The content security policy
# --------------------------------------------------------------------------------------------------
def test_policy_allows_exactly_the_inline_scripts_the_page_contains(client):
    res = client.get("/")
    policy = directives(res.headers["Content-Security-Policy"])
    page_hashes = inline_script_hashes(res.get_data(as_text=True))
    inlined = [d for d in client.get("/_dash-dependencies").get_json()
               if (d.get("clientside_function") or {}).get("namespace") == "_dashprivate_clientside_funcs"]
    assert len(inlined) >= 5
    assert len(page_hashes) == len(inlined) + 1  # each clientside callback given as a string, and the renderer's start
    assert policy["script-src"] == ["'self'", *page_hashes]


def test_policy_has_no_unsafe_script_source_and_locks_down_the_rest(page_headers):
    policy = directives(page_headers["Content-Security-Policy"])
    assert not [s for s in policy["script-src"] if s.startswith("'unsafe") or s in ("*", "data:", "blob:", "http:", "https:")]
    assert policy["default-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert policy["style-src-attr"] == ["'none'"]  # only <style> elements may be inline, no style attributes
    assert policy["frame-ancestors"] == ["'self'"] and page_headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page_headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in page_headers["Permissions-Policy"] and "geolocation=()" in page_headers["Permissions-Policy"]


def test_hashes_are_taken_at_the_first_response_so_later_clientside_callbacks_count():
    app = Dash(__name__)
    app.layout = html.Div([html.Button(id="b"), html.Div(id="out")])
    register_security(app)
    app.clientside_callback("function (n) { return String(n); }", Output("out", "children"), Input("b", "n_clicks"))
    res = app.server.test_client().get("/")
    page_hashes = inline_script_hashes(res.get_data(as_text=True))
    assert len(page_hashes) == 2
    assert directives(res.headers["Content-Security-Policy"])["script-src"] == ["'self'", *page_hashes]


# --------------------------------------------------------------------------------------------------
# Configuration by environment variables
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "sources", "frame_options"), [
    ("", ("'self'",), "SAMEORIGIN"),
    ("'none'", ("'none'",), "DENY"),
    ("'self' https://www.example.dk https://*.kommune.dk:8443", ("'self'", "https://www.example.dk",
                                                                  "https://*.kommune.dk:8443"), None),
    ("https:", ("https:",), None),
])
def test_frame_ancestors_come_from_the_environment(value, sources, frame_options):
    config = SecurityConfig.from_env({FRAME_ANCESTORS: value})
    assert config.frame_ancestors == sources
    app = Dash(__name__)
    app.layout = html.Div()
    register_security(app, config)
    headers = app.server.test_client().get("/").headers
    assert directives(headers["Content-Security-Policy"])["frame-ancestors"] == list(sources)
    assert headers.get("X-Frame-Options") == frame_options


@pytest.mark.parametrize(("env", "needle"), [
    ({FRAME_ANCESTORS: "'self'; script-src *"}, f"{FRAME_ANCESTORS}: \"'self';\" is not a CSP source"),
    ({FRAME_ANCESTORS: "https://a.dk,https://b.dk"}, f"{FRAME_ANCESTORS}: 'https://a.dk,https://b.dk' is not a CSP source"),
    ({FRAME_ANCESTORS: "'none' 'self'"}, "'none' cannot be combined"),
    ({FRAME_ANCESTORS: "'unsafe-inline'"}, "is not a CSP source"),
    ({HSTS_MAX_AGE: "one year"}, f"{HSTS_MAX_AGE}: 'one year' is not a whole number of seconds"),
    ({HSTS_MAX_AGE: "-1"}, f"{HSTS_MAX_AGE}: '-1' is not a whole number"),
])
def test_a_bad_setting_stops_the_app_with_a_message_naming_the_variable(monkeypatch, synth_data, env, needle):
    from dashboard.app import create_app

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as error:
        create_app(synth_data, chromium=None)
    assert needle in str(error.value)


def test_hsts_only_when_configured(monkeypatch):
    monkeypatch.setenv(HSTS_MAX_AGE, "31536000")
    app = Dash(__name__)
    app.layout = html.Div()
    register_security(app)
    assert app.server.test_client().get("/").headers["Strict-Transport-Security"] == "max-age=31536000"
    assert SecurityConfig.from_env({HSTS_MAX_AGE: "0"}).hsts_max_age == 0


# --------------------------------------------------------------------------------------------------
# No server version in any header
# --------------------------------------------------------------------------------------------------
def test_dev_server_sends_no_server_version(app):
    with serving(app, request_handler=DevRequestHandler) as url:
        for path in ("/", "/nope", "/assets/style.css"):
            connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=10)
            connection.request("GET", path)
            res = connection.getresponse()
            res.read()
            connection.close()
            assert res.status in (200, 404)
            assert res.getheader("Server") is None, res.getheader("Server")
            assert not [v for _, v in res.getheaders() if "Werkzeug" in v or "Python/" in v]
            assert res.getheader("X-Content-Type-Options") == "nosniff" and res.getheader("Date")
