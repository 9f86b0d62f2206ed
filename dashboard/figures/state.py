"""Every figure's numbers for one filter state, through the fast path: the estimates of each figure
(`dashboard.data.fastcube`), the differencing rule (`differencing`), complementary suppression over the
relations between the published values (`relations`, `dashboard.data.disclosure`) and the design-based
tests between a figure's groups, on what is left shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import disclosure
from ..data.cube import CODED_ATTRIBUTES, Cube
from ..data.fastcube import Estimates, FastCube, Sums, difference_test, equality_test
from ..data.filters import CellMasks, Filter
from .differencing import wider_states
from .numbers import FigureNumbers
from .relations import Domain, relations
from .scope import Scope
from .specs import FigureSpec

ALPHA = 0.05


@dataclass(frozen=True)
class FigureSetup:
    """What a figure needs to be estimated for any filter: its arrays, which fine cells are in its base,
    each cell's series (index into `order`, -1 for none) and the filters that restrict its rows."""

    spec: FigureSpec
    fast: FastCube
    base: np.ndarray
    codes: np.ndarray
    order: list[str]
    a_h: np.ndarray

    @classmethod
    def of(cls, spec: FigureSpec, cube: Cube, base: pd.Series, series: pd.Series | None, order: list[str]) -> FigureSetup:
        """Return the setup of a figure from its cube, base cells and series labels per cell."""
        fast = FastCube(cube)
        if series is None:
            codes = np.zeros(len(cube.cells), dtype=np.int64)
        else:
            codes = series.map({s: i for i, s in enumerate(order)}).fillna(-1).to_numpy(dtype=np.int64)
        return cls(spec, fast, base.to_numpy(dtype=bool), codes, order, fast.covariance_terms())

    def keys(self, sc: Scope) -> tuple[list[str], Filter]:
        """Return the filter keys that restrict the figure's rows in the state `sc` and the filter they are
        selected by (a figure shows one round, `sc.round`; the trend figure shows both)."""
        keys = [k for k in sc.restrict if k != "round"]
        if self.spec.series == "round":
            return keys, sc.filt
        return [*keys, "round"], sc.filt.replace(round=sc.round)

    @property
    def labels(self) -> list[str]:
        """Return the series of the figure's bars, in order: the total first when the figure has one."""
        return ["all", *self.order] if self.spec.series_total else list(self.order)


@dataclass
class Selection:
    """A figure's selection for one filter state: how the state applies to it, its restricting filters, the
    selected fine cells and the sums of its series (and of its total, first, when it has one)."""

    scope: Scope
    rows: Filter
    keys: list[str]
    selected: np.ndarray
    parts: list[Sums]


def select(st: FigureSetup, masks: CellMasks, sc: Scope) -> Selection:
    """Return the sums of a figure's series for the state `sc` (before intervals and rules)."""
    keys, rows = st.keys(sc)
    selected = st.base & masks.mask(rows, keys)
    parts = [st.fast.sums(np.where(selected, st.codes, -1), len(st.order))]
    if st.spec.series_total:
        parts.insert(0, st.fast.sums(np.where(selected, 0, -1), 1))
    return Selection(sc, rows, keys, selected, parts)


def numbers(st: FigureSetup, masks: CellMasks, sel: Selection, parts: list[Estimates]) -> FigureNumbers:
    """Return a figure's numbers from its estimated `parts`, with the differencing rule applied, for the groups
    the state shows."""
    out = _flatten(st, parts)
    out.hide_by(_differencing(st, masks, sel.rows, sel.keys, sel.selected), "differencing")
    return out.take([sel.scope.shows(s, c) for s, c in zip(out.series, out.category, strict=True)])


def _flatten(st: FigureSetup, parts: list[Estimates]) -> FigureNumbers:
    """Return the estimates of `parts` (series-major, categories in the figure's order) as one figure's numbers."""
    cats = [c.code for c in st.spec.categories]
    series = [s for s in st.labels for _ in cats]

    def cat(attr):
        return np.concatenate([getattr(p, attr).ravel() for p in parts])

    n_bars = len(series)
    return FigureNumbers(
        series=series, category=cats * (n_bars // len(cats)), share=cat("share"), ci_low=cat("ci_low"),
        ci_high=cat("ci_high"), se=np.sqrt(cat("variance")), n=cat("n"), n_yes=cat("n_yes"), n_eff=cat("n_eff"),
        df=cat("df"), weight_sum=cat("weight_sum"), suppressed=cat("suppressed").astype(bool),
        reason=list(cat("reason")), flagged=cat("flagged").astype(bool), p_value=np.full(n_bars, np.nan),
        significant=[None] * n_bars, revealed_by=[None] * n_bars,
    )


def _differencing(st: FigureSetup, masks: CellMasks, rows: Filter, keys: list[str],
                  selected: np.ndarray) -> list[Filter | None]:
    """Return, per bar, the first selection with one more code in a restricting filter that would reveal it by
    difference (the respondents it adds to the bar's series number 1 or 2, or 1 or 2 of them answer yes), or
    None."""
    wider = wider_states(rows, [k for k in keys if k != "round"])
    n_bars = len(st.labels) * st.fast.n_cat
    if not wider:
        return [None] * n_bars
    added = np.array([st.base & masks.mask(w, keys) & ~selected for w in wider], dtype=float)  # (K, cells)
    n_cells, yes_cells = st.fast.counts
    groups = [st.codes >= -1] if st.spec.series_total else []  # the total: every cell
    groups += [st.codes == k for k in range(len(st.order))]
    out: list[Filter | None] = []
    for cells in groups:
        part = added * cells
        n, yes = part @ n_cells, part @ yes_cells  # (K, categories)
        small = ((n > 0) & (n < 3)) | ((yes > 0) & (yes < 3))
        first, found = small.argmax(axis=0), small.any(axis=0)
        out += [wider[k] if hit else None for k, hit in zip(first.tolist(), found.tolist(), strict=True)]
    return out


def domains(st: FigureSetup, sel: Selection, nums: FigureNumbers, cell_codes) -> list[Domain]:
    """Return what each bar of a figure's numbers counts and over which fine cells (see `relations.Domain`);
    `cell_codes(column, codes)` gives the fine cells whose attribute holds one of the codes (None: any)."""
    answered = st.fast.counts[0] > 0  # (cells, categories): respondents answered the category's item there
    categories = {c.code: (k, c) for k, c in enumerate(st.spec.categories)}
    series = {s: sel.selected if s == "all" else sel.selected & (st.codes == st.order.index(s))
              for s in dict.fromkeys(nums.series)}
    out = []
    for s, code in zip(nums.series, nums.category, strict=True):
        k, cat = categories[code]
        cells = series[s]
        for column, codes in cat.within:
            cells = cells & cell_codes(column, codes)
        coded = None
        if cat.variable in CODED_ATTRIBUTES:
            coded = (cell_codes(cat.variable, cat.codes), cell_codes(cat.variable, None))
        out.append(Domain((cat.variable, cat.codes, cat.na_false), cells, answered[:, k], coded))
    return out



def protect(state: dict[str, FigureNumbers], domains_of: dict[str, list[Domain]],
            fixed: dict[str, np.ndarray] | None = None) -> None:
    """Hide, in place, the further values that keep every hidden value of the state from being worked out
    from the shown ones (complementary suppression over the known relations; `domains_of` gives what each
    bar of each figure counts); returns None. `fixed` marks, per figure, the bars published elsewhere as
    they are (`disclosure.protect`): they are never hidden."""
    keys = [(fid, s, c) for fid, nums in state.items() for s, c in zip(nums.series, nums.category, strict=True)]
    weight = np.concatenate([nums.weight_sum for nums in state.values()])
    hidden = np.concatenate([nums.suppressed for nums in state.values()])
    share = np.concatenate([nums.share for nums in state.values()])
    counts = np.concatenate([nums.n for nums in state.values()])
    cost = np.nan_to_num(share, nan=0.0) + 1e-6 * counts
    pinned = np.concatenate([np.asarray((fixed or {}).get(fid, np.zeros(len(nums))), dtype=bool)
                             for fid, nums in state.items()])
    found = [d for fid in state for d in domains_of[fid]]
    extra = disclosure.protect(relations(keys, weight, found), hidden, cost, pinned)
    start = 0
    for nums in state.values():
        nums.hide(extra[start:start + len(nums)], "complementary")
        start += len(nums)


def add_tests(st: FigureSetup, nums: FigureNumbers, est: Estimates) -> None:
    """Set, in place, each bar's p-value and significance: the test between the figure's groups per category,
    left out where a compared value is hidden or a compared group not shown; returns None."""
    if not st.spec.compare:
        return
    groups = [k for k in range(len(st.order)) if est.n[k].sum() > 0]
    if len(groups) < 2:
        return
    if st.spec.compare == "pair":
        p = difference_test(est, groups[0], groups[1], st.a_h)
    else:
        p = equality_test(est, groups, st.a_h)
    index = {(s, c): i for i, (s, c) in enumerate(zip(nums.series, nums.category, strict=True))}
    for k, cat in enumerate(st.spec.categories):
        compared = [index.get((st.order[g], cat.code)) for g in groups]
        if any(i is None or nums.suppressed[i] for i in compared):  # no test is reported on a hidden value
            continue
        for i in (i for (_, c), i in index.items() if c == cat.code):
            nums.p_value[i] = p[k]
            nums.significant[i] = bool(p[k] < ALPHA)
