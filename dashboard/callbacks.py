"""The callbacks: parse inputs into a Filter, ask the figure layer for tables and figures, return.

`register_callbacks(app, data, synthetic)` wires five callbacks to an app:

1. ``sync_url``: URL <-> filters and language, in one callback (Dash forbids circular chains
   across callbacks). A changed URL (first load, back/forward) sets the controls; a changed control
   writes the URL query. Values in a link that are not allowed are dropped and named in a notice.
2. ``update_figures``: filters, language and the width available to a chart -> every graph's
   figure (built for that width) and config, and the notice.
3. ``translate``: language -> every static text, dropdown option and the method note.
4. ``download_csv``: a figure's download button -> the CSV of its table for the current filter.
5. ``reset_filters``: the reset button -> the default filter.

In the browser, MEASURE_JS writes the width of a full-width and of a half-width card, rounded down
to one of a few widths (theme.WIDTH_BUCKETS), into the ``chart-width`` store on load and, debounced,
whenever the window is resized across one of those widths; a phone gets the phone design's width.

No callback raises: bad input and unexpected errors become a readable notice (errors are logged).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlencode

from dash import ALL, MATCH, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from .data.codebook import CURRENT_ROUND, SYNTHETIC_LABEL
from .data.filters import ALLOWED, FILTER_KEYS, MAX_CODES, Filter, FilterError, parse_filter, parse_lenient
from .figures.specs import BY_ID, FIGURES, IDS
from .figures.tables import FigureData
from .figures.theme import WIDTH_BUCKETS, bucket
from .i18n import DEFAULT_LANG, LANGS, lang_or_default, t
from .layout import (
    CHART_WIDTH,
    FILTER_IDS,
    GROUP_PREFIX,
    TXT,
    about_body,
    card_pairs,
    card_spans,
    dropdown_labels,
    filter_options,
    text,
)

logger = logging.getLogger(__name__)

FILTER_INPUTS = [Input(FILTER_IDS[k], "value") for k in FILTER_KEYS]
FILTER_STATES = [State(FILTER_IDS[k], "value") for k in FILTER_KEYS]
FILTER_OUTPUTS = [Output(FILTER_IDS[k], "value") for k in FILTER_KEYS]
MAX_NOTICES = 8
MAX_NOTICE_CHARS = 300
SPANS = card_spans()
PAIRS = card_pairs()
PHONE_PAGE = 600  # a page narrower than this gets the phone design
PHONE_WIDTHS = WIDTH_BUCKETS[:2]  # the phone design's widths: charts keep them (no autosize), so a chart
# built for a phone fits it even if the page is laid out again before the chart is redrawn

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


# --------------------------------------------------------------------------------------------------
# Parsing untrusted input into a Filter, with readable problems
# --------------------------------------------------------------------------------------------------
def _items(raw) -> list | None:
    """Return the codes in a raw filter value, or None when it is not text or a list."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [p.strip() for p in raw.split(",") if p.strip()]
    if isinstance(raw, (list, tuple)):
        return list(raw)
    return None


def _quoted(values) -> str:
    return ", ".join(repr(str(v)[:40]) for v in values[:3]) + (", ..." if len(values) > 3 else "")


def problem(key: str, raw, lang: str, in_url: bool = False) -> str | None:
    """Return a readable message if `raw` is not a valid value of filter `key`, else None.

    Examples
    --------
    >>> problem("sector", "region,foo", "da", in_url=True)
    "Ukendt værdi i linket ignoreret: sector 'foo'; tilladt: state, region, municipality"
    >>> problem("value", ["quality"], "en") is None
    True
    """
    try:
        parse_filter(**{key: raw})
        return None
    except FilterError as exc:
        message = str(exc)
    except Exception as exc:  # a value no parser anticipated; say so rather than fail
        message = f"{key}: {type(exc).__name__}"
    items = _items(raw)
    prefix = "notice_url_" if in_url else "notice_"
    if items is None:
        return t("notice_wrong_type", lang, key=key, type=type(raw).__name__)
    allowed = ALLOWED[key]
    bad = [i for i in items if not isinstance(i, str) or i not in allowed]
    if len(items) > MAX_CODES:
        return t(prefix + "too_many", lang, key=key, count=len(items), limit=MAX_CODES)
    if bad:
        return t(prefix + "unknown", lang, key=key, values=_quoted(bad), allowed=", ".join(allowed))
    if key == "round":
        return t(prefix + "one_round", lang, allowed=", ".join(allowed))
    return t(prefix + "other", lang, message=message[:MAX_NOTICE_CHARS])


def control_values(sector, tech_role, value, round_) -> dict:
    """Return the raw filter values of the controls by key, without the technology dropdown's
    group headings (its "select all" picks them too)."""
    if isinstance(tech_role, list):
        tech_role = [c for c in tech_role if not (isinstance(c, str) and c.startswith(GROUP_PREFIX))]
    return dict(zip(FILTER_KEYS, (sector, tech_role, value, round_), strict=True))


def strict_filter(raw: dict, lang: str) -> tuple[Filter, list[str]]:
    """Return the Filter of control values, or the default Filter and the problems if any is bad."""
    try:
        return parse_filter(**raw), []
    except FilterError:
        pass
    problems = [p for k in FILTER_KEYS if (p := problem(k, raw.get(k), lang)) is not None]
    return Filter(), problems or [t("notice_other", lang, message="filter")]


def url_state(search) -> tuple[Filter, str, list[str]]:
    """Return the Filter, language and problems of a URL query string ('?sector=state&lang=en')."""
    query = search if isinstance(search, str) else ""
    params = {k: ",".join(v) for k, v in parse_qs(query.lstrip("?"), keep_blank_values=False).items()}
    raw_lang = params.get("lang")
    lang = raw_lang if raw_lang in LANGS else DEFAULT_LANG
    problems = [p for k in FILTER_KEYS if (p := problem(k, params.get(k), lang, in_url=True)) is not None]
    known = {}  # each key's allowed codes; a key with too many or several rounds is dropped below
    for key in FILTER_KEYS:
        if key in params:
            known[key] = ",".join(c for c in _items(params[key]) if c in ALLOWED[key])
    filt, _ = parse_lenient(known)
    if raw_lang is not None and raw_lang not in LANGS:
        problems.append(t("notice_lang", lang, value=repr(raw_lang[:40])))
    return filt, lang, problems


def url_search(filt: Filter, lang: str) -> str:
    """Return the URL query of a filter and language: non-default keys only, lang only when 'en'."""
    query = filt.query()
    if lang != DEFAULT_LANG:
        query["lang"] = lang
    return "?" + urlencode(query, safe=",") if query else ""


def _controls(filt: Filter) -> list:
    return [list(filt.sector), list(filt.tech_role), list(filt.value), filt.round]


def _notice(messages: list[str]):
    """Return (children, is_open) of the notice area for a list of messages."""
    if not messages:
        return None, False
    messages = [m[:MAX_NOTICE_CHARS] for m in messages[:MAX_NOTICES]]
    if len(messages) == 1:
        return messages[0], True
    return html.Ul([html.Li(m) for m in messages], className="notice-list"), True


def _failed_figure(lang: str) -> dict:
    axis = {"visible": False}
    return {"data": [], "layout": {
        "xaxis": axis, "yaxis": axis, "height": 200, "paper_bgcolor": "rgba(0,0,0,0)",
        "annotations": [{"text": t("figure_failed", lang), "showarrow": False, "xref": "paper",
                         "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 14, "color": "#5b6573"}}],
    }}


# --------------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------------
def register_callbacks(app, data: FigureData, synthetic: bool = True) -> None:
    """Register every callback of the dashboard on `app`, drawing from `data`."""
    _register_url_sync(app)
    _register_reset(app)
    _register_figures(app, data)
    _register_texts(app)
    _register_downloads(app, data, synthetic)
    _register_browser_side(app)


def _register_browser_side(app) -> None:
    """Small callbacks that run in the browser: the width available to a chart, page language, filter
    panel on phones, the data badge opening the method note, and the count of active filters."""
    app.clientside_callback(
        MEASURE_JS,
        Output(CHART_WIDTH, "data"),
        Input("url", "pathname"),
    )
    app.clientside_callback(
        "function (lang) { document.documentElement.lang = lang === 'en' ? 'en' : 'da'; return lang; }",
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
    app.clientside_callback(
        "function (n) { return n ? 'about' : window.dash_clientside.no_update; }",
        Output("about-accordion", "active_item"),
        Input("data-badge", "n_clicks"),
        prevent_initial_call=True,
    )
    count_js = (
        "function (sector, techRole, value, round) {"
        " const n = (v) => Array.isArray(v) ? v.filter((c) => !String(c).startsWith(PREFIX)).length : 0;"
        " const count = n(sector) + n(techRole) + n(value) + (round && round !== ROUND ? 1 : 0);"
        " return count ? String(count) : ''; }"
    ).replace("PREFIX", json.dumps(GROUP_PREFIX)).replace("ROUND", json.dumps(CURRENT_ROUND))
    app.clientside_callback(
        count_js,
        Output("filter-count", "children"),
        *FILTER_INPUTS,
    )


def _register_url_sync(app) -> None:
    @app.callback(
        *FILTER_OUTPUTS,
        Output("lang", "value"),
        Output("url", "search"),
        Output("url-problems", "data"),
        Input("url", "search"),
        *FILTER_INPUTS,
        Input("lang", "value"),
    )
    def sync_url(search, sector, tech_role, value, round_, lang):
        """Set the controls from a changed URL, or write the URL from changed controls."""
        if ctx.triggered_id in (None, "url"):
            try:
                filt, url_lang, problems = url_state(search)
            except Exception:
                logger.exception("cannot read the link %r", search)
                filt, url_lang, problems = Filter(), DEFAULT_LANG, [t("notice_error", DEFAULT_LANG)]
            return *_controls(filt), url_lang, no_update, problems
        lang = lang_or_default(lang)
        raw = control_values(sector, tech_role, value, round_)
        try:
            filt = parse_filter(**raw)
        except FilterError:
            filt, _ = parse_lenient({k: v for k, v in raw.items() if _items(v) is not None})
        new_search = url_search(filt, lang)
        headings = isinstance(tech_role, list) and len(raw["tech_role"]) != len(tech_role)
        return (no_update, raw["tech_role"] if headings else no_update, no_update, no_update, no_update,
                no_update if (search or "") == new_search else new_search, [])


def _register_reset(app) -> None:
    @app.callback(
        *[Output(FILTER_IDS[k], "value", allow_duplicate=True) for k in FILTER_KEYS],
        Input("reset", "n_clicks"),
        prevent_initial_call=True,
    )
    def reset_filters(n_clicks):
        """Return the default filter."""
        if not n_clicks:
            raise PreventUpdate
        return _controls(Filter())


def chart_widths(raw) -> dict[str, int | None]:
    """Return the width (px) to build a full-width ("wide") and a half-width ("half") chart for.

    `raw` is the chart-width store as the browser sent it; anything but numbers means "not known"
    (None: the export design), and every width is rounded down to one of theme.WIDTH_BUCKETS.

    >>> chart_widths({"wide": 390, "half": 390}), chart_widths("x")
    ({'wide': 360, 'half': 360}, {'wide': None, 'half': None})
    """
    out: dict[str, int | None] = {"wide": None, "half": None}
    if isinstance(raw, dict):
        for key in out:
            value = raw.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                out[key] = bucket(value)
    if out["half"] is None:
        out["half"] = out["wide"]
    return out


def _fix_phone_width(figures: dict, widths: dict[str, int | None]) -> None:
    """Give the charts built for a phone a fixed width, the one they were built for."""
    if widths["wide"] in PHONE_WIDTHS:
        for fig in figures.values():
            fig.update_layout(width=widths["wide"], autosize=False)


def _even_pairs(figures: dict, widths: dict[str, int | None]) -> None:
    """Give the two charts of a row the same height, when the screen shows them side by side."""
    if widths["half"] is None or widths["wide"] is None or widths["half"] >= widths["wide"]:
        return
    for left, right in PAIRS:
        a, b = figures.get(left), figures.get(right)
        if hasattr(a, "layout") and hasattr(b, "layout"):
            height = max(a.layout.height or 0, b.layout.height or 0)
            a.layout.height = b.layout.height = height


def _register_figures(app, data: FigureData) -> None:
    outputs = [o for fid in IDS for o in (Output(fid, "figure"), Output(fid, "config"))]

    @app.callback(
        *outputs,
        Output("notice", "children"),
        Output("notice", "is_open"),
        *FILTER_INPUTS,
        Input("lang", "value"),
        Input("url-problems", "data"),
        Input(CHART_WIDTH, "data"),
    )
    def update_figures(sector, tech_role, value, round_, lang, url_problems, chart_width=None):
        """Return each figure, built for the width its card has, and its config for the filter, and the notice."""
        messages = [m for m in url_problems or [] if isinstance(m, str)] if isinstance(url_problems, list) else []
        if not (isinstance(lang, str) and lang in LANGS):
            messages.append(t("notice_lang", DEFAULT_LANG, value=repr(str(lang)[:40])))
        lang = lang_or_default(lang)
        raw = control_values(sector, tech_role, value, round_)
        widths = chart_widths(chart_width)
        try:
            from .figures.build import build_figure, graph_config

            filt, problems = strict_filter(raw, lang)
            messages += problems
            figures = {}
            for spec in FIGURES:
                try:
                    table = data.table(spec, filt, lang)
                    figures[spec.id] = build_figure(spec, table, filt, lang, width=widths[SPANS.get(spec.id, "wide")])
                except Exception:
                    logger.exception("figure %s failed for %r", spec.id, filt)
                    messages.append(t("notice_figure_error", lang, figure=spec.id))
            _even_pairs(figures, widths)
            _fix_phone_width(figures, widths)
            out = []
            for spec in FIGURES:
                fig = figures.get(spec.id)
                out += [fig, graph_config(spec, filt, lang, fig)] if fig is not None else \
                    [_failed_figure(lang), {"displaylogo": False}]
        except Exception:
            logger.exception("figures callback failed for %r", raw)
            out = [_failed_figure(lang), {"displaylogo": False}] * len(IDS)
            messages.append(t("notice_error", lang))
        return *out, *_notice(messages)


def _register_texts(app) -> None:
    dropdowns = ("sector", "tech_role", "value")

    @app.callback(
        Output({"type": TXT, "key": ALL}, "children"),
        *[Output(FILTER_IDS[k], "options") for k in FILTER_KEYS],
        *[Output(FILTER_IDS[k], "placeholder") for k in dropdowns],
        *[Output(FILTER_IDS[k], "labels") for k in dropdowns],
        Output("about-body", "children"),
        Input("lang", "value"),
    )
    def translate(lang):
        """Return every static text of the page in the chosen language."""
        lang = lang_or_default(lang)
        texts = [text(o["id"]["key"], lang) for o in ctx.outputs_list[0]]
        options = filter_options(lang)
        return (texts, *[options[k] for k in FILTER_KEYS], *[t("placeholder_" + k, lang) for k in dropdowns],
                *[dropdown_labels(lang) for _ in dropdowns], about_body(lang))


def csv_text(data: FigureData, figure: str, filt: Filter, lang: str, synthetic: bool) -> str:
    """Return the CSV of a figure's table: the columns of `barometer table`, then a `note` column."""
    from .figures.build import data_label

    table = data.table(figure, filt, lang)
    spec = BY_ID[figure]
    if spec.chart == "range":  # published figures, whatever the microdata
        table["note"] = data_label(spec, lang)
    else:
        table["note"] = SYNTHETIC_LABEL[lang] if synthetic else ""
    return table.to_csv(index=False, lineterminator="\n")


def csv_filename(figure: str, filt: Filter, synthetic: bool) -> str:
    """Return the download's file name: the PNG file name, a '-synthetic' suffix, '.csv'."""
    from .figures.build import png_filename

    stem = png_filename(BY_ID[figure], filt).removesuffix(".png")
    return f"{stem}{'-synthetic' if synthetic else ''}.csv"


def _register_downloads(app, data: FigureData, synthetic: bool) -> None:
    @app.callback(
        Output({"type": "download", "figure": MATCH}, "data"),
        Input({"type": "download-btn", "figure": MATCH}, "n_clicks"),
        *FILTER_STATES,
        State("lang", "value"),
        prevent_initial_call=True,
    )
    def download_csv(n_clicks, sector, tech_role, value, round_, lang):
        """Return the CSV of the clicked figure's numbers for the current filter."""
        figure = ctx.triggered_id.get("figure") if isinstance(ctx.triggered_id, dict) else None
        if not n_clicks or figure not in BY_ID:
            raise PreventUpdate
        lang = lang_or_default(lang)
        filt, _ = strict_filter(control_values(sector, tech_role, value, round_), lang)
        try:
            return dcc.send_string(csv_text(data, figure, filt, lang, synthetic),
                                   csv_filename(figure, filt, synthetic), type="text/csv")
        except Exception:
            logger.exception("download of %s failed for %r", figure, filt)
            raise PreventUpdate from None


__all__ = ["register_callbacks", "problem", "strict_filter", "url_state", "url_search", "csv_text",
           "csv_filename", "chart_widths"]
