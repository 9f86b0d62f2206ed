"""``download_csv``: a figure's download button -> the CSV of its table for the current filter."""

from __future__ import annotations

import logging

from dash import MATCH, Input, Output, State, ctx, dcc, no_update, set_props
from dash.exceptions import PreventUpdate

from ..data.filters import Filter
from ..export.bundle import table_csv
from ..figures.specs import BY_ID
from ..figures.tables import FigureData
from ..i18n import lang_or_default
from .common import FILTER_STATES, _notice, control_values, strict_filter

logger = logging.getLogger(__name__)

UNKNOWN_FIGURE = {
    "da": "Ukendt figur {figure}; intet blev hentet.",
    "en": "Unknown figure {figure}; nothing was downloaded.",
}


def csv_text(data: FigureData, figure: str, filt: Filter, lang: str, synthetic: bool) -> str:
    """Return the CSV of a figure's table: the columns of `barometer table`, then a `note` column."""
    spec = BY_ID[figure]
    return table_csv(data.table(figure, filt, lang), spec, lang, synthetic)


def csv_filename(figure: str, filt: Filter, synthetic: bool) -> str:
    """Return the download's file name: the PNG file name, a '-synthetic' suffix, '.csv'."""
    from ..figures.build import png_filename

    stem = png_filename(BY_ID[figure], filt).removesuffix(".png")
    return f"{stem}{'-synthetic' if synthetic else ''}.csv"


def register_downloads(app, data: FigureData, synthetic: bool) -> None:
    """Register ``download_csv`` over `data`."""

    @app.callback(
        Output({"type": "download", "figure": MATCH}, "data"),
        Input({"type": "download-btn", "figure": MATCH}, "n_clicks"),
        *FILTER_STATES,
        State("lang", "value"),
        prevent_initial_call=True,
    )
    def download_csv(n_clicks, sector, tech_role, value, round_, lang):
        """Return the CSV of the clicked figure's numbers for the current filter."""
        if not n_clicks:
            raise PreventUpdate
        lang = lang_or_default(lang)
        figure = ctx.triggered_id.get("figure") if isinstance(ctx.triggered_id, dict) else None
        if not isinstance(figure, str) or figure not in BY_ID:  # only a crafted request names no figure
            children, is_open = _notice([UNKNOWN_FIGURE[lang].format(figure=repr(str(figure)[:40]))])
            set_props("notice", {"children": children, "is_open": is_open})
            return no_update
        filt, _ = strict_filter(control_values(sector, tech_role, value, round_), lang)
        try:
            return dcc.send_string(csv_text(data, figure, filt, lang, synthetic),
                                   csv_filename(figure, filt, synthetic), type="text/csv")
        except Exception:
            logger.exception("download of %s failed for %r", figure, filt)
            raise PreventUpdate from None
