"""What a user sees, in headless Chromium against the Procfile's gunicorn (loopback, fresh response cache):

- cold first load at 1440 px: bytes on the wire (compressed, headers included) and the time until
  all 16 charts are drawn, from the start of navigation (median of --loads fresh browser profiles;
  the first of them also finds the server's cache cold), and until the charts on the first screen are;
- its floors, each over the same 16 figures at the widths the dashboard gave them (median of --loads
  fresh profiles): the Dash floor, a Dash app whose page is nothing but 16 dcc.Graphs holding those
  figures in its layout (benchmarks/floor.py, the project's plotly.js, page scripts and compression),
  and below it plotly.js alone, a static page that draws them with the same bundle; the dashboard's
  time is printed as a ratio of the Dash floor;
- filter change -> every chart in the viewport repainted (1440 px): from setting a filter control to
  the frame after the last chart in view was redrawn, median over --changes changes to states not seen
  before (so the server computes each);
- a phone over slow 4G (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, 390 px viewport, fresh
  profile): time until the first chart is drawn.

Goals (issue 10): repaint <= 150 ms median, first load <= 1.0 MB and <= 1.2 s, phone <= 6 s.
Usage: python benchmarks/browser.py [--changes 12] [--loads 3] [--seed 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.procfile import procfile_server  # noqa: E402
from dashboard.data.dimensions import BY_KEY, DIMENSIONS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
CONTROL_IDS = {d.key: d.control_id for d in DIMENSIONS if d.multiple}  # the dropdowns

# Runs in every page before its own scripts: notes when the first chart, the charts on the first screen
# and all 16 charts are drawn (plotly.js has drawn the chart's traces for its data), when all 16 are also
# settled (dcc.Graph has cleared its "pending" mark, which it keeps from a resize until plotly's resize
# timer, 100 ms, has run: behind the other charts' drawing), and, once plotly.js is there, when each
# redraw of a chart in the viewport reaches the screen (the animation frame after Plotly.react finished).
PROBE_JS = """
(() => {
  const probe = window.__probe = {firstChart: null, screenCharts: null, allCharts: null, allSettled: null,
                                   pending: 0, callbacks: 0, lastCallback: 0, lastPaint: 0, lastActivity: 0};
  const isDrawn = (gd) => gd.data && gd.data.length && gd._fullLayout && gd.querySelector('.cartesianlayer .trace');
  const isSettled = (gd) => isDrawn(gd) && !gd.classList.contains('dash-graph--pending');
  const inView = (gd) => { const r = gd.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; };
  const watch = () => {
    const charts = [...document.querySelectorAll('.js-plotly-plot')];
    const n = charts.filter(isDrawn).length;
    if (n >= 1 && probe.firstChart === null) probe.firstChart = performance.now();
    if (n >= 1 && probe.screenCharts === null && charts.filter(inView).every(isDrawn)) probe.screenCharts = performance.now();
    if (n >= 16 && probe.allCharts === null) probe.allCharts = performance.now();
    if (n >= 16 && probe.allSettled === null && charts.every(isSettled)) probe.allSettled = performance.now();
    if (window.Plotly && !window.Plotly.__probed) {
      const react = window.Plotly.react;
      window.Plotly.react = function (gd, ...args) {
        probe.pending += 1; probe.lastActivity = performance.now();
        return Promise.resolve(react.call(this, gd, ...args)).finally(() => {
          probe.pending -= 1; probe.lastActivity = performance.now();
          const visible = inView(gd);
          requestAnimationFrame((t) => { if (visible) probe.lastPaint = Math.max(probe.lastPaint, t); });
        });
      };
      window.Plotly.__probed = true;
    }
    requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
  const fetch0 = window.fetch;
  window.fetch = function (url, ...rest) {
    const isCallback = String(url).includes('_dash-update-component');
    if (isCallback) { probe.callbacks += 1; probe.lastActivity = performance.now(); }
    return fetch0.call(this, url, ...rest).finally(() => {
      if (isCallback) { probe.callbacks -= 1; probe.lastCallback = probe.lastActivity = performance.now(); }
    });
  };
})();
"""

# Sets a filter and resolves, once the page has been quiet for 300 ms, with the time (ms) from the
# change to the paint of the last chart in view that was redrawn.
CHANGE_JS = """
async ([id, value]) => {
  const probe = window.__probe;
  const t0 = performance.now();
  probe.lastPaint = 0;
  window.dash_clientside.set_props(id, {value});
  const quiet = () => new Promise((resolve) => {
    const check = () => (probe.callbacks === 0 && probe.pending === 0 && probe.lastCallback > t0
                         && performance.now() - probe.lastActivity > 300) ? resolve() : setTimeout(check, 20);
    check();
  });
  await quiet();
  return probe.lastPaint > t0 ? probe.lastPaint - t0 : null;
}
"""


def new_page(browser, viewport, **context_args):
    """Return a page in a fresh browser profile (empty cache) with the probe installed, and its CDP session."""
    context = browser.new_context(viewport=viewport, **context_args)
    page = context.new_page()
    page.problems = []  # console errors and failed requests, reported if the page never draws
    page.on("console", lambda m: page.problems.append(f"console: {m.text[:200]}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"error: {str(e)[:200]}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url[:120]} {r.failure}"))
    page.on("response", lambda r: page.problems.append(f"HTTP {r.status}: {r.url[:120]}") if r.status >= 400 else None)
    page.add_init_script(PROBE_JS)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    return page, cdp


def wait_for(page, condition: str, timeout: float) -> None:
    """Return once the JS function `condition` is true in the page; raise with the probe's state after `timeout` s.

    The probe in the page records the times, so how often this polls changes nothing measured; on a
    timeout the probe's state says what was missing.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not reached in {timeout:.0f} s: {condition}; probe: "
                               f"{page.evaluate('() => JSON.stringify(window.__probe)')}; {page.problems[:10]}")
        page.wait_for_timeout(100)


def count_bytes(cdp) -> dict:
    """Start counting the bytes each request took on the wire; return the {request id: bytes} it fills."""
    sizes: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    return sizes


def cold_load(browser, url: str, seen: dict | None = None) -> tuple[float, float, float, float, float]:
    """Return (bytes on the wire, seconds until all 16 charts are drawn, until the last callback answer
    arrived, until every chart on the first screen was drawn, until all 16 were settled) of one load in
    a fresh profile.

    `seen`, when given, is filled with what the floor page needs: the plotly.js address, and each
    chart's figure, config and width.
    """
    page, cdp = new_page(browser, DESKTOP)
    sizes = count_bytes(cdp)
    answers = []
    page.on("response", lambda r: answers.append(r) if "_dash-update-component" in r.url else None)
    page.goto(url + "/")
    wait_for(page, "() => window.__probe.allSettled !== null", 180)
    page.wait_for_load_state("networkidle")
    drawn, answered, screen, settled = page.evaluate(
        "() => [__probe.allCharts, __probe.lastCallback, __probe.screenCharts, __probe.allSettled]")
    if seen is not None:
        seen["plotly"] = page.evaluate("() => [...document.scripts].map(s => s.src).find(s => s.includes('plotly'))")
        seen["widths"] = page.evaluate("() => Object.fromEntries([...document.querySelectorAll('.card-graph')]"
                                       ".map(g => [g.id, g.offsetWidth]))")
        seen["figures"] = {cid.removesuffix(FIGURE_STORE): props["data"] for answer in answers
                           if answer.status == 200
                           for cid, props in answer.json().get("response", {}).items() if cid.endswith(FIGURE_STORE)}
    page.context.close()
    return sum(sizes.values()), drawn / 1000, answered / 1000, screen / 1000, settled / 1000


FIGURE_STORE = "-figure-data"  # the store beside each chart that the server's figures arrive in
# The floor page: the dashboard's plotly.js and figures, nothing else; draws the charts one after the other.
FLOOR_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><script src="PLOTLY"></script></head>
<body><script id="figures" type="application/json">FIGURES</script><script>
(async () => {
  const {figures, widths} = JSON.parse(document.getElementById('figures').textContent);
  for (const [id, {figure, config}] of Object.entries(figures)) {
    const div = document.body.appendChild(document.createElement('div'));
    div.style.width = widths[id] + 'px';
    await Plotly.newPlot(div, figure.data, figure.layout, config);
  }
})();
</script></body></html>"""


def dash_floor(browser, seen: dict, loads: int) -> list[float]:
    """Return the seconds until the Dash floor's page has drawn all 16 charts, for each of `loads` fresh
    profiles."""
    import shutil
    import tempfile

    from benchmarks.floor import create_page_floor_app
    from tests.local_server import serving

    with tempfile.TemporaryDirectory() as assets:
        vendor = Path(assets, "vendor")
        vendor.mkdir()
        for script in ("plotly-basic.min.js", "regenerator-runtime.js"):
            shutil.copy(ROOT / "assets" / "vendor" / script, vendor / script)
        app = create_page_floor_app(seen["figures"], seen["widths"], assets)
        with serving(app) as url:
            return [cold_load(browser, url)[1] for _ in range(loads)]


def plotly_alone(browser, url: str, seen: dict) -> float:
    """Return the seconds until the page of plotly.js alone (FLOOR_PAGE, fresh profile) has drawn all 16
    charts."""
    page, _ = new_page(browser, DESKTOP)
    body = json.dumps({"figures": seen["figures"], "widths": seen["widths"]}).replace("</", "<\\/")
    html = FLOOR_PAGE.replace("PLOTLY", seen["plotly"]).replace("FIGURES", body)
    page.route(url + "/plotly-alone", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(url + "/plotly-alone")
    wait_for(page, "() => window.__probe.allCharts !== null", 180)
    drawn = page.evaluate("() => window.__probe.allCharts")
    page.context.close()
    return drawn / 1000


def changes(count: int, seed: int) -> list[tuple[str, list[str]]]:
    """Return `count` (control id, new value) filter changes, each leading to a state not seen before."""
    rng, state, seen, out = random.Random(seed), {k: () for k in CONTROL_IDS}, set(), []
    seen.add(tuple(sorted(state.items())))
    while len(out) < count:
        key = rng.choice(list(CONTROL_IDS))
        value = tuple(sorted(rng.sample(BY_KEY[key].codes, rng.randint(0, 2))))
        candidate = {**state, key: value}
        if tuple(sorted(candidate.items())) in seen:
            continue
        state = candidate
        seen.add(tuple(sorted(state.items())))
        out.append((CONTROL_IDS[key], list(value)))
    return out


def repaints(browser, url: str, count: int, seed: int) -> list[float]:
    """Return the milliseconds from each filter change to the repaint of every chart in the viewport."""
    page, _ = new_page(browser, DESKTOP)
    page.goto(url + "/")
    wait_for(page, "() => window.__probe.allCharts !== null", 180)
    page.wait_for_timeout(500)
    out = []
    for control, value in changes(count, seed):
        ms = page.evaluate(CHANGE_JS, [control, value])
        if ms is None:
            raise RuntimeError(f"no chart in view was redrawn after setting {control} to {value}")
        out.append(ms)
    page.context.close()
    return out


def phone_first_chart(browser, url: str) -> tuple[float, float]:
    """Return (seconds until the first chart is drawn, bytes on the wire by then) on a phone over slow 4G."""
    page, cdp = new_page(browser, PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    sizes = count_bytes(cdp)
    page.goto(url + "/", timeout=180_000)
    wait_for(page, "() => window.__probe.firstChart !== null", 180)
    first = page.evaluate("window.__probe.firstChart") / 1000
    page.context.close()
    return first, sum(sizes.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=12)
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"machine load (1 min) before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with procfile_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        seen: dict = {}
        loads = [cold_load(browser, url, seen if k == 0 else None) for k in range(args.loads)]
        if len(seen["figures"]) != 16:
            raise RuntimeError(f"the floor needs the 16 figures; the first load got {sorted(seen['figures'])}")
        floors = dash_floor(browser, seen, args.loads)
        alone = [plotly_alone(browser, url, seen) for _ in range(args.loads)]
        times = repaints(browser, url, args.changes, args.seed)
        phone, phone_bytes = phone_first_chart(browser, url)
        browser.close()
    wire = statistics.median(b for b, *_ in loads)
    drawn = statistics.median(t for _, t, *_ in loads)
    answered = statistics.median(a for _, _, a, *_ in loads)
    screen = statistics.median(load[3] for load in loads)
    settled = statistics.median(load[4] for load in loads)
    times.sort()
    print(f"cold first load, 1440 px, loopback ({args.loads} fresh profiles; the first also finds the server cache cold):")
    print(f"  bytes on the wire      {wire / 1e6:6.2f} MB   (goal <= 1.0 MB)")
    print(f"  16 charts drawn        {drawn:6.2f} s    (goal <= 1.2 s; each load: "
          f"{', '.join(f'{t:.2f}' for _, t, *_ in loads)} s)")
    print(f"    of which drawing after the last callback answer ({answered:.2f} s): {drawn - answered:.2f} s")
    print(f"  the charts on the first screen drawn {screen:6.2f} s; all 16 settled (dcc.Graph's resize timers run) "
          f"{settled:.2f} s")
    floor, bare = statistics.median(floors), statistics.median(alone)
    print(f"  Dash floor (16 dcc.Graphs with the same figures in the layout) {floor:5.2f} s "
          f"(each load: {', '.join(f'{t:.2f}' for t in floors)} s): the dashboard takes {drawn / floor:.2f}x that")
    print(f"  plotly.js alone drawing the same figures                     {bare:5.2f} s "
          f"(each load: {', '.join(f'{t:.2f}' for t in alone)} s)")
    print(f"filter change -> charts in view repainted, 1440 px, {len(times)} changes:")
    print(f"  median {statistics.median(times):6.0f} ms, p90 {times[int(0.9 * (len(times) - 1))]:6.0f} ms, "
          f"max {times[-1]:6.0f} ms   (goal: median <= 150 ms)")
    print(f"phone over slow 4G (1.6 Mbit/s, 150 ms RTT, 390 px): first chart drawn {phone:5.1f} s "
          f"after {phone_bytes / 1e6:.2f} MB   (goal <= 6 s)")
    print(json.dumps({"first_load_bytes": wire, "first_load_s": drawn, "first_screen_s": screen, "settled_s": settled,
                      "dash_floor_s": floor,
                      "plotly_alone_s": bare, "repaint_median_ms": statistics.median(times), "phone_first_chart_s": phone}))


if __name__ == "__main__":
    main()
