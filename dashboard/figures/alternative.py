"""The text alternatives of a figure, generated from its table: the summary shown under the chart and the
rows of its table view. Plain data in both languages; the page turns them into HTML.

The summary names the base and unweighted n, the largest and the smallest value shown with their
intervals, the significant differences between the groups, the highlighted bars and every hidden value
with the reason. The table view has one row per bar with its series, category, share and interval (to
one decimal, as `barometer table` prints them), n and, where a value is hidden, why.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogs import section
from ..data.filters import Filter
from . import theme
from .frame import data_label, filter_phrases, ignored_phrases, subtitle_base
from .numbers import Row, rows_of
from .placement import category_labels, significant_categories
from .scope import Scope
from .specs import BASES, FigureSpec
from .tables import REASONS, format_p
from .text import TEXT

PHRASES = section("summary")  # {key: {lang: text}}


@dataclass(frozen=True)
class TableView:
    """A figure's numbers as a table: caption, column headers and one row (of texts) per bar.

    The first cell of each row names the bar (its header cell); `hidden` marks the rows without a value.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    hidden: tuple[bool, ...]


def _phrase(key: str, lang: str) -> str:
    return PHRASES[key][lang]


def _bar_name(spec: FigureSpec, row: Row, categories: dict[str, str], multi: bool) -> str:
    name = categories.get(row.category, str(row.category_label))
    return f"{name}, {row.series_label}" if multi else name


def _value(row, lang: str, decimals: int = 0) -> str:
    """Return '34 % (95 % interval 32-37 %)' for a shown bar."""
    return (f"{theme.fmt_pct(row.share, lang, decimals)} ({_phrase('interval', lang)} "
            f"{theme.fmt_range(row.ci_low, row.ci_high, lang, decimals)})")


def _base_sentence(spec: FigureSpec, rows: list[Row], filt: Filter | Scope, lang: str) -> str:
    counts = [max(r.n for r in rows if r.series == s) for s in dict.fromkeys(r.series for r in rows)]
    n_text = " / ".join(theme.fmt_number(c, lang) for c in counts)
    filters = filter_phrases(spec, filt, lang)
    parts = [f"{TEXT['base'][lang]}: {BASES[subtitle_base(spec, filt)][lang]}, {TEXT['n'][lang]} = {n_text}"]
    if filters:
        parts.append("; ".join(filters))
    parts += ignored_phrases(spec, filt, lang)
    return ". ".join(parts) + "."


def _hidden_sentence(spec: FigureSpec, rows: list[Row], categories: dict[str, str], multi: bool, lang: str) -> str:
    hidden = [r for r in rows if r.suppressed]
    if not hidden:
        return ""
    items = [f"{_bar_name(spec, r, categories, multi)} ({r.reason_label or REASONS.get(r.reason, {}).get(lang, '')})"
             for r in hidden]
    return f"{_phrase('hidden', lang)}: " + "; ".join(items) + "."


def summary(spec: FigureSpec, table, filt: Filter | Scope, lang: str = "da") -> str:
    """Return the text summary of a figure for a filter: base and n, filters, the largest and smallest values
    with their intervals, significant differences and hidden values with the reason.

    Examples
    --------
    >>> from dashboard.data.synth import generate
    >>> from dashboard.figures.tables import FigureData
    >>> from dashboard.figures.specs import BY_ID
    >>> text = summary(BY_ID["fig1"], FigureData(generate()).table("fig1", Filter(), "en"), Filter(), "en")
    >>> text.startswith("Base: innovative workplaces, unweighted n = 1,8")
    True
    """
    rows = rows_of(table)
    if spec.chart == "range":
        return _range_summary(spec, rows, lang)
    categories = category_labels(spec, rows, lang)
    multi = len({r.series for r in rows}) > 1
    sentences = [_base_sentence(spec, rows, filt, lang)]
    shown = [r for r in rows if not r.suppressed]
    if not shown:
        sentences.append(_phrase("nothing_shown", lang) + ".")
    else:
        ordered = sorted(shown, key=lambda r: r.share)
        top, bottom = ordered[-1], ordered[0]
        if len(shown) == 1:
            sentences.append(f"{_phrase('only', lang)}: {_bar_name(spec, top, categories, multi)}, {_value(top, lang)}.")
        else:
            sentences.append(f"{_phrase('largest', lang)}: {_bar_name(spec, top, categories, multi)}, {_value(top, lang)}.")
            sentences.append(f"{_phrase('smallest', lang)}: {_bar_name(spec, bottom, categories, multi)}, "
                             f"{_value(bottom, lang)}.")
    if spec.compare and multi:
        significant = significant_categories(spec, rows)
        tested = any(r.p_value == r.p_value for r in rows)
        if significant:
            names = [categories[c] for c in categories if c in significant]
            sentences.append(f"{_phrase('significant', lang)}: {', '.join(names)}.")
        elif tested:
            sentences.append(_phrase("not_significant", lang) + ".")
    hidden = _hidden_sentence(spec, rows, categories, multi, lang)
    if hidden:
        sentences.append(hidden)
    return " ".join(sentences)


def _range_summary(spec: FigureSpec, rows: list[Row], lang: str) -> str:
    """Return the Nordic chart's summary: the published values and ranges."""
    categories = category_labels(spec, rows, lang)
    items = []
    for r in rows:
        name = categories.get(r.category, r.category_label)
        if r.share == r.share:  # a published value, not only a range
            items.append(f"{name} {theme.fmt_pct(r.share, lang)}")
        else:
            items.append(f"{name} {theme.fmt_range(r.ci_low, r.ci_high, lang)} ({_phrase('range_only', lang)})")
    return f"{_phrase('published', lang)}: " + "; ".join(items) + ". " + data_label(spec, lang) + "."


def table_view(spec: FigureSpec, table, filt: Filter | Scope, lang: str = "da") -> TableView:
    """Return the figure's numbers as a table: caption (title, base, filters), headers and one row per bar.

    Shares and intervals have one decimal, as `barometer table` prints them.
    """
    rows_in = rows_of(table)
    categories = category_labels(spec, rows_in, lang)
    multi = len({r.series for r in rows_in}) > 1
    tested = bool(spec.compare) and any(r.p_value == r.p_value for r in rows_in)
    filters = filter_phrases(spec, filt, lang)
    caption = (f"{spec.title[lang]}. {TEXT['base'][lang]}: {BASES[subtitle_base(spec, filt)][lang]}. "
               f"{_phrase('filters', lang)}: {'; '.join(filters) if filters else _phrase('none', lang)}."
               + "".join(f" {phrase}." for phrase in ignored_phrases(spec, filt, lang)))
    columns = ([_phrase("category", lang)] + ([_phrase("series", lang)] if multi else [])
               + [_phrase("share", lang), _phrase("interval", lang), _phrase("n", lang)]
               + ([_phrase("p", lang)] if tested else []) + [_phrase("note", lang)])
    rows, hidden = [], []
    order = {c: i for i, c in enumerate(categories)}
    for r in sorted(rows_in, key=lambda r: order.get(r.category, len(order))):
        cells = [categories.get(r.category, r.category_label)] + ([r.series_label] if multi else [])
        is_hidden = bool(r.suppressed)
        if spec.chart == "range" and r.share != r.share:
            cells += ["–", theme.fmt_range(r.ci_low, r.ci_high, lang, 1), "–"]
        elif is_hidden:
            cells += ["–", "–", theme.fmt_number(int(r.n), lang)]
        else:
            cells += [theme.fmt_pct(r.share, lang, 1), theme.fmt_range(r.ci_low, r.ci_high, lang, 1),
                      theme.fmt_number(int(r.n), lang) if r.n else "–"]
        if tested:
            cells.append(_format_p(r.p_value, lang))
        notes = []
        if is_hidden or r.reason:
            notes.append(r.reason_label or REASONS.get(r.reason, {}).get(lang, ""))
        if bool(r.highlighted):
            notes.append(_phrase("highlighted_row", lang))
        if bool(r.flagged):
            notes.append(_phrase("flagged_row", lang))
        cells.append("; ".join(n for n in notes if n))
        rows.append(tuple(cells))
        hidden.append(is_hidden)
    return TableView(caption, tuple(columns), tuple(rows), tuple(hidden))


def _format_p(p: float, lang: str) -> str:
    return format_p(p, lang) if p == p else "–"
