"""Every number the two seed publications give is reproduced by the shipped data."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.data import codebook as cb
from dashboard.data import design, estimators
from dashboard.data.cube import stratum_key
from dashboard.data.filters import parse_filter
from dashboard.figures.tables import nordic_table
from tests.shipped import figure_data, published, shipped

ROOT = Path(__file__).resolve().parents[1]  # the checkout

NUMBERS = published()
CLAIMS = published("claims.csv")


def _rows(df: pd.DataFrame, base: str, filter_text: str) -> pd.Series:
    conditions = dict(part.split("=") for part in filter(None, filter_text.split(";")))
    mask = df["round"].astype(str) == conditions.pop("round", cb.CURRENT_ROUND)
    if base != "all":
        mask &= df["innovated"].fillna(False).astype(bool)
    if base == "tech_innovators":
        mask &= df["tech_role"].isin(cb.TECH_ROLES)
    for column, codes in conditions.items():
        mask &= df[column].astype("object").isin(codes.split("|"))
    return mask


def _indicator(df: pd.DataFrame, variable: str, code: str) -> pd.Series:
    columns = variable.split("|")
    if code == "true":
        y = df[columns].fillna(False).astype(bool).any(axis=1)
        return y.astype(float).where(df[columns].notna().all(axis=1))
    return df[variable].astype("object").isin(code.split("|")).astype(float).where(df[variable].notna())


def _estimate(row) -> pd.Series:
    """Return the project's estimate (share in percent, ci, n) for one published row."""
    df = shipped()
    group = pd.Series(np.where(_rows(df, row["base"], row["filter"]), "domain", None), index=df.index)
    y = _indicator(df, row["variable"], row["code"]).to_frame("y")
    est = estimators.estimate(y, df["weight"], stratum_key(df), group)
    return est.iloc[0]


@pytest.mark.parametrize("row", [r for _, r in NUMBERS.iterrows() if r["kind"] == "share"], ids=lambda r: r["id"])
def test_published_share(row):
    share = 100 * _estimate(row)["share"]
    if row["value"]:
        assert abs(share - float(row["value"])) <= 0.5, f"{share:.2f} does not round to {row['value']}"
    else:
        assert float(row["low"]) <= share <= float(row["high"]), f"{share:.2f} outside {row['low']}-{row['high']}"


@pytest.mark.parametrize("row", [r for _, r in NUMBERS.iterrows() if r["kind"] == "count"], ids=lambda r: r["id"])
def test_published_count_exact(row):
    df = shipped()
    assert int(_rows(df, row["base"], "").sum()) == int(row["value"])


def test_design_numbers():
    rows = NUMBERS.set_index("id")
    assert design.GROSS_SAMPLE == int(rows.loc["gross-sample", "value"])
    respondents = int(rows.loc["n-respondents", "value"])
    assert round(100 * respondents / design.GROSS_SAMPLE) == int(rows.loc["response-rate", "value"])


def test_weights_sum_to_documented_population():
    df = shipped()
    totals = df.groupby(df["round"].astype(str))["weight"].sum().round(6)
    assert totals[cb.CURRENT_ROUND] == design.POPULATION_TOTAL == 15_000
    assert totals.to_dict() == {r: design.population_total(r) for r in cb.ROUNDS}
    assert totals["2015-2016"] == 15_142


def test_published_numbers_are_shares_over_those_who_answered():
    """Item nonresponse is left out of the base, as the publications compute their shares."""
    df = shipped()
    rows = _rows(df, "innovators", "")
    y = _indicator(df, "value_quality", "true")
    assert 0 < y[rows].isna().sum() < 0.03 * rows.sum()
    answered = rows & y.notna()
    share = 100 * (df.loc[answered, "weight"] * y[answered]).sum() / df.loc[answered, "weight"].sum()
    assert abs(share - float(NUMBERS.set_index("id").loc["values-quality", "value"])) <= 0.5
    assert share == pytest.approx(100 * _estimate(NUMBERS.set_index("id").loc["values-quality"])["share"])


@pytest.mark.parametrize("row", [r for _, r in NUMBERS.iterrows() if r["kind"] == "aggregate"], ids=lambda r: r["id"])
def test_nordic_aggregates_shown_as_published(row):
    table = nordic_table("en").set_index("category")
    got = table.loc[row["code"]]
    if row["value"]:
        assert got["share"] == float(row["value"])
    else:
        assert (got["ci_low"], got["ci_high"]) == (float(row["low"]), float(row["high"]))
        assert np.isnan(got["share"]) and got["reason"] == "published_range"


def _claim_table(claim):
    """Return the rows of the claim's figure table for the claimed category."""
    table = figure_data().table(claim["figure"], parse_filter())
    if claim["figure"] == "dst-sector-trend":
        category = "total"
    else:
        category = claim["code"] if claim["code"] != "true" else claim["variable"]
    return table[table["category"] == category]


@pytest.mark.parametrize("claim", [c for _, c in CLAIMS.iterrows() if "significant" in c["kind"]],
                         ids=lambda c: c["id"])
def test_significance_claims(claim):
    """The publications' statements about significant and non-significant differences hold."""
    table = _claim_table(claim)
    groups = claim["groups"].split("|")
    rows = table[table["series"].isin(groups)]
    assert len(rows) == len(groups), rows
    assert rows["significant"].nunique() == 1
    assert bool(rows["significant"].iloc[0]) is (claim["kind"] == "significant"), rows["p_value"].iloc[0]


@pytest.mark.parametrize("claim", [c for _, c in CLAIMS.iterrows() if c["kind"] in ("highest", "lowest")],
                         ids=lambda c: c["id"])
def test_ranking_claims(claim):
    """'Most often in the state sector' and similar statements hold among the sectors."""
    shares = {}
    for sector in claim["groups"].split("|"):
        row = {"base": claim["base"], "filter": f"sector={sector}", "variable": claim["variable"], "code": claim["code"]}
        shares[sector] = _estimate(row)["share"]
    pick = max if claim["kind"] == "highest" else min
    assert pick(shares, key=shares.get) == claim["expected"], shares


def test_independent_script_reproduces_every_number():
    """A plain-pandas script, not using the package, reproduces all numbers from the CSV."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_published.py")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "0 missed" in result.stdout
    assert len(NUMBERS) > 60
