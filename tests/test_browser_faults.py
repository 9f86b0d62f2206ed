"""A redraw the server does not answer: the page says so, tries again, and ends up showing what its controls say.

The Procfile's gunicorn (one worker) is stopped (SIGSTOP: requests hang until the page's time limit) or killed and
started again a few seconds later, directly and behind deploy/nginx.conf, just as the user chooses "State". While it
is away every card says it could not be updated and the live region says so; afterwards, without a click, the
filter, the link, the live region and every chart's bars agree with the project's numbers for that filter.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.data.filters import parse_filter
from dashboard.figures.specs import BY_ID, IDS
from tests.local_server import need_chromium
from tests.shipped import figure_data
from tests.test_browser import bars, choose, expected_bars, open_page, wait_for_bars
from tests.test_nginx import (
    NGINX,
    ROOT,
    TEMPLATE,
    free_port,
    main_config,
    procfile_command,
    render,
    require_service,
    stop,
    wait_for,
)

pytestmark = pytest.mark.browser
need_chromium()
pytest.importorskip("playwright.sync_api")

ATTEMPT_MS = 3000  # the page's time limit for one callback request, shortened for the test (30 s by default)
STALE = "document.querySelectorAll('article.figure-card[data-stale]').length"


class Server:
    """The Procfile's command, one worker, on a fixed port: started, paused, resumed, killed and started again."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.env = {**os.environ, "PORT": str(self.port), "WEB_CONCURRENCY": "1",
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                    "BAROMETER_CACHE_URL": (tmp / "cache").as_uri(), "BAROMETER_JOBS_DIR": str(tmp / "jobs")}

    def start(self, wait: bool = True) -> None:
        log = self.tmp / "gunicorn.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen(["bash", "-c", "exec " + procfile_command()], cwd=ROOT, env=self.env,
                                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            wait_for("127.0.0.1", self.port, self.process, log)

    def signal(self, sig: int) -> None:
        os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("faults"))
    srv.start()
    yield srv
    if srv.process.poll() is None:
        srv.signal(signal.SIGCONT)
    stop(srv.process)


@pytest.fixture(scope="module")
def nginx_port(server, tmp_path_factory):
    """deploy/nginx.conf in front of that server; yields its port."""
    require_service(os.access(NGINX, os.X_OK), "nginx")
    tmp = tmp_path_factory.mktemp("nginx")
    tmp.chmod(0o755)
    port = free_port()
    site = tmp / "barometer.conf"
    site.write_text(render(TEMPLATE.read_text(), f"127.0.0.1:{server.port}", f"127.0.0.1:{port}"))
    conf = tmp / "nginx.conf"
    conf.write_text(main_config(tmp, site))
    process = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for("127.0.0.1", port, process, tmp / "error.log", timeout=30)
        yield port
    finally:
        stop(process)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(f"window.barometerRetry = {{timeout: {ATTEMPT_MS}}};")
    pg = context.new_page()
    yield pg
    context.close()


def shows_the_failure(page) -> None:
    """Wait until every card and the live region say that the figures could not be updated."""
    page.wait_for_function(f"() => {STALE} === {len(IDS)}", timeout=30_000)
    assert page.locator("#figures-status").text_content().startswith("The figures could not be updated")
    card = page.locator("#card-fig1 .card-stale")
    assert card.is_visible() and card.text_content().startswith("This figure could not be updated")


def bars_before(page) -> dict:
    """Return the bars of the figures that a sector filter leaves alone (their scope ignores it), as shown now."""
    data, state = figure_data(), parse_filter(sector=["state"])
    return {fid: bars(page, fid) for fid in IDS if "sector" in data.scope(BY_ID[fid], state).ignored}


UPDATED = {"en": r"(1[0-6] of )?16 figures updated: Sector: {label}\.",
           "da": r"(1[0-6] af )?16 figurer opdateret: Sektor: {label}\."}


def agrees_with_the_controls(page, sector: str, label: str, unfiltered: dict, lang: str = "en") -> None:
    """Wait until the page has converged on `sector` in `lang`: no card marked, the live region, the link and the
    bars of every figure as the project computes them for that filter (`unfiltered`: those of the figures it leaves
    alone, as they were before)."""
    page.wait_for_function(f"() => {STALE} === 0", timeout=60_000)
    page.wait_for_function("() => / (figures updated|figurer opdateret): /.test("
                           "document.getElementById('figures-status').textContent)", timeout=30_000)
    status = page.locator("#figures-status").text_content()
    assert re.fullmatch(UPDATED[lang].format(label=label), status), status
    page.wait_for_url(re.compile(rf"sector={sector}"), timeout=30_000)  # its own request, on its own back-off
    assert (lang == "en") == ("lang=en" in page.url)
    assert page.locator("#filter-sector").text_content().count(label) == 1
    for figure in IDS:
        page.locator(f"#card-{figure}").scroll_into_view_if_needed()
        want = unfiltered.get(figure) or expected_bars(figure, sector=[sector])
        wait_for_bars(page, figure, want, timeout=30_000)


def test_a_server_that_stops_answering_mid_change_is_tried_again_until_the_page_agrees(page, server):
    """Directly: the server paused (its requests hang) as "State" is chosen and then Danish, resumed seconds later."""
    open_page(page, f"http://127.0.0.1:{server.port}/?lang=en")
    unfiltered = bars_before(page)
    server.signal(signal.SIGSTOP)
    try:
        choose(page, "filter-sector", "State")
        shows_the_failure(page)
        page.locator("#lang label", has_text="Dansk").first.click()  # a callback with pattern-matching outputs
        time.sleep(2 * ATTEMPT_MS / 1000)
    finally:
        server.signal(signal.SIGCONT)
    agrees_with_the_controls(page, "state", "Stat", unfiltered, lang="da")
    assert page.locator("#card-fig1 .card-stale").text_content().startswith("Figuren kunne ikke opdateres")


def test_a_server_killed_mid_change_and_started_again_behind_nginx_leaves_the_page_agreeing(page, server, nginx_port):
    """Through nginx: the server killed as "Region" is chosen (nginx answers 503), started again seconds later."""
    open_page(page, f"http://127.0.0.1:{nginx_port}/?lang=en")
    unfiltered = bars_before(page)
    server.kill()
    choose(page, "filter-sector", "Region")
    shows_the_failure(page)
    server.start(wait=False)
    agrees_with_the_controls(page, "region", "Region", unfiltered)
