"""What a user sees, in headless Chromium against the Procfile's gunicorn (loopback, fresh response cache):

- cold first load at 1440 px: bytes on the wire (compressed, headers included) and the time until
  all 16 charts are drawn, from the start of navigation (median of --loads fresh browser profiles;
  the first of them also finds the server's cache cold);
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.procfile import procfile_server  # noqa: E402
from dashboard.data.filters import ALLOWED  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
CONTROL_IDS = {"sector": "filter-sector", "tech_role": "filter-tech-role", "value": "filter-value"}

# Runs in every page before its own scripts: notes when the first and when all 16 charts are drawn
# (a chart with data, not waiting for plotly), and, once plotly.js is there, when each redraw of a chart
# in the viewport reaches the screen (the animation frame after Plotly.react finished).
PROBE_JS = """
(() => {
  const probe = window.__probe = {firstChart: null, allCharts: null, pending: 0, callbacks: 0,
                                   lastCallback: 0, lastPaint: 0, lastActivity: 0};
  const drawn = () => [...document.querySelectorAll('.js-plotly-plot')]
      .filter(gd => gd.data && gd.data.length && !gd.classList.contains('dash-graph--pending')).length;
  const inView = (gd) => { const r = gd.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; };
  const watch = () => {
    const n = drawn();
    if (n >= 1 && probe.firstChart === null) probe.firstChart = performance.now();
    if (n >= 16 && probe.allCharts === null) probe.allCharts = performance.now();
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


def cold_load(browser, url: str) -> tuple[float, float, float]:
    """Return (bytes on the wire, seconds until all 16 charts are drawn, seconds until the last callback
    answer arrived) of one load in a fresh profile."""
    page, cdp = new_page(browser, DESKTOP)
    sizes = count_bytes(cdp)
    page.goto(url + "/")
    wait_for(page, "() => window.__probe.allCharts !== null", 180)
    page.wait_for_load_state("networkidle")
    drawn, answered = page.evaluate("() => [window.__probe.allCharts, window.__probe.lastCallback]")
    page.context.close()
    return sum(sizes.values()), drawn / 1000, answered / 1000


def changes(count: int, seed: int) -> list[tuple[str, list[str]]]:
    """Return `count` (control id, new value) filter changes, each leading to a state not seen before."""
    rng, state, seen, out = random.Random(seed), {k: () for k in CONTROL_IDS}, set(), []
    seen.add(tuple(sorted(state.items())))
    while len(out) < count:
        key = rng.choice(list(CONTROL_IDS))
        value = tuple(sorted(rng.sample(ALLOWED[key], rng.randint(0, 2))))
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
        loads = [cold_load(browser, url) for _ in range(args.loads)]
        times = repaints(browser, url, args.changes, args.seed)
        phone, phone_bytes = phone_first_chart(browser, url)
        browser.close()
    wire = statistics.median(b for b, _, _ in loads)
    drawn = statistics.median(t for _, t, _ in loads)
    answered = statistics.median(a for _, _, a in loads)
    times.sort()
    print(f"cold first load, 1440 px, loopback ({args.loads} fresh profiles; the first also finds the server cache cold):")
    print(f"  bytes on the wire      {wire / 1e6:6.2f} MB   (goal <= 1.0 MB)")
    print(f"  16 charts drawn        {drawn:6.2f} s    (goal <= 1.2 s; each load: "
          f"{', '.join(f'{t:.2f}' for _, t, _ in loads)} s)")
    print(f"    of which drawing after the last callback answer ({answered:.2f} s): {drawn - answered:.2f} s")
    print(f"filter change -> charts in view repainted, 1440 px, {len(times)} changes:")
    print(f"  median {statistics.median(times):6.0f} ms, p90 {times[int(0.9 * (len(times) - 1))]:6.0f} ms, "
          f"max {times[-1]:6.0f} ms   (goal: median <= 150 ms)")
    print(f"phone over slow 4G (1.6 Mbit/s, 150 ms RTT, 390 px): first chart drawn {phone:5.1f} s "
          f"after {phone_bytes / 1e6:.2f} MB   (goal <= 6 s)")
    print(json.dumps({"first_load_bytes": wire, "first_load_s": drawn, "repaint_median_ms": statistics.median(times),
                      "phone_first_chart_s": phone}))


if __name__ == "__main__":
    main()
