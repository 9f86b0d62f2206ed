"""How the app is served: compressed responses, long-cache headers on fingerprinted files, the
partial plotly.js bundle (drawing every chart exactly as the full one does), and the Procfile."""

import gzip
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import brotli
import pytest

from benchmarks.callbacks import DEFAULT_STATE, filter_change
from benchmarks.procfile import free_port, procfile_command, wait_until_up
from dashboard.serving import LONG_CACHE, STATIC_BR_QUALITY
from tests.local_server import CHROMIUM, chromium
from tests.test_cli_serve import wait_for, wait_for_children

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "assets" / "vendor" / "plotly-basic.min.js"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def figures_body(client) -> dict:
    """Return the body of the figures callback for the default filters, as the browser posts it."""
    return filter_change(client.get("/_dash-dependencies").get_json(), DEFAULT_STATE)[-1][1]


def page_files(client) -> list[str]:
    """Return the addresses of the scripts and style sheets the page links to."""
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'<script src="([^"]+)"', page) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)


def get(client, url: str, encoding: str | None = None, method: str = "GET", json_body=None):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    if method == "POST":
        return client.post(url, json=json_body, headers=headers)
    return client.get(url, headers=headers)


def test_page_layout_dependencies_callbacks_scripts_and_styles_are_compressed(client):
    requests = [("GET", "/", None), ("GET", "/_dash-layout", None), ("GET", "/_dash-dependencies", None),
                ("POST", "/_dash-update-component", figures_body(client))]
    requests += [("GET", url, None) for url in page_files(client)]
    assert any(url.endswith(".css") or ".css?" in url for _, url, _ in requests)
    for method, url, body in requests:
        plain = get(client, url, None, method, body)
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers, url
        for encoding, decode in DECODE.items():
            packed = get(client, url, f"{encoding}, identity;q=0.5", method, body)
            assert packed.headers.get("Content-Encoding") == encoding, (url, encoding)
            assert "Accept-Encoding" in packed.headers["Vary"], url
            if url != "/":  # the page carries a token new on every load
                assert decode(packed.get_data()) == plain.get_data(), (url, encoding)
            else:
                assert page_files(client)[0] in decode(packed.get_data()).decode(), encoding
            assert len(packed.get_data()) < 0.6 * len(plain.get_data()), (url, encoding)


def test_figures_callback_is_compressed_to_a_fraction(client):
    body = figures_body(client)
    plain = get(client, "/_dash-update-component", None, "POST", body).get_data()
    packed = get(client, "/_dash-update-component", "br", "POST", body).get_data()
    assert json.loads(brotli.decompress(packed)) == json.loads(plain)
    assert len(packed) < len(plain) / 5


def test_fingerprinted_files_are_cached_for_a_year_and_the_rest_is_not(client):
    files = page_files(client)
    assert len(files) >= 8
    for url in files + ["/_favicon.ico?v=1"]:
        res = client.get(url)
        assert res.status_code == 200 and res.headers["Cache-Control"] == LONG_CACHE, url
    for url in ["/", "/_dash-layout", "/_dash-dependencies", "/assets/style.css",
                "/_dash-component-suites/dash/dcc/async-graph.js"]:  # no fingerprint in the address
        assert "immutable" not in client.get(url).headers.get("Cache-Control", ""), url
    callback = client.post("/_dash-update-component", json=figures_body(client))
    assert "immutable" not in callback.headers.get("Cache-Control", "")


def test_a_static_file_is_compressed_once_and_kept_at_a_higher_brotli_quality(synth_data):
    from dashboard.app import create_app

    client = create_app(synth_data, chromium=None).server.test_client()  # a process that has sent nothing yet
    url = next(u for u in page_files(client) if "plotly-basic" in u)
    plain = client.get(url).get_data()
    first, second, third = (client.get(url, headers={"Accept-Encoding": "br"}).get_data() for _ in range(3))
    assert brotli.decompress(first) == brotli.decompress(second) == plain
    assert second == third and len(second) < 0.95 * len(first) < 0.4 * len(plain)
    assert second == brotli.compress(plain, quality=STATIC_BR_QUALITY)


def test_unknown_files_are_404_and_not_compressed_or_long_cached(client):
    for url in ["/assets/no-such-file.js?m=1", "/_dash-component-suites/dash/dcc/nothing.v1_0_0m1.js"]:
        res = client.get(url, headers={"Accept-Encoding": "br"})
        assert res.status_code == 404 and "immutable" not in res.headers.get("Cache-Control", ""), url


def test_page_loads_the_partial_bundle_at_the_plotly_js_version_plotly_ships(client):
    from plotly.offline import get_plotlyjs_version

    files = page_files(client)
    assert any("/assets/vendor/plotly-basic.min.js?m=" in url for url in files)
    assert not any("plotly.min.js" in url for url in files)
    header = BUNDLE.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in header
    assert "window.Plotly = Plotly" in BUNDLE.read_text(encoding="utf-8")[-200:]  # what dcc.Graph looks for


def test_page_leaves_out_the_scripts_it_does_not_use_and_preloads_the_chunks_it_does(client):
    from dashboard.app import EARLY_CHUNKS

    page = client.get("/").get_data(as_text=True)
    scripts = page_files(client)
    assert not [url for url in scripts if "polyfill" in url or "dash_table" in url]
    assert any("/assets/vendor/regenerator-runtime.js?m=" in url for url in scripts)  # the part of it Dash calls
    preloads = re.findall(r'<link rel="preload" as="script" href="([^"]+)">', page)
    assert preloads == [f"/_dash-component-suites/{chunk}" for chunk in EARLY_CHUNKS]
    assert page.index(preloads[-1]) < page.index("<script")  # asked for beside the first scripts
    for url in preloads:
        res = client.get(url)
        assert res.status_code == 200 and res.mimetype.endswith("/javascript") and len(res.get_data()) > 10_000


@pytest.mark.browser
def test_the_page_runs_without_the_polyfill_and_asks_for_each_chunk_once(live_url):
    """Dash's lazy parts (the charts, the dropdowns) need regeneratorRuntime; each preloaded chunk is
    fetched once, by the preload, and the dropdown it holds opens."""
    from tests.local_server import need_chromium

    need_chromium()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors, asked = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("request", lambda r: asked.append(r.url.rsplit("/", 1)[-1]) if "/dcc/async-" in r.url else None)
        page.goto(live_url + "/")
        page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                               ".filter(g => g.data && g.data.length).length >= 16", timeout=90_000)
        page.locator("#filter-sector").click()
        page.locator(".dash-dropdown-options label", has_text="Stat").first.wait_for(timeout=10_000)
        chunks = page.evaluate("() => performance.getEntriesByType('resource').filter(e => e.name.includes('/dcc/async-'))"
                               ".map(e => [e.name.split('/').pop(), e.initiatorType])")
        runtime = page.evaluate("() => typeof window.regeneratorRuntime.mark")
        page.close()
    assert errors == []
    assert sorted(asked) == ["async-dropdown.js", "async-graph.js"]
    assert sorted(chunks) == [["async-dropdown.js", "link"], ["async-graph.js", "link"]]
    assert runtime == "function"


def test_first_load_fits_one_megabyte_compressed(client):
    """The page, every file it links, the async chunks dcc loads, layout, dependencies and the first figures."""
    urls = [*page_files(client), "/", "/_dash-layout", "/_dash-dependencies", "/_favicon.ico?v=1",
            "/_dash-component-suites/dash/dcc/async-graph.js", "/_dash-component-suites/dash/dcc/async-dropdown.js"]
    total = sum(len(client.get(url, headers={"Accept-Encoding": "br"}).get_data()) for url in urls)
    total += len(client.post("/_dash-update-component", json=figures_body(client),
                             headers={"Accept-Encoding": "br"}).get_data())
    assert total < 1_000_000, total


# --------------------------------------------------------------------------------------------------
# The Procfile and its settings
# --------------------------------------------------------------------------------------------------
def test_procfile_runs_gunicorn_with_the_shared_settings():
    from dashboard import gunicorn_conf

    assert procfile_command(8123) == ["gunicorn", "--config", "python:dashboard.gunicorn_conf", "dashboard.app:server"]
    assert (gunicorn_conf.workers, gunicorn_conf.threads, gunicorn_conf.worker_class) == (2, 4, "gthread")
    assert gunicorn_conf.preload_app is True and gunicorn_conf.control_socket_disable is True


def test_gunicorn_settings_follow_the_platform_environment(monkeypatch):
    from dashboard import gunicorn_conf

    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("BAROMETER_THREADS", "8")
    try:
        importlib.reload(gunicorn_conf)
        assert (gunicorn_conf.bind, gunicorn_conf.workers, gunicorn_conf.threads) == (["0.0.0.0:9123"], 3, 8)
        monkeypatch.setenv("WEB_CONCURRENCY", "two")
        with pytest.raises(SystemExit, match="WEB_CONCURRENCY='two' must be a whole number of at least 1"):
            importlib.reload(gunicorn_conf)
    finally:
        for name in ("PORT", "WEB_CONCURRENCY", "BAROMETER_THREADS"):
            monkeypatch.delenv(name)
        importlib.reload(gunicorn_conf)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as res:
            return res.status
    except urllib.error.HTTPError as err:
        return err.code


def test_procfile_command_serves_the_page_compressed_with_two_workers(tmp_path):
    """Also every script of the page at once, as a browser asks for them, from workers that have
    answered nothing yet (Dash sets itself up on a first request; see gunicorn_conf.when_ready)."""
    from concurrent.futures import ThreadPoolExecutor

    psutil = pytest.importorskip("psutil")
    port = free_port()
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PORT": str(port), "PATH": bin_dir + os.pathsep + os.environ["PATH"],
           "BAROMETER_CACHE_URL": tmp_path.as_uri()}
    log = open(tmp_path / "server.log", "w+")
    process = subprocess.Popen(procfile_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as res:
            scripts = re.findall(r'<script src="([^"]+)"', res.read().decode())
        with ThreadPoolExecutor(24) as pool:
            codes = list(pool.map(_status, [f"http://127.0.0.1:{port}{u}" for u in scripts * 3]))
        assert len(scripts) >= 10 and codes == [200] * len(codes), codes
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as res:
            assert res.status == 200 and res.headers["Content-Encoding"] == "gzip"
            assert b"react-entry-point" in gzip.decompress(res.read())
        log.flush()
        text = wait_for(lambda: Path(log.name).read_text(), "Booting worker", 2)
        workers = wait_for_children(psutil.Process(process.pid), 2)
        assert len(workers) == 2 and "Using worker: gthread" in text and text.count("Booting worker") == 2, text[-2000:]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        log.close()


# --------------------------------------------------------------------------------------------------
# The partial bundle draws every chart exactly as the full plotly.js does (headless Chromium)
# --------------------------------------------------------------------------------------------------

# Returns how many pixels differ between two PNG images (base64), decoded by the browser itself.
PIXEL_DIFF_JS = """
async ([a, b]) => {
  const decode = async (data) => createImageBitmap(await (await fetch('data:image/png;base64,' + data)).blob());
  const [x, y] = [await decode(a), await decode(b)];
  if (x.width !== y.width || x.height !== y.height) return {size: [x.width, x.height, y.width, y.height], diff: -1};
  const pixels = (img) => { const c = new OffscreenCanvas(img.width, img.height); const g = c.getContext('2d');
                            g.drawImage(img, 0, 0); return g.getImageData(0, 0, img.width, img.height).data; };
  const [p, q] = [pixels(x), pixels(y)];
  let diff = 0;
  for (let i = 0; i < p.length; i += 4) {
    if (p[i] !== q[i] || p[i + 1] !== q[i + 1] || p[i + 2] !== q[i + 2] || p[i + 3] !== q[i + 3]) diff += 1;
  }
  return {size: [x.width, x.height], diff};
}
"""


@pytest.fixture(scope="module")
def live_url():
    from dashboard.app import create_app
    from tests.local_server import serving
    from tests.shipped import shipped

    with serving(create_app(shipped(), chromium=None)) as url:
        yield url


def _chart_screenshots(browser, url: str, full_plotly: bytes | None):
    """Return {figure id: PNG of its chart}, the plotly files the page asked for, and the plotly.js version
    and trace types the page had: with the partial bundle, or with the full plotly.js served in its place."""
    from dashboard.figures.specs import IDS

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    page = context.new_page()
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "plotly" in r.url else None)
    if full_plotly is not None:
        page.route("**/assets/vendor/plotly-basic.min.js*",
                   lambda route: route.fulfill(body=full_plotly, content_type="application/javascript"))
    page.goto(url + "/")
    page.wait_for_function("""() => { const g = [...document.querySelectorAll('.js-plotly-plot')];
        return g.length >= 16 && g.every(e => e.data && e.data.length && !e.classList.contains('dash-graph--pending')); }""",
                           timeout=90_000)
    shots = {}
    for fid in IDS:
        chart = page.locator(f"#{fid} .js-plotly-plot")
        chart.scroll_into_view_if_needed()
        page.mouse.move(0, 0)  # no hover label, no mode bar
        shots[fid] = chart.screenshot(animations="disabled")
    plotly = page.evaluate("() => [window.Plotly.version, Object.keys(window.Plotly.PlotSchema.get().traces).sort()]")
    context.close()
    return shots, asked, plotly


@pytest.mark.browser
def test_partial_bundle_draws_every_chart_like_the_full_one(live_url):
    import base64

    if not os.path.exists(CHROMIUM):
        if os.environ.get("BAROMETER_REQUIRE_BROWSER") or os.environ.get("BAROMETER_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is required for the browser tests: apt-get install chromium")
        pytest.skip("Chromium not installed")
    pytest.importorskip("playwright.sync_api")
    import plotly

    full = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    with chromium() as browser:
        partial_shots, partial_asked, (partial_version, partial_traces) = _chart_screenshots(browser, live_url, None)
        full_shots, full_asked, (full_version, full_traces) = _chart_screenshots(browser, live_url, full)
        page = browser.new_page()
        def diff(a: bytes, b: bytes) -> dict:
            return page.evaluate(PIXEL_DIFF_JS, [base64.b64encode(a).decode(), base64.b64encode(b).decode()])

        diffs = {fid: diff(partial_shots[fid], full_shots[fid]) for fid in partial_shots}
        fig9, fig10 = partial_shots["fig9"], partial_shots["fig10"]  # two charts of one size, other bars
        control = diff(fig9, fig10)
    assert len(diffs) == 16
    assert {fid: d for fid, d in diffs.items() if d["diff"] != 0} == {}
    assert all(d["size"][0] > 250 and d["size"][1] > 150 for d in diffs.values())
    assert not any("package_data/plotly.min.js" in url for url in partial_asked + full_asked)  # Dash's full copy: never
    assert partial_version == full_version
    assert {"bar", "scatter"} <= set(partial_traces) and len(partial_traces) <= 3 < 30 < len(full_traces)
    assert control["size"] != [0, 0] and control["diff"] != 0  # the comparison sees a difference when there is one
