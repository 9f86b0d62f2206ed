"""Tests for dashboard.data.estimators against closed forms and row-level references."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from dashboard.data import estimators as est
from tests.design_reference import random_sample, ref_cov, ref_z


# ----------------------------------------------------------------------------
# Closed forms and hand-computed examples
# ----------------------------------------------------------------------------
def test_unweighted_single_stratum_closed_form():
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    res = est.estimate(pd.DataFrame({"x": y}), pd.Series(np.ones(10)), pd.Series(["h"] * 10),
                       pd.Series(["g"] * 10))
    row = res.iloc[0]
    p = y.mean()
    assert row["share"] == pytest.approx(p, abs=1e-15)
    assert row["variance"] == pytest.approx(p * (1 - p) / (len(y) - 1), rel=1e-12)
    assert row["n"] == 10 and row["df"] == 9
    assert row["n_eff"] == pytest.approx(9.0, rel=1e-12)


def test_two_strata_unequal_weights_hand_computed():
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
    strata = np.array(["A", "A", "A", "B", "B"])
    res = est.estimate(pd.DataFrame({"x": y}), pd.Series(w), pd.Series(strata), pd.Series(["g"] * 5))
    p_ref, z = ref_z(y, w, np.ones(5, dtype=bool))
    # By hand: W = 15, p = 9/15, v = (3/2 * 672/225 + 2 * 9.68) / 225 = 596/5625
    assert res["share"].iloc[0] == pytest.approx(0.6, rel=1e-14)
    assert res["variance"].iloc[0] == pytest.approx(596 / 5625, rel=1e-12)
    assert res["variance"].iloc[0] == pytest.approx(ref_cov(z, z, strata), rel=1e-12)
    assert p_ref == pytest.approx(0.6)
    assert res["df"].iloc[0] == 3 and res["weight_sum"].iloc[0] == pytest.approx(15.0)


# ----------------------------------------------------------------------------
# Random data against the row-level reference
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_variance_matches_row_level_reference(seed):
    indicators, weight, stratum, group = random_sample(seed)
    res = est.estimate(indicators, weight, stratum, group)
    w, strata, g = weight.to_numpy(), stratum.to_numpy(), group.to_numpy()
    assert len(res) == 3 * 3
    for _, row in res.iterrows():
        y = indicators[row["category"]].to_numpy()
        in_dom = np.array([x == row["group"] for x in g])
        p, z = ref_z(y, w, in_dom)
        dom = in_dom & ~np.isnan(y)
        assert row["share"] == pytest.approx(p, rel=1e-12)
        assert row["variance"] == pytest.approx(ref_cov(z, z, strata), rel=1e-12, abs=1e-15)
        assert row["n"] == dom.sum()
        assert row["df"] == dom.sum() - len(set(strata[dom]))


def test_korn_graubard_equals_clopper_pearson_when_design_is_srs():
    rng = np.random.default_rng(7)
    n = rng.integers(5, 300, 200)
    x = rng.integers(0, n + 1)
    x[:3], n[:3] = [0, 12, 40], [10, 12, 40]  # include p = 0 and p = 1
    p = x / n
    variance = p * (1 - p) / n
    low, high, n_eff = est.korn_graubard_interval(p, variance, n, n - 1, level=0.95)
    ref_low, ref_high = proportion_confint(x, n, alpha=0.05, method="beta")
    np.testing.assert_allclose(low, ref_low, atol=1e-9)
    np.testing.assert_allclose(high, ref_high, atol=1e-9)
    np.testing.assert_allclose(n_eff, n, rtol=1e-12)


def test_korn_graubard_few_degrees_of_freedom_widens_interval():
    p, v, n = np.array([0.3]), np.array([0.3 * 0.7 / 100]), np.array([100])
    lo_full, hi_full, _ = est.korn_graubard_interval(p, v, n, n - 1)
    lo_few, hi_few, _ = est.korn_graubard_interval(p, v, n, np.array([5]))
    ratio = (stats.t.ppf(0.975, 99) / stats.t.ppf(0.975, 5)) ** 2
    n_star = 100 * ratio
    assert lo_few[0] == pytest.approx(stats.beta.ppf(0.025, 0.3 * n_star, 0.7 * n_star + 1), rel=1e-12)
    assert lo_few[0] < lo_full[0] and hi_few[0] > hi_full[0]


def test_wilson_matches_statsmodels():
    rng = np.random.default_rng(11)
    n = rng.integers(1, 500, 200)
    x = rng.integers(0, n + 1)
    low, high = est.wilson_interval(x / n, n, level=0.9)
    ref_low, ref_high = proportion_confint(x, n, alpha=0.1, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)


# ----------------------------------------------------------------------------
# Additivity of the sums
# ----------------------------------------------------------------------------
def test_estimate_from_aggregated_finer_sums_equals_microdata():
    indicators, weight, stratum, group = random_sample(8)
    rng = np.random.default_rng(8)
    sector = pd.Series(rng.choice(["state", "region", "muni"], len(group)), dtype=object)
    fine_group = pd.Series([None if g is None else f"{g}|{s}" for g, s in zip(group, sector)], dtype=object)
    fine = est.cell_sums(indicators, weight, stratum, fine_group)
    coarse = fine.assign(group=fine["group"].astype(str).str.split("|").str[0])
    agg = coarse.groupby(["stratum", "group", "category"], observed=True, as_index=False)[est.SUM_COLUMNS].sum()
    sizes = stratum.value_counts()
    cols = ["share", "variance", "ci_low", "ci_high", "n", "n_eff", "df", "weight_sum"]

    def keyed(frame):
        keys = {"group": frame["group"].astype(str), "category": frame["category"].astype(str)}
        return frame.assign(**keys).set_index(["group", "category"]).sort_index()[cols]

    got = keyed(est.estimate_from_sums(agg, sizes))
    want = keyed(est.estimate(indicators, weight, stratum, group))
    assert len(got) == 9
    pd.testing.assert_frame_equal(got, want, rtol=1e-10)

    # Sums of row subsets may be stacked without aggregating first.
    half = len(weight) // 2
    parts = [est.cell_sums(indicators.iloc[sl], weight.iloc[sl], stratum.iloc[sl], group.iloc[sl])
             for sl in (slice(None, half), slice(half, None))]
    stacked = est.estimate_from_sums(pd.concat(parts, ignore_index=True), sizes)
    direct = est.estimate(indicators, weight, stratum, group)
    pd.testing.assert_frame_equal(stacked[cols].reset_index(drop=True), direct[cols], rtol=1e-10)


# ----------------------------------------------------------------------------
# Suppression, flags, missing answers and ordering
# ----------------------------------------------------------------------------
def test_two_respondents_suppressed_but_share_kept():
    ind = pd.DataFrame({"x": [1.0, 0.0] + [1.0, 0.0] * 20})
    group = pd.Series(["tiny"] * 2 + ["big"] * 40)
    res = est.estimate(ind, pd.Series(np.ones(42)), pd.Series(["h"] * 42), group).set_index("group")
    assert res.loc["tiny", "n"] == 2
    assert res.loc["tiny", "share"] == pytest.approx(0.5)
    assert bool(res.loc["tiny", "suppressed"]) and res.loc["tiny", "reason"] == "n_lt_3"


def test_heavy_weights_give_low_effective_n():
    y = np.array([1.0] + [1.0, 0.0] * 19 + [0.0])
    w = np.array([60.0] + [1.0] * 39)
    res = est.estimate(pd.DataFrame({"x": y}), pd.Series(w), pd.Series(["h"] * 40), pd.Series(["g"] * 40))
    row = res.iloc[0]
    assert row["n"] == 40 and row["n_eff"] < est.MIN_NEFF
    assert bool(row["suppressed"]) and row["reason"] == "neff_lt_30"


def test_interval_of_30_points_or_more_is_hidden():
    # NCHS: an absolute Korn-Graubard width of 30 points or more is suppressed, not only flagged
    y = np.array([1.0, 0.0] * 20)
    res = est.estimate(pd.DataFrame({"x": y}), pd.Series(np.ones(40)), pd.Series(["h"] * 40),
                       pd.Series(["g"] * 40))
    row = res.iloc[0]
    assert row["n_eff"] == pytest.approx(39.0)
    assert row["ci_high"] - row["ci_low"] >= est.MAX_CI_WIDTH
    assert bool(row["suppressed"]) and row["reason"] == "width_ge_30" and not bool(row["flagged"])


def _rules(n=100, n_eff=80.0, low=0.40, high=0.55, yes=45, df=90, share=0.47):
    """Return (suppressed, reason, flagged) of one estimate."""
    hidden, reason, flagged = est.suppression([n], [n_eff], [low], [high], [yes], df=[df], share=[share])
    return bool(hidden[0]), reason[0], bool(flagged[0])


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, (False, None, False)),  # an ordinary estimate is shown
    ({"n": 0, "n_eff": np.nan}, (True, "no_respondents", False)),
    ({"n": 2, "n_eff": 2.0, "yes": 1}, (True, "n_lt_3", False)),  # Danmarks Statistik: base of 2
    ({"yes": 2}, (True, "cell_lt_3", False)),  # the value rests on 2 respondents
    ({"yes": 0, "share": 0.0, "low": 0.0, "high": 0.036}, (False, None, False)),  # 0 % with a narrow interval
    ({"n_eff": 29.9}, (True, "neff_lt_30", False)),  # NCHS rule 1
    ({"n_eff": 30.0}, (False, None, False)),
    ({"low": 0.30, "high": 0.60}, (True, "width_ge_30", False)),  # NCHS rule 2: exactly 30 points
    ({"low": 0.31, "high": 0.60}, (False, None, False)),  # 29 points: shown
    ({"share": 0.04, "low": 0.01, "high": 0.0621}, (True, "rel_width_gt_130", False)),  # 5.2 points = 130.5 %
    ({"share": 0.04, "low": 0.01, "high": 0.0619}, (False, None, False)),  # 5.19 points = 129.75 %
    ({"share": 0.02, "low": 0.005, "high": 0.0549}, (False, None, False)),  # 249 % but only 4.99 points wide
    ({"df": 7}, (False, None, True)),  # NCHS: fewer than 8 degrees of freedom is flagged for review
    ({"df": 8}, (False, None, False)),
])
def test_each_presentation_rule(kwargs, expected):
    assert _rules(**kwargs) == expected


def test_rule_order_names_the_first_rule_broken():
    # a base of 2 also has a low effective n and a wide interval: the count rule is named
    assert _rules(n=2, n_eff=2.0, low=0.0, high=0.9, yes=1, share=0.5)[1] == "n_lt_3"


def test_nan_indicators_excluded_from_denominator():
    ind = pd.DataFrame({"x": [1, 1, 0, np.nan, np.nan, 1, 0, 0, 1, np.nan]})
    w = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    res = est.estimate(ind, w, pd.Series(["h"] * 10), pd.Series(["g"] * 10))
    assert res["n"].iloc[0] == 7
    assert res["weight_sum"].iloc[0] == pytest.approx(36.0)
    assert res["share"].iloc[0] == pytest.approx((1 + 2 + 6 + 9) / 36)


def test_empty_domains_and_order_preserved():
    ind = pd.DataFrame({"zeta": [1.0, 0.0, 1.0, 0.0], "alpha": [np.nan] * 4})
    group = pd.Series(pd.Categorical(["b", "b", "a", "a"], categories=["c", "b", "a"]))
    res = est.estimate(ind, pd.Series(np.ones(4)), pd.Series(["h1", "h1", "h2", "h2"]), group)
    assert list(res["group"].astype(str)) == ["c", "c", "b", "b", "a", "a"]
    assert list(res["category"].astype(str)) == ["zeta", "alpha"] * 3
    empty = res[(res["group"] == "c") | (res["category"] == "alpha")]
    assert len(empty) == 4 and (empty["n"] == 0).all() and empty["share"].isna().all()
    assert empty["suppressed"].all() and (empty["reason"] == "no_respondents").all()
    plain = est.estimate(ind, pd.Series(np.ones(4)), pd.Series(["h"] * 4), pd.Series(["y", "x", "y", "x"]))
    assert list(plain["group"].astype(str)) == ["y", "y", "x", "x"]


# ----------------------------------------------------------------------------
# Significance tests
# ----------------------------------------------------------------------------
# ----------------------------------------------------------------------------
# Finite population correction, against samplics' TaylorEstimator
# ----------------------------------------------------------------------------
def _samplics_proportion(y, w, strata, fpc):
    """Return samplics' (share, standard error) of a 0/1 variable with strata and fpc = {stratum: 1 - n_h/N_h}."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from samplics.estimation import TaylorEstimator
        from samplics.utils.types import PopParam

        taylor = TaylorEstimator(PopParam.prop)
        taylor.estimate(y=y, samp_weight=w, stratum=strata, fpc=fpc, remove_nan=True)
    return taylor.point_est[1.0], taylor.stderror[1.0]


@pytest.mark.parametrize("seed", range(12))
def test_finite_population_correction_equals_samplics(seed):
    rng = np.random.default_rng(100 + seed)
    n_strata = int(rng.integers(3, 12))
    n_h = rng.integers(2, 40, n_strata)
    big_n = n_h + rng.integers(0, 80, n_strata)  # some strata fully enumerated (N_h = n_h)
    strata = np.repeat([f"h{k}" for k in range(n_strata)], n_h)
    n = len(strata)
    y = rng.binomial(1, rng.uniform(0.05, 0.95), n).astype(float)
    w = np.repeat(big_n / n_h, n_h) * rng.uniform(0.7, 1.3, n)
    population = pd.Series(big_n.astype(float), index=[f"h{k}" for k in range(n_strata)])
    res = est.estimate(pd.DataFrame({"x": y}), pd.Series(w), pd.Series(strata), pd.Series(["all"] * n),
                       stratum_population=population).iloc[0]
    fpc = {f"h{k}": 1 - n_h[k] / big_n[k] for k in range(n_strata)}
    share, se = _samplics_proportion(y, w, strata, fpc)
    assert res["share"] == pytest.approx(share, abs=1e-12)
    assert res["se"] == pytest.approx(se, rel=1e-9, abs=1e-12)
    without = est.estimate(pd.DataFrame({"x": y}), pd.Series(w), pd.Series(strata), pd.Series(["all"] * n)).iloc[0]
    assert res["se"] < without["se"]  # some strata are sampled at a high rate: the correction shrinks the SE


@pytest.mark.parametrize("seed", range(6))
def test_finite_population_correction_in_a_domain_equals_samplics(seed):
    # a domain (rows outside it count as zeros of z), as every filtered figure is
    rng = np.random.default_rng(200 + seed)
    n_h = rng.integers(3, 30, 6)
    big_n = n_h * rng.integers(1, 5, 6)
    strata = np.repeat([f"h{k}" for k in range(6)], n_h)
    n = len(strata)
    y = rng.binomial(1, 0.4, n).astype(float)
    w = np.repeat(big_n / n_h, n_h)
    in_domain = rng.random(n) < 0.6
    population = pd.Series(big_n.astype(float), index=[f"h{k}" for k in range(6)])
    group = pd.Series(np.where(in_domain, "d", None), dtype=object)
    res = est.estimate(pd.DataFrame({"x": y}), pd.Series(w), pd.Series(strata), group,
                       stratum_population=population).set_index("group").loc["d"]

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from samplics.estimation import TaylorEstimator
        from samplics.utils.types import PopParam

        taylor = TaylorEstimator(PopParam.prop)
        taylor.estimate(y=y, samp_weight=w, stratum=strata, domain=np.where(in_domain, "d", "other"),
                        fpc={f"h{k}": 1 - n_h[k] / big_n[k] for k in range(6)}, remove_nan=True)
    assert res["share"] == pytest.approx(taylor.point_est["d"][1.0], abs=1e-12)
    assert res["se"] == pytest.approx(taylor.stderror["d"][1.0], rel=1e-9)


def test_fully_enumerated_strata_have_no_sampling_variance():
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    strata = pd.Series(["a", "a", "a", "b", "b", "b"])
    res = est.estimate(pd.DataFrame({"x": y}), pd.Series(np.ones(6)), strata, pd.Series(["g"] * 6),
                       stratum_population={"a": 3, "b": 3}).iloc[0]
    assert res["variance"] == pytest.approx(0.0, abs=1e-18)
