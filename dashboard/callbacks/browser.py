"""Small callbacks that run in the browser: the width available to a chart, page language, filter
panel on phones, the data badge opening the method note, and the count of active filters.

MEASURE_JS writes the width of a full-width and of a half-width card, rounded down to one of a few
widths (theme.WIDTH_BUCKETS), into the ``chart-width`` store on load and, debounced, whenever the
window is resized across one of those widths; a phone gets the phone design's width.
"""

from __future__ import annotations

import json

from dash import MATCH, Input, Output, State

from ..data.dimensions import DIMENSIONS
from ..figures.theme import WIDTH_BUCKETS
from ..i18n import DEFAULT_LANG, LOCALES
from ..layout import CHART_WIDTH, GROUP_PREFIX
from .common import FILTER_INPUTS

PHONE_PAGE = 600  # a page narrower than this gets the phone design

# Measures the cards once the page is laid out, and again (debounced) after the window is resized;
# writes the store only when a width crosses one of the buckets, so a resize redraws the charts once.
MEASURE_JS = """
function (pathname) {
    const buckets = BUCKETS;
    const bucket = (w) => buckets.reduce((out, b) => (b <= w ? b : out), buckets[0]);
    const width = (selector) => {
        const el = document.querySelector(selector);
        return el ? el.getBoundingClientRect().width : 0;
    };
    const measure = () => {
        const page = document.documentElement.clientWidth || window.innerWidth;
        if (page < PHONE) {  // a phone: the phone design, at a fixed width that fits every phone
            const phone = page < buckets[1] ? buckets[0] : buckets[1];
            return {wide: phone, half: phone};
        }
        const wide = width('.figure-card-wide .card-graph') || Math.min(page, 1280) - (page < 768 ? 0 : 64);
        const half = width('.figure-card-half .card-graph') || wide;
        return {wide: bucket(wide), half: bucket(half)};
    };
    const state = window.barometerCharts = window.barometerCharts || {};
    if (!state.listening) {
        state.listening = true;
        window.addEventListener('resize', () => {
            clearTimeout(state.timer);
            state.timer = setTimeout(() => {
                const next = measure();
                if (!state.width || next.wide !== state.width.wide || next.half !== state.width.half) {
                    state.width = next;
                    window.dash_clientside.set_props('CHART_WIDTH', {data: next});
                }
            }, 300);
        });
    }
    state.width = measure();
    return state.width;
}
""".replace("BUCKETS", json.dumps(list(WIDTH_BUCKETS))).replace("CHART_WIDTH", CHART_WIDTH).replace("PHONE", str(PHONE_PAGE))


# A card's toggle shows its numbers as a table (and names what it does next: "Show the chart"); the focus moves
# to the table, which is scrolled into view below the sticky filter bar, and back to the button with the chart.
TOGGLE_TABLE_JS = """
function (n) {
    const table = (n || 0) % 2 === 1;
    const figure = window.dash_clientside.callback_context.outputs_list[0].id.figure;
    window.setTimeout(() => {
        const view = document.getElementById(figure + '-table');
        if (!table || !view) return;
        const bar = document.getElementById('filters');
        const top = view.getBoundingClientRect().top + window.pageYOffset - (bar ? bar.offsetHeight + 12 : 0);
        window.scrollTo({top: Math.max(0, top), behavior: 'instant'});
        view.focus({preventScroll: true});
    }, 0);
    return [table ? 'card-body show-table' : 'card-body show-chart', table ? 'btn btn-view is-table' : 'btn btn-view'];
}
"""


def register_browser_side(app) -> None:
    """Register the clientside callbacks."""
    app.clientside_callback(
        MEASURE_JS,
        Output(CHART_WIDTH, "data"),
        Input("url", "pathname"),
    )
    app.clientside_callback(
        "function (lang) { document.documentElement.lang = HTML[lang] || HTML[DEFAULT]; return lang; }"
        .replace("HTML", json.dumps({code: loc.html for code, loc in LOCALES.items()}))
        .replace("DEFAULT", json.dumps(DEFAULT_LANG)),
        Output("doc-lang", "data"),
        Input("lang", "value"),
    )
    app.clientside_callback(
        "function (n, open) { const next = n ? !open : open; return [next, next ? 'true' : 'false']; }",
        Output("filter-collapse", "is_open"),
        Output("filter-toggle", "aria-expanded"),
        Input("filter-toggle", "n_clicks"),
        State("filter-collapse", "is_open"),
        prevent_initial_call=True,
    )
    app.clientside_callback(  # a card's "show numbers as a table" toggle
        TOGGLE_TABLE_JS,
        Output({"type": "card-body", "figure": MATCH}, "className"),
        Output({"type": "view-toggle", "figure": MATCH}, "className"),
        Input({"type": "view-toggle", "figure": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function (n) { return n ? 'about' : window.dash_clientside.no_update; }",
        Output("about-accordion", "active_item"),
        Input("data-badge", "n_clicks"),
        prevent_initial_call=True,
    )
    # the count of active filters: the codes of each multiple choice, 1 for a single choice off its default
    defaults = [None if d.multiple else d.default for d in DIMENSIONS]
    count_js = (
        "function (...values) {"
        " const defaults = DEFAULTS;"
        " const n = (v) => Array.isArray(v) ? v.filter((c) => !String(c).startsWith(PREFIX)).length : 0;"
        " const count = values.reduce((sum, v, i) => sum + (defaults[i] === null ? n(v) : (v && v !== defaults[i] ? 1 : 0)), 0);"
        " return count ? String(count) : ''; }"
    ).replace("PREFIX", json.dumps(GROUP_PREFIX)).replace("DEFAULTS", json.dumps(defaults))
    app.clientside_callback(
        count_js,
        Output("filter-count", "children"),
        *FILTER_INPUTS.values(),
    )
