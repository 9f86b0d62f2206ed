"""The question explorer's numbers: every question of the codebook offered once, a share checked against the
microdata directly, the test across groups against a row-level reference, what the report hides stays
hidden, the limits, and the command line (`barometer questions`, `barometer crosstab`)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.cli import main
from dashboard.data import codebook as cb
from dashboard.data.filters import Filter, parse_filter
from dashboard.data.questionnaire import BY_ID as QUESTIONS
from dashboard.data.questionnaire import QUESTIONS as ALL_QUESTIONS
from dashboard.figures.breakdown import view_table
from dashboard.figures.explore import MAX_GROUPS, ExploreError, crosstab, groups_of, parse_by, question_of
from dashboard.figures.specs import FIGURES, QUESTION_SPECS
from dashboard.figures.tables import published
from tests.shipped import figure_data, shipped


def test_every_question_of_the_codebook_is_offered_once_with_its_texts():
    asked = [v.name for v in cb.VARIABLES if v.question_key and not v.derived]
    offered = [name for q in ALL_QUESTIONS for name in q.variables]
    assert sorted(offered) == sorted(asked) and len(offered) == len(set(offered)) == 35
    for q in ALL_QUESTIONS:
        for lang in ("da", "en"):
            assert q.title[lang] and q.wording[lang].endswith(("?", ".")), (q.id, lang)
            assert all(q.answer_label(a, lang) for a in q.answers)
    assert {q.kind for q in ALL_QUESTIONS} == {"single", "multiple", "yes_no"}


def _direct_share(answer: str, rows: np.ndarray) -> float:
    """Return the weighted share answering yes to a true/false item among `rows` that answered it."""
    df = shipped()
    answered = rows & df[answer].notna().to_numpy()
    w = df["weight"].to_numpy(float)
    return 100 * (w * answered * df[answer].fillna(False).astype(bool).to_numpy()).sum() / (w * answered).sum()


def test_a_share_is_the_weighted_share_of_its_group_s_respondents():
    """Partners by sub-sector, regions only: each shown share is the weighted share of the region's innovators
    in the sub-sector (2018-2019) who worked with that partner."""
    table = crosstab(figure_data(), QUESTIONS["partners"], parse_filter(sector="region"), ("industry",), "en")
    df = shipped()
    base = ((df["round"] == "2018-2019") & (df["sector"] == "region") & df["innovated"].fillna(False)).to_numpy(bool)
    shown = table[~table["suppressed"]]
    assert len(shown) >= 6 and set(table["industry"]) == {"health", "social", "admin"}
    for industry, answer, share in zip(shown["industry"], shown["category"], shown["share"], strict=True):
        assert share == pytest.approx(_direct_share(answer, base & (df["industry"] == industry).to_numpy()), abs=1e-9)


def test_the_test_across_two_by_two_groups_matches_a_row_level_reference():
    """Curiosity by sector and size, state and region, small and large: the adjusted Wald F test across the four
    groups equals one computed row by row (the groups' linearised shares, their stratified covariance with the
    finite population correction, F = W (df - k + 2) / (df (k - 1)))."""
    filt = parse_filter(sector="state,region", size="small,large")
    table = crosstab(figure_data(), QUESTIONS["curiosity"], filt, ("sector", "size"), "en")
    got = table[table["category"] == "agree_fully"]["p_groups"]
    df = shipped()
    df = df[df["round"] == "2018-2019"]
    w = df["weight"].to_numpy(float)
    y = np.where(df["curiosity"].isna(), np.nan, (df["curiosity"] == "agree_fully").astype(float))
    groups = [(s, z) for s in ("state", "region") for z in ("small", "large")]
    shares, scores, used = [], [], np.zeros(len(df), dtype=bool)
    for sector, size in groups:
        dom = ((df["sector"] == sector) & (df["size"] == size)).to_numpy() & ~np.isnan(y)
        p = (w[dom] * y[dom]).sum() / w[dom].sum()
        shares.append(p)
        scores.append(np.where(dom, w * (np.nan_to_num(y) - p) / w[dom].sum(), 0.0))
        used |= dom
    z = pd.DataFrame(np.array(scores).T, index=df.index)
    strata = df["stratum"].astype(str)
    n_h = strata.map(strata.value_counts())
    f_h = 1 - n_h / df["stratum_population"].astype(float)
    centred = z - z.groupby(strata).transform("mean")
    factor = (f_h * n_h / (n_h - 1)).to_numpy()[:, None]
    cov = (centred.to_numpy() * factor).T @ centred.to_numpy()
    k = len(groups)
    contrast = np.hstack([np.eye(k - 1), -np.ones((k - 1, 1))])
    d = contrast @ np.array(shares)
    wald = d @ np.linalg.solve(contrast @ cov @ contrast.T, d)
    dof = used.sum() - strata[used].nunique()
    want = stats.f.sf(wald * (dof - k + 2) / (dof * (k - 1)), k - 1, dof - k + 2)
    assert len(got) == 4 and got.nunique() == 1
    assert got.iloc[0] == pytest.approx(want, rel=1e-6)


PAIRS = [(f, q) for f in FIGURES for q, s in QUESTION_SPECS.items()
         if f.series is None and f.base == s.base and f.chart != "range"
         and [(c.variable, c.codes, c.within, c.na_false) for c in f.categories]
         == [(c.variable, c.codes, c.within, c.na_false) for c in s.categories]]
STATES = [Filter(), parse_filter(sector="region"), parse_filter(size="small", tech_role="new_tech"),
          parse_filter(industry="daycare")]


def test_the_report_figures_that_are_questions_are_found():
    assert sorted((f.id, q) for f, q in PAIRS) == [("dst-novelty", "novelty"), ("dst-spread", "spread"),
                                                   ("fig1", "tech_role"), ("fig7", "curiosity")]


@pytest.mark.parametrize("by", [None, "sector", "size"])
@pytest.mark.parametrize("filt", STATES, ids=lambda f: "&".join(f"{k}={v}" for k, v in f.query().items()) or "all")
def test_the_explorer_shows_a_report_figure_s_numbers_and_hides_at_least_what_it_hides(filt, by):
    data = figure_data()
    for spec, qid in PAIRS:
        keys = ["category"] + ([by] if by else [])
        try:
            mine = crosstab(data, QUESTIONS[qid], filt, (by,) if by else (), "en")
        except ExploreError:
            continue
        report = view_table(data, spec, filt, by, "en")
        if by and "group" not in report:  # the report leaves this figure whole
            continue
        report = report.rename(columns={"group": by}) if by else report
        both = mine.merge(report, on=keys, suffixes=("", "_report"))
        assert len(both) == len(mine), (spec.id, qid)
        assert not (both["suppressed_report"] & ~both["suppressed"]).any(), (spec.id, by, both[
            both["suppressed_report"] & ~both["suppressed"]][keys].to_dict("records"))
        shown = both[~both["suppressed"] & ~both["suppressed_report"]]
        np.testing.assert_allclose(shown["share"], shown["share_report"], atol=1e-9)


def test_limits_and_bad_breakdowns_are_named():
    assert parse_by("sector,size") == ("sector", "size")
    for bad, said in [("colour", "Unknown breakdown 'colour'; possible: sector, industry, size, tech_role, round"),
                      ("size,size", "given twice"), ("sector,size,round", "At most 2")]:
        with pytest.raises(ExploreError, match=said):
            parse_by(bad)
    with pytest.raises(ExploreError, match="Unknown question 'partner'; possible: innovated"):
        question_of("partner")
    with pytest.raises(ExploreError, match="21 groups is more than the 12"):
        crosstab(figure_data(), QUESTIONS["partners"], Filter(), ("industry", "size"), "en")
    with pytest.raises(ExploreError, match="not broken down by 'tech_role': its answers"):
        crosstab(figure_data(), QUESTIONS["tech_new"], Filter(), ("tech_role",), "en")
    with pytest.raises(ExploreError, match="not broken down by round: it was asked in 2018-2019 only"):
        crosstab(figure_data(), QUESTIONS["values"], Filter(), ("round",), "en")
    assert len(groups_of(parse_filter(industry="daycare,admin"), ("industry", "size"))) == 6 <= MAX_GROUPS


def test_a_group_below_ten_respondents_shows_no_bar_and_says_why():
    table = crosstab(figure_data(), QUESTIONS["partners"], parse_filter(sector="region", tech_role="new_tech"),
                     ("industry", "size"), "en")
    small = table.groupby(["industry", "size"])["n"].max() < 10
    assert small.any()
    hidden = table.set_index(["industry", "size"]).loc[small[small].index]
    assert hidden["suppressed"].all() and (hidden["reason"] == "group_lt_n").all()
    assert hidden["reason_label"].str.contains("10").all()


def test_the_round_comparison_of_a_question_asked_in_both_rounds():
    table = crosstab(figure_data(), QUESTIONS["innovated"], parse_filter(sector="municipality"), ("round",), "en")
    assert list(table["round"]) == ["2015-2016", "2018-2019"] == list(table["round_label"])  # in time order
    assert table["p_groups"].notna().all()


# ---- the command line ----------------------------------------------------------------------------------------

def test_the_command_line_lists_every_question_with_its_wording_base_rounds_and_answers(capsys):
    assert main(["questions", "--format", "json", "--lang", "en"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [q["id"] for q in listed] == [q.id for q in ALL_QUESTIONS]
    partners = next(q for q in listed if q["id"] == "partners")
    assert partners["base"] == "innovative workplaces" and partners["rounds"] == ["2018-2019"]
    assert partners["answers"][4] == {"code": "partner_private", "label": "Private companies"}
    assert main(["questions"]) == 0
    text = capsys.readouterr().out
    assert "partners: Samarbejdspartnere" in text and "Hvem har arbejdspladsen samarbejdet med" in text


def test_the_command_line_prints_what_the_crosstab_publishes(capsys):
    assert main(["crosstab", "partners", "--by", "industry", "--sector", "region", "--lang", "en"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    want = published(crosstab(figure_data(), QUESTIONS["partners"], parse_filter(sector="region"), ("industry",), "en"))
    pd.testing.assert_series_equal(out["share"], want["share"], check_names=False)
    assert list(out.columns[:2]) == ["industry", "industry_label"] and out.columns[-2:].tolist() == ["filters", "note"]
    assert (out["filters"] == "Sector: Region").all() and out["note"].str.startswith("Synthetic data").all()


@pytest.mark.parametrize(("argv", "said"), [
    (["crosstab", "partnerz"], "Unknown question 'partnerz'; possible: innovated"),
    (["crosstab", "partners", "--by", "size,colour"], "Unknown breakdown 'colour'"),
    (["crosstab", "partners", "--sector", "kommune"], "sector"),
    (["crosstab", "partners", "--round", "2015-2016"], "'partners' was asked in 2018-2019 only"),
])
def test_the_command_line_names_a_bad_question_breakdown_or_filter(capsys, argv, said):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
