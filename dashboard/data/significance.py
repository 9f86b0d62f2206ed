"""Design-based tests of equal shares in disjoint groups, per category, from the additive cell sums of
`dashboard.data.estimators`: a t test for two groups (`difference_test`) and the adjusted Wald F test
(Korn and Graubard) for k groups (`equality_test`, `adjusted_wald`).

Groups of one ``group`` column are disjoint by construction, so the covariance of their shares follows
from the per-stratum sums; with the stratum populations known it carries the finite population correction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from .estimators import _labels, _levels, _prepare


def _joint(sums, stratum_sizes, labels, stratum_population=None):
    """Shares (C, k), covariance (C, k, k) and df (C,) of k disjoint groups per category."""
    r = _prepare(sums, stratum_sizes, stratum_population)
    idx = np.array([r.groups.get_loc(lab) for lab in labels])
    n_cat, k = len(r.cats), len(idx)
    pos = np.full(len(r.groups), -1)
    pos[idx] = np.arange(k)
    gc, cc = np.divmod(r.d, n_cat)
    m = pos[gc] >= 0
    s1 = np.zeros((n_cat, k, r.n_str))
    s1[cc[m], pos[gc[m]], r.h[m]] = np.nan_to_num(r.s1[m])
    seen = np.zeros((n_cat, r.n_str), dtype=bool)
    seen[cc[m], r.h[m]] = True
    dom = idx[None, :] * n_cat + np.arange(n_cat)[:, None]
    cov = -np.einsum("cjh,h,ckh->cjk", s1, r.a_str, s1)
    cov[:, np.arange(k), np.arange(k)] = r.v[dom]
    n_tot = r.n[dom].sum(axis=1)
    return r, r.p[dom], cov, np.maximum(n_tot - seen.sum(axis=1), 1)


def difference_test(sums, stratum_sizes, group_a, group_b, alpha=0.05, stratum_population=None):
    """Design-based t test of equal shares in two disjoint groups, per category.

    Groups of one ``group`` column are disjoint by construction, so the
    covariance of the two shares follows from the per-stratum sums.

    Returns
    -------
    DataFrame
        category, group_a, group_b, diff (share a - share b), se, t, df,
        p_value (two-sided, Student t), significant (p_value < alpha).
    """
    r, p, cov, df = _joint(sums, stratum_sizes, [group_a, group_b], stratum_population)
    diff = p[:, 0] - p[:, 1]
    se = np.sqrt(np.maximum(cov[:, 0, 0] + cov[:, 1, 1] - 2 * cov[:, 0, 1], 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / se
    p_value = 2 * stats.t.sf(np.abs(t), df)
    return pd.DataFrame({
        "category": _labels(r.cats, np.arange(len(r.cats)), r.cat_sums), "group_a": group_a,
        "group_b": group_b, "diff": diff, "se": se, "t": t, "df": df, "p_value": p_value,
        "significant": p_value < alpha,
    })


def adjusted_wald(p, cov, df):
    """Return the adjusted Wald F statistic (Korn and Graubard), its denominator df and its p-value, per
    category, of equal shares: ``p`` (categories x k groups), ``cov`` (categories x k x k), ``df`` the
    design degrees of freedom. F = (df - k + 2) / (df (k - 1)) W on (k - 1, df - k + 2) degrees of freedom.
    """
    k = p.shape[1]
    contrast = np.hstack([np.eye(k - 1), -np.ones((k - 1, 1))])
    wald = np.full(len(p), np.nan)
    for i in range(len(p)):
        d = contrast @ p[i]
        if np.isfinite(d).all():
            try:
                wald[i] = d @ np.linalg.solve(contrast @ cov[i] @ contrast.T, d)
            except np.linalg.LinAlgError:
                pass
    df_den = np.maximum(df - k + 2, 1)
    f_stat = wald * df_den / (df * (k - 1))
    return f_stat, df_den, special.fdtrc(k - 1, df_den, f_stat)  # stats.f.sf, as a ufunc


def equality_test(sums, stratum_sizes, groups=None, alpha=0.05, stratum_population=None):
    """Design-based Wald F test that k disjoint groups have equal shares, per category.

    Returns
    -------
    DataFrame
        category, groups (tuple of labels; default all groups present in
        ``sums``), wald_f (adjusted Wald F), df_num (k-1), df_den (df-k+2),
        p_value (F distribution), significant.
    """
    if groups is None:  # groups with at least one respondent, in group order
        codes, levels = _levels(sums["group"])
        groups = list(levels.take(np.unique(codes[(codes >= 0) & (sums["n"].to_numpy() > 0)])))
    if len(groups) < 2:
        raise ValueError("equality_test needs at least two groups")
    r, p, cov, df = _joint(sums, stratum_sizes, groups, stratum_population)
    k = len(groups)
    f_stat, df_den, p_value = adjusted_wald(p, cov, df)
    return pd.DataFrame({
        "category": _labels(r.cats, np.arange(len(r.cats)), r.cat_sums),
        "groups": [tuple(groups)] * len(r.cats), "wald_f": f_stat, "df_num": k - 1, "df_den": df_den,
        "p_value": p_value, "significant": p_value < alpha,
    })
