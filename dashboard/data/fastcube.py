"""The fast path for the numbers: a cube's sums as numpy arrays, estimated for any selection of cells.

`Cube` (cube.py) keeps its per-(cell, stratum, category) sums in a DataFrame and answers a filter with
pandas; here the same sums are arrays indexed once, and a selection is a vector giving each fine cell
its series (or -1: outside). An estimate is then a handful of bincounts and array operations, with no
per-request pandas: shares, stratified Taylor variances with the finite population correction, the
Korn-Graubard interval, the presentation rules, and the design-based tests between series. The
results equal `Cube.estimate` and `significance.difference_test` / `equality_test` to 1e-12
(tests/test_fastcube.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from . import estimators, significance
from .cube import Cube


@dataclass(frozen=True)
class Sums:
    """Shares, variances and counts per (series, category), before the interval and the rules (see `finish`)."""

    share: np.ndarray
    variance: np.ndarray
    fpc_ratio: np.ndarray
    n: np.ndarray
    n_yes: np.ndarray
    df: np.ndarray
    weight_sum: np.ndarray
    s1: np.ndarray
    present: np.ndarray


@dataclass(frozen=True)
class Estimates:
    """Estimates per (series, category), as (n_series, n_categories) arrays; shares as proportions."""

    share: np.ndarray
    variance: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    n: np.ndarray
    n_yes: np.ndarray
    n_eff: np.ndarray
    df: np.ndarray
    weight_sum: np.ndarray
    suppressed: np.ndarray
    reason: np.ndarray  # object: a rule of estimators.REASONS, or None
    flagged: np.ndarray
    s1: np.ndarray  # (n_series, n_categories, n_strata): per-stratum sums of z, for the tests between series
    present: np.ndarray  # (n_series, n_categories, n_strata): the stratum has respondents in the domain


class FastCube:
    """One figure's sums as arrays: row r is cell `cell[r]`, stratum `stratum[r]`, category `category[r]`."""

    def __init__(self, cube: Cube, strata: list[str] | None = None):
        sums = cube.sums
        strata = strata if strata is not None else list(cube.stratum_sizes.index)
        position = {s: i for i, s in enumerate(strata)}
        self.cell = sums["cell"].to_numpy(dtype=np.int64)
        self.stratum = np.array([position[s] for s in sums["stratum"]], dtype=np.int64)
        cats = {c: i for i, c in enumerate(cube.categories)}
        self.category = np.array([cats[str(c)] for c in sums["category"]], dtype=np.int64)
        self.values = sums[estimators.SUM_COLUMNS].to_numpy(dtype=float)
        self.columns = [np.ascontiguousarray(col) for col in self.values.T]
        self.n_cells = len(cube.cells)
        self.n_cat, self.n_str = len(cube.categories), len(strata)
        n_h = cube.stratum_sizes.reindex(strata).to_numpy(dtype=float)
        big_n = cube.stratum_population.reindex(strata).to_numpy(dtype=float)
        self.n_h = n_h
        self.factor = estimators.stratum_factors(n_h, big_n)  # with the finite population correction
        self.factor0 = estimators.stratum_factors(n_h)  # without it
        self.counts = self._cell_counts()

    def _cell_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (answering, answering yes) respondents per (fine cell, category)."""
        index = self.cell * self.n_cat + self.category
        size = self.n_cells * self.n_cat
        n = np.bincount(index, weights=self.values[:, 0], minlength=size).reshape(self.n_cells, self.n_cat)
        yes = np.bincount(index, weights=self.values[:, 5], minlength=size).reshape(self.n_cells, self.n_cat)
        return n, yes

    def estimate(self, cell_series: np.ndarray, n_series: int, level: float = 0.95) -> Estimates:
        """Return the estimates of every (series, category) for `cell_series`: each fine cell's series index,
        -1 for the cells outside the selection."""
        return finish([self.sums(cell_series, n_series)], level)[0]

    def sums(self, cell_series: np.ndarray, n_series: int) -> Sums:
        """Return the shares, variances and counts of every (series, category) for `cell_series` (see `estimate`)."""
        g = cell_series[self.cell]
        size = n_series * self.n_cat * self.n_str
        # rows outside the selection count in one extra bucket, dropped: no copy of the selected rows is made
        key = np.where(g >= 0, (g * self.n_cat + self.category) * self.n_str + self.stratum, size)
        shape = (n_series, self.n_cat, self.n_str)
        n, sw, swy, sw2, sw2y, ny = (np.bincount(key, weights=col, minlength=size + 1)[:size].reshape(shape)
                                     for col in self.columns)
        present = n > 0
        dom_n, dom_w, dom_wy, dom_ny = n.sum(axis=2), sw.sum(axis=2), swy.sum(axis=2), ny.sum(axis=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = dom_wy / dom_w
            pc, wc = p[:, :, None], dom_w[:, :, None]
            s1 = np.where(present, (swy - pc * sw) / wc, 0.0)
            s2 = np.where(present, (sw2y * (1 - 2 * pc) + pc**2 * sw2) / wc**2, 0.0)
            spread = np.where(present, s2 - s1**2 / self.n_h, 0.0)
        v = (spread * self.factor).sum(axis=2)
        v = np.where(dom_n > 0, np.maximum(v, 0.0), np.nan)
        v0 = (spread * self.factor0).sum(axis=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            fpc_ratio = np.where(v0 > 0, np.maximum(v, 0.0) / v0, 1.0)
        counts = np.round(dom_n).astype(np.int64)
        df = np.maximum(counts - present.sum(axis=2), 1)
        return Sums(p, v, fpc_ratio, counts, dom_ny, df, dom_w, s1, present)

    def covariance_terms(self) -> np.ndarray:
        """Return a_h = f_h / n_h per stratum: the covariance of two disjoint domains is -sum_h a_h s1_a s1_b."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.n_h > 0, self.factor / self.n_h, 0.0)


def finish(parts: list[Sums], level: float = 0.95) -> list[Estimates]:
    """Return the estimates of several `Sums` (of one figure or of many): Korn-Graubard intervals and the
    presentation rules, computed for all of them in one pass."""
    def flat(attr):
        return np.concatenate([getattr(s, attr).ravel() for s in parts])

    p, v, n, df = flat("share"), flat("variance"), flat("n"), flat("df")
    low, high, n_eff = estimators.korn_graubard_interval(p, v, n, df, level, flat("fpc_ratio"))
    suppressed, reason, flagged = estimators.suppression(n, n_eff, low, high, flat("n_yes"), df=df, share=p)
    out, start = [], 0
    for s in parts:
        size, shape = s.share.size, s.share.shape

        def cut(values, size=size, shape=shape, start=start):
            return values[start:start + size].reshape(shape)

        out.append(Estimates(s.share, s.variance, cut(low), cut(high), s.n, s.n_yes, cut(n_eff), s.df, s.weight_sum,
                             cut(suppressed), cut(reason), cut(flagged), s.s1, s.present))
        start += size
    return out


def _joint(est: Estimates, groups: list[int], a_h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return shares (C, k), covariance (C, k, k) and degrees of freedom (C,) of the series `groups`."""
    s1 = est.s1[groups].transpose(1, 0, 2)  # (C, k, H)
    cov = -np.einsum("cjh,h,ckh->cjk", s1, a_h, s1)
    k = len(groups)
    cov[:, np.arange(k), np.arange(k)] = est.variance[groups].T
    seen = est.present[groups].any(axis=0).sum(axis=1)
    n_tot = est.n[groups].sum(axis=0)
    return est.share[groups].T, cov, np.maximum(n_tot - seen, 1)


def difference_test(est: Estimates, a: int, b: int, a_h: np.ndarray) -> np.ndarray:
    """Return the two-sided p-value per category of the t test that series `a` and `b` have equal shares."""
    p, cov, df = _joint(est, [a, b], a_h)
    se = np.sqrt(np.maximum(cov[:, 0, 0] + cov[:, 1, 1] - 2 * cov[:, 0, 1], 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (p[:, 0] - p[:, 1]) / se
    return 2 * special.stdtr(df, -np.abs(t))  # stats.t.sf(|t|, df), as a ufunc


def equality_test(est: Estimates, groups: list[int], a_h: np.ndarray) -> np.ndarray:
    """Return the p-value per category of the adjusted Wald F test that the series `groups` have equal shares."""
    p, cov, df = _joint(est, groups, a_h)
    return significance.adjusted_wald(p, cov, df)[2]
