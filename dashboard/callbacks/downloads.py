"""``download_csv``: a figure's download button -> the CSV of its table for the current filter."""

from __future__ import annotations

import logging

from dash import MATCH, Input, Output, State, ctx, dcc
from dash.exceptions import PreventUpdate

from ..data.codebook import SYNTHETIC_LABEL
from ..data.filters import Filter
from ..figures.specs import BY_ID
from ..figures.tables import FigureData
from ..i18n import lang_or_default
from .common import FILTER_STATES, control_values, strict_filter

logger = logging.getLogger(__name__)


def csv_text(data: FigureData, figure: str, filt: Filter, lang: str, synthetic: bool) -> str:
    """Return the CSV of a figure's table: the columns of `barometer table`, then a `note` column."""
    from ..figures.build import data_label

    table = data.table(figure, filt, lang)
    spec = BY_ID[figure]
    if spec.chart == "range":  # published figures, whatever the microdata
        table["note"] = data_label(spec, lang)
    else:
        table["note"] = SYNTHETIC_LABEL[lang] if synthetic else ""
    return table.to_csv(index=False, lineterminator="\n")


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
