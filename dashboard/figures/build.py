"""Turn a figure spec and its table into a print-ready plotly figure.

The figure carries its own title, subtitle (base, unweighted n, filters), legend and footer
(notes, source, the synthetic-data label), so the PNG the modebar camera exports stands alone.
Positions are laid out in pixels from the plot area's edges. A figure is built for the width it
will be shown at (`width`, px): its text is wrapped and its fonts, margins and legend sized for
that width, so nothing runs off a phone's screen, and it still holds together in the export.
"""

from __future__ import annotations

import math
import re
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
    "published_source": {
        "da": "Offentliggjorte tal fra de nordiske innovationsbarometre, ikke beregnet af dashboardets data",
        "en": "Published figures from the Nordic innovation barometers, not computed from this dashboard's data",
    },
    "illustrative": {"da": "Illustrative værdier: publikationen angiver ingen tal for denne figur",
                     "en": "Illustrative values: the publication gives no numbers for this figure"},
}

GROUP_WIDTH = 0.8  # share of a category's slot taken by its bars
SINGLE_WIDTH = 0.62  # bar width of a single-series chart
BAR_FILL = 0.9  # within a group, each bar takes this share of its sub-slot (thin gap between series)
MAX_BAR_PX = 96  # widest vertical bar
MAX_HBAR_PX = 46  # thickest horizontal bar
HBAR_ROW_PX = 19  # height per horizontal bar when labels sit left of the bars
LABELS_ABOVE_BAR_PX = (18, 14)  # bar thickness, single / per series, when labels sit above the bars
MIN_VERTICAL_BAR_PX = 36  # narrower bars (a phone, many series) are drawn horizontally
MAX_TICK_LINES = 3  # on a phone: category labels needing more lines turn the chart horizontal
VALUE_HEADROOM = 7  # axis units above 100 for value labels
CAP_SHIFT = 0.7  # em plotly.js shifts a one-line title anchored at its top, and not one of several lines
MODEBAR_PX = 56  # the modebar's buttons sit at the top right, beside the title
MIN_PLOT_SHARE = 0.55  # on a phone, bars get at least this share of the width (else labels go above them)
LEGEND_PAD = 12  # px the legend box adds above and below its rows
FIT = 0.97  # share of the measured width text may fill (the browser's font may run a little wider)


@dataclass(frozen=True)
class _Bar:
    """One row of the table, placed."""

    series: str
    category: str
    pos: float
    width: float
    row: pd.Series


# ---------------------------------------------------------------------------------------------- text


def _wrap(text: str, px: float, size: float, bold: bool = False, first_px: float | None = None) -> list[str]:
    """Return `text` broken into lines at most `px` wide in font `size` (a longer word stays whole);
    the first line at most `first_px` wide if given."""
    lines: list[str] = []
    for word in text.split():
        limit = first_px if first_px is not None and len(lines) == 1 else px
        if lines and theme.text_width(lines[-1] + " " + word, size, bold) <= limit * FIT:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _wrap_balanced(text: str, px: float, size: float) -> list[str]:
    """Return `text` in as few lines as `_wrap` needs at `px`, with the lines as even as possible."""
    lines = _wrap(text, px, size)
    if len(lines) == 1:
        return lines
    low = px * 0.4
    while px - 4 > low and len(_wrap(text, px - 4, size)) == len(lines):
        px -= 4
    return _wrap(text, px, size)


def _widest(lines: list[str], size: float, bold: bool = False) -> float:
    return max((theme.text_width(line, size, bold) for line in lines), default=0.0)


def _truncate(text: str, px: float, size: float) -> str:
    """Return `text` cut at a word so that it and an ellipsis fit in `px`."""
    if theme.text_width(text, size) <= px * FIT:
        return text
    words = text.split(" ")
    while len(words) > 1 and theme.text_width(" ".join(words) + " …", size) > px * FIT:
        words.pop()
    return " ".join(words).rstrip(" ,·") + " …"


def _n_text(table: pd.DataFrame, series: list[str], lang: str) -> str:
    """Return 'unweighted n = 733 / 1,144', one n per series in series order ('' without counts)."""
    counts = [int(table.loc[table["series"] == s, "n"].max()) for s in series]
    if not counts or max(counts) <= 0:
        return ""
    return f"{TEXT['n'][lang]} = " + " / ".join(theme.fmt_number(c, lang) for c in counts)


def subtitle_lines(spec: FigureSpec, table: pd.DataFrame, filt: Filter, lang: str = "da",
                   width: float | None = None) -> list[str]:
    """Return the subtitle: base, unweighted n, active filters, filters not applied.

    Two lines at most on a wide figure, four on a phone (`width` below 700 px); long filter
    phrases are shortened first, and the filters not applied are always named.
    """
    sc = theme.scale(width)
    series = list(dict.fromkeys(table["series"].astype(str)))
    parts = [f"{TEXT['base'][lang]}: {BASES[spec.base][lang]}"]
    n_text = _n_text(table, series, lang)
    if n_text:
        parts.append(n_text)
    filters = filt.describe(lang, keys=spec.filters + spec.highlight)
    ignored = [k for k in FILTER_KEYS if k in filt.active() and k in spec.not_applied()]
    tail = [f"{TEXT['not_applied'][lang]}: " + ", ".join(FILTER_LABELS[k][lang] for k in ignored)] if ignored else []
    px = sc.width - 2 * sc.pad
    most = 2 if sc.width >= 700 else 4
    while True:
        lines = _flow(parts + filters + tail, px, sc.subtitle)
        if len(lines) <= most or not filters:
            return lines
        longest = max(range(len(filters)), key=lambda i: len(filters[i]))  # shorten the longest filter phrase
        shorter = _shorten(filters[longest]) if len(filters[longest]) > 24 else filters[longest]
        if len(shorter) >= len(filters[longest]):  # nothing left to shorten: cut the last line
            body = _flow(parts + filters, px, sc.subtitle)
            rest = _join_lines(body[most - 1:])
            if not tail:
                return body[:most - 1] + [_truncate(rest, px, sc.subtitle)]
            room = px - theme.text_width(" · " + tail[0], sc.subtitle)
            return body[:most - 1] + [_truncate(rest, room, sc.subtitle) + " · " + tail[0]]
        filters[longest] = shorter


def _shorten(phrase: str, chars: int = 12) -> str:
    """Return a filter phrase ('Sector: State, Region') at least `chars` shorter, cut between words.

    >>> _shorten("Value: Higher quality, Higher efficiency")
    'Value: Higher quality …'
    """
    head, sep, rest = phrase.partition(": ")
    words = rest.removesuffix("…").split(" ")
    keep = len(" ".join(words)) - chars
    while len(words) > 1 and len(" ".join(words)) > keep:
        words.pop()
    return head + sep + " ".join(words).rstrip(" ,…") + " …"


def _join_lines(lines: list[str]) -> str:
    """Return lines made by `_flow` as one line again."""
    out = ""
    for line in lines:
        out += (" " if out.endswith("·") else " · ") + line if out else line
    return out


def _flow(parts: list[str], px: float, size: float) -> list[str]:
    """Return `parts` joined by ' · ' in lines at most `px` wide, breaking between parts if possible."""

    def fits(text: str) -> bool:
        return theme.text_width(text, size) <= px * FIT

    lines: list[str] = []
    for part in parts:
        if lines and fits(lines[-1] + " · " + part):
            lines[-1] += " · " + part
        elif fits(part):
            lines.append(part)
        else:  # a phrase longer than a line: fill the current line, wrap the rest
            words = part.split(" ")
            if lines:
                lines[-1] += " ·"
            else:
                lines.append(words.pop(0))
            for word in words:
                if fits(lines[-1] + " " + word):
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
    """Margins in px, the plot area's height and the vertical stack of the header and footer."""

    top: float
    bottom: float
    left: float
    right: float
    axis_block: float  # px below the plot area taken by tick labels and the axis title
    legend_rows: int
    plot_height: float


@dataclass
class _Legend:
    """The legend's entry names (long ones broken into lines) and the rows and height it takes."""

    names: list[str]
    rows: int
    height: float


@dataclass
class _Categories:
    """Where the categories sit: tick positions and labels, or labels drawn above the bars."""

    ticks: list[float]
    ticktext: list[str]
    above: list[tuple[float, str]]  # (y of the label's baseline block, text) when labels sit above the bars


def _footer_lines(spec: FigureSpec, lang: str, sc: theme.Scale, *, flagged: bool, significant: bool,
                  intervals: bool) -> list[str]:
    """Return the footer's items, most specific first, each wrapped ('<br>') to the width; the source
    and the data label close it.

    The data label says the numbers are synthetic, except on the Nordic chart, which shows
    published figures rather than numbers computed from the microdata.
    """
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
    lines.append(data_label(spec, lang))
    px = sc.width - 2 * sc.pad
    return ["<br>".join(_wrap(line, px, sc.footer)) for line in lines]


def data_label(spec: FigureSpec, lang: str) -> str:
    """Return the closing line of a figure's footer: what its numbers are."""
    return TEXT["published_source"][lang] if spec.chart == "range" else cb.SYNTHETIC_LABEL[lang]


def _legend(labels: list[str], avail: float, sc: theme.Scale) -> _Legend:
    """Return the legend of `labels` laid out in rows across `avail` px (the plot area's width)."""
    if len(labels) < 2:
        return _Legend(labels, 0, 0.0)
    row = sc.base * 1.3 + 3  # one line of entries; the legend box adds LEGEND_PAD
    names, rows, used, height, row_lines = [], 1, 0.0, LEGEND_PAD, 1
    for label in labels:
        lines = _wrap(label, max(avail - 56, 80), sc.base) if theme.text_width(label, sc.base) + 48 > avail else [label]
        names.append("<br>".join(lines))
        w = _widest(lines, sc.base) + 48
        if used and used + w > avail:
            height += row + (row_lines - 1) * sc.base * 1.3
            rows, used, row_lines = rows + 1, 0.0, 1
        used += w
        row_lines = max(row_lines, len(lines))
    height += row + (row_lines - 1) * sc.base * 1.3
    return _Legend(names, rows, height)


def _vertical_fits(categories: dict[str, str], nseries: int, plot_w: float, sc: theme.Scale) -> bool:
    """Return False when a vertical chart would be cramped at this width (only checked on a phone)."""
    if not sc.phone or not categories:
        return True
    slot = plot_w / len(categories)
    bar = min(GROUP_WIDTH * slot / nseries, MAX_BAR_PX / BAR_FILL) if nseries > 1 else slot
    if bar < MIN_VERTICAL_BAR_PX:
        return False
    wrapped = [_wrap_balanced(text, 0.92 * slot, sc.base) for text in categories.values()]
    return all(len(lines) <= MAX_TICK_LINES and _widest(lines, sc.base) <= 0.96 * slot for lines in wrapped)


# ---------------------------------------------------------------------------------------------- figure


def build_figure(spec: FigureSpec, table: pd.DataFrame, filt: Filter = Filter(), lang: str = "da", *,
                 width: float | None = None) -> go.Figure:
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
    width : float, optional
        The width in px the figure will be shown at: text is wrapped, and fonts, margins and the
        legend are sized, for it. On a phone a vertical chart whose labels or bars would be cramped
        is drawn horizontally, with the labels above the bars. None: the 1200 px export design.

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
    sc = theme.scale(width)
    table = table.reset_index(drop=True)
    series = list(dict.fromkeys(table["series"].astype(str)))
    nseries = max(len(series), 1)
    multi = len(series) > 1
    categories = _category_labels(spec, table, lang)
    significant = _significant(spec, table)
    labels = {c: text + (" *" if c in significant else "") for c, text in categories.items()}
    ncat = max(len(categories), 1)
    inner = sc.width - 2 * sc.pad

    visible = table[~table["suppressed"].astype(bool)]
    flagged_any = bool(visible["flagged"].astype(bool).any())
    footer = _footer_lines(spec, lang, sc, flagged=flagged_any, significant=bool(significant),
                           intervals=spec.chart != "range")
    sub = subtitle_lines(spec, table, filt, lang, width=sc.width)
    title_lines = _wrap(spec.title[lang], inner, sc.title, bold=True, first_px=inner - MODEBAR_PX)

    # orientation: horizontal charts, and vertical ones that would be cramped on a phone
    v_left = sc.pad + theme.text_width("100 %", sc.base) + 26
    horizontal = spec.chart == "hbar" or not _vertical_fits(categories, nseries, sc.width - v_left - sc.pad, sc)

    # horizontal: labels left of the bars if they fit in a column, else above each group of bars
    label_lines: dict[str, list[str]] = {}
    labels_above = False
    right = sc.pad
    if horizontal:
        right = sc.pad + theme.text_width("\u2002100 %", sc.label) + 6  # value labels beyond the longest bar
        column = min(0.36 * inner, 250 if not multi else 320)
        label_lines = {c: _wrap_balanced(text, column, sc.base) for c, text in labels.items()}
        too_long = any(len(lines) > (2 if sc.phone else 3) or _widest(lines, sc.base) > column
                       for lines in label_lines.values())
        left_mode_plot = sc.width - right - sc.pad - 14 - max(
            (_widest(lines, sc.base) for lines in label_lines.values()), default=40)
        labels_above = sc.phone and (too_long or left_mode_plot < MIN_PLOT_SHARE * sc.width)
        if labels_above:
            label_lines = {c: _wrap_balanced(text, inner - 8, sc.base) for c, text in labels.items()}
        # labels above: the bars start half a tick label ("0 %") in, the labels where the title does
        left = sc.pad + theme.text_width("0 %", sc.base) / 2 if labels_above else sc.pad + 14 + max(
            (_widest(lines, sc.base) for lines in label_lines.values()), default=40)
        axis_block = sc.base * 2.6 + 14  # tick numbers, axis title
    else:
        left = v_left
        plot_w = sc.width - left - right
        slot_w = plot_w / ncat
        label_lines = {c: _wrap_balanced(text, 0.92 * slot_w, sc.base) for c, text in labels.items()}
        tick_lines = max((len(lines) for lines in label_lines.values()), default=1)
        axis_block = 10 + tick_lines * sc.tick_line

    legend = _legend([series_label(spec, s, lang) for s in series] if multi else [], sc.width - left - right, sc)
    # plotly.js draws a subtitle of several lines CAP_SHIFT higher than one of a single line
    header = sc.pad + len(title_lines) * sc.title_line + len(sub) * sc.subtitle_line + 8 - (
        CAP_SHIFT * sc.subtitle if len(sub) > 1 else 0)
    top = header + 6 + legend.height
    footer_lines = sum(item.count("<br>") + 1 for item in footer)
    bottom = axis_block + 16 + footer_lines * sc.footer_line + sc.pad - 6

    # place every bar
    if horizontal:
        placed, cats, plot_h = _place_horizontal(table, series, categories, label_lines, labels_above, sc)
    else:
        placed, cats, plot_h = _place_vertical(table, series, categories, label_lines, sc.width - left - right, sc)
    bars = [_Bar(str(row["series"]), str(row["category"]), pos, w, row) for row, (pos, w) in zip(
        (r for _, r in table.iterrows()), placed, strict=True)]
    frame = _Frame(top, bottom, left, right, axis_block, legend.rows, plot_h)

    fig = go.Figure()
    if spec.chart == "range":
        _range_traces(fig, bars, categories, lang, sc, horizontal)
    else:
        _bar_traces(fig, spec, bars, categories, series, horizontal, multi, lang, sc)
    if multi:
        for k, s in enumerate(series):
            fig.add_trace(go.Scatter(
                x=[None], y=[None], mode="markers", name=legend.names[k], legendgroup=s,
                marker=dict(symbol="square", size=14, color=theme.colour(s, k)), hoverinfo="skip",
                showlegend=True,
            ))
    slot_px = plot_h / ncat if horizontal else (sc.width - left - right) / ncat
    for bar in bars:
        if bool(bar.row["suppressed"]):
            bar_px = bar.width if horizontal else bar.width * slot_px
            fig.add_annotation(_suppressed_annotation(bar, lang, horizontal, bar_px, sc))
    if table.empty:
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, text=TEXT["no_data"][lang],
                           font=dict(size=sc.base, color=theme.SUPPRESSED_COLOUR))
    _layout(fig, spec, lang, frame, title_lines, sub, footer, cats, horizontal, table, sc)
    return fig


def _place_vertical(table: pd.DataFrame, series: list[str], categories: dict[str, str],
                    label_lines: dict[str, list[str]], plot_w: float,
                    sc: theme.Scale) -> tuple[list[tuple[float, float]], _Categories, float]:
    """Return (position, width) of each table row in category units, the ticks and the plot height."""
    ncat = max(len(categories), 1)
    slot_px = plot_w / ncat
    max_bar = MAX_BAR_PX / max(slot_px, 1.0)
    if len(series) > 1:
        group = min(GROUP_WIDTH, len(series) * max_bar / BAR_FILL)
        sub_slot = group / len(series)
        width = sub_slot * BAR_FILL
    else:
        group, sub_slot, width = 0.0, 0.0, min(SINGLE_WIDTH, max_bar)
    index = {c: i for i, c in enumerate(categories)}
    placed = []
    for s, c in zip(table["series"].astype(str), table["category"].astype(str), strict=True):
        offset = (-group / 2 + (series.index(s) + 0.5) * sub_slot) if len(series) > 1 else 0.0
        placed.append((index[c] + offset, width))
    cats = _Categories(list(range(len(categories))), ["<br>".join(label_lines[c]) for c in categories], [])
    return placed, cats, sc.plot_height


def _place_horizontal(table: pd.DataFrame, series: list[str], categories: dict[str, str],
                      label_lines: dict[str, list[str]], above: bool,
                      sc: theme.Scale) -> tuple[list[tuple[float, float]], _Categories, float]:
    """Return (position, thickness) of each table row in px from the plot area's top, and the ticks.

    Labels left of the bars: every category gets the same slot, its bars centred in it. Labels
    above the bars: each category takes its label's lines, then its bars, then a gap.
    """
    nser = max(len(series), 1)
    centre: dict[str, float] = {}
    cats = _Categories([], [], [])
    if above:
        bar = LABELS_ABOVE_BAR_PX[0] if nser == 1 else LABELS_ABOVE_BAR_PX[1]
        sub = bar / BAR_FILL
        line = sc.base * 1.25
        y = 0.0
        for c in categories:
            y += 12
            label_h = len(label_lines[c]) * line
            cats.above.append((y + label_h, "<br>".join(label_lines[c])))
            y += label_h + 4
            centre[c] = y + nser * sub / 2
            y += nser * sub + 2
        plot_h = y + 8
    else:
        ncat = max(len(categories), 1)
        rows = ncat * nser
        plot_h = max(sc.plot_height, rows * HBAR_ROW_PX + ncat * 8)
        slot = plot_h / ncat
        group = min(GROUP_WIDTH * slot, nser * MAX_HBAR_PX / BAR_FILL)
        sub = group / nser
        bar = sub * BAR_FILL if nser > 1 else min(SINGLE_WIDTH * slot, MAX_HBAR_PX)
        for i, c in enumerate(categories):
            centre[c] = (i + 0.5) * slot
            cats.ticks.append(centre[c])
            cats.ticktext.append("<br>".join(label_lines[c]))
    placed = []
    for s, c in zip(table["series"].astype(str), table["category"].astype(str), strict=True):
        offset = (-nser * sub / 2 + (series.index(s) + 0.5) * sub) if nser > 1 else 0.0
        placed.append((centre[c] + offset, bar))
    return placed, cats, plot_h


def _bar_traces(fig: go.Figure, spec: FigureSpec, bars: list[_Bar], categories: dict[str, str],
                series: list[str], horizontal: bool, multi: bool, lang: str, sc: theme.Scale) -> None:
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
            fill = [theme.lighten(base, 0.6) if f else base for f in flagged]
            # The hatching replaces the fill ("replace" mode, background per bar): plotly derives an
            # "overlay" pattern's defaults from the marker colour, which must then be a single colour.
            marker = dict(
                color=fill,
                opacity=[opacity] * len(group),
                line=dict(color=[base if f else "rgba(0,0,0,0)" for f in flagged],
                          width=[1.2 if f else 0 for f in flagged]),
                pattern=dict(shape=[theme.FLAGGED_PATTERN if f else "" for f in flagged], fgcolor=base,
                             bgcolor=fill, fillmode="replace", size=7, solidity=0.35),
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
            _value_labels(fig, group, share, horizontal, dimmed, lang, s, sc)


def _value_labels(fig: go.Figure, group: list[_Bar], share: list, horizontal: bool, dimmed: bool, lang: str,
                  series: str, sc: theme.Scale) -> None:
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
    font = dict(size=sc.label, color=theme.lighten(theme.TEXT_COLOUR, 0.6) if dimmed else theme.TEXT_COLOUR)
    xy = dict(x=ends, y=pos, textposition="middle right") if horizontal else dict(
        x=pos, y=ends, textposition="top center")
    fig.add_trace(go.Scatter(mode="text", text=text, textfont=font, hoverinfo="skip", showlegend=False,
                             cliponaxis=False, name="labels", legendgroup=series, **xy))


def _range_traces(fig: go.Figure, bars: list[_Bar], categories: dict[str, str], lang: str, sc: theme.Scale,
                  horizontal: bool = False) -> None:
    """Add the Nordic chart: an exact value as a bar from 0, a published range as a floating bar."""
    exact = [b for b in bars if pd.notna(b.row["share"])]
    ranges = [b for b in bars if pd.isna(b.row["share"]) and pd.notna(b.row["ci_low"])]
    textfont = dict(size=sc.label, color=theme.TEXT_COLOUR)

    def xy(pos: list[float], length: list[float]) -> dict:
        return dict(y=pos, x=length, orientation="h") if horizontal else dict(x=pos, y=length)

    if exact:
        fig.add_trace(go.Bar(
            **xy([b.pos for b in exact], [float(b.row["share"]) for b in exact]), width=[b.width for b in exact],
            marker=dict(color=theme.PRIMARY), name=TEXT["published"][lang], showlegend=False,
            customdata=[[b.series, b.category] for b in exact],
            text=[theme.fmt_pct(float(b.row["share"]), lang) for b in exact], textposition="outside",
            textfont=textfont, cliponaxis=False, constraintext="none",
            hovertext=[f"<b>{categories[b.category]}</b><br>{TEXT['published'][lang]}: "
                       f"{theme.fmt_pct(float(b.row['share']), lang)}" for b in exact],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    if ranges:
        low = [float(b.row["ci_low"]) for b in ranges]
        high = [float(b.row["ci_high"]) for b in ranges]
        labels = [theme.fmt_range(lo, hi, lang) for lo, hi in zip(low, high, strict=True)]
        fig.add_trace(go.Bar(
            **xy([b.pos for b in ranges], [hi - lo for lo, hi in zip(low, high, strict=True)]), base=low,
            width=[b.width for b in ranges], name=TEXT["published_range"][lang], showlegend=False,
            marker=dict(color=theme.lighten(theme.PRIMARY, 0.55), line=dict(color=theme.PRIMARY, width=1.5)),
            customdata=[[b.series, b.category] for b in ranges], text=labels, textposition="outside",
            textfont=textfont, cliponaxis=False, constraintext="none",
            hovertext=[f"<b>{categories[b.category]}</b><br>{TEXT['published_range'][lang]}: {t}"
                       for b, t in zip(ranges, labels, strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
        ))


def _suppressed_annotation(bar: _Bar, lang: str, horizontal: bool, bar_px: float, sc: theme.Scale) -> dict:
    """Return the grey note drawn where a suppressed bar would be."""
    text = _suppressed_text(bar.row, lang)
    common = dict(showarrow=False, font=dict(size=sc.footer, color=theme.SUPPRESSED_COLOUR),
                  hovertext=f"n = {theme.fmt_number(int(bar.row['n']), lang)}", name="suppressed")
    if horizontal:
        return dict(x=0, y=bar.pos, xref="x", yref="y", xanchor="left", yanchor="middle", xshift=4, text=text,
                    **common)
    if bar_px >= 80:  # room to write it across the bar's place, in a few lines
        head, _, reason = text.partition(": ")
        lines = [head + (":" if reason else "")] + (_wrap(reason, max(bar_px * 1.3, 90), sc.footer) if reason else [])
        return dict(x=bar.pos, y=0, xref="x", yref="y", xanchor="center", yanchor="bottom", yshift=6,
                    text="<br>".join(lines), **common)
    return dict(x=bar.pos, y=0, xref="x", yref="y", xanchor="center", yanchor="bottom", yshift=6, textangle=-90,
                text=text, **common)


def _layout(fig: go.Figure, spec: FigureSpec, lang: str, frame: _Frame, title_lines: list[str], sub: list[str],
            footer: list[str], cats: _Categories, horizontal: bool, table: pd.DataFrame, sc: theme.Scale) -> None:
    """Apply the template, margins, title block, axes, legend and footer."""
    tickfont = dict(size=sc.base, color=theme.TEXT_COLOUR)
    cat_axis = dict(tickmode="array", tickvals=cats.ticks, ticktext=cats.ticktext, showgrid=False,
                    zeroline=False, tickfont=tickfont, showticklabels=bool(cats.ticktext))
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
        tickfont=tickfont,
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

    fig.update_layout(
        template=theme.TEMPLATE,
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
    )
    for y, text in cats.above:  # category labels above their bars
        fig.add_annotation(x=0, y=y, xref="paper", yref="y", xanchor="left", yanchor="bottom", align="left",
                           xshift=-(frame.left - sc.pad) - 1,
                           showarrow=False, text=text, name="category", bgcolor="white", borderpad=1,
                           font=dict(size=sc.base, color=theme.TEXT_COLOUR))
    shift_x = -(frame.left - sc.pad)
    lines_above = 0
    for i, item in enumerate(footer):
        last = i >= len(footer) - 1
        fig.add_annotation(
            x=0, y=0, xref="paper", yref="paper", xanchor="left", yanchor="top", align="left", showarrow=False,
            xshift=shift_x, yshift=-(frame.axis_block + 14 + lines_above * sc.footer_line), text=item, name="footer",
            font=dict(size=sc.footer, color=theme.TEXT_COLOUR if last else theme.FOOTER_COLOUR,
                      style="italic" if last else "normal"),
        )
        lines_above += item.count("<br>") + 1


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


def graph_config(spec: FigureSpec, filt: Filter, lang: str = "da", figure: go.Figure | dict | None = None) -> dict:
    """Return the dcc.Graph config: a modebar with only the camera, exporting the print-size PNG.

    With the `figure` the config is for, the export is as tall as the figure if that is taller than
    the print size (see `export_height`). Numbers are formatted in Python (and `layout.separators`),
    so no plotly locale is needed.
    """
    return {
        "displaylogo": False,
        "displayModeBar": True,
        "responsive": True,
        "scrollZoom": False,
        "doubleClick": False,
        "showTips": False,
        "modeBarButtonsToRemove": [
            "zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d",
            "hoverClosestCartesian", "hoverCompareCartesian", "toggleSpikelines",
        ],
        "toImageButtonOptions": {
            "format": theme.EXPORT_FORMAT,
            "filename": png_filename(spec, filt),
            "width": theme.EXPORT_WIDTH,
            "height": export_height(figure),
            "scale": theme.EXPORT_SCALE,
        },
    }
