"""Building one figure and reading back its bars, annotations and text, for the figure tests."""

from __future__ import annotations

import re

import numpy as np

from dashboard.data.filters import Filter
from dashboard.figures import specs
from dashboard.figures.build import build_figure
from dashboard.figures.tables import FigureData


def _figure(fd: FigureData, figure_id: str, filt: Filter = Filter(), lang: str = "en", width=None):
    spec = specs.BY_ID[figure_id]
    return build_figure(spec, fd.table(figure_id, filt, lang), fd.scope(spec, filt), lang, width=width)


def _bars(fig) -> dict[tuple[str, str], dict]:
    """Return (series, category) -> value, error bar lengths, fill, outline, pattern and hover of every bar point."""
    out = {}
    for trace in fig.data:
        if trace.type != "bar" or trace.showlegend:  # legend entries carry no bar
            continue
        horizontal = trace.orientation == "h"
        values = trace.x if horizontal else trace.y
        error = trace.error_x if horizontal else trace.error_y
        for i, (series, category) in enumerate(trace.customdata):
            out[(series, category)] = {
                "value": values[i], "plus": error.array[i], "minus": error.arrayminus[i],
                "fill": trace.marker.color, "line_colour": trace.marker.line.color[i],
                "line_width": trace.marker.line.width[i], "pattern": trace.marker.pattern.shape[i],
                "hover": trace.hovertext[i],
            }
    return out


def _labels(fig) -> list[str]:
    """Return the value labels ('34 %') of every bar, markup removed."""
    return [re.sub(r"<[^>]+>", "", t).strip() for tr in fig.data if tr.type == "scatter" and tr.mode == "text"
            for t in tr.text]


def _annotations(fig) -> list[str]:
    """Return the text of every annotation, line breaks read as spaces."""
    return [a.text.replace("<br>", " ") for a in fig.layout.annotations]


def _subtitle(fig) -> str:
    return fig.layout.title.subtitle.text


def _suppress(table, index, reason="n_lt_3"):
    table = table.copy()
    table.loc[index, ["share", "ci_low", "ci_high"]] = np.nan
    table.loc[index, "suppressed"] = True
    table.loc[index, "reason"] = reason
    table.loc[index, "n"] = 2
    return table


def _lines(text: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", line) for line in (text or "").split("<br>")]
