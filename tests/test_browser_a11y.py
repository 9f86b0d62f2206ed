"""Accessibility in the real page, in headless Chromium: axe-core finds nothing, the keyboard reaches every
control, every chart's numbers are readable without the image, and text and bars have enough contrast.

axe-core runs through axe-playwright-python with every rule on (none excluded); what Dash or plotly.js
would fail is repaired in the page (assets/a11y.js, the layout), not skipped.
"""

from __future__ import annotations

import re

import pytest

from dashboard.data.filters import parse_filter
from dashboard.figures.alternative import table_view
from dashboard.figures.specs import BY_ID, IDS
from tests.local_server import need_chromium
from tests.shipped import figure_data

pytestmark = pytest.mark.browser
need_chromium()
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

ALL_CHARTS = """() => { const plots = [...document.querySelectorAll('.js-plotly-plot')];
    return plots.length >= 16 && plots.every((el) => el.data && el.data.length
                                              && el.querySelector('svg.main-svg[role=img][aria-describedby]'))
        && [...document.querySelectorAll('.card-summary')].every((p) => p.textContent.length > 0); }"""


def _open(browser, url: str, width: int = 1400, **context):
    page = browser.new_context(viewport={"width": width, "height": 900}, **context).new_page()
    page.goto(url)
    page.wait_for_function(ALL_CHARTS, timeout=90_000)
    page.wait_for_timeout(600)  # let the page's repairs (one animation frame) and plotly settle
    return page


def _axe(page) -> list[dict]:
    """Return axe-core's violations of the page (every rule, every impact)."""
    result = axe_api.Axe().run(page)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result.response["violations"]]


STATES = [
    ("desktop-da", 1400, ""),
    ("phone-da", 390, ""),
    ("desktop-en-filtered", 1400, "?sector=region&tech_role=new_tech&lang=en"),
    ("phone-en-filtered", 390, "?value=quality,efficiency&lang=en"),
    ("narrow-320-da-filtered", 320, "?sector=state&round=2015-2016"),
    ("desktop-en-by-size", 1440, "?by=size&lang=en"),
    ("phone-da-by-sector", 390, "?size=small&by=sector"),
    ("phone-en-by-technology", 390, "?sector=municipality&by=tech_role&lang=en"),
]


@pytest.mark.parametrize(("name", "width", "query"), STATES, ids=[s[0] for s in STATES])
def test_axe_finds_no_violation(browser, server_url, name, width, query):
    page = _open(browser, server_url + "/" + query, width)
    assert _axe(page) == []
    page.context.close()


def test_axe_finds_no_violation_with_every_table_shown_and_a_dropdown_open(browser, server_url):
    page = _open(browser, server_url + "/?tech_role=dont_know")
    _show_every_table(page)
    page.locator("#filter-value").click()
    page.wait_for_selector(".dash-dropdown-options")
    assert _axe(page) == []
    page.context.close()


def test_axe_finds_no_violation_broken_down_with_every_table_shown_and_the_table_is_the_breakdown_s(browser, server_url):
    """/?industry=daycare&size=small&by=sector (Danish, 1440 px): every table open, axe clean; fig7's table
    view gives each group's bars with the numbers `barometer table --by sector` prints."""
    from dashboard.figures.breakdown import view_table
    from dashboard.figures.tables import published

    page = _open(browser, server_url + "/?sector=state,region&by=sector", 1440)
    _show_every_table(page)
    assert _axe(page) == []
    cells = page.locator("#card-fig7 .table-view tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.children].map(c => c.textContent))")
    table = published(view_table(figure_data(), BY_ID["fig7"], parse_filter(sector="state,region"), "sector", "da"))
    want = [[label, group, f"{share:.1f}".replace(".", ",") + " %"]
            for label, group, share in zip(table["category_label"], table["group_label"], table["share"], strict=True)]
    assert sorted(row[:3] for row in cells) == sorted(want)
    page.context.close()


def _show_every_table(page) -> None:
    """Press every card's "show numbers as a table" and wait until the sixteen tables are there."""
    for toggle in page.locator(".btn-view").all():
        toggle.click()
    page.wait_for_function("() => document.querySelectorAll('.card-body.show-table .table-view table').length === 16")


def _focused(page) -> str:
    """Return the accessible name of the focused element, as assistive technology reads it."""
    return page.evaluate("""() => { const e = document.activeElement;
        const text = (el) => {  // what is aria-hidden or not displayed names nothing
            let out = '';
            for (const n of el.childNodes) {
                if (n.nodeType === 3) out += n.textContent;
                else if (n.nodeType === 1 && n.getAttribute('aria-hidden') !== 'true'
                         && getComputedStyle(n).display !== 'none') out += text(n);
            }
            return out.replace(/\\s+/g, ' ').trim(); };
        const ids = (e.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
        const named = ids.map((i) => document.getElementById(i)).filter(Boolean);  // missing ids name nothing
        if (named.length) return named.map(text).join(' ');
        return e.getAttribute('aria-label') || (e.labels && e.labels.length && text(e.labels[0])) || text(e); }""")


def test_keyboard_only_picks_a_sector_and_reads_a_number_from_a_table(browser, server_url):
    page = _open(browser, server_url + "/")
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        order.append(_focused(page))
        if page.evaluate("() => document.activeElement.id") == "filter-sector":
            break
    assert order[:2] == ["Spring til figurerne", "Syntetiske data"]  # skip link first, then the data badge
    assert order[-1] == "Sektor Alle sektorer"  # named by its visible label, then its value
    assert order.index("Sektor Alle sektorer") > order.index("Norden")  # header and section links come first
    page.keyboard.press("Enter")  # opens the list; the focus moves to its search field
    page.wait_for_function("() => document.activeElement.classList.contains('dash-dropdown-search')")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.activeElement.type === 'checkbox'")
    assert _focused(page) == "Stat"
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement.id === 'filter-sector'", timeout=5000)  # back on the control
    page.wait_for_function("() => document.querySelector('#figures-status').textContent.includes('Sektor: Stat')")
    assert page.locator("#figures-status").text_content() == "15 af 16 figurer opdateret: Sektor: Stat."

    for _ in range(30):  # on to figure 1's table toggle
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('aria-controls')") == "fig1-table":
            break
    assert _focused(page) == "Vis tal som tabel"
    page.keyboard.press("Enter")
    page.wait_for_selector("#fig1-table table", state="visible")
    assert not page.locator("#fig1-chart").is_visible()
    first = page.locator("#fig1-table tbody tr").first
    expected = figure_data().table("fig1", parse_filter(sector="state"), "da").iloc[0]
    assert first.locator("th").text_content() == expected["category_label"]
    assert first.locator("td").first.text_content() == f"{expected['share']:.1f} %".replace(".", ",")
    page.context.close()


def test_opening_a_table_moves_the_focus_to_it_in_view_and_the_button_names_what_it_does_next(browser, server_url):
    """From the button, the table opened above it with the focus left behind and its first value off screen at
    1440 x 900, and the button's label stayed "Vis tal som tabel"."""
    page = _open(browser, server_url + "/", 1440)
    toggle = page.locator("#card-fig4 .btn-view")
    toggle.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#fig4-table table", state="visible")
    page.wait_for_function("() => document.activeElement.id === 'fig4-table'")
    assert _focused(page) == BY_ID["fig4"].title["da"]  # the region is named by the figure's title
    place = page.evaluate("""() => { const first = document.querySelector('#fig4-table tbody td');
        const bar = document.getElementById('filters').getBoundingClientRect().bottom;
        const r = first.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, bar, height: innerHeight}; }""")
    assert place["top"] >= place["bar"] and place["bottom"] <= place["height"], place  # the first value in view
    assert toggle.inner_text().strip().endswith("Vis figuren")  # what the button does now
    toggle.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#fig4-chart", state="visible")
    assert toggle.inner_text().strip().endswith("Vis tal som tabel")
    page.context.close()


@pytest.mark.parametrize("width", [390, 320])
def test_a_table_view_reflows_on_a_phone_without_scrolling_sideways(browser, server_url, width):
    """At 390 px figure 4's table was 632 px wide, scrolled sideways, cut its caption and broke "60,0 %"."""
    page = _open(browser, server_url + "/?sector=state", width)
    page.locator("#card-fig4 .btn-view").click()
    page.wait_for_selector("#fig4-table table", state="visible")
    sizes = page.evaluate("""() => { const view = document.getElementById('fig4-table');
        const table = view.querySelector('table'), caption = table.querySelector('caption');
        const cells = [...table.querySelectorAll('tbody td')].filter((td) => /%$/.test(td.textContent.trim()));
        const lineHeight = parseFloat(getComputedStyle(cells[0]).lineHeight) || 20;
        return {view: view.clientWidth, scroll: view.scrollWidth, table: table.getBoundingClientRect().width,
                caption: caption.scrollWidth <= caption.clientWidth + 1, page: document.documentElement.scrollWidth,
                label: getComputedStyle(cells[0], '::before').content,
                broken: cells.filter((td) => td.getBoundingClientRect().height > 1.6 * lineHeight).map((td) => td.textContent)};
    }""")
    assert sizes["scroll"] <= sizes["view"] and sizes["table"] <= sizes["view"] and sizes["page"] <= width, sizes
    assert sizes["caption"] and sizes["broken"] == [], sizes
    assert sizes["label"].startswith('"Andel') or sizes["label"].startswith('"95'), sizes  # each cell named
    page.context.close()


def test_every_focused_control_shows_a_focus_ring(browser, server_url):
    page = _open(browser, server_url + "/")
    seen = 0
    for _ in range(25):
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            const own = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
            const label = document.activeElement.nextElementSibling;  // a hidden radio shows it on its label
            const next = label && getComputedStyle(label);
            return own || !!(next && next.outlineStyle !== 'none' && parseFloat(next.outlineWidth) >= 2); }""")
        assert ring, _focused(page)
        seen += 1
    assert seen == 25
    page.context.close()


CHART_NAME = """(fid) => { const svg = document.querySelector('#' + CSS.escape(fid) + '-chart svg.main-svg');
    const text = (attr) => svg.getAttribute(attr).split(' ').map((i) => document.getElementById(i).textContent).join(' ');
    return [svg.getAttribute('role'), text('aria-labelledby'), text('aria-describedby')]; }"""


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_chart_has_a_text_alternative_with_its_numbers(browser, server_url, lang):
    filt = parse_filter(sector="region", value="quality")
    page = _open(browser, server_url + f"/?sector=region&value=quality&lang={lang}")
    charts = {figure: page.evaluate(CHART_NAME, figure) for figure in IDS}
    _show_every_table(page)
    for figure in IDS:
        spec = BY_ID[figure]
        table = figure_data().table(figure, filt, lang)
        view = table_view(spec, table, filt, lang)
        # the chart is one image, named by the title and described by the summary under it
        names = charts[figure]
        assert names[0] == "img" and names[1] == spec.title[lang]
        summary = page.locator(f"#{figure}-summary").text_content()
        assert names[2] == summary
        shown = table[~table["suppressed"]]
        if len(shown) and spec.chart != "range":
            top = shown.loc[shown["share"].idxmax()]
            assert f"{round(top['share'])} %" in summary, (figure, summary)  # the largest value and its interval
        for reason in table.loc[table["suppressed"], "reason_label"]:
            assert reason in summary  # hidden values and why
        # the table view: header cells and every number, as barometer table prints them
        cells = page.evaluate("""(fid) => [...document.querySelectorAll('#' + CSS.escape(fid) + '-table tr')]
            .map((tr) => [...tr.children].map((c) => c.tagName + ':' + c.textContent))""", figure)
        assert cells[0] == [f"TH:{c}" for c in view.columns]
        assert cells[1:] == [[f"TH:{row[0]}", *(f"TD:{c}" for c in row[1:])] for row in view.rows]
        for r in shown[shown["share"].notna()].itertuples():
            number = f"{r.share:.1f} %".replace(".", "," if lang == "da" else ".")
            assert any(number in c for row in cells for c in row), (figure, number)
    page.context.close()


CONTRAST_JS = """() => {
    const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const white = [255, 255, 255];
    const blend = (c, alpha) => c.map((v) => v * alpha + 255 * (1 - alpha));
    const out = {texts: [], bars: []};
    for (const plot of document.querySelectorAll('.card-graph .main-svg')) {
        for (const t of plot.querySelectorAll('text')) {
            if (!t.textContent.trim() || t.getBBox().width === 0) continue;
            const s = getComputedStyle(t);
            const alpha = (parseFloat(s.fillOpacity) || 1) * (parseFloat(s.opacity) || 1);
            const c = rgb(s.fill);
            out.texts.push([t.textContent.slice(0, 30), ratio(blend(c.slice(0, 3), alpha * (c[3] ?? 1)), white)]);
        }
        for (const p of plot.querySelectorAll('.bars .point path')) {
            const s = getComputedStyle(p), box = p.getBBox();
            if (box.width < 1 || box.height < 1) continue;  // a bar of 0 % draws nothing
            const stroke = parseFloat(s.strokeWidth) > 0 ? ratio(rgb(s.stroke).slice(0, 3), white) : 0;
            const fill = s.fill.startsWith('url') ? 0 : ratio(rgb(s.fill).slice(0, 3), white);
            out.bars.push([Math.max(stroke, fill), plot.closest('.card-graph').id, s.fill, s.stroke, s.strokeWidth]);
        }
    }
    return out; }"""


@pytest.mark.parametrize("query", ["", "?tech_role=new_tech&value=quality&lang=en"])
def test_chart_texts_reach_4_5_to_1_and_bars_3_to_1(browser, server_url, query):
    page = _open(browser, server_url + "/" + query)
    measured = page.evaluate(CONTRAST_JS)
    assert len(measured["texts"]) > 300 and len(measured["bars"]) > 50
    low = [(text, round(r, 2)) for text, r in measured["texts"] if r < 4.5]
    assert low == []
    assert [bar for bar in measured["bars"] if bar[0] < 3.0] == []
    page.context.close()


def test_chart_toolbar_has_only_the_camera_in_the_page_language(browser, server_url):
    for lang, name in (("da", "Hent figuren som PNG-billede"), ("en", "Download the chart as a PNG image")):
        page = _open(browser, server_url + f"/?lang={lang}")
        buttons = page.evaluate("() => [...document.querySelectorAll('.modebar-btn')].map((b) => b.getAttribute('aria-label'))")
        assert buttons == [name] * 16  # no "Share chart", no zoom or pan
        page.context.close()


def test_320_px_reflows_without_horizontal_scrolling_or_cut_text(browser, server_url):
    page = _open(browser, server_url + "/?sector=region", width=320)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    title = page.locator(".site-title")
    assert title.evaluate("(h) => h.scrollWidth <= h.clientWidth")
    assert title.text_content().replace("\u00ad", "") == "Innovationsbarometeret"  # broken only at its soft hyphen
    assert page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .every((p) => p.getBoundingClientRect().right <= 320)""")
    page.context.close()


TEXT_SPACING = """* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }"""
CLIPPED = """() => [...document.querySelectorAll('button, label, h1, h2, h3, p, small, a, .segmented-label, .filter-label')]
    .filter((e) => e.offsetParent !== null && ['hidden', 'clip'].includes(getComputedStyle(e).overflowX)
                   && e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1)  // a 1 px box is hidden on purpose
    .map((e) => e.textContent.trim().slice(0, 40))"""


@pytest.mark.parametrize("width", [1280, 390])
def test_text_spacing_overrides_cut_nothing(browser, server_url, width):
    page = _open(browser, server_url + "/", width)
    page.add_style_tag(content=TEXT_SPACING)
    page.wait_for_timeout(300)
    assert page.evaluate(CLIPPED) == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.context.close()


def test_reduced_motion_turns_off_smooth_scrolling_and_animation(browser, server_url):
    page = _open(browser, server_url + "/", reduced_motion="reduce")
    assert page.evaluate("() => getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    page.evaluate("() => document.querySelector('#export-all').classList.add('is-busy')")
    assert page.evaluate("() => getComputedStyle(document.querySelector('#export-all'), '::before').animationName") == "none"
    page.context.close()
    page = _open(browser, server_url + "/")
    assert page.evaluate("() => getComputedStyle(document.documentElement).scrollBehavior") == "smooth"
    page.context.close()


def test_category_labels_are_never_turned(browser, server_url):
    page = _open(browser, server_url + "/?lang=en", width=760)
    turned = page.evaluate("""() => [...document.querySelectorAll('.xtick text, .ytick text')]
        .filter((t) => /rotate\\((?!0)/.test(t.getAttribute('transform') || '')).map((t) => t.textContent)""")
    assert turned == []
    page.context.close()


def test_radio_groups_and_landmarks_are_named(browser, server_url):
    page = _open(browser, server_url + "/")
    groups = page.evaluate("""() => [...document.querySelectorAll('[role=radiogroup]')].map((g) =>
        g.getAttribute('aria-labelledby').split(' ').map((i) => document.getElementById(i).textContent).join(''))""")
    assert groups == ["Sprog", "Alle figurer, størrelse", "Runde"]
    landmarks = page.evaluate("""() => ({footer: document.querySelectorAll('footer').length,
        region: document.querySelector('#filters').getAttribute('aria-labelledby'),
        main: document.querySelectorAll('main').length})""")
    assert landmarks == {"footer": 1, "region": "filters-heading", "main": 1}
    assert re.fullmatch(r"filter-sector-label .*", page.locator("#filter-sector").get_attribute("aria-labelledby"))
    page.context.close()


def test_a_filter_state_with_every_value_hidden_still_reads_well(browser, server_url):
    page = _open(browser, server_url + "/?sector=region&tech_role=dont_know&value=political_goals&lang=en")
    summary = page.locator("#dst-novelty-summary").text_content()
    table = figure_data().table("dst-novelty", parse_filter(sector="region", tech_role="dont_know",
                                                            value="political_goals"), "en")
    assert table["suppressed"].all()
    assert "No value can be shown for this selection" in summary and "Hidden:" in summary
    page.context.close()
