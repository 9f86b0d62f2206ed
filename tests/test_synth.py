"""The synthetic generator: deterministic, routed, exact counts, weights, rank-respecting calibration, scalable."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.data import codebook as cb
from dashboard.data import design, latent
from dashboard.data.rules import validate
from dashboard.data.selection import fix_count, flag_cells, refine_margins, top_share
from dashboard.data.shipped import DEFAULT_DATA, DEFAULT_SEED
from dashboard.data.synth import generate, scale_up, to_csv_text
from dashboard.figures.tables import FigureData
from tests.shipped import shipped

CURRENT = "2018-2019"
ROW_WEIGHT_PCT = 0.3  # the largest row weight in percent of the innovators' weight: the calibration's step


def _innovators(df):
    return df["innovated"].fillna(False).astype(bool) & (df["round"] == CURRENT)


def _share(df, mask, y):
    mask = mask & y.notna()
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
    assert np.allclose(fa["share"], fb["share"], atol=ROW_WEIGHT_PCT)


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


def test_item_nonresponse_is_small_whole_questions_and_never_in_routing():
    """Every question may be left unanswered (at most 3 %), a multi-item question as a whole; never tech_role."""
    df = shipped()
    inn = _innovators(df)
    tech = inn & df["tech_role"].isin(cb.TECH_ROLES)
    assert df.loc[inn, ["tech_role", "tech_group"]].notna().all().all()
    assert df.loc[tech, "tech_new"].notna().all()
    for question, (_, columns) in latent.NONRESPONSE.items():
        base = tech if question == "technology" else inn if question != "curiosity" else df["round"] == CURRENT
        missing = df.loc[base, list(columns)].isna()
        assert (missing.all(axis=1) == missing.any(axis=1)).all(), question  # answered or left as a whole
        assert 0 < missing.iloc[:, 0].mean() <= 0.03, (question, missing.iloc[:, 0].mean())


def test_joint_structure_curiosity_drives_technology():
    """003: technological innovations occur twice as often at technology-curious workplaces."""
    df = shipped()
    inn = _innovators(df) & df["curiosity"].notna()
    tech = df["tech_role"].isin(cb.TECH_ROLES).astype(float)
    fully = df["curiosity"] == "agree_fully"
    ratio = _share(df, inn & fully, tech) / _share(df, inn & ~fully, tech)
    assert 1.8 <= ratio <= 2.6


def test_joint_structure_employees_who_started_it_rarely_hinder():
    """003: when employees started the innovation, hindering hardly differs by technology group."""
    df = shipped()
    inn = _innovators(df) & df["employees_role"].notna()
    started = df["employees_initiated"].fillna(False).astype(bool)
    hindered = (df["employees_role"] == "hindered").astype(float)
    by_group = {g: _share(df, inn & started & (df["tech_group"] == g), hindered) for g in cb.TECH_GROUP_CODES}
    assert max(by_group.values()) - min(by_group.values()) < 0.05
    assert _share(df, inn & ~started & (df["tech_group"] == "new_tech"), hindered) > 0.2


def test_collaboration_is_any_partner_and_citizens_partner_is_its_own_question():
    df = shipped()
    answered = _innovators(df) & df["collab_any"].notna()
    partners = df.loc[answered, list(cb.PARTNERS)].astype(bool)
    assert (partners.any(axis=1) == df.loc[answered, "collab_any"].astype(bool)).all()
    both = answered & df["citizens_collaborated"].notna()
    role, partner = df.loc[both, "citizens_collaborated"].astype(bool), df.loc[both, "partner_citizens"].astype(bool)
    assert (role & ~partner).sum() > 20 and (partner & ~role).sum() > 20  # distinct answers both ways
    assert partner[role].mean() > 2 * partner[~role].mean()  # and strongly related


def test_tech_group_follows_figure_3_definition():
    df = shipped()
    inn = _innovators(df)
    expected = [cb.derive_tech_group(r, n) for r, n in zip(df.loc[inn, "tech_role"], df.loc[inn, "tech_new"])]
    assert df.loc[inn, "tech_group"].astype(str).tolist() == expected


def test_weights_are_nonresponse_adjusted_and_post_stratified():
    """Each stratum's weights add up to its N_h, vary within it (geography groups) and differ between rounds."""
    df = shipped()
    for round_ in cb.ROUNDS:
        rows = df[df["round"] == round_]
        by = rows.groupby(rows["stratum"].astype(str))
        population = design.population(round_).set_index("stratum")["population"]
        assert np.allclose(by["weight"].sum(), population.reindex(by["weight"].sum().index))
        assert (by["stratum_population"].nunique() == 1).all()
        assert (by["stratum_population"].first() == population.reindex(by["weight"].sum().index)).all()
        spread = by["weight"].max() / by["weight"].min()
        assert (spread > 1.02).mean() > 0.9 and spread.max() < 2.0
    medians = df.groupby(["round", "stratum"], observed=True)["weight"].median().unstack(0)
    assert (medians[cb.ROUNDS[0]] != medians[cb.ROUNDS[1]]).all()


def _answers(df: pd.DataFrame, item: str) -> pd.Series:
    """Return the yes/no answer the traced item calibrates (NaN where not asked or not answered)."""
    column, codes = {"tech": ("tech_role", cb.TECH_ROLES), "tech_solution": ("tech_role", ("solution",))}.get(
        item, (item, (True,)))
    values = df[column].astype("object")
    return values.isin(codes).astype(float).where(values.notna())


ORDERED = {"curiosity": ["agree_fully", "agree_partly", "disagree_partly", "disagree_fully"],
           "tech_minor": ["minor", "none"], "tech_new": ["new", "known"], "novelty": ["first", "adapted", "copied"],
           "employees_role": ["promoted", "neither", "hindered"]}
COLUMN_OF = {"tech_minor": "tech_role"}


def test_calibration_keeps_the_rank_order_of_every_item_score():
    """In every calibration cell the rows answering yes (or a higher band) all score above those that do not."""
    trace = {}
    df = generate(DEFAULT_SEED, trace=trace)
    checked = 0
    for (round_, item), (score, key, mask) in trace.items():
        rows = df[df["round"] == round_].reset_index(drop=True)
        codes = ORDERED.get(item)
        values = rows[COLUMN_OF.get(item, item)].astype("object") if codes else _answers(rows, item)
        for cell in pd.unique(key[mask]):
            inside = mask & (key == cell)
            if codes:
                bands = [score[inside & (values == c).to_numpy()] for c in codes]
                bands = [b for b in bands if b.size]
                assert all(hi.min() >= lo.max() for hi, lo in zip(bands, bands[1:])), (round_, item, cell)
            else:
                yes = score[inside & (values == 1).to_numpy()]
                no = score[inside & (values == 0).to_numpy()]
                assert not yes.size or not no.size or yes.min() > no.max(), (round_, item, cell)
            checked += 1
    assert checked > 100 and {("2018-2019", "value_quality"), ("2018-2019", "partner_citizens")} <= set(trace)


@pytest.mark.parametrize("factor", [3])
def test_scale_multiplies_rows_keeps_estimates(factor):
    df = generate(DEFAULT_SEED)
    big = scale_up(df, factor)
    assert len(big) == factor * len(df) and big["id"].is_unique
    assert big["weight"].sum() == pytest.approx(df["weight"].sum())
    assert (big["stratum_population"] == factor * pd.concat([df["stratum_population"]] * factor).to_numpy()).all()
    assert validate(big) == []  # n_h <= N_h still holds: the sampling fraction is unchanged
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


def _is_top(chosen, score):
    """True when every chosen row scores above every row left out."""
    return not chosen.any() or chosen.all() or score[chosen].min() > score[~chosen].max()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 1.0))
def test_selection_picks_the_top_of_the_ranking_within_one_row_of_the_target(seed, target):
    rng = np.random.default_rng(seed)
    score, weight = rng.normal(size=200), rng.uniform(1, 20, size=200)
    chosen = top_share(score, weight, target)
    assert _is_top(chosen, score)
    assert abs(weight[chosen].sum() / weight.sum() - target) <= weight.max() / 2 / weight.sum() + 1e-12
    cells = {"a": np.arange(0, 120), "b": np.arange(120, 200)}
    base = flag_cells(score, weight, cells, {"a": target, "b": 1 - target})
    fixed = fix_count(base, score, weight, cells, 100)
    tuned = refine_margins(base, score, weight, cells, [(["a", "b"], 0.5), (["a"], target)])
    assert fixed.sum() == 100
    for out in (fixed, tuned):
        assert all(_is_top(out[idx], score[idx]) for idx in cells.values())
