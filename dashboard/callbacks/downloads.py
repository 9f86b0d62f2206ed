"""``download_csv`` and ``download_xlsx``: a card's download buttons -> its figure's numbers for the current
filter, as CSV in the page language's dialect (Danish: what Danish Excel opens as a table) or as an XLSX
workbook with the figure's metadata and what each column holds."""

from __future__ import annotations

import logging

from dash import MATCH, Input, Output, State, ctx, dcc, no_update, set_props
from dash.exceptions import PreventUpdate

from ..catalogs import texts
from ..data.filters import Filter
from ..export.bundle import workbook
from ..export.names import figure_stem
from ..export.sheets import table_csv
from ..figures.breakdown import view_table
from ..figures.specs import BY_ID
from ..figures.tables import FigureData
from ..i18n import lang_or_default
from .common import VIEW_STATES, _notice, chosen_by, control_values, strict_filter

logger = logging.getLogger(__name__)

UNKNOWN_FIGURE = texts("page.unknown_figure")
FORMATS = ("csv", "xlsx")


def csv_text(data: FigureData, figure: str, filt: Filter, lang: str, synthetic: bool, by: str | None = None) -> str:
    """Return the CSV of a figure's table (broken down by `by` where it is): the columns of `barometer table`,
    then `filters` and `note`, in the dialect of `lang`."""
    spec = BY_ID[figure]
    return table_csv(view_table(data, spec, filt, by, lang), spec, data.scope(spec, filt), lang, synthetic)


def csv_filename(figure: str, filt: Filter, synthetic: bool, data: FigureData | None = None, fmt: str = "csv",
                 by: str | None = None) -> str:
    """Return the download's file name: the figure and the filters that shape it, the breakdown, '-synthetic'
    over the synthetic data, and the format's extension."""
    spec = BY_ID[figure]
    return f"{figure_stem(spec, data.scope(spec, filt) if data else filt, synthetic, by)}.{fmt}"


def register_downloads(app, data: FigureData, synthetic: bool) -> None:
    """Register ``download_csv`` and ``download_xlsx`` over `data`."""
    for fmt in FORMATS:
        _register(app, data, synthetic, fmt)


def _register(app, data: FigureData, synthetic: bool, fmt: str) -> None:
    @app.callback(
        Output({"type": f"download-{fmt}", "figure": MATCH}, "data"),
        Input({"type": f"{fmt}-btn", "figure": MATCH}, "n_clicks"),
        VIEW_STATES,
        State("lang", "value"),
        prevent_initial_call=True,
    )
    def download(n_clicks, controls, lang):
        """Return the clicked figure's numbers for the current filter as a file."""
        if not n_clicks:
            raise PreventUpdate
        lang = lang_or_default(lang)
        figure = ctx.triggered_id.get("figure") if isinstance(ctx.triggered_id, dict) else None
        if not isinstance(figure, str) or figure not in BY_ID:  # only a crafted request names no figure
            children, is_open = _notice([UNKNOWN_FIGURE[lang].format(figure=repr(str(figure)[:40]))])
            set_props("notice", {"children": children, "is_open": is_open})
            return no_update
        filt, _ = strict_filter(control_values(controls), lang)
        by = chosen_by(controls, lang)[0]
        name = csv_filename(figure, filt, synthetic, data, fmt, by)
        try:
            if fmt == "csv":
                return dcc.send_string(csv_text(data, figure, filt, lang, synthetic, by), name, type="text/csv")
            content = workbook(data, filt, lang, synthetic, figures=(BY_ID[figure],),
                               tables={figure: view_table(data, BY_ID[figure], filt, by, lang)})
            return dcc.send_bytes(content, name)
        except Exception:
            logger.exception("%s download of %s failed for %r", fmt, figure, filt)
            raise PreventUpdate from None

    download.__name__ = f"download_{fmt}"
