"""Every figure's numbers for one filter state, through the fast path: the estimates of each figure
(`dashboard.data.fastcube`), the differencing rule (`differencing`), complementary suppression over the
relations between the published values (`relations`, `dashboard.data.disclosure`) and the design-based
tests between a figure's groups, on what is left shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..data import codebook as cb
from ..data import disclosure
from ..data.cube import Cube
from ..data.fastcube import Estimates, FastCube, Sums, difference_test, equality_test
from ..data.filters import CellMasks, Filter
from .differencing import wider_states
from .numbers import FigureNumbers
from .relations import relations
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

    def keys(self, filt: Filter) -> tuple[list[str], Filter]:
        """Return the filter keys that restrict the figure's rows and the filter they are selected by
        (every figure but the trend figure shows the current round)."""
        keys = [k for k in self.spec.filters if k != "round"]
        if self.spec.series == "round":
            return keys, filt
        return [*keys, "round"], replace(filt, round=cb.CURRENT_ROUND)

    @property
    def labels(self) -> list[str]:
        """Return the series of the figure's bars, in order: the total first when the figure has one."""
        return ["all", *self.order] if self.spec.series_total else list(self.order)


@dataclass
class Selection:
    """A figure's selection for one filter state: its restricting filters, the selected fine cells and the
    sums of its series (and of its total, first, when it has one)."""

    rows: Filter
    keys: list[str]
    selected: np.ndarray
    parts: list[Sums]


def select(st: FigureSetup, masks: CellMasks, filt: Filter) -> Selection:
    """Return the sums of a figure's series for `filt` (before intervals and rules)."""
    keys, rows = st.keys(filt)
    selected = st.base & masks.mask(rows, keys)
    parts = [st.fast.sums(np.where(selected, st.codes, -1), len(st.order))]
    if st.spec.series_total:
        parts.insert(0, st.fast.sums(np.where(selected, 0, -1), 1))
    return Selection(rows, keys, selected, parts)


def numbers(st: FigureSetup, masks: CellMasks, sel: Selection, parts: list[Estimates]) -> FigureNumbers:
    """Return a figure's numbers from its estimated `parts`, with the differencing rule applied."""
    out = _flatten(st, parts)
    out.hide(_differencing(st, masks, sel.rows, sel.keys, sel.selected), "differencing")
    return out


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
        significant=[None] * n_bars,
    )


def _differencing(st: FigureSetup, masks: CellMasks, rows: Filter, keys: list[str], selected: np.ndarray) -> np.ndarray:
    """Return, per bar, whether a selection with one more code in a restricting filter would reveal it by
    difference: the respondents it adds to the bar's series number 1 or 2, or 1 or 2 of them answer yes."""
    wider = wider_states(rows, [k for k in keys if k != "round"])
    n_bars = len(st.labels) * st.fast.n_cat
    if not wider:
        return np.zeros(n_bars, dtype=bool)
    added = np.array([st.base & masks.mask(w, keys) & ~selected for w in wider], dtype=float)  # (K, cells)
    n_cells, yes_cells = st.fast.counts
    groups = [st.codes >= -1] if st.spec.series_total else []  # the total: every cell
    groups += [st.codes == k for k in range(len(st.order))]
    bad = []
    for cells in groups:
        part = added * cells
        n, yes = part @ n_cells, part @ yes_cells  # (K, categories)
        small = ((n > 0) & (n < 3)) | ((yes > 0) & (yes < 3))
        bad.append(small.any(axis=0))
    return np.concatenate(bad)


def protect(state: dict[str, FigureNumbers], filt: Filter) -> None:
    """Hide, in place, the further values that keep every hidden value of the state from being worked out
    from the shown ones (complementary suppression over the known relations); returns None."""
    keys = [(fid, s, c) for fid, nums in state.items() for s, c in zip(nums.series, nums.category, strict=True)]
    weight = np.concatenate([nums.weight_sum for nums in state.values()])
    hidden = np.concatenate([nums.suppressed for nums in state.values()])
    share = np.concatenate([nums.share for nums in state.values()])
    counts = np.concatenate([nums.n for nums in state.values()])
    cost = np.nan_to_num(share, nan=0.0) + 1e-6 * counts
    extra = disclosure.protect(relations(keys, weight, filt), hidden, cost)
    start = 0
    for nums in state.values():
        nums.hide(extra[start:start + len(nums)], "complementary")
        start += len(nums)


def add_tests(st: FigureSetup, nums: FigureNumbers, est: Estimates) -> None:
    """Set, in place, each bar's p-value and significance: the test between the figure's groups per category,
    left out where a compared value is hidden; returns None."""
    if not st.spec.compare:
        return
    groups = [k for k in range(len(st.order)) if est.n[k].sum() > 0]
    if len(groups) < 2:
        return
    if st.spec.compare == "pair":
        p = difference_test(est, groups[0], groups[1], st.a_h)
    else:
        p = equality_test(est, groups, st.a_h)
    n_cat = st.fast.n_cat
    offset = n_cat if st.spec.series_total else 0
    hidden = np.zeros(n_cat, dtype=bool)
    for k in groups:
        hidden |= nums.suppressed[offset + k * n_cat: offset + (k + 1) * n_cat]
    for i in range(len(nums)):
        c = i % n_cat
        if not hidden[c]:  # no test is reported on a hidden value
            nums.p_value[i] = p[c]
            nums.significant[i] = bool(p[c] < ALPHA)
