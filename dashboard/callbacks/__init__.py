"""The callbacks: parse inputs into a Filter, ask the figure layer for tables and figures, return.

`register_callbacks(app, data, synthetic, images)` wires every callback to an app, one module per feature:

- `url`: ``read_url`` (a link sets the filters and language), ``write_url`` (the filters write the link) and ``reset_filters``;
- `figures`: ``update_figures`` (every graph's figure and config for the filter, and the notice);
- `texts`: ``translate`` (every static text in the chosen language);
- `downloads`: ``download_csv`` and ``download_xlsx`` (one figure's numbers as CSV or XLSX);
- `camera`: ``camera_image`` (a chart's camera button: the chart at the chosen export size, as a PNG);
- `export`: ``export_all`` (every figure as PNG, SVG, CSV and XLSX in one ZIP);
- `browser`: the clientside callbacks (chart width, page language, phone filter panel, ...);
- `common`: parsing untrusted control values into a Filter and problems into a notice.

No callback raises: bad input and unexpected errors become a readable notice (errors are logged).
"""

from __future__ import annotations

from ..cache import ResponseCache
from ..export.images import find_chromium
from ..figures.tables import FigureData
from .browser import MEASURE_JS, PHONE_PAGE, register_browser_side
from .camera import register_camera
from .common import control_values, problem, strict_filter
from .downloads import csv_filename, csv_text, register_downloads
from .export import export_filename, register_export
from .figures import PAIRS, SPANS, chart_widths, register_figures, register_tables
from .texts import register_texts
from .url import register_reset, register_url_sync, url_search, url_state


def register_callbacks(app, data: FigureData, synthetic: bool = True, images: bool | None = None,
                       cache: ResponseCache | None = None) -> None:
    """Register every callback of the dashboard on `app`, drawing from `data`.

    `images`: whether the server can render images (Chromium found); None: look for Chromium now.
    `cache`: where figure responses are memoized (None: nowhere).
    """
    if images is None:
        images = find_chromium() is not None
    register_url_sync(app)
    register_reset(app)
    register_figures(app, data, synthetic, cache or ResponseCache())
    register_tables(app, data)
    register_texts(app, data.fpc, {r: data.round_figures(r) for r in data.data_rounds()})
    register_downloads(app, data, synthetic)
    register_camera(app, data, synthetic)
    register_export(app, data, synthetic, images)
    register_browser_side(app)


__all__ = ["register_callbacks", "problem", "strict_filter", "url_state", "url_search", "csv_text",
           "csv_filename", "chart_widths", "control_values", "export_filename", "PAIRS", "SPANS",
           "MEASURE_JS", "PHONE_PAGE"]
