"""Figure tables: the cube answers filters exactly as a direct estimate on the filtered microdata."""

import numpy as np
import pandas as pd
import pytest

from dashboard.data import codebook as cb
from dashboard.data import estimators
from dashboard.data.filters import Filter, parse_filter
from dashboard.data.strata import variance_strata
from dashboard.figures.specs import BY_ID, IDS
from dashboard.figures.tables import COLUMNS, indicators
from tests.shipped import figure_data, shipped


def _direct(figure: str, filt: Filter) -> pd.DataFrame:
    """Estimate from the microdata without the cube: filter rows, then estimate per series."""
    df, spec = shipped(), BY_ID[figure]
    rows = (df["round"] == cb.CURRENT_ROUND) & df["innovated"].fillna(False).astype(bool)
    if spec.base == "tech_innovators":
        rows &= df["tech_role"].isin(cb.TECH_ROLES)
    if filt.sector:
        rows &= df["sector"].isin(filt.sector)
    if filt.value:
        rows &= df[["value_" + v for v in filt.value]].fillna(False).astype(bool).any(axis=1)
    group = (pd.Series(pd.Categorical(df["tech_group"].astype("object"), categories=list(cb.TECH_GROUP_CODES)),
                       index=df.index) if spec.series == "tech_group" else pd.Series("all", index=df.index))
    group = group.where(rows, None)
    strata = variance_strata(df)  # with the finite population correction from stratum_population
    return estimators.estimate(indicators(spec, df), df["weight"], strata.of_row, group,
                               stratum_population=strata.population)


@pytest.mark.parametrize("figure,filt", [
    ("fig1", Filter()),
    ("fig1", Filter(sector=("state",))),
    ("fig6", Filter(sector=("region", "municipality"), value=("efficiency",))),
    ("fig5", Filter(value=("quality", "political_goals"))),
    ("dst-novelty", Filter(sector=("region",))),
])
def test_cube_equals_direct_estimate(figure, filt):
    table = figure_data().table(figure, filt)
    direct = _direct(figure, filt)
    kept = ~table["suppressed"].to_numpy()
    assert not (direct["suppressed"].to_numpy() & kept).any()  # what the rules hide stays hidden
    assert np.allclose(table["share"].to_numpy()[kept], 100 * direct["share"].to_numpy()[kept], atol=1e-3)
    assert np.allclose(table["ci_low"].to_numpy()[kept], 100 * direct["ci_low"].to_numpy()[kept], atol=1e-3)
    assert (table["n"].to_numpy() == direct["n"].to_numpy()).all()


def test_sector_filter_changes_shares_and_shrinks_n():
    whole = figure_data().table("fig4", Filter())
    state = figure_data().table("fig4", parse_filter(sector="state"))
    assert (state["n"] < whole["n"]).all()
    df = shipped()
    answered = (df["round"] == cb.CURRENT_ROUND) & df["tech_role"].isin(cb.TECH_ROLES) & df["value_quality"].notna()
    assert whole.loc[0, "n"] == answered.sum()  # technological innovators who answered the values question
    assert state.loc[0, "n"] == (answered & (df["sector"] == "state")).sum()
    assert (state["share"] - whole["share"]).abs().max() > 5


def test_own_variable_filter_highlights_instead_of_collapsing():
    table = figure_data().table("fig1", parse_filter(tech_role="solution,important"))
    assert table["highlighted"].tolist() == [True, True, False, False, False]
    assert table["share"].sum() == pytest.approx(100, abs=0.01)  # all five answers still shown
    fig4 = figure_data().table("fig4", parse_filter(value="efficiency", tech_role="non_tech"))
    marked = fig4[fig4["highlighted"]]
    assert len(fig4) == 10
    assert list(zip(marked["series"], marked["category"])) == [("non_tech", "value_efficiency")]
    assert fig4.loc[0, "n"] == figure_data().table("fig4", Filter()).loc[0, "n"]  # neither filter shrinks its own base


@pytest.mark.parametrize("role,marked", [
    ("solution", ["solution"]),
    ("important", ["important"]),
    ("minor,none", ["minor", "none"]),
    ("non_tech", ["minor", "none", "dont_know"]),
    ("solution,important", ["solution", "important"]),
])
def test_each_role_highlights_exactly_its_own_bars(role, marked):
    table = figure_data().table("fig1", parse_filter(tech_role=role))
    assert table.loc[table["highlighted"], "category"].tolist() == marked


TECH_GROUPS = {  # what each figure broken down by technology shows, by the data's own columns
    "fig1": ("category", "tech_role"), "fig3": ("category", "tech_group"), "fig2": ("series", "tech_new"),
    "fig4": ("series", "tech_split"), "fig8": ("series", "tech_split"), "fig6": ("series", "tech_group"),
    "fig9": ("series", "tech_group"), "fig10": ("series", "tech_group"),
}
TECH_CHOICES = [*cb.TECH_ROLE_CODES, *cb.TECH_GROUP_CODES, "solution,minor", "new_tech,non_tech", "important,new_tech"]


def _tech_column(df: pd.DataFrame, kind: str) -> pd.Series:
    """Return each row's group of a technology breakdown, from the microdata's columns."""
    if kind == "tech_split":
        split = np.where(df["tech_role"].isin(cb.TECH_ROLES), "tech", "non_tech")
        return pd.Series(split, index=df.index).where(df["innovated"].fillna(False).astype(bool))
    return df[kind].astype("object")


@pytest.mark.parametrize("figure", list(TECH_GROUPS))
@pytest.mark.parametrize("choice", TECH_CHOICES)
def test_a_technology_highlight_is_for_exactly_the_chosen_innovations(figure, choice):
    """The issue's example: figure 8's "technological innovations" highlighted as "new technology". Bars the
    technology filter highlights are for the chosen innovations and no others; where the figure's groups
    cannot say that, the filter restricts its rows and every bar is for the chosen innovations."""
    df, spec = shipped(), BY_ID[figure]
    filt = parse_filter(tech_role=choice)
    base = (df["round"] == cb.CURRENT_ROUND) & df["innovated"].fillna(False).astype(bool)
    if spec.base == "tech_innovators":
        base &= df["tech_role"].isin(cb.TECH_ROLES)
    codes = choice.split(",")
    chosen = base & (df["tech_role"].isin(codes) | df["tech_group"].isin(codes))
    axis, kind = TECH_GROUPS[figure]
    group = _tech_column(df, kind)
    table = figure_data().table(figure, filt, "en")
    marked = table[table["highlighted"]]
    if len(marked):
        rows = base & group.isin(set(marked[axis]))
        assert rows.equals(chosen), "a highlighted group holds innovations that were not chosen, or misses some"
        assert set(marked[axis]) == set(table[axis]) & set(group[chosen].dropna())
    else:  # restricted: every bar counts the chosen innovations of its group only
        answered = indicators(spec, df).notna()
        for row in table.itertuples():
            in_group = group == (row.series if axis == "series" else row.category)
            domain = chosen & (in_group if axis == "series" else True)
            assert row.n == int((domain & answered[row.category]).sum()), (row.series, row.category)
        assert set(table[axis]) <= set(group[chosen].dropna()) or not chosen.any()


def test_figure_8_and_figure_10_agree_on_the_same_group():
    """State workplaces, new technology: fig8 gave 26.8 % (all technological innovations) against fig10's 32.3 %."""
    filt = parse_filter(sector="state", tech_role="new_tech")
    fig8 = figure_data().table("fig8", filt, "en").set_index("category")
    fig10 = figure_data().table("fig10", filt, "en").set_index("series")
    assert fig8.loc["partner_private", "n"] == fig10.loc["new_tech", "n"] == 72
    assert fig8.loc["partner_private", "share"] == pytest.approx(fig10.loc["new_tech", "share"], abs=1e-9)
    assert round(fig10.loc["new_tech", "share"], 1) == 32.3
    assert not fig8["highlighted"].any() and list(fig8["series"].unique()) == ["tech"]
    known = figure_data().table("fig8", parse_filter(sector="state", tech_role="known_tech"), "en")
    assert not np.allclose(known["n"], fig8["n"])


def test_tech_filter_on_an_all_workplaces_figure_restricts_to_those_innovators():
    """fig7 (base: all workplaces) under a technology filter: curiosity among new-tech innovators."""
    df = shipped()
    rows = (df["round"] == cb.CURRENT_ROUND) & (df["tech_group"] == "new_tech")
    group = pd.Series("all", index=df.index).where(rows, None)
    strata = variance_strata(df)
    direct = estimators.estimate(indicators(BY_ID["fig7"], df), df["weight"], strata.of_row, group,
                                 stratum_population=strata.population)
    table = figure_data().table("fig7", parse_filter(tech_role="new_tech"))
    new_tech = (df["round"] == cb.CURRENT_ROUND) & (df["tech_group"] == "new_tech") & df["curiosity"].notna()
    assert (table["n"] == direct["n"]).all() and table.loc[0, "n"] == new_tech.sum()
    kept = ~table["suppressed"].to_numpy()
    assert np.allclose(table["share"].to_numpy(float)[kept], 100 * direct["share"].to_numpy(float)[kept], atol=1e-3)


def test_value_resting_on_one_or_two_respondents_is_suppressed():
    table = figure_data().table("fig7", parse_filter(tech_role="new_tech"))
    cells = table[table["reason"] == "cell_lt_3"]
    assert len(cells) >= 1 and cells["share"].isna().all()


def test_no_significance_reported_when_a_compared_value_is_hidden():
    table = figure_data().table("fig9", parse_filter(value="political_goals"))
    assert table["suppressed"].any()
    assert table["significant"].isna().all() and table["p_value"].isna().all()


def test_small_base_is_suppressed_with_reason_not_zero():
    filt = parse_filter(sector="region", tech_role="dont_know", value="political_goals")
    table = figure_data().table("dst-novelty", filt)
    assert table["suppressed"].all()
    assert table["share"].isna().all() and table["ci_low"].isna().all()
    assert set(table["reason"]) <= {"n_lt_3", "cell_lt_3", "neff_lt_30"}
    assert (table["n"] < 30).all()


def test_every_figure_has_the_documented_columns_and_rows():
    for figure in IDS:
        table = figure_data().table(figure, Filter(), "en")
        assert list(table.columns) == COLUMNS
        assert len(table) > 0 and table["category_label"].notna().all()


def test_filter_not_applying_leaves_numbers_unchanged():
    """The trend figure ignores technology and value filters (they are named 'not applied')."""
    base = figure_data().table("dst-sector-trend", Filter())
    other = figure_data().table("dst-sector-trend", parse_filter(tech_role="solution", value="quality"))
    pd.testing.assert_series_equal(base["share"], other["share"])
    assert set(BY_ID["dst-sector-trend"].not_applied()) == {"tech_role", "value"}


def test_round_filter_highlights_round_in_trend_figure_only():
    table = figure_data().table("dst-sector-trend", parse_filter(round="2015-2016"))
    assert set(table.loc[table["highlighted"], "series"]) == {"2015-2016"}
    fig1 = figure_data().table("fig1", parse_filter(round="2015-2016"))
    assert fig1.loc[0, "n"] == 1877  # the 2018-2019 question, shown for its own round
    assert figure_data().scope("fig1", parse_filter(round="2015-2016")).round_missing


def test_a_round_applies_to_the_figures_whose_questions_its_data_answer():
    """Decided from the data, not hard-coded: a file whose 2015-2016 rows answer the values question gives
    figure 4 that round, and the round control and the command line offer it there."""
    df = shipped().copy()
    old = (df["round"] == "2015-2016") & df["innovated"].fillna(False).astype(bool)
    donors = df[(df["round"] == cb.CURRENT_ROUND) & df["innovated"].fillna(False).astype(bool)]
    for column in cb.VALUE_COLUMNS:  # answers for the earlier round's innovators, as a real file may have them
        df.loc[old, column] = donors[column].to_numpy()[np.arange(old.sum()) % len(donors)]
    from dashboard.figures.tables import FigureData

    fd = FigureData(df)
    assert fd.rounds("fig4") == ("2018-2019", "2015-2016") and fd.rounds("fig8") == ("2018-2019",)
    assert set(fd.round_figures("2015-2016")) == {"dst-sector-trend", "fig4", "dst-values-sector"}
    filt = parse_filter(round="2015-2016")
    table = fd.table("fig4", filt, "en")
    assert set(table["round"]) == {"2015-2016"} and not fd.scope("fig4", filt).round_missing
    answered = old & df["value_quality"].notna()
    assert table.groupby("series")["n"].max().sum() == answered.sum()  # the 2015-2016 innovators
    assert fd.scope("fig8", filt).round_missing and set(fd.table("fig8", filt)["round"]) == {"2018-2019"}
    assert figure_data().rounds("fig4") == ("2018-2019",)  # the shipped data: only innovated in 2015-2016


def test_a_kept_state_is_handed_out_as_copies_without_its_tests():
    """A breakdown starts from the protected numbers of its states as kept for their own pages: it may hide
    more in its copy, and the page's numbers stay as they were."""
    fd = figure_data()
    filt = parse_filter(sector="region")
    kept = fd.estimates(filt)["fig4"]
    shown, p_before = kept.suppressed.copy(), kept.p_value.copy()
    copy, domains, series = fd.protected(filt)
    assert np.isnan(copy["fig4"].p_value).all() and set(copy["fig4"].significant) == {None}
    assert (copy["fig4"].suppressed == shown).all() and set(domains) == set(series) == set(copy)
    copy["fig4"].hide(np.ones(len(copy["fig4"]), dtype=bool), "complementary")
    assert (fd.estimates(filt)["fig4"].suppressed == shown).all()
    np.testing.assert_array_equal(fd.estimates(filt)["fig4"].p_value, p_before)
    assert np.isfinite(p_before).any()
