"""The synthetic generator: deterministic, routed, exact counts, joint structure, scalable."""

import numpy as np
import pandas as pd
import pytest

from dashboard.data import codebook as cb
from dashboard.data.shipped import DEFAULT_DATA, DEFAULT_SEED
from dashboard.data.synth import generate, scale_up, to_csv_text
from dashboard.figures.tables import FigureData
from tests.shipped import shipped

CURRENT = "2018-2019"


def _innovators(df):
    return df["innovated"].fillna(False).astype(bool) & (df["round"] == CURRENT)


def _share(df, mask, y):
    w = df.loc[mask, "weight"]
    return float((w * y[mask].astype(float)).sum() / w.sum())


def test_same_seed_same_file_and_shipped_file_is_reproducible():
    text = to_csv_text(generate(DEFAULT_SEED))
    assert text == to_csv_text(generate(DEFAULT_SEED))
    assert text == DEFAULT_DATA.read_text(encoding="utf-8")


def test_other_seed_other_rows_same_calibration():
    a, b = generate(1), generate(2)
    assert not a["curiosity"].equals(b["curiosity"])
    fa, fb = FigureData(a).table("fig1"), FigureData(b).table("fig1")
    assert np.allclose(fa["share"], fb["share"], atol=0.1)


def test_exact_unweighted_counts():
    df = shipped()
    now = df[df["round"] == CURRENT]
    assert len(now) == 2271 and int(now["innovated"].sum()) == 1877
    assert int(now["tech_role"].isin(cb.TECH_ROLES).sum()) == 733
    assert int((df["round"] == "2015-2016").sum()) == 2363


def test_routing_leaves_unasked_questions_empty():
    df = shipped()
    innovator_questions = [v.name for v in cb.VARIABLES if v.asked_of == cb.INNOVATORS]
    non_innovators = df["innovated"] == False  # noqa: E712
    assert df.loc[non_innovators, innovator_questions].isna().all().all()
    non_tech = df["innovated"].fillna(False) & ~df["tech_role"].isin(cb.TECH_ROLES)
    assert df.loc[non_tech, ["tech_new", "technology"]].isna().all().all()
    old = df["round"] == "2015-2016"
    asked_2016 = {v.name for v in cb.VARIABLES if "2015-2016" in v.rounds}
    assert df.loc[old, [c for c in cb.COLUMNS if c not in asked_2016]].isna().all().all()
    assert df.loc[_innovators(df), innovator_questions].notna().all().all()


def test_joint_structure_curiosity_drives_technology():
    """003: technological innovations occur twice as often at technology-curious workplaces."""
    df = shipped()
    inn = _innovators(df)
    tech = df["tech_role"].isin(cb.TECH_ROLES)
    fully = df["curiosity"] == "agree_fully"
    ratio = _share(df, inn & fully, tech) / _share(df, inn & ~fully, tech)
    assert 1.8 <= ratio <= 2.6


def test_joint_structure_employees_who_started_it_rarely_hinder():
    """003: when employees started the innovation, hindering hardly differs by technology group."""
    df = shipped()
    inn = _innovators(df)
    started = df["employees_initiated"].fillna(False).astype(bool)
    hindered = df["employees_role"] == "hindered"
    by_group = {g: _share(df, inn & started & (df["tech_group"] == g), hindered) for g in cb.TECH_GROUP_CODES}
    assert max(by_group.values()) - min(by_group.values()) < 0.05
    assert _share(df, inn & ~started & (df["tech_group"] == "new_tech"), hindered) > 0.2


def test_joint_structure_partners_only_when_collaborating():
    df = shipped()
    partners = df[list(cb.PARTNERS)].fillna(False).astype(bool)
    collab = df["collab_any"].fillna(False).astype(bool)
    assert (partners.any(axis=1) == collab).all()
    assert (df["citizens_collaborated"].fillna(False) == df["partner_citizens"].fillna(False)).all()


def test_tech_group_follows_figure_3_definition():
    df = shipped()
    inn = _innovators(df)
    expected = [cb.derive_tech_group(r, n) for r, n in zip(df.loc[inn, "tech_role"], df.loc[inn, "tech_new"])]
    assert df.loc[inn, "tech_group"].astype(str).tolist() == expected


@pytest.mark.parametrize("factor", [3])
def test_scale_multiplies_rows_keeps_estimates(factor):
    df = generate(DEFAULT_SEED)
    big = scale_up(df, factor)
    assert len(big) == factor * len(df) and big["id"].is_unique
    assert big["weight"].sum() == pytest.approx(df["weight"].sum())
    small, large = FigureData(df).table("fig4"), FigureData(big).table("fig4")
    assert np.allclose(small["share"], large["share"])
    assert (large["n"] == factor * small["n"]).all()
    assert (large["ci_high"] - large["ci_low"] < small["ci_high"] - small["ci_low"]).all()


def test_generated_frame_passes_the_validator(tmp_path):
    from dashboard.data.load import load

    path = tmp_path / "s.parquet"
    generate(5).to_parquet(path, index=False)
    df = load(path)
    assert len(df) == 4634
    assert isinstance(df["sector"].dtype, pd.CategoricalDtype)
