"""Turn a figure spec and its table into a print-ready plotly figure, and the dcc.Graph config to show it.

The figure carries its own title, subtitle (base, unweighted n, filters), legend and footer
(notes, source, what the data are), so the PNG the modebar camera exports stands alone.
Positions are laid out in pixels from the plot area's edges. A figure is built for the width it
will be shown at (`width`, px): its text is wrapped and its fonts, margins and legend sized for
that width, so nothing runs off a phone's screen, and it still holds together in the export.

The work is shared out: `text` (phrases, wrapping), `placement` (categories, orientation, bar
positions), `bars` (traces, value labels, suppressed notes) and `frame` (title, subtitle, legend,
footer, margins, axes). This module puts them together and keeps the names the app imports.

A figure is built as a plain dict (`figure_dict`), which dcc.Graph takes as it is; `build_figure`
wraps it in a plotly Figure for callers that want one.
"""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go

from ..catalogs import LOCALES
from ..data.filters import Filter
from . import theme
from .bars import bar_traces, legend_traces, range_traces, suppressed_annotation
from .frame import (
    Frame,
    data_label,
    footer_items,
    frame_margins,
    layout_dict,
    layout_legend,
    subtitle_lines,
    wrap_title,
)
from .numbers import rows_of
from .placement import (
    MIN_PLOT_SHARE,
    Bar,
    category_labels,
    place_horizontal,
    place_vertical,
    significant_categories,
    vertical_fits,
)
from .scope import Scope, scope_of
from .specs import FigureSpec
from .tables import series_label
from .text import TEXT, widest, wrap_balanced

# Plotly checks every property it is given; the figures here are tested once with the check on
# (tests/test_build.py), so per-request builds skip it: a redraw of all figures is several times faster.
VALIDATE = False

__all__ = ["TEXT", "build_figure", "data_label", "export_height", "figure_dict", "graph_config", "png_filename",
           "subtitle_lines"]


def build_figure(spec: FigureSpec, table, filt: Filter | Scope = Filter(), lang: str = "da", *,
                 width: float | None = None, synthetic: bool = True) -> go.Figure:
    """Return the plotly figure of `spec` drawn from `table` for filter `filt`: `figure_dict` as a
    plotly Figure (built without plotly's property check, see VALIDATE).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = figure_dict(spec, table, filt, lang, width=width, synthetic=synthetic)
    return go.Figure(data=fig["data"], layout=fig["layout"], _validate=VALIDATE)


def figure_dict(spec: FigureSpec, table, filt: Filter | Scope = Filter(), lang: str = "da", *,
                width: float | None = None, synthetic: bool = True) -> dict:
    """Return the figure of `spec` drawn from `table` (FigureData.table) for filter `filt`, as a plain
    dict in plotly's figure format (no plotly objects are built).

    Parameters
    ----------
    spec : FigureSpec
        What to draw; ``spec.chart`` is one of bar, hbar, grouped, stacked (drawn grouped) or range.
    table : list of numbers.Row, or pandas.DataFrame
        The figure's bars (FigureData.rows), or its table with tables.COLUMNS (FigureData.table); shares
        and bounds in percent, NaN when suppressed.
    filt : Filter or Scope
        The active filters, named in the subtitle as they apply to the figure (restricting, highlighting,
        not applied); a Scope (FigureData.scope) says so for the figure's data.
    lang : {"da", "en"}
    width : float, optional
        The width in px the figure will be shown at: text is wrapped, and fonts, margins and the
        legend are sized, for it. On a phone a vertical chart whose labels or bars would be cramped
        is drawn horizontally, with the labels above the bars. None: the 1200 px export design.
    synthetic : bool
        Whether `table` was computed from synthetic microdata: the footer says so (and, on an
        illustrative figure, that its values are illustrative), else it names the real microdata.

    Returns
    -------
    dict
        ``{"data": [trace dicts], "layout": {...}}``: title, subtitle and footer inside the figure; one
        bar trace per series and highlight state, ``customdata`` = [series code, category code] per
        bar, error bars from ci_low/ci_high.

    Examples
    --------
    >>> from dashboard.data.synth import generate
    >>> from dashboard.figures.tables import FigureData
    >>> from dashboard.figures.specs import BY_ID
    >>> fig = figure_dict(BY_ID["fig1"], FigureData(generate()).table("fig1", Filter(), "en"), Filter(), "en")
    >>> fig["layout"]["title"]["text"]
    'One in three innovations is technological'
    """
    sc = theme.scale(width)
    rows = rows_of(table)
    series = list(dict.fromkeys(r.series for r in rows))
    nseries = max(len(series), 1)
    multi = len(series) > 1
    categories = category_labels(spec, rows, lang)
    significant = significant_categories(spec, rows)
    labels = {c: text + (" *" if c in significant else "") for c, text in categories.items()}
    ncat = max(len(categories), 1)
    inner = sc.width - 2 * sc.pad

    flagged_any = any(r.flagged and not r.suppressed for r in rows)
    marked = [r.highlighted for r in rows]
    footer = footer_items(spec, lang, sc, flagged=flagged_any, significant=bool(significant),
                          highlighted=any(marked) and not all(marked),
                          intervals=spec.chart != "range", synthetic=synthetic)
    sub = subtitle_lines(spec, rows, filt, lang, width=sc.width)
    title_lines = wrap_title(spec, lang, sc)

    # orientation: horizontal charts, and vertical ones that would be cramped on a phone
    v_left = sc.pad + theme.text_width("100 %", sc.base) + 26
    horizontal = spec.chart == "hbar" or not vertical_fits(categories, nseries, sc.width - v_left - sc.pad, sc)

    # horizontal: labels left of the bars if they fit in a column, else above each group of bars
    label_lines: dict[str, list[str]] = {}
    labels_above = False
    right = sc.pad
    if horizontal:
        right = sc.pad + theme.text_width("\u2002100 %", sc.label) + 6  # value labels beyond the longest bar
        column = min(0.36 * inner, 250 if not multi else 320)
        label_lines = {c: wrap_balanced(text, column, sc.base) for c, text in labels.items()}
        too_long = any(len(lines) > (2 if sc.phone else 3) or widest(lines, sc.base) > column
                       for lines in label_lines.values())
        left_mode_plot = sc.width - right - sc.pad - 14 - max(
            (widest(lines, sc.base) for lines in label_lines.values()), default=40)
        labels_above = sc.phone and (too_long or left_mode_plot < MIN_PLOT_SHARE * sc.width)
        if labels_above:
            label_lines = {c: wrap_balanced(text, inner - 8, sc.base) for c, text in labels.items()}
        # labels above: the bars start half a tick label ("0 %") in, the labels where the title does
        left = sc.pad + theme.text_width("0 %", sc.base) / 2 if labels_above else sc.pad + 14 + max(
            (widest(lines, sc.base) for lines in label_lines.values()), default=40)
        axis_block = sc.base * 2.6 + 14  # tick numbers, axis title
    else:
        left = v_left
        plot_w = sc.width - left - right
        slot_w = plot_w / ncat
        label_lines = {c: wrap_balanced(text, 0.92 * slot_w, sc.base) for c, text in labels.items()}
        tick_lines = max((len(lines) for lines in label_lines.values()), default=1)
        axis_block = 10 + tick_lines * sc.tick_line

    names = {r.series: r.series_label for r in rows}
    legend = layout_legend([names.get(s) or series_label(spec, s, lang) for s in series] if multi else [],
                           sc.width - left - right, sc)
    top, bottom = frame_margins(title_lines, sub, legend, footer, axis_block, sc)

    # place every bar
    if horizontal:
        placed, cats, plot_h = place_horizontal(rows, series, categories, label_lines, labels_above, sc)
    else:
        placed, cats, plot_h = place_vertical(rows, series, categories, label_lines, sc.width - left - right, sc)
    bars = [Bar(row.series, row.category, pos, w, row) for row, (pos, w) in zip(rows, placed, strict=True)]
    frame = Frame(top, bottom, left, right, axis_block, legend.rows, plot_h)

    traces: list[dict] = []
    if spec.chart == "range":
        range_traces(traces, bars, categories, lang, sc, horizontal)
    else:
        bar_traces(traces, spec, bars, categories, series, horizontal, multi, lang, sc)
    if multi:
        legend_traces(traces, series, legend.names, horizontal)
    notes = []
    slot_px = plot_h / ncat if horizontal else (sc.width - left - right) / ncat
    for bar in bars:
        if bar.row.suppressed:
            bar_px = bar.width if horizontal else bar.width * slot_px
            notes.append(suppressed_annotation(bar, lang, horizontal, bar_px, sc))
    if not rows:
        notes.append(dict(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, text=TEXT["no_data"][lang],
                          font=dict(size=sc.base, color=theme.SUPPRESSED_COLOUR)))
    layout = layout_dict(spec, lang, frame, title_lines, sub, footer, cats, horizontal, rows, sc, notes)
    return {"data": traces, "layout": layout}


def png_filename(spec: FigureSpec, filt: Filter | Scope) -> str:
    """Return an ASCII file name (no extension) naming the figure and the filters that shape it.

    >>> from dashboard.figures.specs import BY_ID
    >>> png_filename(BY_ID["fig1"], Filter(sector=("state",), tech_role=("new_tech",)))
    'fig1_sector-state_tech_role-new_tech'
    >>> png_filename(BY_ID["fig1"], Filter())
    'fig1_all'
    """
    parts = [spec.id]
    sc = scope_of(spec, filt)
    relevant = set(sc.restrict) | set(sc.highlight)
    for key, codes in sc.filt.active().items():
        if key in relevant:
            parts.append(f"{key}-{'-'.join(codes)}")
    if len(parts) == 1:
        parts.append("all")
    return re.sub(r"[^A-Za-z0-9_\-]+", "-", "_".join(parts))


def export_height(fig: go.Figure | dict | None) -> int:
    """Return the height of the PNG export of `fig`: the export height, or the figure's own if taller.

    A figure built for a phone has more lines of text (and horizontal bars) than fit the export
    height, so its export grows with it rather than cutting anything off.
    """
    if fig is None:
        return theme.EXPORT_HEIGHT
    layout = fig.get("layout", {}) if isinstance(fig, dict) else fig.layout
    height = layout.get("height") if isinstance(layout, dict) else layout.height
    return max(theme.EXPORT_HEIGHT, int(math.ceil(height or 0)))


def graph_config(spec: FigureSpec, filt: Filter | Scope, lang: str = "da",
                 figure: go.Figure | dict | None = None, by: str | None = None) -> dict:
    """Return the dcc.Graph config: a modebar with only the camera (named in the page's language), exporting
    the print-size PNG; nothing that sends the chart to a third party ("Share chart" is off).

    With the `figure` the config is for, the export is as tall as the figure if that is taller than
    the print size (see `export_height`). Numbers are formatted in Python (and `layout.separators`),
    so no plotly number locale is needed; the modebar's one button is named in the page's language (the
    catalog's plotly words).
    """
    words = LOCALES[lang].plotly_dictionary
    locale = {"locale": LOCALES[lang].plotly, "locales": {LOCALES[lang].plotly: {"dictionary": words}}} if words else {}
    return {
        "displaylogo": False,
        "displayModeBar": True,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "showLink": False,
        "modeBarButtons": [["toImage"]],
        "responsive": True,
        "scrollZoom": False,
        "doubleClick": False,
        "showTips": False,
        **locale,
        "toImageButtonOptions": {
            "format": theme.EXPORT_FORMAT,
            "filename": png_filename(spec, filt) + (f"_by-{by}" if by else ""),
            "width": theme.EXPORT_WIDTH,
            "height": export_height(figure),
            "scale": theme.EXPORT_SCALE,
        },
    }
