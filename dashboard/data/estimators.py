"""Design-based estimates of weighted proportions from a stratified sample.

Every workplace is its own sampling unit. Variances use Taylor linearisation
with strata; all sums are additive over (stratum, group, category) cells, so
:func:`cell_sums` can be computed once on fine cells and any aggregate of it
passed to :func:`estimate_from_sums` (or to the tests of `dashboard.data.significance`) at a cost
independent of the number of respondents.

Intervals follow Korn-Graubard; what may be shown follows Danmarks Statistik's count rule and the NCHS
2017 presentation standard for proportions (`suppression`). With the stratum populations N_h known, every
variance carries the finite population correction (1 - n_h/N_h). Suppressed estimates keep their numeric
share; callers decide how to show them.
"""

from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import sparse, special, stats

MIN_N = 3  # Danmarks Statistik: a value resting on fewer than 3 respondents is not published
# NCHS Data Presentation Standards for Proportions (Parker et al. 2017, Vital Health Stat 2(175)):
MIN_NEFF = 30  # effective sample size below 30: hide
MAX_CI_WIDTH = 0.30  # Korn-Graubard interval 30 points wide or wider: hide
REL_WIDTH_FROM = 0.05  # an interval wider than 5 points ...
MAX_REL_WIDTH = 1.30  # ... and wider than 130 % of the share: hide
MIN_DF = 8  # fewer than 8 degrees of freedom: flag (NCHS asks for a statistical review; the chart says so)
REASONS = ("no_respondents", "n_lt_3", "cell_lt_3", "neff_lt_30", "width_ge_30", "rel_width_gt_130")

SUM_COLUMNS = ["n", "sw", "swy", "sw2", "sw2y", "ny"]  # ny: respondents answering yes (unweighted)


def _levels(values):
    """Integer codes (-1 for NA) and ordered labels: categorical order or first appearance."""
    values = pd.Series(values)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(dtype=np.int64), values.cat.categories
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), pd.Index(uniques)


def cell_sums(indicators, weight, stratum, group):
    """Per-(stratum, group, category) sums needed for all estimates.

    Parameters
    ----------
    indicators : DataFrame
        One column per category with values 0/1, NaN where not answered.
    weight, stratum, group : Series
        Aligned with ``indicators`` (same index or same length). Rows whose
        group is NA are outside every domain.

    Returns
    -------
    DataFrame
        Columns stratum, group, category, n, sw, swy, sw2, sw2y, ny; only cells
        with n > 0. ``group`` and ``category`` are categoricals keeping the
        group order and the indicator column order.
    """
    for col in (weight, stratum, group):
        if len(col) != len(indicators) or (isinstance(col, pd.Series) and not col.index.equals(indicators.index)):
            raise ValueError("weight, stratum and group must be aligned with indicators")
    y = indicators.to_numpy(dtype=float, na_value=np.nan)
    if not np.isin(y[~np.isnan(y)], (0.0, 1.0)).all():
        raise ValueError("indicators must be 0, 1 or NaN")
    w = np.asarray(weight, dtype=float)
    if not (np.isfinite(w) & (w > 0)).all():
        raise ValueError("weights must be positive and finite")
    h, strata = pd.factorize(pd.Series(stratum), sort=False)
    if (h < 0).any():
        raise ValueError("stratum must not be missing")
    g, groups = _levels(group)
    valid = g >= 0
    cells, row_cell = np.unique(g[valid] * len(strata) + h[valid], return_inverse=True)
    onehot = sparse.csr_array((np.ones(len(row_cell)), (row_cell, np.arange(len(row_cell)))),
                              shape=(len(cells), len(row_cell)))
    y, w = y[valid], w[valid][:, None]
    answered = ~np.isnan(y)
    y = np.where(answered, y, 0.0)
    mats = [onehot @ m for m in (answered * 1.0, answered * w, y * w, answered * w**2, y * w**2, y * 1.0)]
    cell, cc = np.nonzero(mats[0] > 0)
    gc, hc = np.divmod(cells[cell], len(strata))
    order = np.lexsort((hc, cc, gc))
    cell, cc, gc, hc = cell[order], cc[order], gc[order], hc[order]
    s = np.column_stack([m[cell, cc] for m in mats])
    out = pd.DataFrame({
        "stratum": strata.take(hc),
        "group": pd.Categorical.from_codes(gc, categories=groups),
        "category": pd.Categorical.from_codes(cc, categories=pd.Index(indicators.columns)),
    })
    for j, name in enumerate(SUM_COLUMNS):
        out[name] = s[:, j].round().astype(np.int64) if name in ("n", "ny") else s[:, j]
    return out


def _sizes(sizes, strata) -> np.ndarray:
    """Return the values of a per-stratum Series or mapping for `strata` (NaN where unknown)."""
    sizes = sizes if isinstance(sizes, pd.Series) else pd.Series(sizes, dtype=float)
    return sizes.reindex(strata).to_numpy(dtype=float)


def stratum_factors(n_h, big_n=None) -> np.ndarray:
    """Return each stratum's variance factor (1 - n_h/N_h) n_h/(n_h - 1): 0 for a stratum of one row,
    no finite population correction where N_h is unknown (NaN or None).

    >>> stratum_factors(np.array([4.0, 1.0, 10.0]), np.array([8.0, 5.0, np.nan])).tolist()
    [0.6666666666666666, 0.0, 1.1111111111111112]
    """
    n_h = np.asarray(n_h, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(n_h > 1, n_h / (n_h - 1), 0.0)
        if big_n is not None:
            big_n = np.asarray(big_n, dtype=float)
            f = f * np.where(np.isfinite(big_n) & (big_n > 0), np.clip(1 - n_h / big_n, 0.0, 1.0), 1.0)
    return f


def _prepare(sums, stratum_sizes, stratum_population=None):
    """Aggregate sums to unique cells and compute per-domain share and variance."""
    g, groups = _levels(sums["group"])
    c, cats = _levels(sums["category"])
    values = sums.reindex(columns=SUM_COLUMNS).to_numpy(dtype=float)  # ny may be absent: unknown
    keep = (g >= 0) & (c >= 0) & (values[:, 0] > 0)
    h, strata = pd.factorize(sums["stratum"][keep], sort=False)
    nh_str = _sizes(stratum_sizes, strata)
    if np.isnan(nh_str).any() or (h < 0).any():
        raise ValueError("every stratum in sums needs a size in stratum_sizes")
    big_n = None if stratum_population is None else _sizes(stratum_population, strata)
    n_cat, n_str, n_dom = len(cats), len(strata), len(groups) * len(cats)
    uniq, inv = np.unique((g[keep] * n_cat + c[keep]) * n_str + h, return_inverse=True)
    d, hc = np.divmod(uniq, n_str)  # domain (group * n_cat + category) and stratum of each cell
    n, sw, swy, sw2, sw2y, ny = (np.bincount(inv, weights=col, minlength=len(uniq)) for col in values[keep].T)
    dom = {k: np.bincount(d, weights=v, minlength=n_dom) for k, v in (("n", n), ("w", sw), ("wy", swy), ("ny", ny))}
    with np.errstate(divide="ignore", invalid="ignore"):
        p = dom["wy"] / dom["w"]
        pc, wc = p[d], dom["w"][d]
        s1 = (swy - pc * sw) / wc
        s2 = (sw2y * (1 - 2 * pc) + pc**2 * sw2) / wc**2
    f_str = stratum_factors(nh_str, big_n)
    spread = s2 - s1**2 / nh_str[hc]  # sum_i (z_i - mean_h z)^2 of each cell's stratum, without its factor
    v = np.bincount(d, weights=f_str[hc] * spread, minlength=n_dom)
    v = np.where(dom["n"] > 0, np.maximum(v, 0.0), np.nan)
    if big_n is None:
        fpc_ratio = np.ones(n_dom)
    else:  # variance with the finite population correction over the variance without it
        v0 = np.bincount(d, weights=stratum_factors(nh_str)[hc] * spread, minlength=n_dom)
        with np.errstate(divide="ignore", invalid="ignore"):
            fpc_ratio = np.where(v0 > 0, np.maximum(v, 0.0) / v0, 1.0)
    n_strata = np.bincount(d, minlength=n_dom)
    return SimpleNamespace(groups=groups, cats=cats, cat_sums=sums["category"], grp_sums=sums["group"],
                           d=d, h=hc, s1=s1, n_str=n_str, a_str=f_str / nh_str,
                           p=p, v=v, fpc_ratio=fpc_ratio, n=dom["n"].round().astype(np.int64), w=dom["w"],
                           n_strata=n_strata,
                           ny=dom["ny"])


def _labels(levels, codes, like):
    """Labels for ``codes``, categorical if the source column was categorical."""
    if isinstance(pd.Series(like).dtype, pd.CategoricalDtype):
        return pd.Categorical.from_codes(codes, categories=levels)
    return levels.take(codes)


def korn_graubard_interval(p, variance, n, df, level=0.95, fpc_ratio=None):
    """Korn-Graubard confidence interval for a proportion (vectorised).

    The effective sample size is p(1-p) over the variance without the finite population correction,
    capped at ``n`` as the NCHS standard does (``n`` itself when that variance is 0 or p is 0 or 1),
    then divided by ``fpc_ratio``, the variance with the correction over the variance without it
    (1, the default, when no correction applies): sampling a large part of a stratum narrows the
    interval, while the cap still keeps a design effect below 1 from chance out of it.

    Returns
    -------
    low, high, n_eff : ndarray
        Interval limits and the effective sample size (infinite when the correction leaves no variance).
    """
    ratio_fpc = np.ones_like(np.asarray(p, dtype=float)) if fpc_ratio is None else fpc_ratio
    p, v, n, df, ratio_fpc = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (p, variance, n, df,
                                                                                        ratio_fpc)))
    alpha = 1.0 - level
    q = 1.0 - alpha / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = (p > 0) & (p < 1)
        ratio_fpc = np.where(inside, ratio_fpc, 1.0)
        v0 = v / ratio_fpc
        n_eff = np.where((v0 > 0) & inside, p * (1 - p) / v0, n)
        n_eff = np.where(np.isnan(v), np.nan, np.minimum(n_eff, n) / ratio_fpc)
        # scipy.special's ufuncs are what stats.t.ppf and stats.beta.ppf call, without their per-call overhead
        ratio = special.stdtrit(np.maximum(n - 1, 1), q) / special.stdtrit(np.maximum(df, 1), q)
        n_star = n_eff * np.where(n > 1, ratio**2, 1.0)
        x = p * n_star
        low = np.where(p <= 0, 0.0, special.betaincinv(x, n_star - x + 1, alpha / 2))
        high = np.where(p >= 1, 1.0, special.betaincinv(x + 1, n_star - x, q))
    bad = ~(n > 0) | np.isnan(p) | np.isnan(n_eff)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high), np.where(n > 0, n_eff, np.nan)


def wilson_interval(p, n_eff, level=0.95):
    """Wilson score interval using an effective sample size (fallback method).

    Returns
    -------
    low, high : ndarray
        Interval limits; NaN where ``n_eff`` is not positive.
    """
    p, m = np.broadcast_arrays(np.asarray(p, dtype=float), np.asarray(n_eff, dtype=float))
    z2 = stats.norm.ppf(1 - (1 - level) / 2) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(m > 0, m, np.nan)
        centre = (p + z2 / (2 * m)) / (1 + z2 / m)
        half = np.sqrt(z2 * p * (1 - p) / m + z2**2 / (4 * m**2)) / (1 + z2 / m)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def suppression(n, n_eff, ci_low, ci_high, n_yes=None, df=None, share=None):
    """Apply the presentation rules to estimates (shares and bounds as proportions).

    Hidden, in this order of reasons: nobody in the base ("no_respondents"); fewer than MIN_N
    respondents behind the base ("n_lt_3") or the value (1 or 2 answering yes, "cell_lt_3"), Danmarks
    Statistik's count rule; then the NCHS standard: effective n below MIN_NEFF or unknown
    ("neff_lt_30"), an interval MAX_CI_WIDTH wide or wider ("width_ge_30"), an interval wider than
    REL_WIDTH_FROM and than MAX_REL_WIDTH times the share ("rel_width_gt_130").
    Flagged, not hidden: fewer than MIN_DF degrees of freedom.

    Returns
    -------
    suppressed : ndarray of bool
    reason : ndarray of object
        One of REASONS, or None where the value is shown.
    flagged : ndarray of bool

    Examples
    --------
    >>> hidden, reason, flagged = suppression([2, 40, 40, 40], [2, 35, 35, 35], [0.1, 0.02, 0.3, 0.40],
    ...                                       [0.9, 0.09, 0.62, 0.55], share=[0.5, 0.04, 0.45, 0.47], df=[1, 30, 30, 6])
    >>> hidden.tolist(), reason.tolist(), flagged.tolist()
    ([True, True, True, False], ['n_lt_3', 'rel_width_gt_130', 'width_ge_30', None], [False, False, False, True])
    """
    n, n_eff = np.asarray(n, dtype=float), np.asarray(n_eff, dtype=float)
    yes = np.full(n.shape, np.nan) if n_yes is None else np.asarray(n_yes, dtype=float)
    low, high = np.asarray(ci_low, dtype=float), np.asarray(ci_high, dtype=float)
    p = (low + high) / 2 if share is None else np.asarray(share, dtype=float)
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(p > 0, width / p, np.inf)
    rules = [
        ("no_respondents", ~(n > 0)),
        ("n_lt_3", ~(n >= MIN_N)),
        ("cell_lt_3", (yes > 0) & (yes < MIN_N)),
        ("neff_lt_30", ~(n_eff >= MIN_NEFF)),
        ("width_ge_30", width >= MAX_CI_WIDTH - 1e-12),
        ("rel_width_gt_130", (width > REL_WIDTH_FROM) & (relative > MAX_REL_WIDTH)),
    ]
    reason = np.full(n.shape, None, dtype=object)
    suppressed = np.zeros(n.shape, dtype=bool)
    for name, hit in rules:
        new = hit & ~suppressed
        reason[new] = name
        suppressed |= hit
    flagged = np.zeros(n.shape, dtype=bool) if df is None else ~suppressed & (np.asarray(df, dtype=float) < MIN_DF)
    return suppressed, reason, flagged


def estimate_from_sums(sums, stratum_sizes, level=0.95, stratum_population=None):
    """Shares, variances, intervals and suppression for every (group, category).

    Parameters
    ----------
    sums : DataFrame
        Output of :func:`cell_sums`, or any aggregate of it (rows with equal
        stratum, group and category are summed).
    stratum_sizes : Series or mapping
        Number of sampled rows per stratum in the whole sample (n_h).
    stratum_population : Series or mapping, optional
        Workplaces per stratum in the population (N_h); with it every variance has the
        finite population correction 1 - n_h/N_h (strata without a value: none).

    Returns
    -------
    DataFrame
        One row per group x category (all levels, empty domains included), in
        categorical order or else order of first appearance in ``sums``:
        group, category, share, variance, se, ci_low, ci_high, n, n_eff, df,
        weight_sum, suppressed, reason, flagged. Shares are proportions.
        Empty domains have NaN share and are suppressed.
    """
    r = _prepare(sums, stratum_sizes, stratum_population)
    df = np.maximum(r.n - r.n_strata, 1)
    low, high, n_eff = korn_graubard_interval(r.p, r.v, r.n, df, level, r.fpc_ratio)
    suppressed, reason, flagged = suppression(r.n, n_eff, low, high, r.ny, df=df, share=r.p)
    gcode, ccode = np.divmod(np.arange(len(r.p)), len(r.cats))
    return pd.DataFrame({
        "group": _labels(r.groups, gcode, r.grp_sums), "category": _labels(r.cats, ccode, r.cat_sums),
        "share": r.p, "variance": r.v, "se": np.sqrt(r.v), "ci_low": low, "ci_high": high,
        "n": r.n, "n_yes": r.ny, "n_eff": n_eff, "df": df, "weight_sum": r.w,
        "suppressed": suppressed, "reason": reason, "flagged": flagged,
    })


def estimate(indicators, weight, stratum, group, level=0.95, stratum_sizes=None, stratum_population=None):
    """Estimate shares directly from microdata.

    Returns
    -------
    DataFrame
        As :func:`estimate_from_sums`; stratum sizes default to the row counts
        of ``stratum`` (all rows, including those outside every domain).
    """
    if stratum_sizes is None:
        stratum_sizes = pd.Series(stratum).value_counts()
    return estimate_from_sums(cell_sums(indicators, weight, stratum, group), stratum_sizes, level, stratum_population)
