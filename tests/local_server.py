"""A Dash app served on a free local port for the length of a test, and the headless Chromium that opens it."""

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def need_chromium() -> None:
    """Skip the calling test module where Chromium is missing (fail instead when BAROMETER_REQUIRE_BROWSER
    is set, as the test script sets it); returns None."""
    import pytest

    if not os.path.exists(CHROMIUM):
        if os.environ.get("BAROMETER_REQUIRE_BROWSER"):
            raise RuntimeError("Chromium is required for the browser tests: apt-get install chromium")
        pytest.skip("Chromium not installed", allow_module_level=True)


@contextmanager
def serving(app, **server_options) -> Iterator[str]:
    """Serve the Dash `app` on a free local port in a thread for the block; yields its URL."""
    server = make_server("127.0.0.1", 0, app.server, threaded=True, **server_options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def chromium() -> Iterator:
    """Yield a headless Chromium (Playwright's Browser) for the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
