"""A figure broken down by a dimension: its bars per group of the dimension, side by side, with the test
across the groups.

Each group's bars are the bars of the filter state that selects the group (the filter with the group's
code in the dimension), and a figure that is not broken down shows the filter's own bars. Every value
hidden in those states stays hidden; then complementary suppression runs once more over the whole view,
with the relations between its states (a figure's bars for one group and another figure's bars for the
union of groups, derived from what the bars count), so no hidden value can be worked out from the view.
A breakdown shows no total beside its groups. Across the groups, each bar carries the
design-based test that the groups' shares are equal (two groups: the t test of the difference; more:
the adjusted Wald F test), from the groups' joint sums over the same strata; it is left out where a
compared value is hidden.

The limits, as a table builder over confidential microdata has them: one dimension at a time; the
groups are the codes chosen in the dimension's filter, or else all its codes (a sub-sector's: those of
the chosen sectors); a figure is not broken down by a dimension it does not apply, by the groups it
already shows (figure 3 by technology), nor by round where its questions were asked in one round only,
nor into more than `MAX_BARS` bars per category (groups times the figure's own series: choose fewer groups
in the filter); a group with fewer than `MIN_GROUP_N` respondents in a figure's base shows no bars.

>>> from dashboard.data.filters import Filter
>>> groups("industry", Filter(sector=("state",))), groups("tech_role", Filter())
(('admin', 'education', 'other'), ('new_tech', 'known_tech', 'non_tech'))
>>> from dashboard.figures.specs import BY_ID
>>> [why_not(BY_ID[f], "sector", ("2018-2019",)) for f in ("fig4", "dst-values-sector", "nordic")]
[None, 'breakdown_own', 'breakdown_published']
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..catalogs import CATALOGS
from ..data import codebook as cb
from ..data.dimensions import BY_KEY, DIMENSIONS
from ..data.fastcube import difference_test, equality_test
from ..data.filters import Filter
from .numbers import FigureNumbers, Row, frame_of
from .relations import VIEW_MARK
from .scope import SERIES_CODES
from .specs import BY_ID, FIGURES, FigureSpec
from .state import ALPHA, add_tests, protect
from .tables import COLUMNS

MIN_GROUP_N = 10  # respondents in a figure's base below which a group shows no bars
MAX_BARS = 8  # bars per category a broken-down figure may have (groups x its own series), or it stays whole


def groups(by: str, filt: Filter) -> tuple[str, ...]:
    """Return the groups of a breakdown by `by` for `filt`: the codes chosen in its filter, or else all its
    codes (the technology groups of figure 3 for technology; the sub-sectors of the chosen sectors), less
    those that no code chosen in a dimension nested in it falls under."""
    dim = BY_KEY[by]
    if by == "round":
        found = tuple(reversed(cb.ROUNDS))
    elif filt.codes(by) and dim.multiple:
        found = filt.codes(by)
    elif by == "tech_role":
        found = cb.TECH_GROUP_CODES
    else:
        found = dim.under(filt.codes(dim.within[0])) if dim.within else dim.codes
    for inner in DIMENSIONS:
        if inner.within and inner.within[0] == by and filt.codes(inner.key):
            chosen = set(filt.codes(inner.key))
            found = tuple(g for g in found if chosen & set(inner.within[1].get(g, ())))
    return found


def group_filter(filt: Filter, by: str, code: str) -> Filter:
    """Return the filter state that selects one group: `filt` with the group's code in the dimension."""
    return filt.replace(**{by: code if by == "round" else (code,)})


def bars_per_category(spec: FigureSpec, count: int = 1) -> int:
    """Return how many bars each category of a figure has when broken down into `count` groups."""
    own = len(SERIES_CODES[spec.series]) + spec.series_total if spec.series else 1
    return count * own


def why_not(spec: FigureSpec, by: str, rounds: tuple[str, ...], count: int = 1) -> str | None:
    """Return the catalog key (under page.) of why a figure is not broken down by `by` into `count` groups, or
    None if it is; `rounds` are the rounds whose data answer the figure's questions."""
    if spec.chart == "range":
        return "breakdown_published"
    if by in spec.ignores:
        return "breakdown_ignores"
    if by in spec.highlight or spec.series == by:
        return "breakdown_own"
    if by == "round" and len(rounds) < 2:
        return "breakdown_round"
    if bars_per_category(spec, count) > MAX_BARS:
        return "breakdown_too_many"
    return None


def reason_of(data, spec: FigureSpec, filt: Filter, by: str) -> str | None:
    """Return why a figure is not broken down by `by` for `filt` (see `why_not`), or None."""
    return why_not(spec, by, data.rounds(spec), len(groups(by, filt)))


def why_text(data, spec: FigureSpec, filt: Filter, by: str, reason: str, lang: str) -> str:
    """Return the sentence saying why a figure is not broken down ('This figure already shows its bars by Sector.')."""
    return CATALOGS[lang]["page." + reason].format(
        dimension=BY_KEY[by].name(lang), round=", ".join(data.rounds(spec)), limit=MAX_BARS,
        count=bars_per_category(spec, len(groups(by, filt))))


def group_label(by: str, code: str, lang: str) -> str:
    """Return a group's label ('Stat', '3-9 ansatte', '2015-2016')."""
    return BY_KEY[by].label(code, lang)


def view(data, filt: Filter, by: str) -> dict[str, dict[str, FigureNumbers]]:
    """Return the numbers of every figure in a view broken down by `by`: {group: {figure: numbers}} for the
    figures broken down, and under "" {figure: numbers} for those shown whole (see the module); kept per
    (filter, dimension) as `FigureData` keeps its states."""
    return data.view((filt, by), lambda: _view(data, filt, by))


def _view(data, filt: Filter, by: str) -> dict[str, dict[str, FigureNumbers]]:
    """Return the numbers of a view broken down by `by`, computed (see `view`)."""
    states = {"": filt, **{g: group_filter(filt, by, g) for g in groups(by, filt)}}
    broken = {s.id for s in FIGURES if s.id != "nordic" and reason_of(data, s, filt, by) is None}
    numbers, bars, tests = {}, {}, []
    whole = None
    for group, state in states.items():
        computed, domains, series = data.protected(state)  # what the state's own page hides
        if whole is None:
            whole = computed
        else:  # a group's bar that the filter's own bar (its page) differs from by 1 or 2 respondents
            for fid in broken & set(computed):
                computed[fid].hide_by(_isolated(computed[fid], whole[fid], filt), "differencing")
        kept = {fid for fid in computed if (fid in broken) == bool(group)}
        numbers[group] = {fid: computed[fid] for fid in kept}
        bars.update({f"{fid}{VIEW_MARK}{group}": domains[fid] for fid in kept})
        tests += [(fid, computed[fid], series[fid]) for fid in kept]
    protect({f"{fid}{VIEW_MARK}{g}": nums for g, figs in numbers.items() for fid, nums in figs.items()}, bars)
    for fid, nums, est in tests:
        add_tests(data.setup(BY_ID[fid]), nums, est)
    return numbers


def _isolated(part: FigureNumbers, whole: FigureNumbers, filt: Filter) -> list[Filter | None]:
    """Return, per bar of a group, the filter (whose page shows the bar over every group) if the two differ by
    1 or 2 respondents, or by 1 or 2 answering yes, else None: the differencing rule between a group and
    the rest of its view's groups."""
    index = {(s, c): i for i, (s, c) in enumerate(zip(whole.series, whole.category, strict=True))}
    out: list[Filter | None] = []
    for s, c, n, yes in zip(part.series, part.category, part.n, part.n_yes, strict=True):
        i = index.get((s, c))
        dn, dy = (0, 0) if i is None else (whole.n[i] - n, whole.n_yes[i] - yes)
        out.append(filt if 0 < dn < 3 or 0 < dy < 3 else None)
    return out


def view_table(data, spec: FigureSpec, filt: Filter, by: str | None, lang: str) -> pd.DataFrame:
    """Return the numbers behind a figure in a view: broken down by `by` where it is, else whole (with the
    view's hidden values when there is a breakdown)."""
    if not by or spec.id == "nordic":
        return data.table(spec, filt, lang)
    if reason_of(data, spec, filt, by) is not None:
        return data.table(spec, filt, lang, view(data, filt, by)[""][spec.id])
    return broken_table(data, spec, filt, by, lang)


@dataclasses.dataclass
class Broken:
    """A figure broken down: per bar its group, the group's label and round, the bar as its group's state shows
    it, and the test across the groups (p-value, and whether below ALPHA; NaN/None where left out)."""

    group: list[str]
    label: list[str]
    round: list[str]
    rows: list[Row]
    p_groups: np.ndarray
    significant_groups: list[bool | None]


def broken(data, spec: FigureSpec, filt: Filter, by: str, lang: str) -> Broken:
    """Return a figure broken down by `by` (see the module): each group's bars as the view shows them, a group
    with fewer than MIN_GROUP_N respondents in every bar hidden in full, and the test across the groups."""
    chosen = groups(by, filt)
    numbers = view(data, filt, by)
    group, label, rounds, rows = [], [], [], []
    for code in chosen:
        state = group_filter(filt, by, code)
        mine = data.rows(spec, state, lang, numbers[code][spec.id])
        if max(r.n for r in mine) < MIN_GROUP_N:
            mine = _hide_all(mine, lang)
        rows += mine
        group += [code] * len(mine)
        label += [group_label(by, code, lang)] * len(mine)
        rounds += [r.series for r in mine] if spec.series == "round" else [data.scope(spec, state).round] * len(mine)
    p_groups, significant = _tests(data, spec, filt, by, chosen, group, rows)
    return Broken(group, label, rounds, rows, p_groups, significant)


def broken_table(data, spec: FigureSpec, filt: Filter, by: str, lang: str) -> pd.DataFrame:
    """Return the numbers behind a figure broken down by `by` (see `broken`): the group, its label, the
    figure's table columns (tables.COLUMNS) and the test across the groups."""
    b = broken(data, spec, filt, by, lang)
    out = frame_of(b.rows)
    out["round"] = b.round
    out = out[COLUMNS]
    out.insert(0, "group_label", b.label)
    out.insert(0, "group", b.group)
    out["p_groups"] = b.p_groups
    out["significant_groups"] = pd.array(b.significant_groups, dtype="boolean")
    return out


def _hide_all(rows: list[Row], lang: str) -> list[Row]:
    """Return a group's rows with every value hidden for its small base."""
    label = CATALOGS[lang]["reason.group_lt_n"].format(n=MIN_GROUP_N)
    return [dataclasses.replace(r, share=np.nan, ci_low=np.nan, ci_high=np.nan, n_eff=np.nan, suppressed=True,
                                reason="group_lt_n", reason_label=label, p_value=np.nan, significant=None)
            for r in rows]


def _tests(data, spec: FigureSpec, filt: Filter, by: str, chosen: tuple[str, ...], group: list[str],
           rows: list[Row]) -> tuple[np.ndarray, list[bool | None]]:
    """Return, per bar, the test across the groups `chosen` of a breakdown by `by` (see `tests_across`)."""
    return tests_across(data, spec, filt, (by,), {g: group_filter(filt, by, g) for g in chosen}, group, rows)


def tests_across(data, spec: FigureSpec, filt: Filter, by: tuple[str, ...], states: dict, group: list,
                 rows: list[Row]) -> tuple[np.ndarray, list[bool | None]]:
    """Return, per bar, the p-value of the test that the groups' shares are equal and whether it is below
    ALPHA (NaN/None where a compared value is hidden or fewer than two groups have respondents).

    `states` maps each group to the filter state selecting it (`filt` with codes in the dimensions `by`),
    `group` gives each row's group. Two groups: the t test of the difference; more: the adjusted Wald F
    test, from the groups' joint sums over the same strata."""
    p_values = np.full(len(rows), np.nan)
    significant: list[bool | None] = [None] * len(rows)
    if len(states) < 2:
        return p_values, significant
    st = data.setup(spec)
    sc = data.scope(spec, filt)
    keys, selection = st.keys(sc)
    keys = [k for k in keys if k not in by]
    base = st.base & data.masks.mask(selection, keys) & (st.codes >= 0)
    n_s = len(st.order)
    chosen = list(states)
    cell_series = np.full(len(st.codes), -1, dtype=np.int64)
    for g, state in enumerate(states.values()):
        members = base & data.masks.mask(state, list(by))
        cell_series[members] = g * n_s + st.codes[members]
    est = st.fast.estimate(cell_series, len(chosen) * n_s)
    categories = {c.code: k for k, c in enumerate(spec.categories)}
    hidden = {(g, r.series, r.category) for g, r in zip(group, rows, strict=True) if r.suppressed}
    for s_index, series in enumerate(st.order):
        compared = [g for g in range(len(chosen)) if est.n[g * n_s + s_index].sum() >= MIN_GROUP_N]
        if len(compared) < 2:
            continue
        index = [g * n_s + s_index for g in compared]
        p = (difference_test(est, index[0], index[1], st.a_h) if len(index) == 2
             else equality_test(est, index, st.a_h))
        for i, r in enumerate(rows):
            if r.series != series or any((chosen[g], r.series, r.category) in hidden for g in compared):
                continue
            p_values[i] = p[categories[r.category]]
            significant[i] = bool(p[categories[r.category]] < ALPHA)
    return p_values, significant


def view_rows(b: Broken, spec: FigureSpec) -> list[Row]:
    """Return a figure broken down as the bars a chart and its text alternatives draw: each group a series of
    its own ('group|series' with the figure's own series, labelled 'group · series'), the test across the
    groups as each bar's test."""
    out = []
    for code, label, row, p, significant in zip(b.group, b.label, b.rows, b.p_groups, b.significant_groups,
                                                strict=True):
        own = spec.series is not None
        out.append(dataclasses.replace(
            row, series=f"{code}|{row.series}" if own else code,
            series_label=f"{label} · {row.series_label}" if own else label, p_value=float(p), significant=significant))
    return out


def drawn(data, spec: FigureSpec, filt: Filter, by: str | None, lang: str) -> tuple[FigureSpec, list[Row], str]:
    """Return what a card draws in a view: the spec to draw by (a broken-down figure compares its groups), its
    bars, and for a figure the breakdown leaves whole the sentence saying why ('' otherwise)."""
    if not by:
        return spec, data.rows(spec, filt, lang), ""
    reason = reason_of(data, spec, filt, by)
    if reason is not None:
        why = why_text(data, spec, filt, by, reason, lang)
        whole = None if spec.id == "nordic" else view(data, filt, by)[""][spec.id]
        return spec, data.rows(spec, filt, lang, whole), why
    return dataclasses.replace(spec, compare="all"), view_rows(broken(data, spec, filt, by, lang), spec), ""
