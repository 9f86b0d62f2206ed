"""Tests for dashboard.data.significance against closed forms and row-level references."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.data import estimators as est
from dashboard.data import significance as sig
from tests.design_reference import random_sample, ref_cov, ref_z


# ----------------------------------------------------------------------------
# Against the row-level reference
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [4, 5])
def test_difference_test_matches_row_level_reference(seed):
    indicators, weight, stratum, group = random_sample(seed)
    sums = est.cell_sums(indicators, weight, stratum, group)
    res = sig.difference_test(sums, stratum.value_counts(), "A", "C")
    w, strata, g = weight.to_numpy(), stratum.to_numpy(), group.to_numpy()
    assert list(res["category"]) == list(indicators.columns)
    for _, row in res.iterrows():
        y = indicators[row["category"]].to_numpy()
        in_a, in_c = g == "A", g == "C"
        pa, za = ref_z(y, w, in_a)
        pc, zc = ref_z(y, w, in_c)
        dz = za - zc
        assert row["diff"] == pytest.approx(pa - pc, rel=1e-12)
        assert row["se"] ** 2 == pytest.approx(ref_cov(dz, dz, strata), rel=1e-12)
        union = (in_a | in_c) & ~np.isnan(y)
        assert row["df"] == union.sum() - len(set(strata[union]))
        assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(row["t"]), row["df"]), rel=1e-12)


def two_group_sums(rate_a, rate_b, n=40):
    """Two groups across two strata with deterministic 0/1 patterns."""
    def pattern(rate):
        return (np.arange(n) % 10 < rate * 10).astype(float)
    y = np.concatenate([pattern(rate_a), pattern(rate_b)])
    w = np.tile(np.linspace(1.0, 3.0, n), 2)
    stratum = pd.Series(np.tile(np.where(np.arange(n) % 2 == 0, "h1", "h2"), 2))
    group = pd.Series(["A"] * n + ["B"] * n)
    return est.cell_sums(pd.DataFrame({"x": y}), pd.Series(w), stratum, group), stratum.value_counts()


def test_difference_test_detects_clear_difference():
    sums, sizes = two_group_sums(0.8, 0.2)
    row = sig.difference_test(sums, sizes, "A", "B").iloc[0]
    assert row["diff"] > 0.5 and bool(row["significant"])
    assert row["df"] == 80 - 2
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(row["t"]), row["df"]), rel=1e-12)


def test_difference_test_identical_rates_not_significant():
    sums, sizes = two_group_sums(0.5, 0.5)
    row = sig.difference_test(sums, sizes, "A", "B").iloc[0]
    assert row["diff"] == pytest.approx(0.0, abs=1e-14)
    assert row["p_value"] == pytest.approx(1.0) and not row["significant"]


def test_equality_test_two_groups_equals_t_squared():
    indicators, weight, stratum, group = random_sample(9)
    sums = est.cell_sums(indicators, weight, stratum, group)
    sizes = stratum.value_counts()
    diff = sig.difference_test(sums, sizes, "B", "A")
    eq = sig.equality_test(sums, sizes, ["B", "A"])
    np.testing.assert_allclose(eq["wald_f"], diff["t"] ** 2, rtol=1e-10)
    np.testing.assert_allclose(eq["p_value"], diff["p_value"], rtol=1e-8)
    assert (eq["df_num"] == 1).all() and (eq["df_den"] == diff["df"]).all()


def test_equality_test_three_groups_matches_row_level_wald():
    indicators, weight, stratum, group = random_sample(10)
    sums = est.cell_sums(indicators, weight, stratum, group)
    res = sig.equality_test(sums, stratum.value_counts(), ["A", "B", "C"])
    w, strata, g = weight.to_numpy(), stratum.to_numpy(), group.to_numpy()
    for i, cat in enumerate(indicators.columns):
        y = indicators[cat].to_numpy()
        ps, zs = zip(*(ref_z(y, w, g == lab) for lab in "ABC"))
        cov = np.array([[ref_cov(zs[j], zs[k], strata) for k in range(3)] for j in range(3)])
        contrast = np.array([[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]])
        d = contrast @ np.array(ps)
        wald = d @ np.linalg.solve(contrast @ cov @ contrast.T, d)
        df = res["df_den"].iloc[i] + 3 - 2  # df_den = design df - k + 2
        assert res["wald_f"].iloc[i] == pytest.approx(wald * (df - 1) / (df * 2), rel=1e-9)
        assert res["groups"].iloc[i] == ("A", "B", "C") and res["df_num"].iloc[i] == 2


def test_fpc_applies_to_the_difference_test():
    rng = np.random.default_rng(5)
    n = 300
    strata = pd.Series(rng.choice(["a", "b", "c"], n))
    y = pd.DataFrame({"x": rng.binomial(1, 0.5, n).astype(float)})
    group = pd.Series(rng.choice(["A", "B"], n))
    sums = est.cell_sums(y, pd.Series(np.full(n, 2.0)), strata, group)
    sizes = strata.value_counts()
    plain = sig.difference_test(sums, sizes, "A", "B")["se"].iloc[0]
    corrected = sig.difference_test(sums, sizes, "A", "B", stratum_population=sizes * 2)["se"].iloc[0]
    # N_h = 2 n_h: every stratum's variance halves, so the standard error shrinks by sqrt(2)
    assert corrected == pytest.approx(plain / np.sqrt(2), rel=1e-12)
