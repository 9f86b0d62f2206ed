"""``camera_image``: a chart's camera button -> the chart as "Download all" exports it, at the export size the
page has chosen (16:9 slide or A4 report column), for the browser to render as a PNG (assets/charts.js).

The chart on the screen is laid out for the screen's width; the image is the figure laid out for the preset's
width, as in the ZIP, so the camera and "Download all" hand out the same image.
"""

from __future__ import annotations

import logging

from dash import Input, Output, State, no_update

from ..export.bundle import export_figure
from ..export.names import figure_stem
from ..export.presets import DEFAULT_PRESET, DEFAULT_SCALE, PRESETS
from ..figures.breakdown import drawn
from ..figures.specs import BY_ID
from ..figures.tables import FigureData
from ..i18n import lang_or_default, t
from .common import VIEW_STATES, chosen_by, control_values, strict_filter

logger = logging.getLogger(__name__)

CAMERA_REQUEST = "camera-request"  # {"figure": id, "n": count}: written by a chart's camera button
CAMERA_IMAGE = "camera-image"  # the figure to render, its size, scale and file name
CAMERA_DONE = "camera-done"  # the request last rendered

# Renders the image in the browser (plotly.js, already on the page) and hands it to the user as a download.
RENDER_JS = """
function (image) {
    if (!image || !image.figure || !window.Plotly) return window.dash_clientside.no_update;
    window.Plotly.toImage(image.figure, {format: 'png', width: image.width, height: image.height,
                                         scale: image.scale}).then((url) => {
        const link = document.createElement('a');
        link.href = url;
        link.download = image.filename;
        document.body.appendChild(link);
        link.click();
        link.remove();
    });
    return image.n;
}
"""


def camera(spec, lang: str) -> dict:
    """Return what a chart's camera button says: its title in the page's language."""
    return {"title": t("camera", lang)}


def register_camera(app, data: FigureData, synthetic: bool) -> None:
    """Register ``camera_image`` over `data` and its browser-side rendering."""

    @app.callback(
        Output(CAMERA_IMAGE, "data"),
        Input(CAMERA_REQUEST, "data"),
        VIEW_STATES,
        State("lang", "value"),
        State("export-size", "value"),
        prevent_initial_call=True,
    )
    def camera_image(request, controls, lang, preset):
        """Return the chart the camera asked for, laid out for the chosen export size."""
        figure = request.get("figure") if isinstance(request, dict) else None
        if not isinstance(figure, str) or figure not in BY_ID:
            return no_update
        lang = lang_or_default(lang)
        preset = preset if isinstance(preset, str) and preset in PRESETS else DEFAULT_PRESET
        filt, _ = strict_filter(control_values(controls), lang)
        spec, by = BY_ID[figure], chosen_by(controls, lang)[0]
        sc = data.scope(spec, filt)
        try:
            draw, rows, _ = drawn(data, spec, filt, by, lang)
            fig = export_figure(draw, rows, sc, lang, preset, synthetic)
        except Exception:
            logger.exception("camera image of %s failed for %r", figure, filt)
            return no_update
        layout = fig["layout"]
        return {"figure": fig, "width": layout["width"], "height": layout["height"], "scale": DEFAULT_SCALE,
                "filename": f"{figure_stem(spec, sc, synthetic, by)}.png", "n": request.get("n")}

    app.clientside_callback(RENDER_JS, Output(CAMERA_DONE, "data"), Input(CAMERA_IMAGE, "data"),
                            prevent_initial_call=True)
