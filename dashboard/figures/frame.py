"""The frame around a figure's plot area: title, subtitle, legend, footer, the margins they take, and the
plotly layout that puts them, the axes and the category labels in place (a plain dict in plotly's
figure format: no plotly objects are built here).

Positions are in px from the plot area's edges; the text is wrapped to the width the figure is laid
out for (`theme.Scale`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..data import codebook as cb
from ..data.dimensions import BY_KEY
from ..data.filters import Filter
from . import theme
from .numbers import Row
from .placement import Categories
from .scope import Scope, scope_of
from .specs import BASES, FigureSpec
from .text import TEXT, flow, join_lines, shorten, truncate, widest, wrap

VALUE_HEADROOM = 7  # axis units above 100 for value labels
CAP_SHIFT = 0.7  # em plotly.js shifts a one-line title anchored at its top, and not one of several lines
MODEBAR_PX = 56  # the modebar's buttons sit at the top right, beside the title
LEGEND_PAD = 12  # px the legend box adds above and below its rows


@dataclass
class Frame:
    """Margins in px, the plot area's height and the vertical stack of the header and footer."""

    top: float
    bottom: float
    left: float
    right: float
    axis_block: float  # px below the plot area taken by tick labels and the axis title
    legend_rows: int
    plot_height: float


@dataclass
class Legend:
    """The legend's entry names (long ones broken into lines) and the rows and height it takes."""

    names: list[str]
    rows: int
    height: float


def wrap_title(spec: FigureSpec, lang: str, sc: theme.Scale) -> list[str]:
    """Return the title's lines, wrapped to the width with the first clear of the modebar."""
    inner = sc.width - 2 * sc.pad
    return wrap(spec.title[lang], inner, sc.title, bold=True, first_px=inner - MODEBAR_PX)


def _n_text(counts_of: list[tuple[str, int]], series: list[str], lang: str) -> str:
    """Return 'unweighted n = 733 / 1,144' from (series, n) pairs, one n per series in series order
    ('' without counts)."""
    most: dict[str, int] = {}
    for t, n in counts_of:  # one pass: a figure has up to a few hundred bars
        if n > most.get(t, 0):
            most[t] = n
    counts = [most.get(s, 0) for s in series]
    if not counts or max(counts) <= 0:
        return ""
    return f"{TEXT['n'][lang]} = " + " / ".join(theme.fmt_number(c, lang) for c in counts)


def subtitle_base(spec: FigureSpec, filt: Filter | Scope) -> str:
    """Return the key in BASES of the rows the figure shows for `filt`.

    A figure over all workplaces that a technology or value filter restricts shows only the
    innovators with that answer: only innovators answered those questions.
    """
    sc = scope_of(spec, filt)
    if spec.base == "all" and any(BY_KEY[k].innovators_only for k in sc.restrict):
        return "innovators"
    return spec.base


def filter_phrases(spec: FigureSpec, filt: Filter | Scope, lang: str = "da") -> list[str]:
    """Return the phrases of the active filters: those restricting the rows ('Sector: State'), then
    those highlighting bars, in one phrase ('Highlighted: Technology: …; Value: …')."""
    sc = scope_of(spec, filt)
    restricting = sc.filt.describe(lang, keys=sc.restrict)
    highlighting = sc.filt.describe(lang, keys=sc.highlight)
    if highlighting:
        restricting.append(f"{TEXT['highlighted'][lang]}: " + "; ".join(highlighting))
    return restricting


def ignored_phrases(spec: FigureSpec, filt: Filter | Scope, lang: str = "da") -> list[str]:
    """Return what the figure does not apply of the state: 'Not applied: Value' for the filters it ignores,
    and, when the chosen round has no answers to its questions, that it shows another round.

    >>> from dashboard.figures.specs import BY_ID
    >>> ignored_phrases(BY_ID["fig4"], Filter(round="2015-2016", value=("quality",)), "en")
    ['No data for 2015-2016: shows 2018-2019']
    """
    sc = scope_of(spec, filt)
    out = []
    keys = [k for k in sc.ignored if not (k == "round" and sc.round_missing)]
    if keys:
        out.append(f"{TEXT['not_applied'][lang]}: " + ", ".join(BY_KEY[k].name(lang) for k in keys))
    if sc.round_missing:
        out.append(TEXT["round_missing"][lang].format(chosen=sc.filt.round, shown=sc.round))
    return out


def subtitle_lines(spec: FigureSpec, table, filt: Filter | Scope, lang: str = "da",
                   width: float | None = None) -> list[str]:
    """Return the subtitle: base, unweighted n, restricting filters, highlighting filters, filters not applied.

    Two lines at most on a wide figure, four on a phone (`width` below 700 px); long filter
    phrases are shortened first, and the filters not applied are always named.
    """
    sc = theme.scale(width)
    counts_of = (list(zip(table["series"].astype(str), table["n"], strict=True)) if isinstance(table, pd.DataFrame)
                 else [(r.series, r.n) for r in table])  # the subtitle needs only each bar's series and n
    series = list(dict.fromkeys(s for s, _ in counts_of))
    parts = [f"{TEXT['base'][lang]}: {BASES[subtitle_base(spec, filt)][lang]}"]
    n_text = _n_text(counts_of, series, lang)
    if n_text:
        parts.append(n_text)
    filters = filter_phrases(spec, filt, lang)
    tail = ignored_phrases(spec, filt, lang)
    px = sc.width - 2 * sc.pad
    most = 2 if sc.width >= 700 else 4
    while True:
        lines = flow(parts + filters + tail, px, sc.subtitle)
        if len(lines) <= most or not filters:
            return lines
        longest = max(range(len(filters)), key=lambda i: len(filters[i]))  # shorten the longest filter phrase
        shorter = shorten(filters[longest]) if len(filters[longest]) > 24 else filters[longest]
        if len(shorter) >= len(filters[longest]):  # nothing left to shorten: cut the last line
            body = flow(parts + filters, px, sc.subtitle)
            rest = join_lines(body[most - 1:])
            if not tail:
                return body[:most - 1] + [truncate(rest, px, sc.subtitle)]
            ending = " · ".join(tail)
            room = px - theme.text_width(" · " + ending, sc.subtitle)
            return body[:most - 1] + [truncate(rest, room, sc.subtitle) + " · " + ending]
        filters[longest] = shorter


def footer_items(spec: FigureSpec, lang: str, sc: theme.Scale, *, flagged: bool, significant: bool,
                 intervals: bool, synthetic: bool = True, highlighted: bool = False) -> list[str]:
    """Return the footer's items, most specific first, each wrapped ('<br>') to the width; the source
    and the data label close it.

    The data label says what the numbers are (see `data_label`). Illustrative figures say so only
    when drawn from synthetic data: from the real microdata their values are real.
    """
    lines = []
    if spec.note:
        lines.append(spec.note[lang])
    if significant:
        lines.append(TEXT["significant"][lang])
    if flagged:
        lines.append(TEXT["flagged"][lang])
    if highlighted:
        lines.append(TEXT["highlight_key"][lang])
    if intervals:
        lines.append(TEXT["intervals"][lang])
    if spec.illustrative and synthetic:
        lines.append(TEXT["illustrative"][lang])
    lines.append(spec.source_line(lang))
    lines.append(data_label(spec, lang, synthetic=synthetic))
    px = sc.width - 2 * sc.pad
    return ["<br>".join(wrap(line, px, sc.footer)) for line in lines]


def data_label(spec: FigureSpec, lang: str, *, synthetic: bool = True) -> str:
    """Return the closing line of a figure's footer: what its numbers are.

    The Nordic chart shows published figures, not numbers computed from the microdata; the others
    say whether their microdata are synthetic or the real survey's.
    """
    if spec.chart == "range":
        return TEXT["published_source"][lang]
    return cb.SYNTHETIC_LABEL[lang] if synthetic else TEXT["microdata"][lang]


def layout_legend(labels: list[str], avail: float, sc: theme.Scale) -> Legend:
    """Return the legend of `labels` laid out in rows across `avail` px (the plot area's width)."""
    if len(labels) < 2:
        return Legend(labels, 0, 0.0)
    row = sc.base * 1.3 + 3  # one line of entries; the legend box adds LEGEND_PAD
    names, rows, used, height, row_lines = [], 1, 0.0, LEGEND_PAD, 1
    for label in labels:
        lines = wrap(label, max(avail - 56, 80), sc.base) if theme.text_width(label, sc.base) + 48 > avail else [label]
        names.append("<br>".join(lines))
        w = widest(lines, sc.base) + 48
        if used and used + w > avail:
            height += row + (row_lines - 1) * sc.base * 1.3
            rows, used, row_lines = rows + 1, 0.0, 1
        used += w
        row_lines = max(row_lines, len(lines))
    height += row + (row_lines - 1) * sc.base * 1.3
    return Legend(names, rows, height)


def frame_margins(title_lines: list[str], sub: list[str], legend: Legend, footer: list[str], axis_block: float,
                  sc: theme.Scale) -> tuple[float, float]:
    """Return the top margin (title, subtitle, legend) and bottom margin (axis block, footer) in px."""
    # plotly.js draws a subtitle of several lines CAP_SHIFT higher than one of a single line
    header = sc.pad + len(title_lines) * sc.title_line + len(sub) * sc.subtitle_line + 8 - (
        CAP_SHIFT * sc.subtitle if len(sub) > 1 else 0)
    top = header + 6 + legend.height
    footer_lines = sum(item.count("<br>") + 1 for item in footer)
    bottom = axis_block + 16 + footer_lines * sc.footer_line + sc.pad - 6
    return top, bottom


def layout_dict(spec: FigureSpec, lang: str, frame: Frame, title_lines: list[str], sub: list[str],
                footer: list[str], cats: Categories, horizontal: bool, rows: list[Row], sc: theme.Scale,
                annotations: list[dict] | None = None) -> dict:
    """Return the figure's layout as a dict: template, margins, title block, axes and legend, and as
    annotations `annotations` (the notes on the plot), then the category labels above bars and the footer."""
    tickfont = dict(size=sc.base, color=theme.TEXT_COLOUR)
    cat_axis = dict(tickmode="array", tickvals=cats.ticks, ticktext=cats.ticktext, showgrid=False, tickangle=0,
                    zeroline=False, tickfont=tickfont, showticklabels=bool(cats.ticktext))
    top_value = 100.0
    if horizontal:
        highs = [v for r in rows for v in (r.ci_high, r.share) if v == v]  # NaN is not equal to itself
        peak = max(highs) if highs else 100.0
        top_value = min(100.0, max(20.0, math.ceil((peak + 6) / 10) * 10))
    step = 20 if top_value > 60 else 10
    value_axis = dict(
        range=[0, top_value + (0 if horizontal else VALUE_HEADROOM)], tickmode="array",
        tickvals=list(range(0, int(top_value) + 1, step)),
        ticktext=[theme.fmt_pct(v, lang) for v in range(0, int(top_value) + 1, step)], showgrid=True, zeroline=False,
        tickfont=dict(tickfont),
        title=dict(text=TEXT["share"][lang], standoff=12 if horizontal else 14,
                   font=dict(size=sc.base, color=theme.MUTED_COLOUR)),
    )
    if horizontal:
        xaxis = dict(value_axis, showline=False)
        yaxis = dict(cat_axis, range=[frame.plot_height, 0], ticklabelstandoff=10, showline=not cats.above,
                     linecolor=theme.AXIS_COLOUR, linewidth=1)
    else:
        ncat = max(len(cats.ticks), 1)
        xaxis = dict(cat_axis, range=[-0.5, ncat - 0.5], showline=True, linecolor=theme.AXIS_COLOUR, linewidth=1,
                     ticklabelstandoff=6)
        yaxis = value_axis
    height = math.ceil(frame.top + frame.bottom + frame.plot_height)
    # Over horizontal bars the legend starts where the title does (plotly.js still wraps it at the plot
    # area's width); over vertical bars it starts with the plot area, as plotly.js moves the value
    # axis title out of the way of a legend above it.
    legend_pos = dict(x=round(sc.pad / sc.width, 4), xref="container") if horizontal else dict(x=0, xref="paper")

    notes = list(annotations or [])
    layout = dict(
        template=theme.TEMPLATE_JSON,  # shared by every figure, never changed
        separators=theme.NUMBER_SEPARATORS[lang],
        font=dict(size=sc.base),
        height=height, autosize=True,
        margin=dict(t=frame.top, b=frame.bottom, l=frame.left, r=frame.right, pad=0, autoexpand=False),
        title=dict(
            text="<br>".join(title_lines), x=0, xref="container", xanchor="left", y=1, yref="container",
            yanchor="top", pad=dict(l=sc.pad, t=sc.pad + (CAP_SHIFT * sc.title if len(title_lines) > 1 else 0)),
            font=dict(size=sc.title, color=theme.TEXT_COLOUR, weight=600),
            subtitle=dict(text="<br>".join(sub), font=dict(size=sc.subtitle, color=theme.MUTED_COLOUR)),
        ),
        xaxis=xaxis, yaxis=yaxis,
        barmode="overlay", bargap=0,
        showlegend=frame.legend_rows > 0,
        legend=dict(orientation="h", **legend_pos, xanchor="left", y=1, yanchor="bottom", yref="paper",
                    traceorder="normal", itemclick="toggle", itemdoubleclick="toggleothers",
                    font=dict(size=sc.base), itemsizing="constant"),
        meta=dict(figure=spec.id, lang=lang),
        annotations=notes,
    )
    for y, text in cats.above:  # category labels above their bars
        notes.append(dict(x=0, y=y, xref="paper", yref="y", xanchor="left", yanchor="bottom", align="left",
                          xshift=-(frame.left - sc.pad) - 1,
                          showarrow=False, text=text, name="category", bgcolor="white", borderpad=1,
                          font=dict(size=sc.base, color=theme.TEXT_COLOUR)))
    shift_x = -(frame.left - sc.pad)
    lines_above = 0
    for i, item in enumerate(footer):
        last = i >= len(footer) - 1
        notes.append(dict(
            x=0, y=0, xref="paper", yref="paper", xanchor="left", yanchor="top", align="left", showarrow=False,
            xshift=shift_x, yshift=-(frame.axis_block + 14 + lines_above * sc.footer_line), text=item, name="footer",
            font=dict(size=sc.footer, color=theme.TEXT_COLOUR if last else theme.FOOTER_COLOUR,
                      style="italic" if last else "normal"),
        ))
        lines_above += item.count("<br>") + 1
    return layout

