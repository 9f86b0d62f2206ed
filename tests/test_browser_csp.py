"""The page under its content security policy, in headless Chromium: everything works, nothing is blocked.

Each test collects the browser's `securitypolicyviolation` events (listened for before any page
script runs) and console messages naming the Content Security Policy, and ends with none. Waits use
functions, never strings: Playwright evaluates a string predicate with eval, which the policy forbids.
"""

import io
import zipfile

import pytest

from dashboard.app import create_app
from dashboard.figures.specs import IDS
from dashboard.security import DevRequestHandler
from tests.local_server import serving
from tests.shipped import shipped
from tests.test_browser import chart

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
    {directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample}));
"""
ALL_CHARTS = """() => { const plots = [...document.querySelectorAll('.js-plotly-plot')];
    return plots.length >= 16 && plots.every((el) => el.data && el.data.length); }"""


@pytest.fixture(scope="module")
def server_url():
    with serving(create_app(shipped()), request_handler=DevRequestHandler) as url:
        yield url




class Watched:
    """A page whose CSP violations are recorded, from events and from the console."""

    def __init__(self, page):
        self.page, self.console = page, []
        page.add_init_script(LISTEN)
        page.on("console", lambda message: self.console.append(message.text))

    def violations(self) -> list:
        """Return every violation seen so far: event records, then console lines naming the policy."""
        events = self.page.evaluate("() => window.__cspViolations || []")
        return events + [m for m in self.console if "Content Security Policy" in m]

    def open(self, url: str):
        """Open `url`, wait until all 16 charts are drawn; return the page's HTTP response."""
        response = self.page.goto(url)
        self.page.wait_for_function(ALL_CHARTS, timeout=60_000)
        return response


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield Watched(context.new_page())
    context.close()


def test_page_and_all_sixteen_charts_draw_under_the_policy(watched, server_url):
    response = watched.open(server_url + "/")
    assert "script-src 'self' 'sha256-" in response.headers["content-security-policy"]
    for figure in IDS:
        drawn = chart(watched.page, figure)
        assert drawn is not None and len(drawn["data"]) > 0 and len(drawn["layout"]["title"]["text"]) > 10, figure
    assert watched.violations() == []
    # The policy is in force: code from a string and an injected inline script are refused, and recorded.
    watched.page.evaluate("""() => { setTimeout('window.__evaluated = 1', 0);
        const s = document.createElement('script'); s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }""")
    watched.page.wait_for_function("() => window.__cspViolations.length >= 2", timeout=5_000)
    assert watched.page.evaluate("() => [window.__evaluated, window.__injected]") == [None, None]
    events = watched.page.evaluate("() => window.__cspViolations")
    assert [(v["directive"], v["blocked"]) for v in events] == [("script-src", "eval"), ("script-src-elem", "inline")]


def test_csv_download_camera_png_and_language_switch_under_the_policy(watched, server_url):
    page = watched.page
    watched.open(server_url + "/?sector=state")
    files = {}
    for fmt in ("csv", "xlsx"):
        with page.expect_download(timeout=30_000) as info:
            page.locator(f"#card-fig1 .btn-{fmt}").click()
        assert info.value.suggested_filename == f"fig1_sector-state-synthetic.{fmt}"
        files[fmt] = open(info.value.path(), "rb").read()
    assert "solution" in files["csv"].decode("utf-8-sig") and files["xlsx"][:2] == b"PK"  # the workbook
    page.locator("#fig4 .js-plotly-plot").hover()
    with page.expect_download(timeout=30_000) as info:  # plotly.js draws the PNG through data: and blob: images
        page.locator("#fig4 .modebar-btn[data-title*='PNG'], #fig4 .modebar-btn[data-title*='png']").first.click()
    assert open(info.value.path(), "rb").read()[:8] == b"\x89PNG\r\n\x1a\n"
    page.locator("#lang label", has_text="English").first.click()
    page.wait_for_function("""() => { const el = document.querySelector('#fig4 .js-plotly-plot');
        return el && el.layout && el.layout.title.text.includes('Value created'); }""", timeout=20_000)
    assert "lang=en" in page.url
    assert watched.violations() == []


def test_download_all_under_the_policy(watched, server_url):
    page = watched.page
    watched.open(server_url + "/?sector=state")
    with page.expect_download(timeout=180_000) as info:
        page.locator("#export-all").click()
    download = info.value
    assert download.suggested_filename == "innovationsbarometer_sector-state_da_slide-synthetic.zip"
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    kinds = [name.rsplit(".", 1)[-1] for name in archive.namelist()]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {"png": 16, "svg": 16, "csv": 16, "xlsx": 1, "txt": 1}
    assert watched.violations() == []
