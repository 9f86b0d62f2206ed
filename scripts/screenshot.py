"""Take the README's screenshots of the running dashboard in headless Chromium.

Starts the app on the shipped data on a free local port, opens it at desktop and phone width and
writes docs/screenshot.png and docs/screenshot-phone.png.
Usage: python scripts/screenshot.py [--query "?sector=state&lang=en"]
"""

import argparse
import shutil
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from dashboard.app import create_app

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]
SHOTS = {"screenshot.png": (1440, 1500), "screenshot-phone.png": (390, 1600)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="?lang=en")
    args = parser.parse_args()
    server = make_server("127.0.0.1", 0, create_app().server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/{args.query}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS)
        for name, (width, height) in SHOTS.items():
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            page.goto(url)
            page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].filter(e => e.data).length >= 16",
                                   timeout=60_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(ROOT / "docs" / name))
            print(f"wrote docs/{name} ({width}x{height})")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
