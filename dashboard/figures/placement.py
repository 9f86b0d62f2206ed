"""Where the categories and bars of a figure go: their order and labels, the orientation, and each bar's
position and thickness.

Vertical charts place bars in category units (one per category); horizontal charts in px from the
plot area's top, with the category labels left of the bars or, on a phone, above them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogs import CATALOGS
from . import theme
from .numbers import Row
from .specs import NORDIC, FigureSpec
from .text import widest, wrap_balanced

GROUP_WIDTH = 0.8  # share of a category's slot taken by its bars
SINGLE_WIDTH = 0.62  # bar width of a single-series chart
BAR_FILL = 0.9  # within a group, each bar takes this share of its sub-slot (thin gap between series)
MAX_BAR_PX = 96  # widest vertical bar
MAX_HBAR_PX = 46  # thickest horizontal bar
HBAR_ROW_PX = 19  # height per horizontal bar when labels sit left of the bars
LABELS_ABOVE_BAR_PX = (18, 14)  # bar thickness, single / per series, when labels sit above the bars
MIN_VERTICAL_BAR_PX = 36  # narrower bars (a phone, many series) are drawn horizontally
MAX_TICK_LINES = 3  # category labels needing more lines, or a word wider than its slot, turn the chart horizontal
MIN_PLOT_SHARE = 0.55  # on a phone, bars get at least this share of the width (else labels go above them)


@dataclass(frozen=True)
class Bar:
    """One row of the table, placed."""

    series: str
    category: str
    pos: float
    width: float
    row: Row


@dataclass
class Categories:
    """Where the categories sit: tick positions and labels, or labels drawn above the bars."""

    ticks: list[float]
    ticktext: list[str]
    above: list[tuple[float, str]]  # (y of the label's baseline block, text) when labels sit above the bars


def category_labels(spec: FigureSpec, rows: list[Row], lang: str) -> dict[str, str]:
    """Return category code -> label in `lang`, in the order the figure shows them."""
    if spec.chart == "range":
        names = {code: CATALOGS[lang][f"code.nordic.{code}"] for code, *_ in NORDIC}
    else:
        names = {c.code: c.text(lang) for c in spec.categories}
    present = list(dict.fromkeys(r.category for r in rows))
    ordered = [c for c in names if c in present] + [c for c in present if c not in names]
    fallback = {r.category: str(r.category_label) for r in rows}
    return {c: names.get(c, fallback.get(c, c)) for c in ordered}


def significant_categories(spec: FigureSpec, rows: list[Row]) -> set[str]:
    """Return the categories with a significant difference between series (none if a cell is suppressed)."""
    if not spec.compare:
        return set()
    significant = {r.category for r in rows if r.significant is True}
    hidden = {r.category for r in rows if r.suppressed}
    return significant - hidden


def vertical_fits(categories: dict[str, str], nseries: int, plot_w: float, sc: theme.Scale) -> bool:
    """Return False when a vertical chart would be cramped at this width: bars too thin, or category labels
    that would need more than MAX_TICK_LINES lines or a word wider than their slot (labels are never turned
    or wrapped letter by letter: the chart turns horizontal instead)."""
    if not categories:
        return True
    slot = plot_w / len(categories)
    bar = min(GROUP_WIDTH * slot / nseries, MAX_BAR_PX / BAR_FILL) if nseries > 1 else slot
    if bar < MIN_VERTICAL_BAR_PX:
        return False
    wrapped = [wrap_balanced(text, 0.92 * slot, sc.base) for text in categories.values()]
    return all(len(lines) <= MAX_TICK_LINES and widest(lines, sc.base) <= 0.96 * slot for lines in wrapped)


def place_vertical(rows: list[Row], series: list[str], categories: dict[str, str],
                   label_lines: dict[str, list[str]], plot_w: float,
                   sc: theme.Scale) -> tuple[list[tuple[float, float]], Categories, float]:
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
    for s, c in ((r.series, r.category) for r in rows):
        offset = (-group / 2 + (series.index(s) + 0.5) * sub_slot) if len(series) > 1 else 0.0
        placed.append((index[c] + offset, width))
    cats = Categories(list(range(len(categories))), ["<br>".join(label_lines[c]) for c in categories], [])
    return placed, cats, sc.plot_height


def place_horizontal(rows: list[Row], series: list[str], categories: dict[str, str],
                     label_lines: dict[str, list[str]], above: bool,
                     sc: theme.Scale) -> tuple[list[tuple[float, float]], Categories, float]:
    """Return (position, thickness) of each table row in px from the plot area's top, and the ticks.

    Labels left of the bars: every category gets the same slot, its bars centred in it. Labels
    above the bars: each category takes its label's lines, then its bars, then a gap.
    """
    nser = max(len(series), 1)
    centre: dict[str, float] = {}
    cats = Categories([], [], [])
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
        bar_rows = ncat * nser
        plot_h = max(sc.plot_height, bar_rows * HBAR_ROW_PX + ncat * 8)
        slot = plot_h / ncat
        group = min(GROUP_WIDTH * slot, nser * MAX_HBAR_PX / BAR_FILL)
        sub = group / nser
        bar = sub * BAR_FILL if nser > 1 else min(SINGLE_WIDTH * slot, MAX_HBAR_PX)
        for i, c in enumerate(categories):
            centre[c] = (i + 0.5) * slot
            cats.ticks.append(centre[c])
            cats.ticktext.append("<br>".join(label_lines[c]))
    placed = []
    for s, c in ((r.series, r.category) for r in rows):
        offset = (-nser * sub / 2 + (series.index(s) + 0.5) * sub) if nser > 1 else 0.0
        placed.append((centre[c] + offset, bar))
    return placed, cats, plot_h
