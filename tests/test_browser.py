"""The real page in headless Chromium, driven as a user would: filters, charts, PNG, permalinks."""

import json
import re
import struct

import pytest

from dashboard.data.filters import parse_filter
from dashboard.export.presets import DEFAULT_SCALE, PRESETS
from dashboard.figures.specs import IDS
from tests.local_server import need_chromium
from tests.shipped import figure_data
from tests.test_cli import run as run_cli

pytestmark = pytest.mark.browser
need_chromium()

pytest.importorskip("playwright.sync_api")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


def chart(page, figure_id):
    """Return the plotted data and layout of one graph, as the browser holds them."""
    return page.evaluate(
        """id => { const el = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
                   return el && el.data ? {data: el.data, layout: el.layout} : null; }""", figure_id)


BARS_JS = """id => { const el = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
    if (!el || !el.data) return null;
    const out = {};
    for (const t of el.data) {
        if (t.type !== 'bar' || !t.customdata) continue;
        const values = t.orientation === 'h' ? t.x : t.y;
        t.customdata.forEach((cd, i) => { out[cd[0] + '|' + cd[1]] = values[i]; });
    }
    return out; }"""


def bars(page, figure_id):
    """Return {"series|category": bar value or None} read from the chart in the page."""
    return page.evaluate(BARS_JS, figure_id)


def expected_bars(figure, **filters):
    """Return {"series|category": share or None} computed by the project for a filter."""
    table = figure_data().table(figure, parse_filter(**filters))
    return {f"{s}|{c}": (None if v != v else v) for s, c, v in zip(table["series"], table["category"], table["share"])}


TOLERANCE = 0.05 + 1e-9  # the charts carry shares to one decimal, as published


def same(got, want, tol=TOLERANCE):
    """Return True when two bar dicts hold the same keys and values within `tol` percentage points."""
    if not got or set(got) != set(want):
        return False
    return all((g is None and w is None) or (g is not None and w is not None and abs(g - w) <= tol)
               for g, w in ((got[k], want[k]) for k in want))


def wait_for_bars(page, figure_id, want, timeout=20_000):
    """Wait until the chart's bars equal `want`; fail with what the page shows."""
    page.wait_for_function(f"""id => {{ const got = ({BARS_JS})(id); const want = {json.dumps(want)};
        if (!got) return false; const keys = Object.keys(want);
        if (Object.keys(got).length !== keys.length) return false;
        return keys.every(k => (got[k] === null && want[k] === null) ||
                               (got[k] !== null && want[k] !== null && Math.abs(got[k] - want[k]) <= {TOLERANCE})); }}""",
                           arg=figure_id, timeout=timeout)
    assert same(bars(page, figure_id), want)


def open_page(page, url):
    page.goto(url)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 16 && "
                           "[...document.querySelectorAll('.js-plotly-plot')].every(e => e.data && e.data.length)",
                           timeout=60_000)


# Resolves when the open list's options have kept their order for three frames.
SETTLED_LIST_JS = """() => new Promise((done) => {
    let last = null, same = 0;
    const tick = () => {
        const now = [...document.querySelectorAll('.dash-dropdown-content .dash-dropdown-option')]
            .map((e) => e.textContent).join('|');
        same = now && now === last ? same + 1 : 0;
        last = now;
        if (same >= 3) done(); else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""


def choose(page, filter_id, option):
    """Open a dropdown filter and click one option by its label, as a user does, once the list stands still.

    A list just opened moves its chosen options to the top a frame later: a click aimed before that lands
    on the option that took the place."""
    toggle = page.locator("#filter-toggle")
    if not page.locator(f"#{filter_id}").is_visible() and toggle.is_visible():
        toggle.click()
    page.locator(f"#{filter_id}").click()
    page.evaluate(SETTLED_LIST_JS)
    page.locator(".dash-dropdown-option", has_text=re.compile(f"^{re.escape(option)}$")).first.click()
    page.keyboard.press("Escape")


def test_all_sixteen_figures_render(page, server_url):
    open_page(page, server_url + "/")
    for figure in IDS:
        got = chart(page, figure)
        assert got is not None and len(got["data"]) > 0, figure
        title = got["layout"]["title"]["text"]
        assert len(title) > 10, figure


def test_choosing_state_redraws_figure_1_with_the_cli_numbers(page, server_url):
    open_page(page, server_url + "/")
    wait_for_bars(page, "fig1", expected_bars("fig1"))
    choose(page, "filter-sector", "Stat")
    code, out, _ = run_cli("table", "fig1", "--sector", "state", "--format", "json")
    cli = {f"{r['series']}|{r['category']}": r["share"] for r in json.loads(out)}
    wait_for_bars(page, "fig1", cli)
    assert round(cli["all|solution"] + cli["all|important"]) == 52
    assert "sector=state" in page.url
    subtitle = chart(page, "fig1")["layout"]["title"]["subtitle"]["text"]
    n = json.loads(out)[0]["n"]  # the unweighted n of the state's innovators, as the CLI gives it
    assert "Stat" in subtitle and f"n = {n}" in subtitle


def test_select_all_in_the_technology_filter_keeps_no_group_heading(page, server_url):
    """"Select all" picks the dropdown's disabled group headings too; the page takes them out at once,
    and the link and the live region name the eight answers only."""
    open_page(page, server_url + "/?lang=en")
    page.locator("#filter-tech-role").click()
    page.get_by_role("button", name="Select all", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('tech_role=')")
    assert page.evaluate("() => decodeURIComponent(location.search)") == \
        "?tech_role=solution,important,minor,none,dont_know,new_tech,known_tech,non_tech&lang=en"
    assert page.locator("#filter-tech-role .dash-dropdown-value-count").text_content() == "8 selected"
    # the live region speaks once the figures are redrawn, which may be after the link is written
    page.wait_for_function("() => document.getElementById('figures-status').textContent.includes("
                           "'figures updated: Technology: The innovation is itself a technological solution')")
    status = page.locator("#figures-status").text_content()
    assert "Role of technology" not in status and "group" not in status


def test_permalink_opened_cold_restores_filters_and_figures(browser, server_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    open_page(page, server_url + "/?sector=region&lang=en")
    for figure in ("fig1", "fig4", "fig8", "dst-values-sector"):
        wait_for_bars(page, figure, expected_bars(figure, sector="region"))
    assert "Region" in page.locator("#filter-sector").inner_text()
    context.close()


def test_back_and_forward_restore_filters(page, server_url):
    open_page(page, server_url + "/?sector=state")
    wait_for_bars(page, "fig1", expected_bars("fig1", sector="state"))
    choose(page, "filter-sector", "Region")
    both = expected_bars("fig1", sector="state,region")
    wait_for_bars(page, "fig1", both)
    page.go_back()
    wait_for_bars(page, "fig1", expected_bars("fig1", sector="state"))
    page.go_forward()
    wait_for_bars(page, "fig1", both)


def test_unknown_url_value_falls_back_with_visible_notice(page, server_url):
    open_page(page, server_url + "/?sector=atlantis&lang=en")
    notice = page.locator("#notice")
    notice.wait_for(state="visible", timeout=20_000)
    assert "atlantis" in notice.inner_text()
    wait_for_bars(page, "fig1", expected_bars("fig1"))
    page.wait_for_function("() => location.search === '?lang=en'")  # the address bar no longer shows the bad value


def test_a_label_in_a_link_is_read_and_the_address_bar_corrected(page, server_url):
    """`?sector=kommune` showed the defaults without a word while the address bar kept the bad value."""
    open_page(page, server_url + "/?sector=kommune,foo#section-value")
    notice = page.locator("#notice")
    notice.wait_for(state="visible", timeout=20_000)
    text = notice.inner_text()
    assert "'kommune' er læst som Kommune (municipality)" in text and "'foo' findes ikke og er ignoreret" in text
    wait_for_bars(page, "fig1", expected_bars("fig1", sector="municipality"))
    page.wait_for_function("() => location.search === '?sector=municipality' && location.hash === '#section-value'")
    page.go_back()
    assert page.url == "about:blank"  # the link was replaced, not added: going back leaves the page


@pytest.mark.parametrize(("target", "element"), [("#section-value", "section-value"), ("#fig4", "card-fig4"),
                                                 ("#about", "about")])
def test_a_link_to_a_place_opens_there_with_the_focus_on_it(browser, server_url, target, element):
    """`/?sector=region#section-value`, `#fig4` and `#about` opened at the top of the page. They open scrolled to
    their place, just below the filter bar, with the focus there, and stay there while the charts above draw."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{server_url}/?sector=region{target}")
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=element,
                           timeout=20_000)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 16", timeout=60_000)
    page.wait_for_timeout(1500)  # the charts drawn after the first screen change the height above
    place = page.evaluate("""id => { const el = document.getElementById(id);
        const bar = document.getElementById('filters').getBoundingClientRect();
        return {top: el.getBoundingClientRect().top, bar: bar.bottom, scrolled: window.scrollY}; }""", element)
    assert place["scrolled"] > 300 and 0 <= place["top"] - place["bar"] <= 24, place
    assert page.evaluate("() => document.activeElement.id") == element
    if element == "about":
        assert page.locator("#about-body").is_visible()  # the method note opens
    context.close()


def camera_png(page, figure: str) -> tuple[str, bytes]:
    """Click a chart's camera button; return the downloaded file's name and content."""
    page.locator(f"#{figure} .js-plotly-plot").hover()
    with page.expect_download(timeout=30_000) as info:
        page.locator(f"#{figure} .modebar-btn[data-title*='PNG']").first.click()
    download = info.value
    return download.suggested_filename, open(download.path(), "rb").read()


def test_camera_button_downloads_the_chart_at_the_export_size_chosen(page, server_url):
    """The issue's example: the camera gave 2400 x 1400 whatever "Dias 16:9 / A4" said. It now gives the image
    "Download all" gives: the chart laid out for the size chosen, at three times its pixels."""
    open_page(page, server_url + "/?sector=state")
    for preset, label in (("slide", None), ("a4", "A4")):
        if label:
            page.locator("#export-size label", has_text=label).first.click()
        name, data = camera_png(page, "fig4")
        assert name == "fig4_sector-state-synthetic.png"
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a real chart, not an empty canvas
        width, height = struct.unpack(">II", data[16:24])
        size = PRESETS[preset]
        assert width == size.width * DEFAULT_SCALE and height >= size.height * DEFAULT_SCALE, (preset, width, height)


def test_the_round_control_says_which_figures_a_round_has_and_announces_only_what_changed(page, server_url):
    """Choosing 2015-2016 changed one figure's highlight, while 15 cards said "not applied" and the live region
    "16 figures updated". The control now says which figures the round has, from the data."""
    open_page(page, server_url + "/?lang=en")
    assert page.locator("#filter-round-help").text_content() == (
        "2015-2016: only 'Share of innovative workplaces by sector, 2015-2016 and 2018-2019'")
    page.locator("#filter-round label", has_text="2015-2016").first.click()
    page.wait_for_function("() => document.getElementById('figures-status').textContent.startsWith('1 of 16')",
                           timeout=20_000)
    assert page.locator("#figures-status").text_content() == (
        "1 of 16 figures updated: Round: 2015-2016. Round 2015-2016 has data for 1 of 16 figures.")
    page.wait_for_function("""() => { const el = document.querySelector('#fig1 .js-plotly-plot');
        return el && el.layout.title.subtitle.text.includes('No data for 2015-2016: shows 2018-2019'); }""")
    wait_for_bars(page, "fig1", expected_bars("fig1"))  # its numbers are those of 2018-2019, and say so


def test_choosing_a_size_redraws_with_the_cli_numbers_and_says_so(page, server_url):
    """The size filter, as every filter of the registry: the charts, the link and the live region follow it."""
    open_page(page, server_url + "/")
    choose(page, "filter-sector", "Stat")
    choose(page, "filter-size", "50+ ansatte")
    _, out, _ = run_cli("table", "fig4", "--sector", "state", "--size", "large", "--format", "json")
    wait_for_bars(page, "fig4", {f"{r['series']}|{r['category']}": r["share"] for r in json.loads(out)})
    assert "sector=state" in page.url and "size=large" in page.url
    page.wait_for_function("() => document.getElementById('figures-status').textContent.includes('Størrelse: 50+')")
    assert "Størrelse: 50+ ansatte" in chart(page, "fig4")["layout"]["title"]["subtitle"]["text"]


def test_a_search_for_a_sub_sector_in_the_sector_control_points_to_its_control(page, server_url):
    """Searching "dagtilbud" in the sector control gave "Ingen valgmuligheder" under "Vælg alle / Fravælg alle"."""
    open_page(page, server_url + "/")
    page.locator("#filter-sector").click()
    page.keyboard.type("dagtilbud")
    content = page.locator(".dash-dropdown-content")
    content.get_by_text("Ingen sektor passer").wait_for(state="visible")  # the list filtered as typed
    assert "Delsektorer (fx dagtilbud, skoler, hospitaler) vælges under Delsektor" in content.inner_text()
    assert not page.locator(".dash-dropdown-content .dash-dropdown-actions").is_visible()  # nothing to select all of
    page.keyboard.press("Escape")


def test_the_sub_sector_control_offers_the_chosen_sectors_and_drops_what_they_lack(page, server_url):
    open_page(page, server_url + "/?sector=municipality&industry=daycare")
    _, out, _ = run_cli("table", "fig7", "--sector", "municipality", "--industry", "daycare", "--format", "json")
    wait_for_bars(page, "fig7", {f"{r['series']}|{r['category']}": r["share"] for r in json.loads(out)})
    page.locator("#filter-industry").click()
    options = [o.strip() for o in page.locator(".dash-dropdown-content .dash-dropdown-option").all_text_contents()]
    assert options[0] == "Dagtilbud"  # the chosen option first, then the municipalities' under their heading
    assert options[1:] == ["Kommune", "Administration", "Undervisning og forskning", "Ældrepleje",
                           "Sociale institutioner"]
    page.keyboard.press("Escape")
    choose(page, "filter-sector", "Stat")
    choose(page, "filter-sector", "Kommune")  # chosen again: taken out, so day care is no longer found
    page.wait_for_function("() => location.search.includes('sector=state') && !location.search.includes('industry')")
    _, out, _ = run_cli("table", "fig7", "--sector", "state", "--format", "json")
    wait_for_bars(page, "fig7", {f"{r['series']}|{r['category']}": r["share"] for r in json.loads(out)})
    assert page.locator("#filter-industry").inner_text().strip().startswith("Alle delsektorer")


def test_language_switch_changes_titles_and_axis_labels(page, server_url):
    open_page(page, server_url + "/")
    da = chart(page, "fig4")["layout"]
    page.locator("#lang label", has_text="English").first.click()
    page.wait_for_function("""() => { const el = document.querySelector('#fig4 .js-plotly-plot');
        return el && el.layout && el.layout.title.text.includes('Value created'); }""", timeout=20_000)
    en = chart(page, "fig4")["layout"]
    assert da["title"]["text"] != en["title"]["text"]
    assert da["yaxis"]["title"]["text"] != en["yaxis"]["title"]["text"] or \
        da["xaxis"]["title"]["text"] != en["xaxis"]["title"]["text"]
    assert "lang=en" in page.url


def test_small_base_shows_suppression_not_zero(page, server_url):
    open_page(page, server_url + "/?sector=region&tech_role=dont_know&value=political_goals&lang=en")
    page.wait_for_function("""() => { const el = document.querySelector('#dst-novelty .js-plotly-plot');
        return el && el.layout && JSON.stringify(el.layout.annotations || []).includes('uppressed'); }""",
                           timeout=20_000)
    data = chart(page, "dst-novelty")["data"]
    values = [v for trace in data for v in (trace.get("x") or []) if isinstance(v, (int, float))]
    assert 0 not in values


def test_download_all_button_fetches_one_zip_of_every_figure(page, server_url):
    import io
    import zipfile

    import pandas as pd

    open_page(page, server_url + "/?sector=state")
    button = page.locator("#export-all")
    assert button.is_visible() and button.is_enabled()
    with page.expect_download(timeout=90_000) as info:
        button.click()
        page.wait_for_function("() => document.querySelector('#export-all').disabled", timeout=10_000)  # busy
    download = info.value
    assert download.suggested_filename == "innovationsbarometer_sector-state_da_slide-synthetic.zip"
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    kinds = [name.rsplit(".", 1)[-1] for name in archive.namelist()]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {"png": 16, "svg": 16, "csv": 16, "xlsx": 1, "txt": 1}
    (workbook,) = [name for name in archive.namelist() if name.endswith(".xlsx")]
    sheets = pd.read_excel(io.BytesIO(archive.read(workbook)), sheet_name=None)
    expected = figure_data().table("fig1", parse_filter(sector="state"))["share"].round(1)  # one decimal, as published
    pd.testing.assert_series_equal(sheets["fig1"]["share"], expected, check_names=False, check_dtype=False, atol=1e-9)
    page.wait_for_function("() => !document.querySelector('#export-all').disabled", timeout=10_000)
    # the status says what the ZIP holds, in the page's language whichever it was made in, until the filters change
    status = page.locator("#export-status")
    page.wait_for_function("() => document.getElementById('export-status').textContent.startsWith('ZIP-filen er klar')")
    assert status.text_content() == "ZIP-filen er klar: Sektor: Stat · dansk."
    page.locator("#lang label", has_text="English").first.click()
    page.wait_for_function("() => document.getElementById('export-status').textContent.startsWith('The ZIP file')")
    assert status.text_content() == "The ZIP file is ready: Sector: State · Danish."
    choose(page, "filter-sector", "Region")
    page.wait_for_function("() => document.getElementById('export-status').textContent === ''")


@pytest.mark.parametrize("sector", ["state", "region", "municipality"])
def test_each_sector_charts_equal_an_independent_computation(page, server_url, sector):
    """Figure 1 and figure 4 in the page equal weighted shares computed with plain pandas from the CSV."""
    import pandas as pd

    from dashboard.data.shipped import DEFAULT_DATA

    df = pd.read_csv(DEFAULT_DATA, dtype=str, keep_default_na=False)
    df["weight"] = df["weight"].astype(float)
    inn = df[(df["round"] == "2018-2019") & (df["innovated"] == "true") & (df["sector"] == sector)]
    w = inn["weight"]
    fig1 = {f"all|{c}": 100 * w[inn["tech_role"] == c].sum() / w.sum()
            for c in ("solution", "important", "minor", "none", "dont_know")}
    tech = inn["tech_role"].isin(["solution", "important"])
    fig4 = {}
    for split, rows in (("tech", inn[tech]), ("non_tech", inn[~tech])):
        for column in ("value_quality", "value_efficiency", "value_employee_satisfaction",
                       "value_citizen_involvement", "value_political_goals"):
            answered = rows[rows[column] != ""]  # a question left unanswered is not in its base
            fig4[f"{split}|{column}"] = 100 * answered["weight"][answered[column] == "true"].sum() / answered["weight"].sum()
    open_page(page, f"{server_url}/?sector={sector}")
    wait_for_bars(page, "fig1", fig1)
    wait_for_bars(page, "fig4", fig4)


def test_charts_in_view_are_redrawn_first_and_the_others_follow(page, server_url):
    open_page(page, server_url + "/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(2500)  # the first load's charts further down are drawn while the page is idle
    page.evaluate("""() => { window.__drawn = [];
        for (const gd of document.querySelectorAll('.js-plotly-plot'))
            gd.on('plotly_afterplot', () => window.__drawn.push(gd.closest('.card-graph').id)); }""")
    in_view = page.evaluate("""() => [...document.querySelectorAll('.card-graph')]
        .filter((g) => { const r = g.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }).map((g) => g.id)""")
    assert in_view and "fig10" not in in_view
    choose(page, "filter-sector", "Stat")
    page.wait_for_function("() => new Set(window.__drawn).size === 16", timeout=30_000)
    drawn = list(dict.fromkeys(page.evaluate("() => window.__drawn")))
    assert set(drawn[:len(in_view)]) == set(in_view)  # what the user sees is redrawn before anything else
    wait_for_bars(page, "fig10", expected_bars("fig10", sector="state"))  # the rest follow without scrolling


# Counts every Plotly.react call on each chart, and whether it had data, from the page's first script on.
COUNT_DRAWS_JS = """(() => {
  window.__draws = {};
  const hook = () => {
    if (!window.Plotly || window.Plotly.__counted) return;
    const react = window.Plotly.react;
    window.Plotly.react = function (gd, figure, ...rest) {
      const id = gd.closest('.card-graph').id, data = (figure && figure.data) || [];
      (window.__draws[id] = window.__draws[id] || []).push(data.length);
      return react.call(this, gd, figure, ...rest);
    };
    window.Plotly.__counted = true;
  };
  const timer = setInterval(hook, 1);
  setTimeout(() => clearInterval(timer), 60000);
})();"""


def test_each_chart_is_drawn_once_on_the_first_load_never_as_an_empty_placeholder(page, server_url):
    page.add_init_script(COUNT_DRAWS_JS)
    open_page(page, server_url + "/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    draws = page.evaluate("() => window.__draws")
    assert sorted(draws) == sorted(IDS)
    assert all(len(calls) == 1 and calls[0] > 0 for calls in draws.values()), draws


SPINNER_JS = """id => { const view = document.getElementById(id + '-chart');
    const after = getComputedStyle(view, '::after');
    return after.content === 'none' ? 'none' : after.opacity; }"""


def test_a_chart_shows_a_spinner_only_while_a_slow_answer_is_awaited(page, server_url):
    open_page(page, server_url + "/")
    assert page.evaluate(SPINNER_JS, "fig1") == "none"
    held = []  # the figures request of the filter change, held until the spinner has been seen

    def hold(route):
        if not held and "fig1-figure-data" in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/_dash-update-component*", hold)
    choose(page, "filter-sector", "Stat")
    page.wait_for_function("() => document.querySelector('#fig1-summary[data-dash-is-loading]') !== null")
    page.wait_for_timeout(600)  # the spinner shows after 250 ms
    assert page.evaluate(SPINNER_JS, "fig1") == "1"
    assert len(held) == 1
    held[0].continue_()
    wait_for_bars(page, "fig1", expected_bars("fig1", sector="state"))
    assert page.evaluate(SPINNER_JS, "fig1") == "none"
