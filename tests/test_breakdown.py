"""Breaking a figure down by a dimension: each group's bars are its filter state's, a share checked against the
microdata directly, the test across groups against a row-level reference, the figures that are not broken down,
the limits, and the command line."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.cli import main
from dashboard.data.dimensions import BY_KEYS
from dashboard.data.filters import Filter, parse_filter
from dashboard.figures.breakdown import broken_table, group_filter, groups, why_not
from dashboard.figures.specs import BY_ID, FIGURES
from dashboard.figures.tables import published
from tests.shipped import figure_data, shipped

CASES = [("fig4", Filter(), "size"), ("fig7", parse_filter(sector="state,region"), "sector"),
         ("fig6", parse_filter(size="small,large"), "size"), ("fig7", parse_filter(sector="municipality"), "industry"),
         ("dst-spread", Filter(), "tech_role"),
         ("dst-sector-trend", Filter(), "size"), ("fig7", parse_filter(size="small"), "tech_role")]


@pytest.mark.parametrize(("fid", "filt", "by"), CASES, ids=[f"{f}-by-{b}" for f, _, b in CASES])
def test_each_group_shows_the_bars_of_its_filter_state_and_hides_at_least_what_it_hides(fid, filt, by):
    fd = figure_data()
    table = broken_table(fd, BY_ID[fid], filt, by, "en")
    assert list(dict.fromkeys(table["group"])) == list(groups(by, filt))
    for code, part in table.groupby("group", sort=False):
        alone = fd.table(fid, group_filter(filt, by, code), "en")
        part = part.reset_index(drop=True)
        assert (part[["series", "category", "n"]] == alone[["series", "category", "n"]]).all().all()
        assert (part["suppressed"] | ~alone["suppressed"]).all()  # hidden alone: hidden here
        both = ~part["suppressed"]
        assert np.allclose(part.loc[both, "share"], alone.loc[both, "share"])


def test_a_group_share_is_the_weighted_share_of_its_respondents():
    """fig7 'fully agree', by size, small workplaces: computed here from the rows."""
    table = broken_table(figure_data(), BY_ID["fig7"], Filter(), "size", "en").set_index(["group", "category"])
    df = shipped()
    rows = (df["round"] == "2018-2019") & (df["size"] == "small") & df["curiosity"].notna()
    want = 100 * (df.loc[rows, "weight"] * (df.loc[rows, "curiosity"] == "agree_fully")).sum() / df.loc[rows, "weight"].sum()
    assert table.loc[("small", "agree_fully"), "share"] == pytest.approx(want, abs=1e-9)
    assert table.loc[("small", "agree_fully"), "group_label"] == "3-9 employees"


def test_the_test_across_two_groups_matches_a_row_level_reference():
    """fig7 by sector over state and region: the t test of the difference of two domain shares, with the
    stratified covariance and the finite population correction, computed row by row."""
    filt = parse_filter(sector="state,region")
    table = broken_table(figure_data(), BY_ID["fig7"], filt, "sector", "en").set_index(["group", "category"])
    df = shipped()
    df = df[df["round"] == "2018-2019"]
    w = df["weight"].to_numpy(float)
    y = np.where(df["curiosity"].isna(), np.nan, (df["curiosity"] == "agree_fully").astype(float))
    z = {}
    for sector in ("state", "region"):
        dom = (df["sector"] == sector).to_numpy() & ~np.isnan(y)
        p = (w[dom] * y[dom]).sum() / w[dom].sum()
        z[sector] = (p, np.where(dom, w * (np.nan_to_num(y) - p) / w[dom].sum(), 0.0))
    dz = pd.Series(z["state"][1] - z["region"][1], index=df.index)
    strata = df["stratum"].astype(str)
    n_h = strata.map(strata.value_counts())
    f_h = 1 - n_h / df["stratum_population"].astype(float)
    centred = dz - dz.groupby(strata).transform("mean")
    var = ((f_h * n_h / (n_h - 1)) * centred**2).groupby(strata).sum().sum()
    used = (df["sector"].isin(["state", "region"])).to_numpy() & ~np.isnan(y)
    dof = used.sum() - strata[used].nunique()
    t = (z["state"][0] - z["region"][0]) / np.sqrt(var)
    want = 2 * stats.t.sf(abs(t), dof)
    got = table.loc[("state", "agree_fully"), "p_groups"]
    assert got == pytest.approx(want, rel=1e-6)
    assert table.loc[("region", "agree_fully"), "p_groups"] == got


def test_a_hidden_value_leaves_its_bar_without_a_test_across_groups():
    table = broken_table(figure_data(), BY_ID["dst-novelty"], parse_filter(tech_role="new_tech"), "sector", "en")
    for (_s, _c), bar in table.groupby(["series", "category"]):
        if bar["suppressed"].any():
            assert bar["p_groups"].isna().all()
    assert table["p_groups"].notna().any()


def test_a_figure_broken_into_more_than_eight_bars_per_category_stays_whole_and_says_how_to_break_it_down():
    fd = figure_data()
    assert why_not(BY_ID["fig4"], "industry", fd.rounds(BY_ID["fig4"]), 5) == "breakdown_too_many"
    code, out, err = _cli_run("table", "fig4", "--sector", "municipality", "--by", "industry")
    assert code == 0 and "would have 10 bars per category (at most 8); choose fewer groups in the Sub-sector filter" in err
    code, out, err = _cli_run("table", "fig4", "--industry", "daycare,eldercare,social", "--by", "industry")
    assert code == 0 and out.startswith("group,group_label,") and err == ""


def test_figures_that_are_not_broken_down_say_why():
    reasons = {(s.id, by): why_not(s, by, figure_data().rounds(s)) for s in FIGURES for by in BY_KEYS}
    assert reasons[("nordic", "size")] == "breakdown_published"
    assert reasons[("fig3", "tech_role")] == "breakdown_own"
    assert reasons[("dst-values-sector", "sector")] == "breakdown_own"
    assert reasons[("dst-sector-trend", "tech_role")] == "breakdown_ignores"
    assert reasons[("fig4", "round")] == "breakdown_round"
    assert reasons[("dst-sector-trend", "round")] == "breakdown_own"
    assert reasons[("fig4", "size")] is None and reasons[("dst-types", "round")] == "breakdown_round"
    assert why_not(BY_ID["dst-types"], "round", ("2018-2019", "2015-2016")) is None  # data with both rounds


def test_groups_follow_the_filters():
    assert groups("sector", parse_filter(industry="daycare")) == ("municipality",)
    assert groups("sector", parse_filter(industry="admin")) == ("state", "region", "municipality")
    assert groups("size", parse_filter(size="small,large")) == ("small", "large")
    assert groups("industry", parse_filter(sector="region")) == ("admin", "health", "social")  # the codebook's order
    assert groups("round", Filter()) == ("2015-2016", "2018-2019")


def _cli_run(*args) -> tuple[int, str, str]:
    """Return (exit code, stdout, stderr) of `barometer ARGS` run in this process."""
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _cli(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_line_prints_the_breakdown_as_the_table_computes_it(capsys):
    code, out, err = _cli(capsys, "table", "fig4", "--industry", "daycare", "--size", "small", "--by", "sector")
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))
    want = published(broken_table(figure_data(), BY_ID["fig4"], parse_filter(industry="daycare", size="small"),
                                  "sector", "da"))
    assert list(got.columns[:2]) == ["group", "group_label"] and set(got["group"]) == {"municipality"}
    assert np.allclose(got["share"].to_numpy(float), want["share"].to_numpy(float), equal_nan=True)
    code, out, _ = _cli(capsys, "table", "fig7", "--by", "size", "--format", "json", "--lang", "en")
    records = json.loads(out)
    assert {r["group_label"] for r in records} == {"3-9 employees", "10-49 employees", "50+ employees"}


def test_the_command_line_names_a_bad_breakdown_and_a_figure_it_leaves_whole(capsys):
    code, _, err = _cli(capsys, "table", "fig4", "--by", "colour")
    assert code == 2 and "--by" in err and "sector, industry, size, tech_role, round" in err
    code, out, err = _cli(capsys, "table", "fig3", "--by", "tech_role")
    assert code == 0 and "fig3 is not broken down by tech_role" in err and "group" not in out.splitlines()[0]


# ---- the page ---------------------------------------------------------------------------------------------

def test_the_page_draws_each_group_with_the_numbers_of_the_breakdown(client):
    """/?size=small&by=sector: fig7's bars are the breakdown's, one series per sector."""
    from tests.dash_client import bar_values, figures

    filt = parse_filter(size="small")
    got = figures(client, size=["small"], by="sector", lang="en")
    table = broken_table(figure_data(), BY_ID["fig7"], filt, "sector", "en")
    shown = table[~table["suppressed"]]
    want = {(g, c): round(v, 1) for g, c, v in zip(shown["group"], shown["category"], shown["share"], strict=True)}
    assert bar_values(got["fig7"]["figure"]) == want and {g for g, _ in want} == {"state", "region", "municipality"}
    assert "broken down by Sector" in str(got["figures-status"])


def test_a_figure_left_whole_says_why_on_its_card(client):
    from tests.dash_client import figures

    got = figures(client, by="tech_role", lang="en")
    summaries = {k: v for k, v in got.items() if k.endswith("summary")}
    assert any("already shows its bars by Technology" in str(v["children"]) for v in summaries.values())
    assert any("Published figures: this figure cannot be broken down" in str(v["children"]) for v in summaries.values())


def test_a_bad_breakdown_from_a_link_or_a_crafted_request_is_named_and_ignored(client):
    from dashboard.callbacks.url import url_state
    from tests.dash_client import figures, notice_text

    filt, lang, problems, by = url_state("?by=colour&lang=en")
    assert by is None and problems == ["In the link, the breakdown 'colour' does not exist and is ignored; possible: "
                                       "sector, industry, size, tech_role, round."]
    got = figures(client, by=["size"], lang="en")
    assert "Unknown breakdown" in notice_text(got) and "possible: sector, industry, size, tech_role, round" in notice_text(got)


def test_the_csv_download_of_a_broken_down_card_is_the_command_line_s_table(client, capsys):
    from tests.dash_client import download as downloaded

    data = downloaded(client, "fig4", industry=["daycare"], size=["small"], by="sector", lang="en")
    download = data["content"]
    assert data["filename"].startswith("fig4_industry-daycare_size-small_by-sector")
    code, out, _ = _cli(capsys, "table", "fig4", "--industry", "daycare", "--size", "small", "--by", "sector",
                        "--lang", "en")
    page = pd.read_csv(io.StringIO(download))
    cli = pd.read_csv(io.StringIO(out))
    assert code == 0 and list(page.columns[: len(cli.columns)]) == list(cli.columns)
    assert page[cli.columns].astype(str).equals(cli.astype(str))


def test_download_all_carries_the_breakdown_in_every_file_and_name():
    from dashboard.export.bundle import export_files

    files = export_files(figure_data(), parse_filter(sector="state"), lang="en", formats=("csv", "xlsx"), by="size")
    fig4 = next(name for name in files if name.startswith("fig4_"))
    assert fig4 == "fig4_sector-state_by-size-synthetic.csv"
    table = pd.read_csv(io.BytesIO(files[fig4]))
    assert list(table.columns[:2]) == ["group", "group_label"] and set(table["group"]) == {"small", "medium", "large"}
    assert "innovationsbarometer_sector-state_by-size_en-synthetic.xlsx" in files
    nordic = pd.read_csv(io.BytesIO(next(v for k, v in files.items() if k.startswith("nordic_"))))
    assert "group" not in nordic.columns  # published figures are not broken down


@pytest.mark.parametrize("by", [None, "size", "sector"])
def test_every_patterned_bar_and_legend_swatch_shows_its_pattern_in_lines_that_stand_out(by):
    """A breakdown's 3-9 employees' technological and non-technological innovations were both plain blue in the
    legend: the hatch was drawn in the bar's own colour. Each pattern's lines now contrast 3:1 with its fill,
    and a trace has one colour (plotly.js ignores a pattern's colours on bars with a colour each)."""
    from dashboard.figures import theme
    from dashboard.figures.breakdown import drawn
    from dashboard.figures.build import figure_dict

    patterned = swatches = 0
    for spec in FIGURES:
        drawn_spec, rows, _ = drawn(figure_data(), spec, Filter(), by, "en")
        figure = figure_dict(drawn_spec, rows, Filter(), "en")
        legend = {}
        for trace in (t for t in figure["data"] if t.get("type") == "bar"):
            marker = trace["marker"]
            assert isinstance(marker["color"], str), (spec.id, trace["name"])
            shapes = set(np.atleast_1d(marker.get("pattern", {}).get("shape", "")))
            if shapes - {""}:
                patterned += 1
                pattern = marker["pattern"]
                assert pattern["bgcolor"] == marker["color"] and pattern["fillmode"] == "replace"
                assert theme.contrast(pattern["fgcolor"], pattern["bgcolor"]) >= 3.0, (spec.id, trace["name"])
            if trace.get("showlegend"):
                legend[trace["name"]] = (marker["color"], shapes.pop())
        swatches += len(legend)
        assert len(set(legend.values())) == len(legend), spec.id  # no two swatches alike
    assert patterned > (40 if by else 10) and swatches > 20
