"""``update_figures``: filters, language and the width available to a chart -> every graph's figure
(built for that width) and config, and the notice.

A figure that fails is replaced by a short message in its card and named in the notice; the others
are still drawn.
"""

from __future__ import annotations

import logging

from dash import ClientsideFunction, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from ..cache import ResponseCache
from ..cards import card_ids, card_pairs, card_spans
from ..figures.alternative import summary, table_view
from ..figures.specs import FIGURES, IDS
from ..figures.tables import FigureData
from ..figures.theme import WIDTH_BUCKETS, bucket
from ..i18n import DEFAULT_LANG, LANGS, lang_or_default, t
from ..layout import CHART_WIDTH, CHARTS_WAKE
from ..views import data_table
from .common import FILTER_INPUTS, FILTER_STATES, _notice, control_values, strict_filter
from .url import link_problems

logger = logging.getLogger(__name__)

SPANS = card_spans()
PAIRS = card_pairs()
PHONE_WIDTHS = WIDTH_BUCKETS[:2]  # the phone design's widths: charts keep them (no autosize), so a chart
# built for a phone fits it even if the page is laid out again before the chart is redrawn


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
    """Give the charts built for a phone (figure dicts) a fixed width, the one they were built for; returns None."""
    if widths["wide"] in PHONE_WIDTHS:
        for fig in figures.values():
            fig["layout"].update(width=widths["wide"], autosize=False)


def _even_pairs(figures: dict, widths: dict[str, int | None]) -> None:
    """Give the two charts (figure dicts) of a row the same height, when the screen shows them side by
    side; returns None."""
    if widths["half"] is None or widths["wide"] is None or widths["half"] >= widths["wide"]:
        return
    for left, right in PAIRS:
        a, b = figures.get(left), figures.get(right)
        if isinstance(a, dict) and isinstance(b, dict):
            height = max(a["layout"].get("height") or 0, b["layout"].get("height") or 0)
            a["layout"]["height"] = b["layout"]["height"] = height


def _failed_figure(lang: str) -> dict:
    axis = {"visible": False}
    return {"data": [], "layout": {
        "xaxis": axis, "yaxis": axis, "height": 200, "paper_bgcolor": "rgba(0,0,0,0)",
        "annotations": [{"text": t("figure_failed", lang), "showarrow": False, "xref": "paper",
                         "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 14, "color": "#5b6573"}}],
    }}


def figure_key(filt, lang: str, widths: dict[str, int | None]) -> str:
    """Return the cache key of the figures response for a filter, language and chart widths."""
    query = "&".join(f"{k}={v}" for k, v in sorted(filt.query().items()))
    return f"figures|{query}|{lang}|{widths['wide']}|{widths['half']}"


def _failed(lang: str) -> list:
    return [{"figure": _failed_figure(lang), "config": {"displaylogo": False}}, t("figure_failed", lang), None]


def _with_open_tables(outputs: list, views, table_of) -> list:
    """Return the figures outputs with the table view (``table_of(spec)``) of each card showing its table,
    and the others' left alone: a hidden table is sent when it is opened (``show_table``), so a redraw
    builds only the tables in view, and the cached figures hold none."""
    out = list(outputs)
    for k, (spec, view) in enumerate(zip(FIGURES, views, strict=False)):
        is_open = isinstance(view, str) and "show-table" in view
        out[3 * k + 2] = table_of(spec) if is_open else no_update
    return out


def register_tables(app, data: FigureData) -> None:
    """Register ``show_table`` for every figure: its table view for the current filter, when it is opened."""
    for spec in FIGURES:
        _register_table(app, data, spec)


def _register_table(app, data: FigureData, spec) -> None:
    ids = card_ids(spec.id)

    @app.callback(
        Output(ids["table"], "children", allow_duplicate=True),
        Input({"type": "view-toggle", "figure": spec.id}, "n_clicks"),
        *FILTER_STATES,
        State("lang", "value"),
        prevent_initial_call=True,
    )
    def show_table(n_clicks, sector, tech_role, value, round_, lang):
        """Return the figure's table view for the current filter when the toggle opens it."""
        if not isinstance(n_clicks, int) or n_clicks % 2 == 0:
            raise PreventUpdate
        lang = lang_or_default(lang)
        filt, _ = strict_filter(control_values(sector, tech_role, value, round_), lang)
        return data_table(table_view(spec, data.rows(spec, filt, lang), filt, lang), ids["table"])


def status_text(filt, lang: str, drawn: int) -> str:
    """Return what the live region says after a redraw: '16 figurer opdateret: Sektor: Stat'."""
    filters = "; ".join(filt.describe(lang)) or t("no_filters", lang)
    return t("figures_updated", lang, count=drawn, filters=filters)


def register_figures(app, data: FigureData, synthetic: bool = True, cache: ResponseCache | None = None) -> None:
    """Register ``update_figures`` over `data`, memoizing its figures in `cache`."""
    cache = cache or ResponseCache()
    outputs = [o for fid in IDS for o in (Output(card_ids(fid)["data"], "data"),
                                          Output(card_ids(fid)["summary"], "children"),
                                          Output(card_ids(fid)["table"], "children"))]
    # each chart takes its figure from its store when it is in view, or when the page asks for it by
    # naming it in the wake store (assets/charts.js): one callback for all, so a redraw is one
    # callback in the browser, not sixteen; its first figure comes with the chart, into the slot
    app.clientside_callback(ClientsideFunction("charts", "show"),
                            *[Output(card_ids(fid)["slot"], "children") for fid in IDS],
                            *[Input(card_ids(fid)["data"], "data") for fid in IDS],
                            Input(CHARTS_WAKE, "data"))

    @app.callback(
        *outputs,
        Output("notice", "children"),
        Output("notice", "is_open"),
        Output("figures-status", "children"),
        *FILTER_INPUTS,
        Input("lang", "value"),
        Input("url-problems", "data"),
        Input(CHART_WIDTH, "data"),
        *[State({"type": "card-body", "figure": fid}, "className") for fid in IDS],
    )
    def update_figures(sector, tech_role, value, round_, lang, url_problems, chart_width=None, *views):
        """Return each figure, built for the width its card has, its config, summary and (for a card showing
        its table) table view for the filter, the notice and what the live region announces."""
        messages = []
        if not (isinstance(lang, str) and lang in LANGS):
            messages.append(t("notice_lang", DEFAULT_LANG, value=repr(str(lang)[:40])))
        lang = lang_or_default(lang)
        raw = control_values(sector, tech_role, value, round_)
        widths = chart_widths(chart_width)
        try:
            from ..figures.build import figure_dict, graph_config

            filt, problems = strict_filter(raw, lang)
            messages = link_problems(url_problems, filt, lang) + messages + problems  # the link's while it shows

            def build():
                figures, texts, failed = {}, {}, []
                for spec in FIGURES:
                    try:
                        table = data.rows(spec, filt, lang)
                        figures[spec.id] = figure_dict(spec, table, filt, lang,
                                                       width=widths[SPANS.get(spec.id, "wide")], synthetic=synthetic)
                        texts[spec.id] = summary(spec, table, filt, lang)
                    except Exception:
                        logger.exception("figure %s failed for %r", spec.id, filt)
                        figures.pop(spec.id, None)
                        failed.append(spec.id)
                _even_pairs(figures, widths)
                _fix_phone_width(figures, widths)
                out = []
                for spec in FIGURES:
                    fig = figures.get(spec.id)
                    out += [{"figure": fig, "config": graph_config(spec, filt, lang, fig)}, texts[spec.id], None] \
                        if fig is not None else _failed(lang)
                return {"outputs": out, "failed": failed}

            built = cache.get_or_set(figure_key(filt, lang, widths), build)
            out = _with_open_tables(built["outputs"], views, lambda spec: None if spec.id in built["failed"] else
                                    data_table(table_view(spec, data.rows(spec, filt, lang), filt, lang),
                                               card_ids(spec.id)["table"]))
            messages += [t("notice_figure_error", lang, figure=fid) for fid in built["failed"]]
            status = status_text(filt, lang, len(IDS) - len(built["failed"]))
        except Exception:
            logger.exception("figures callback failed for %r", raw)
            out = _failed(lang) * len(IDS)
            messages.append(t("notice_error", lang))
            status = t("notice_error", lang)
        return *out, *_notice(messages), status
