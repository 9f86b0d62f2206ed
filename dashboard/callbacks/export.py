"""``export_all``: the "Download all" button -> one ZIP for the current filter: every figure as PNG
(preset size x 3) and SVG, the numbers as CSV and the XLSX workbook (`export.bundle`).

Rendering takes some seconds (one Chromium session for all images); the button is disabled and says
so while it runs. Without Chromium on the server the ZIP holds the numbers only (CSV and XLSX).
A bad filter or an unknown size gives a notice and no download; a failure is logged and named.
"""

from __future__ import annotations

import logging

from dash import Input, Output, State, dcc, no_update
from dash.exceptions import PreventUpdate

from ..data.filters import Filter
from ..export import images as image_export
from ..export.bundle import export_files, zip_bytes
from ..export.presets import DEFAULT_SCALE, PRESETS
from ..figures.tables import FigureData
from ..i18n import lang_or_default, t
from ..layout import preset_options
from .common import FILTER_STATES, _notice, control_values, strict_filter

logger = logging.getLogger(__name__)

SCALE = DEFAULT_SCALE
ALL_FORMATS = ("png", "svg", "csv", "xlsx")
NUMBER_FORMATS = ("csv", "xlsx")
BUTTON_CLASS = "btn btn-export"


def export_filename(filt: Filter, preset: str | None) -> str:
    """Return the ZIP's file name: the active filters (or 'all') and the preset ('data': numbers only).

    >>> export_filename(Filter(sector=("state", "region")), "a4")
    'innovationsbarometer_sector-state-region_a4.zip'
    >>> export_filename(Filter(), None)
    'innovationsbarometer_all_data.zip'
    """
    slug = "_".join(f"{k}-{'-'.join(v)}" for k, v in filt.active().items()) or "all"
    return f"innovationsbarometer_{slug}_{preset or 'data'}.zip"


def export_zip(data: FigureData, filt: Filter, lang: str, preset: str | None, synthetic: bool) -> bytes:
    """Return the ZIP of every figure for `filt`: images at `preset` x SCALE, or the numbers only (None)."""
    if preset is None:
        files = export_files(data, filt, lang=lang, formats=NUMBER_FORMATS, synthetic=synthetic)
    else:
        files = export_files(data, filt, lang=lang, formats=ALL_FORMATS, preset=preset, scale=SCALE,
                             synthetic=synthetic)
    return zip_bytes(files)


def register_export(app, data: FigureData, synthetic: bool, images: bool) -> None:
    """Register ``export_all`` and the translation of the size choice; `images` False: numbers only."""

    @app.callback(
        Output("export-download", "data"),
        Output("notice", "children", allow_duplicate=True),
        Output("notice", "is_open", allow_duplicate=True),
        Input("export-all", "n_clicks"),
        State("export-size", "value"),
        *FILTER_STATES,
        State("lang", "value"),
        prevent_initial_call=True,
        running=[(Output("export-all", "disabled"), True, False),
                 (Output("export-all", "className"), BUTTON_CLASS + " is-busy", BUTTON_CLASS)],
    )
    def export_all(n_clicks, preset, sector, tech_role, value, round_, lang):
        """Return the ZIP of every figure for the current filter, or a notice saying why there is none."""
        if not n_clicks:
            raise PreventUpdate
        lang = lang_or_default(lang)
        filt, problems = strict_filter(control_values(sector, tech_role, value, round_), lang)
        if problems:
            return no_update, *_notice([*problems, t("notice_export_filter", lang)])
        if not (isinstance(preset, str) and preset in PRESETS):
            return no_update, *_notice([t("notice_preset", lang, value=repr(str(preset)[:40]),
                                          allowed=", ".join(PRESETS))])
        messages = []
        try:
            if images:
                try:
                    content = export_zip(data, filt, lang, preset, synthetic)
                    return dcc.send_bytes(content, export_filename(filt, preset)), no_update, no_update
                except image_export.ExportUnavailable:  # Chromium went away since the app started
                    logger.warning("no Chromium for the export; sending the numbers only")
                    messages.append(t("notice_export_numbers", lang))
            content = export_zip(data, filt, lang, None, synthetic)
            notice = _notice(messages) if messages else (no_update, no_update)
            return dcc.send_bytes(content, export_filename(filt, None)), *notice
        except Exception:
            logger.exception("export of every figure failed for %r, preset %r", filt, preset)
            return no_update, *_notice([t("notice_export_error", lang)])

    @app.callback(
        Output("export-size", "options"),
        Input("lang", "value"),
        prevent_initial_call=True,
    )
    def translate_presets(lang):
        """Return the export size choice in the chosen language."""
        return preset_options(lang_or_default(lang), images)
