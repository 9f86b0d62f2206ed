"""Row-level references for the design-based estimators and tests: the literal linearised values z_i,
one row at a time, their stratified covariance, and a random stratified sample with missing answers."""

import numpy as np
import pandas as pd


def ref_z(y, w, in_domain):
    """Linearised values z_i for a domain; returns share and z for all rows."""
    dom = in_domain & ~np.isnan(y)
    total = w[dom].sum()
    p = (w[dom] * y[dom]).sum() / total
    z = np.zeros(len(y))
    for i in range(len(y)):
        if dom[i]:
            z[i] = w[i] * (y[i] - p) / total
    return p, z


def ref_cov(za, zb, strata):
    """sum_h n_h/(n_h-1) sum_{i in h} (za_i - mean_h za)(zb_i - mean_h zb)."""
    total = 0.0
    for h in pd.unique(strata):
        rows = [i for i in range(len(strata)) if strata[i] == h]
        nh = len(rows)
        if nh < 2:
            continue
        ma = sum(za[i] for i in rows) / nh
        mb = sum(zb[i] for i in rows) / nh
        total += nh / (nh - 1) * sum((za[i] - ma) * (zb[i] - mb) for i in rows)
    return total


def random_sample(seed, n=400, n_cat=3):
    rng = np.random.default_rng(seed)
    y = rng.binomial(1, rng.uniform(0.1, 0.9, n_cat), size=(n, n_cat)).astype(float)
    y[rng.random((n, n_cat)) < 0.1] = np.nan
    indicators = pd.DataFrame(y, columns=[f"cat{j}" for j in range(n_cat)])
    weight = pd.Series(rng.lognormal(1.0, 0.8, n))
    strata = rng.choice([f"s{k}" for k in range(8)], n)
    strata[0] = "singleton"  # stratum with one row contributes nothing
    stratum = pd.Series(strata)
    group = pd.Series(rng.choice(["A", "B", "C", None], n, p=[0.35, 0.3, 0.25, 0.1]), dtype=object)
    return indicators, weight, stratum, group
