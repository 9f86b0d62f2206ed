"""Turn a figure spec and its table into a print-ready plotly figure.

The figure carries its own title, subtitle (base, unweighted n, filters), legend and footer
(notes, source, the synthetic-data label), so the PNG the modebar camera exports stands alone.
Positions are laid out in pixels from the plot area's edges, so the figure holds together at
the export size and at any on-screen width.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from ..data import codebook as cb
from ..data.filters import FILTER_KEYS, FILTER_LABELS, Filter
from . import theme
from .specs import BASES, NORDIC, FigureSpec
from .tables import REASONS, series_label

TEXT = {
    "base": {"da": "Grundlag", "en": "Base"},
    "n": {"da": "uvægtet n", "en": "unweighted n"},
    "not_applied": {"da": "Ikke anvendt", "en": "Not applied"},
    "share": {"da": "Andel", "en": "Share"},
    "suppressed": {"da": "Undertrykt", "en": "Suppressed"},
    "interval": {"da": "95 %-interval", "en": "95 % interval"},
    "n_eff": {"da": "effektivt n", "en": "effective n"},
    "uncertain": {"da": "Usikker: intervallet er bredere end 30 point",
                  "en": "Uncertain: interval wider than 30 points"},
    "published": {"da": "Offentliggjort tal", "en": "Published figure"},
    "published_range": {"da": "Kun offentliggjort som interval", "en": "Published only as a range"},
    "no_data": {"da": "Ingen data for det valgte udsnit", "en": "No data for the selection"},
    "intervals": {
        "da": "Streger: 95 %-konfidensinterval, dashboardets egen designbaserede tilnærmelse (Korn-Graubard); "
              "Danmarks Statistik offentliggør ingen stikprøveusikkerhed",
        "en": "Lines: 95 % intervals, the dashboard's own design-based approximation (Korn-Graubard); "
              "Danmarks Statistik publishes no sampling error",
    },
    "flagged": {"da": "Skraverede søjler: usikre tal, intervallet er bredere end 30 procentpoint",
                "en": "Hatched bars: uncertain, the interval is wider than 30 percentage points"},
    "significant": {"da": "* Signifikant forskel mellem grupperne (p < 0,05, designbaseret test)",
                    "en": "* Significant difference between the groups (p < 0.05, design-based test)"},
    "illustrative": {"da": "Illustrative værdier: publikationen angiver ingen tal for denne figur",
                     "en": "Illustrative values: the publication gives no numbers for this figure"},
}

GROUP_WIDTH = 0.8  # share of a category's slot taken by its bars
SINGLE_WIDTH = 0.62  # bar width of a single-series chart
BAR_FILL = 0.9  # within a group, each bar takes this share of its sub-slot (thin gap between series)
MAX_BAR_PX = 96  # widest vertical bar at the export size
MAX_HBAR_PX = 46  # thickest horizontal bar at the export size
LABEL_WIDTH = 950  # px width category labels are wrapped for (a common screen; the export is 1200)
VALUE_HEADROOM = 7  # axis units above 100 for value labels


@dataclass(frozen=True)
class _Bar:
    """One row of the table, placed."""

    series: str
    category: str
    pos: float
    width: float
    row: pd.Series


# ---------------------------------------------------------------------------------------------- text


def _wrap(text: str, width: int) -> list[str]:
    """Return `text` broken into lines of at most `width` characters (longer words kept whole)."""
    return textwrap.wrap(text, max(width, 8), break_long_words=False, break_on_hyphens=False) or [""]


def _wrap_balanced(text: str, width: int) -> list[str]:
    """Return `text` in as few lines as `_wrap` needs at `width`, with the lines as even as possible."""
    lines = _wrap(text, width)
    while width > 8 and len(_wrap(text, width - 1)) == len(lines):
        width -= 1
    return _wrap(text, width)


def _chars(px: float, size: float) -> int:
    """Return how many characters of font `size` fit in `px`."""
    return int(px / (size * theme.CHAR_WIDTH))


def _n_text(table: pd.DataFrame, series: list[str], lang: str) -> str:
    """Return 'unweighted n = 733 / 1,144', one n per series in series order ('' without counts)."""
    counts = [int(table.loc[table["series"] == s, "n"].max()) for s in series]
    if not counts or max(counts) <= 0:
        return ""
    return f"{TEXT['n'][lang]} = " + " / ".join(theme.fmt_number(c, lang) for c in counts)


def subtitle_lines(spec: FigureSpec, table: pd.DataFrame, filt: Filter, lang: str = "da") -> list[str]:
    """Return the subtitle as at most two lines: base, unweighted n, active filters, filters not applied."""
    series = list(dict.fromkeys(table["series"].astype(str)))
    parts = [f"{TEXT['base'][lang]}: {BASES[spec.base][lang]}"]
    n_text = _n_text(table, series, lang)
    if n_text:
        parts.append(n_text)
    filters = filt.describe(lang, keys=spec.filters + spec.highlight)
    ignored = [k for k in FILTER_KEYS if k in filt.active() and k in spec.not_applied()]
    tail = [f"{TEXT['not_applied'][lang]}: " + ", ".join(FILTER_LABELS[k][lang] for k in ignored)] if ignored else []
    width = _chars(theme.DESIGN_WIDTH - 2 * theme.PAD, theme.SUBTITLE_SIZE)
    while True:
        lines = _flow(parts + filters + tail, width)
        if len(lines) <= 2 or not filters:
            return lines[:2]
        longest = max(range(len(filters)), key=lambda i: len(filters[i]))  # shorten the longest filter phrase
        if len(filters[longest]) <= 24:
            return lines[:1] + [" · ".join(lines[1:])[: width - 1] + "…"]
        filters[longest] = filters[longest][: len(filters[longest]) - 12].rstrip(" ,…") + "…"


def _flow(parts: list[str], width: int) -> list[str]:
    """Return `parts` joined by ' · ' in lines of at most `width` characters, breaking between parts if possible."""
    lines: list[str] = []
    for part in parts:
        if not lines:
            lines.append(part)
        elif len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        elif len(part) <= width:
            lines.append(part)
        else:  # a phrase longer than a line: fill the current line, wrap the rest
            words = part.split(" ")
            lines[-1] += " ·"
            for word in words:
                if len(lines[-1]) + 1 + len(word) <= width:
                    lines[-1] += " " + word
                else:
                    lines.append(word)
    return lines


def _category_labels(spec: FigureSpec, table: pd.DataFrame, lang: str) -> dict[str, str]:
    """Return category code -> label in `lang`, in the order the figure shows them."""
    if spec.chart == "range":
        names = {code: (da if lang == "da" else en) for code, da, en, *_ in NORDIC}
    else:
        names = {c.code: c.text(lang) for c in spec.categories}
    present = list(dict.fromkeys(table["category"].astype(str)))
    ordered = [c for c in names if c in present] + [c for c in present if c not in names]
    fallback = dict(zip(table["category"].astype(str), table["category_label"].astype(str), strict=False))
    return {c: names.get(c, fallback.get(c, c)) for c in ordered}


def _significant(spec: FigureSpec, table: pd.DataFrame) -> set[str]:
    """Return the categories with a significant difference between series (none if a cell is suppressed)."""
    if not spec.compare:
        return set()
    out = set()
    for cat, rows in table.groupby(table["category"].astype(str), sort=False):
        sig = rows["significant"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if sig.any() and not rows["suppressed"].astype(bool).any():
            out.add(cat)
    return out


def _hover(row: pd.Series, cat_label: str, series_text: str | None, lang: str) -> str:
    """Return the hover text of one bar: share to one decimal, interval, n and effective n."""
    lines = [f"<b>{cat_label}</b>"]
    if series_text:
        lines.append(series_text)
    lines.append(f"{TEXT['share'][lang]}: {theme.fmt_pct(row['share'], lang, 1)}")
    lines.append(f"{TEXT['interval'][lang]}: {theme.fmt_range(row['ci_low'], row['ci_high'], lang, 1)}")
    n_eff = theme.fmt_number(float(row["n_eff"]), lang) if pd.notna(row["n_eff"]) else "-"
    lines.append(f"{TEXT['n'][lang].capitalize()}: {theme.fmt_number(int(row['n']), lang)}"
                 f" · {TEXT['n_eff'][lang]}: {n_eff}")
    if bool(row["flagged"]):
        lines.append(f"<i>{TEXT['uncertain'][lang]}</i>")
    return "<br>".join(lines)


def _suppressed_text(row: pd.Series, lang: str) -> str:
    """Return 'Suppressed: fewer than 3 respondents' in `lang`."""
    reason = REASONS.get(str(row["reason"]), {}).get(lang, "")
    return f"{TEXT['suppressed'][lang]}: {reason}" if reason else TEXT["suppressed"][lang]


# ---------------------------------------------------------------------------------------------- layout


@dataclass
class _Frame:
    """Margins in px and the vertical stack of the header and footer."""

    top: float
    bottom: float
    left: float
    right: float
    axis_block: float  # px below the plot area taken by tick labels and the axis title
    legend_rows: int


def _footer_lines(spec: FigureSpec, lang: str, *, flagged: bool, significant: bool, intervals: bool) -> list[str]:
    """Return the footer's lines, most specific first; the source and the synthetic label close it."""
    lines = []
    if spec.note:
        lines.append(spec.note[lang])
    if significant:
        lines.append(TEXT["significant"][lang])
    if flagged:
        lines.append(TEXT["flagged"][lang])
    if intervals:
        lines.append(TEXT["intervals"][lang])
    if spec.illustrative:
        lines.append(TEXT["illustrative"][lang])
    lines.append(spec.source[lang])
    lines.append(cb.SYNTHETIC_LABEL[lang])
    width = _chars(theme.DESIGN_WIDTH - 2 * theme.PAD, theme.FOOTER_SIZE)
    return [part for line in lines for part in _wrap(line, width)]


def _legend_rows(labels: list[str]) -> int:
    """Return how many rows a horizontal legend of `labels` takes at the design width."""
    if len(labels) < 2:
        return 0
    rows, used, avail = 1, 0.0, theme.DESIGN_WIDTH - 2 * theme.PAD - 80
    for label in labels:
        w = theme.text_width(label) + 48
        if used and used + w > avail:
            rows, used = rows + 1, 0.0
        used += w
    return rows


# ---------------------------------------------------------------------------------------------- figure


def build_figure(spec: FigureSpec, table: pd.DataFrame, filt: Filter = Filter(), lang: str = "da") -> go.Figure:
    """Return the plotly figure of `spec` drawn from `table` (FigureData.table) for filter `filt`.

    Parameters
    ----------
    spec : FigureSpec
        What to draw; ``spec.chart`` is one of bar, hbar, grouped, stacked (drawn grouped) or range.
    table : pandas.DataFrame
        The tidy table with tables.COLUMNS; shares and bounds in percent, NaN when suppressed.
    filt : Filter
        The active filters, named in the subtitle (those the figure ignores as "not applied").
    lang : {"da", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
        Title, subtitle and footer inside the figure; one bar trace per series and highlight state,
        ``customdata`` = [series code, category code] per bar, error bars from ci_low/ci_high.

    Examples
    --------
    >>> from dashboard.data.synth import generate
    >>> from dashboard.figures.tables import FigureData
    >>> from dashboard.figures.specs import BY_ID
    >>> fig = build_figure(BY_ID["fig1"], FigureData(generate()).table("fig1", Filter(), "en"), Filter(), "en")
    >>> fig.layout.title.text
    'One in three innovations is technological'
    """
    table = table.reset_index(drop=True)
    horizontal = spec.chart == "hbar"
    series = list(dict.fromkeys(table["series"].astype(str)))
    multi = len(series) > 1
    categories = _category_labels(spec, table, lang)
    significant = _significant(spec, table)
    ncat = max(len(categories), 1)

    # category tick labels, wrapped to their slot
    if horizontal:
        label_chars = 34 if not multi else 44
    else:
        plot_px = LABEL_WIDTH - 2 * theme.PAD - 70
        label_chars = max(10, _chars(0.92 * plot_px / ncat, theme.BASE_SIZE))
    ticktext = []
    for code, text in categories.items():
        lines = _wrap_balanced(text, label_chars)
        if code in significant:
            lines[-1] += " *"
        ticktext.append("<br>".join(lines))
    tick_lines = max((t.count("<br>") + 1 for t in ticktext), default=1)

    visible = table[~table["suppressed"].astype(bool)]
    flagged_any = bool(visible["flagged"].astype(bool).any())
    intervals = spec.chart != "range"
    footer = _footer_lines(spec, lang, flagged=flagged_any, significant=bool(significant), intervals=intervals)
    sub = subtitle_lines(spec, table, filt, lang)
    title_lines = _wrap(spec.title[lang], _chars(theme.DESIGN_WIDTH - 2 * theme.PAD, theme.TITLE_SIZE * 1.08))
    legend_rows = _legend_rows([series_label(spec, s, lang) for s in series]) if multi else 0

    # margins (px)
    header = theme.PAD + len(title_lines) * theme.TITLE_LINE + len(sub) * theme.SUBTITLE_LINE + 8
    top = header + (legend_rows * theme.LEGEND_ROW + 10 if legend_rows else 6)
    if horizontal:
        longest = max((len(line) for t in ticktext for line in t.split("<br>")), default=10)
        left = theme.PAD + 14 + longest * theme.BASE_SIZE * theme.CHAR_WIDTH
        axis_block = 22 + 26  # tick numbers, axis title
        right = theme.PAD + 44  # value labels beyond the longest bar
    else:
        left = theme.PAD + 64
        axis_block = 10 + tick_lines * theme.TICK_LINE
        right = theme.PAD
    bottom = axis_block + 16 + len(footer) * theme.FOOTER_LINE + theme.PAD - 6
    frame = _Frame(top, bottom, left, right, axis_block, legend_rows)

    # place every bar: category i at i, its series spread over the group; bars no wider than MAX_BAR_PX
    if horizontal:
        slot_px = (theme.EXPORT_HEIGHT - top - bottom) / ncat
    else:
        slot_px = (LABEL_WIDTH - left - right) / ncat
    max_bar = (MAX_HBAR_PX if horizontal else MAX_BAR_PX) / max(slot_px, 1.0)
    if multi:
        group = min(GROUP_WIDTH, len(series) * max_bar / BAR_FILL)
        sub_slot = group / len(series)
        width = sub_slot * BAR_FILL
    else:
        group, sub_slot, width = 0.0, 0.0, min(SINGLE_WIDTH, max_bar)
    index = {c: i for i, c in enumerate(categories)}
    bars = []
    for _, row in table.iterrows():
        k = series.index(str(row["series"]))
        offset = (-group / 2 + (k + 0.5) * sub_slot) if multi else 0.0
        bars.append(_Bar(str(row["series"]), str(row["category"]), index[str(row["category"])] + offset, width, row))

    fig = go.Figure()
    if spec.chart == "range":
        _range_traces(fig, bars, categories, lang)
    else:
        _bar_traces(fig, spec, bars, categories, series, horizontal, multi, lang)
    if multi:
        for k, s in enumerate(series):
            fig.add_trace(go.Scatter(
                x=[None], y=[None], mode="markers", name=series_label(spec, s, lang), legendgroup=s,
                marker=dict(symbol="square", size=14, color=theme.colour(s, k)), hoverinfo="skip",
                showlegend=True,
            ))
    for bar in bars:
        if bool(bar.row["suppressed"]):
            fig.add_annotation(_suppressed_annotation(bar, lang, horizontal, bar.width * slot_px))
    if table.empty:
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, text=TEXT["no_data"][lang],
                           font=dict(size=theme.BASE_SIZE, color=theme.SUPPRESSED_COLOUR))

    _layout(fig, spec, lang, frame, title_lines, sub, footer, ticktext, horizontal, table)
    return fig


def _bar_traces(fig: go.Figure, spec: FigureSpec, bars: list[_Bar], categories: dict[str, str],
                series: list[str], horizontal: bool, multi: bool, lang: str) -> None:
    """Add one bar trace per series and highlight state, and the value labels beyond the intervals."""
    dim = any(bool(b.row["highlighted"]) for b in bars)
    for k, s in enumerate(series):
        base = theme.colour(s, k)
        label = series_label(spec, s, lang)
        for dimmed in (False, True):
            group = [b for b in bars if b.series == s and (dim and not bool(b.row["highlighted"])) == dimmed]
            if not group:
                continue
            opacity = theme.DIMMED_OPACITY if dimmed else 1.0
            share = [None if bool(b.row["suppressed"]) else float(b.row["share"]) for b in group]
            plus = [None if v is None else float(b.row["ci_high"]) - v for b, v in zip(group, share, strict=True)]
            minus = [None if v is None else v - float(b.row["ci_low"]) for b, v in zip(group, share, strict=True)]
            flagged = [bool(b.row["flagged"]) and not bool(b.row["suppressed"]) for b in group]
            error = dict(type="data", symmetric=False, array=plus, arrayminus=minus, thickness=1.3, width=4,
                         color=theme.ERROR_BAR_DIMMED if dimmed else theme.ERROR_BAR_COLOUR)
            pos = [b.pos for b in group]
            marker = dict(
                color=[theme.lighten(base, 0.6) if f else base for f in flagged],
                opacity=[opacity] * len(group),
                line=dict(color=[base if f else "rgba(0,0,0,0)" for f in flagged],
                          width=[1.2 if f else 0 for f in flagged]),
                pattern=dict(shape=[theme.FLAGGED_PATTERN if f else "" for f in flagged], fgcolor=base,
                             fillmode="overlay", size=7, solidity=0.35),
            )
            common = dict(
                name=label, legendgroup=s, showlegend=False, width=[b.width for b in group], marker=marker,
                customdata=[[b.series, b.category] for b in group],
                hovertext=[_hover(b.row, categories[b.category], label if multi else None, lang) for b in group],
                hovertemplate="%{hovertext}<extra></extra>",
            )
            if horizontal:
                fig.add_trace(go.Bar(y=pos, x=share, orientation="h", error_x=error, **common))
            else:
                fig.add_trace(go.Bar(x=pos, y=share, error_y=error, **common))
            _value_labels(fig, group, share, horizontal, dimmed, lang, s)


def _value_labels(fig: go.Figure, group: list[_Bar], share: list, horizontal: bool, dimmed: bool, lang: str,
                  series: str) -> None:
    """Add the rounded values ('34 %') just beyond each bar's interval."""
    ends, pos, text = [], [], []
    for b, v in zip(group, share, strict=True):
        if v is None:
            continue
        high = float(b.row["ci_high"])
        ends.append(high if not math.isnan(high) else v)
        pos.append(b.pos)
        text.append(("\u2002" if horizontal else "") + theme.fmt_pct(v, lang))
    if not text:
        return
    font = dict(size=theme.LABEL_SIZE, color=theme.lighten(theme.TEXT_COLOUR, 0.6) if dimmed else theme.TEXT_COLOUR)
    xy = dict(x=ends, y=pos, textposition="middle right") if horizontal else dict(
        x=pos, y=ends, textposition="top center")
    fig.add_trace(go.Scatter(mode="text", text=text, textfont=font, hoverinfo="skip", showlegend=False,
                             cliponaxis=False, name="labels", legendgroup=series, **xy))


def _range_traces(fig: go.Figure, bars: list[_Bar], categories: dict[str, str], lang: str) -> None:
    """Add the Nordic chart: an exact value as a bar from 0, a published range as a floating bar."""
    exact = [b for b in bars if pd.notna(b.row["share"])]
    ranges = [b for b in bars if pd.isna(b.row["share"]) and pd.notna(b.row["ci_low"])]
    if exact:
        fig.add_trace(go.Bar(
            x=[b.pos for b in exact], y=[float(b.row["share"]) for b in exact], width=[b.width for b in exact],
            marker=dict(color=theme.PRIMARY), name=TEXT["published"][lang], showlegend=False,
            customdata=[[b.series, b.category] for b in exact],
            text=[theme.fmt_pct(float(b.row["share"]), lang) for b in exact], textposition="outside",
            textfont=dict(size=theme.LABEL_SIZE, color=theme.TEXT_COLOUR), cliponaxis=False,
            hovertext=[f"<b>{categories[b.category]}</b><br>{TEXT['published'][lang]}: "
                       f"{theme.fmt_pct(float(b.row['share']), lang)}" for b in exact],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    if ranges:
        low = [float(b.row["ci_low"]) for b in ranges]
        high = [float(b.row["ci_high"]) for b in ranges]
        labels = [theme.fmt_range(lo, hi, lang) for lo, hi in zip(low, high, strict=True)]
        fig.add_trace(go.Bar(
            x=[b.pos for b in ranges], y=[hi - lo for lo, hi in zip(low, high, strict=True)], base=low,
            width=[b.width for b in ranges], name=TEXT["published_range"][lang], showlegend=False,
            marker=dict(color=theme.lighten(theme.PRIMARY, 0.55), line=dict(color=theme.PRIMARY, width=1.5)),
            customdata=[[b.series, b.category] for b in ranges], text=labels, textposition="outside",
            textfont=dict(size=theme.LABEL_SIZE, color=theme.TEXT_COLOUR), cliponaxis=False,
            hovertext=[f"<b>{categories[b.category]}</b><br>{TEXT['published_range'][lang]}: {t}"
                       for b, t in zip(ranges, labels, strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
        ))


def _suppressed_annotation(bar: _Bar, lang: str, horizontal: bool, bar_px: float) -> dict:
    """Return the grey note drawn where a suppressed bar would be."""
    text = _suppressed_text(bar.row, lang)
    common = dict(showarrow=False, font=dict(size=theme.FOOTER_SIZE, color=theme.SUPPRESSED_COLOUR),
                  hovertext=f"n = {theme.fmt_number(int(bar.row['n']), lang)}", name="suppressed")
    if horizontal:
        return dict(x=0, y=bar.pos, xref="x", yref="y", xanchor="left", yanchor="middle", xshift=4, text=text,
                    **common)
    if bar_px >= 80:  # room to write it across the bar's place, in a few lines
        head, _, reason = text.partition(": ")
        lines = [head + (":" if reason else "")] + (_wrap(reason, max(12, _chars(bar_px * 1.3, theme.FOOTER_SIZE)))
                                                    if reason else [])
        return dict(x=bar.pos, y=0, xref="x", yref="y", xanchor="center", yanchor="bottom", yshift=6,
                    text="<br>".join(lines), **common)
    return dict(x=bar.pos, y=0, xref="x", yref="y", xanchor="center", yanchor="bottom", yshift=6, textangle=-90,
                text=text, **common)


def _layout(fig: go.Figure, spec: FigureSpec, lang: str, frame: _Frame, title_lines: list[str], sub: list[str],
            footer: list[str], ticktext: list[str], horizontal: bool, table: pd.DataFrame) -> None:
    """Apply the template, margins, title block, axes, legend and footer."""
    ncat = max(len(ticktext), 1)
    cat_axis = dict(tickmode="array", tickvals=list(range(len(ticktext))), ticktext=ticktext, showgrid=False,
                    zeroline=False)
    top_value = 100.0
    if horizontal:
        highs = pd.concat([table["ci_high"], table["share"]]).dropna()
        peak = float(highs.max()) if not highs.empty else 100.0
        top_value = min(100.0, max(20.0, math.ceil((peak + 6) / 10) * 10))
    step = 20 if top_value > 60 else 10
    value_axis = dict(
        range=[0, top_value + (0 if horizontal else VALUE_HEADROOM)], tickmode="array",
        tickvals=list(range(0, int(top_value) + 1, step)),
        ticktext=[theme.fmt_pct(v, lang) for v in range(0, int(top_value) + 1, step)], showgrid=True, zeroline=False,
        title=dict(text=TEXT["share"][lang], standoff=12 if horizontal else 14),
    )
    if horizontal:
        xaxis = dict(value_axis, showline=False)
        yaxis = dict(cat_axis, range=[ncat - 0.5, -0.5], ticklabelstandoff=10, showline=True,
                     linecolor=theme.AXIS_COLOUR, linewidth=1)
    else:
        xaxis = dict(cat_axis, range=[-0.5, ncat - 0.5], showline=True, linecolor=theme.AXIS_COLOUR, linewidth=1,
                     ticklabelstandoff=6)
        yaxis = value_axis
    height = theme.SCREEN_HEIGHT
    if horizontal:  # enough room per bar on screen; the export keeps its fixed size
        rows = ncat * max(1, table["series"].nunique())
        height = max(height, int(frame.top + frame.bottom + rows * 19 + ncat * 8))

    subtitle = "<br>".join(sub)
    fig.update_layout(
        template=theme.TEMPLATE,
        separators=theme.NUMBER_SEPARATORS[lang],
        height=height, autosize=True,
        margin=dict(t=frame.top, b=frame.bottom, l=frame.left, r=frame.right, pad=0, autoexpand=True),
        title=dict(
            text="<br>".join(title_lines), x=0, xref="container", xanchor="left", y=1, yref="container",
            yanchor="top", pad=dict(l=theme.PAD, t=theme.PAD),
            font=dict(size=theme.TITLE_SIZE, color=theme.TEXT_COLOUR, weight=600),
            subtitle=dict(text=subtitle, font=dict(size=theme.SUBTITLE_SIZE, color=theme.MUTED_COLOUR)),
        ),
        xaxis=xaxis, yaxis=yaxis,
        barmode="overlay", bargap=0,
        showlegend=frame.legend_rows > 0,
        legend=dict(orientation="h", x=0, xanchor="left", y=1, yanchor="bottom", yref="paper",
                    xref="paper", traceorder="normal", itemclick="toggle", itemdoubleclick="toggleothers",
                    font=dict(size=theme.BASE_SIZE), itemsizing="constant"),
        meta=dict(figure=spec.id, lang=lang),
    )
    shift_x = -(frame.left - theme.PAD)
    for i, line in enumerate(footer):
        last = i >= len(footer) - 1
        fig.add_annotation(
            x=0, y=0, xref="paper", yref="paper", xanchor="left", yanchor="top", align="left", showarrow=False,
            xshift=shift_x, yshift=-(frame.axis_block + 14 + i * theme.FOOTER_LINE), text=line, name="footer",
            font=dict(size=theme.FOOTER_SIZE, color=theme.TEXT_COLOUR if last else theme.FOOTER_COLOUR,
                      style="italic" if last else "normal"),
        )


# ---------------------------------------------------------------------------------------------- export


def png_filename(spec: FigureSpec, filt: Filter) -> str:
    """Return an ASCII file name (no extension) naming the figure and the filters that shape it.

    >>> from dashboard.figures.specs import BY_ID
    >>> png_filename(BY_ID["fig1"], Filter(sector=("state",), tech_role=("new_tech",)))
    'fig1_sector-state_tech_role-new_tech'
    >>> png_filename(BY_ID["fig1"], Filter())
    'fig1_all'
    """
    parts = [spec.id]
    relevant = set(spec.filters) | set(spec.highlight)
    for key, codes in filt.active().items():
        if key in relevant:
            parts.append(f"{key}-{'-'.join(codes)}")
    if len(parts) == 1:
        parts.append("all")
    return re.sub(r"[^A-Za-z0-9_\-]+", "-", "_".join(parts))


def graph_config(spec: FigureSpec, filt: Filter, lang: str = "da") -> dict:
    """Return the dcc.Graph config: a modebar with only the camera, exporting the print-size PNG."""
    return {
        "displaylogo": False,
        "displayModeBar": True,
        "responsive": True,
        "scrollZoom": False,
        "doubleClick": False,
        "showTips": False,
        "locale": "da" if lang == "da" else "en",
        "modeBarButtonsToRemove": [
            "zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d",
            "hoverClosestCartesian", "hoverCompareCartesian", "toggleSpikelines",
        ],
        "toImageButtonOptions": {
            "format": theme.EXPORT_FORMAT,
            "filename": png_filename(spec, filt),
            "width": theme.EXPORT_WIDTH,
            "height": theme.EXPORT_HEIGHT,
            "scale": theme.EXPORT_SCALE,
        },
    }
