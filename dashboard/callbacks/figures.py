"""``update_figures``: filters, language and the width available to a chart -> every graph's figure
(built for that width) and config, and the notice.

A figure that fails is replaced by a short message in its card and named in the notice; the others
are still drawn.
"""

from __future__ import annotations

import hashlib
import json
import logging

from dash import ClientsideFunction, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from ..cache import ResponseCache
from ..cards import card_ids, card_pairs, card_spans
from ..data.codebook import CURRENT_ROUND
from ..data.dimensions import BY_KEY
from ..figures.alternative import summary, table_view
from ..figures.breakdown import drawn
from ..figures.specs import FIGURES, IDS
from ..figures.tables import FigureData
from ..figures.theme import WIDTH_BUCKETS, bucket
from ..i18n import DEFAULT_LANG, LANGS, lang_or_default, t
from ..layout import CHART_WIDTH, CHARTS_WAKE, FIGURES_STATE
from ..views import data_table
from .camera import camera
from .common import VIEW_INPUTS, VIEW_STATES, _notice, chosen_by, control_values, strict_filter
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


def figure_key(filt, lang: str, widths: dict[str, int | None], by: str | None = None) -> str:
    """Return the cache key of the figures response for a filter, language, chart widths and breakdown."""
    query = "&".join(f"{k}={v}" for k, v in sorted(filt.query().items()))
    return f"figures|{query}|{lang}|{widths['wide']}|{widths['half']}" + (f"|by={by}" if by else "")


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
        VIEW_STATES,
        State("lang", "value"),
        prevent_initial_call=True,
    )
    def show_table(n_clicks, controls, lang):
        """Return the figure's table view for the current filter and breakdown when the toggle opens it."""
        if not isinstance(n_clicks, int) or n_clicks % 2 == 0:
            raise PreventUpdate
        lang = lang_or_default(lang)
        filt, _ = strict_filter(control_values(controls), lang)
        return table_of(data, spec, filt, chosen_by(controls, lang)[0], lang)


def table_of(data: FigureData, spec, filt, by: str | None, lang: str) -> dict:
    """Return a card's table view (component JSON) for a filter and breakdown."""
    draw, rows, _ = drawn(data, spec, filt, by, lang)
    return data_table(table_view(draw, rows, data.scope(spec, filt), lang), card_ids(spec.id)["table"])


def numbers_digest(rows) -> str:
    """Return a digest of what a figure's bars show (values, intervals, n, hidden, highlighted), to tell whether
    a redraw changed them."""
    shown = [(r.series, r.category, None if r.share != r.share else round(r.share, 6),
              None if r.ci_low != r.ci_low else round(r.ci_low, 6), int(r.n), bool(r.suppressed), bool(r.highlighted))
             for r in rows]
    return hashlib.sha1(json.dumps(shown).encode("utf-8")).hexdigest()[:16]


def status_text(filt, lang: str, changed: int, total: int = len(IDS), round_figures: int | None = None,
                by: str | None = None) -> str:
    """Return what the live region says after a redraw: how many figures changed, for which filters ('16 figurer
    opdateret: Sektor: Stat'; '1 af 16 figurer opdateret: Runde: 2015-2016'), and, when a round other than the
    current is chosen, how many figures have it.

    >>> from dashboard.data.filters import Filter
    >>> status_text(Filter(sector=("state",)), "en", 15)
    '15 of 16 figures updated: Sector: State.'
    """
    filters = "; ".join(filt.describe(lang)) or t("no_filters", lang)
    if by:
        filters += "; " + t("by_phrase", lang, dimension=BY_KEY[by].name(lang))
    if changed == 0:
        text = t("figures_unchanged", lang, filters=filters)
    elif changed >= total:
        text = t("figures_updated", lang, count=changed, filters=filters)
    else:
        text = t("figures_some_updated", lang, count=changed, total=total, filters=filters)
    if round_figures is not None and filt.round != CURRENT_ROUND:
        text += " " + t("round_applies", lang, round=filt.round, count=round_figures, total=total)
    return text


def announced(digests: dict[str, str], before, lang: str, widths) -> tuple[int, dict]:
    """Return how many figures a redraw changes, against the ``figures-state`` store of the last redraw, and the
    store's new value (a changed language or chart width changes every figure)."""
    now = {"digests": digests, "lang": lang, "widths": widths}
    if not isinstance(before, dict) or before.get("lang") != lang or before.get("widths") != widths \
            or not isinstance(before.get("digests"), dict):
        return len(digests), now
    return sum(1 for fid, d in digests.items() if before["digests"].get(fid) != d), now


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
        Output(FIGURES_STATE, "data"),
        VIEW_INPUTS,
        Input("lang", "value"),
        Input("url-problems", "data"),
        Input(CHART_WIDTH, "data"),
        State(FIGURES_STATE, "data"),
        *[State({"type": "card-body", "figure": fid}, "className") for fid in IDS],
    )
    def update_figures(controls, lang, url_problems, chart_width=None, before=None, *views):
        """Return each figure, built for the width its card has, its config, summary and (for a card showing
        its table) table view for the filter, the notice and what the live region announces."""
        messages = []
        if not (isinstance(lang, str) and lang in LANGS):
            messages.append(t("notice_lang", DEFAULT_LANG, value=repr(str(lang)[:40]), allowed=", ".join(LANGS)))
        lang = lang_or_default(lang)
        raw = control_values(controls)
        widths = chart_widths(chart_width)
        try:
            from ..figures.build import figure_dict, graph_config

            filt, problems = strict_filter(raw, lang)
            by, by_problems = chosen_by(controls, lang)
            messages = link_problems(url_problems, filt, lang, by) + messages + problems + by_problems

            def build():
                figures, texts, failed, digests = {}, {}, [], {}
                for spec in FIGURES:
                    try:
                        draw, rows, why = drawn(data, spec, filt, by, lang)
                        sc = data.scope(spec, filt)
                        figures[spec.id] = figure_dict(draw, rows, sc, lang,
                                                       width=widths[SPANS.get(spec.id, "wide")], synthetic=synthetic)
                        texts[spec.id] = " ".join(filter(None, (why, summary(draw, rows, sc, lang))))
                        digests[spec.id] = numbers_digest(rows)
                    except Exception:
                        logger.exception("figure %s failed for %r", spec.id, filt)
                        figures.pop(spec.id, None)
                        failed.append(spec.id)
                _even_pairs(figures, widths)
                _fix_phone_width(figures, widths)
                out = []
                for spec in FIGURES:
                    fig = figures.get(spec.id)
                    out += [{"figure": fig, "config": graph_config(spec, data.scope(spec, filt), lang, fig, by),
                             "camera": camera(spec, lang)}, texts[spec.id], None] \
                        if fig is not None else _failed(lang)
                return {"outputs": out, "failed": failed, "digests": digests}

            built = cache.get_or_set(figure_key(filt, lang, widths, by), build)
            out = _with_open_tables(built["outputs"], views, lambda spec: None if spec.id in built["failed"] else
                                    table_of(data, spec, filt, by, lang))
            messages += [t("notice_figure_error", lang, figure=fid) for fid in built["failed"]]
            changed, state = announced(built["digests"], before, lang, widths)
            status = status_text(filt, lang, changed, round_figures=len(data.round_figures(filt.round)), by=by)
        except Exception:
            logger.exception("figures callback failed for %r", raw)
            out = _failed(lang) * len(IDS)
            messages.append(t("notice_error", lang))
            status, state = t("notice_error", lang), None
        return *out, *_notice(messages), status, state
