"""The plotly figures: numbers, suppression, highlight, languages, the text inside the figure, export."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from dashboard.data import codebook as cb
from dashboard.data.filters import Filter
from dashboard.data.synth import generate
from dashboard.figures import specs, theme
from dashboard.figures.build import build_figure, graph_config, png_filename, subtitle_lines
from dashboard.figures.tables import FigureData


@pytest.fixture(scope="module")
def fd() -> FigureData:
    return FigureData(generate())


def _figure(fd: FigureData, figure_id: str, filt: Filter = Filter(), lang: str = "en"):
    spec = specs.BY_ID[figure_id]
    return build_figure(spec, fd.table(figure_id, filt, lang), filt, lang)


def _bars(fig) -> dict[tuple[str, str], dict]:
    """Return (series, category) -> value, error bar lengths, opacity and pattern of every bar point."""
    out = {}
    for trace in fig.data:
        if trace.type != "bar":
            continue
        horizontal = trace.orientation == "h"
        values = trace.x if horizontal else trace.y
        error = trace.error_x if horizontal else trace.error_y
        for i, (series, category) in enumerate(trace.customdata):
            out[(series, category)] = {
                "value": values[i], "plus": error.array[i], "minus": error.arrayminus[i],
                "opacity": trace.marker.opacity[i], "pattern": trace.marker.pattern.shape[i],
                "hover": trace.hovertext[i],
            }
    return out


def _annotations(fig) -> list[str]:
    """Return the text of every annotation, line breaks read as spaces."""
    return [a.text.replace("<br>", " ") for a in fig.layout.annotations]


def _subtitle(fig) -> str:
    return fig.layout.title.subtitle.text


def _suppress(table, index, reason="n_lt_3"):
    table = table.copy()
    table.loc[index, ["share", "ci_low", "ci_high"]] = np.nan
    table.loc[index, "suppressed"] = True
    table.loc[index, "reason"] = reason
    table.loc[index, "n"] = 2
    return table


@pytest.mark.parametrize("figure_id", ["fig4", "fig2", "fig1"])
def test_error_bars_end_at_the_interval_bounds(fd, figure_id):
    table = fd.table(figure_id, Filter(), "en")
    bars = _bars(build_figure(specs.BY_ID[figure_id], table, Filter(), "en"))
    assert len(bars) == len(table)
    for row in table.itertuples():
        bar = bars[(row.series, row.category)]
        assert bar["value"] == pytest.approx(row.share)
        assert bar["value"] + bar["plus"] == pytest.approx(row.ci_high)
        assert bar["value"] - bar["minus"] == pytest.approx(row.ci_low)


def test_suppressed_row_has_no_bar_and_a_note_with_the_reason(fd):
    spec = specs.BY_ID["fig1"]
    table = _suppress(fd.table("fig1", Filter(), "en"), 0)
    fig = build_figure(spec, table, Filter(), "en")
    bar = _bars(fig)[("all", "solution")]
    assert bar["value"] is None and bar["plus"] is None
    assert "Suppressed: fewer than 3 respondents" in _annotations(fig)
    labels = [t for tr in fig.data if tr.type == "scatter" and tr.mode == "text" for t in tr.text]
    assert len(labels) == len(table) - 1  # no value label for the missing bar

    table_da = _suppress(fd.table("fig1", Filter(), "da"), 0)
    fig_da = build_figure(spec, table_da, Filter(), "da")
    assert "Undertrykt: færre end 3 svar" in _annotations(fig_da)


def test_suppressed_cells_from_a_small_domain_are_explained(fd):
    filt = Filter(sector=("region",), value=("political_goals",), tech_role=("new_tech",))
    table = fd.table("fig8", filt, "en")
    suppressed = table[table["suppressed"]]
    assert len(suppressed) > 0
    fig = build_figure(specs.BY_ID["fig8"], table, filt, "en")
    bars = _bars(fig)
    assert all(bars[(r.series, r.category)]["value"] is None for r in suppressed.itertuples())
    notes = [a for a in _annotations(fig) if a.startswith("Suppressed: effective n below 30")]
    assert len(notes) == len(suppressed)


def test_highlight_dims_the_bars_not_selected(fd):
    filt = Filter(value=("quality",))
    table = fd.table("fig4", filt, "en")
    fig = build_figure(specs.BY_ID["fig4"], table, filt, "en")
    bars = _bars(fig)
    for row in table.itertuples():
        expected = 1.0 if row.category == "value_quality" else theme.DIMMED_OPACITY
        assert bars[(row.series, row.category)]["opacity"] == expected
    legend = [tr for tr in fig.data if tr.showlegend]
    assert [tr.name for tr in legend] == ["Technological innovations", "Non-technological innovations"]
    assert all(tr.opacity is None and tr.marker.opacity is None for tr in legend)


def test_no_highlight_keeps_every_bar_opaque(fd):
    fig = _figure(fd, "fig4")
    assert {b["opacity"] for b in _bars(fig).values()} == {1.0}


def test_danish_and_english_differ_and_danish_writes_decimal_commas(fd):
    fig_da, fig_en = _figure(fd, "fig1", lang="da"), _figure(fd, "fig1", lang="en")
    assert fig_da.layout.title.text == specs.BY_ID["fig1"].title["da"]
    assert fig_en.layout.title.text == specs.BY_ID["fig1"].title["en"]
    assert fig_da.layout.title.text != fig_en.layout.title.text

    share = fd.table("fig1", Filter(), "da").set_index("category").loc["minor", "share"]
    one_decimal = f"{share:.1f}"
    assert f"{one_decimal.replace('.', ',')} %" in _bars(fig_da)[("all", "minor")]["hover"]
    assert f"{one_decimal} %" in _bars(fig_en)[("all", "minor")]["hover"]
    for bar in _bars(fig_da).values():
        assert re.search(r"\d,\d %", bar["hover"]) and not re.search(r"\d\.\d %", bar["hover"])
    assert f"{round(share)} %" in [t.strip() for tr in fig_da.data if tr.type == "scatter" and tr.mode == "text" for t in tr.text]
    assert fig_da.layout.separators == ",." and fig_en.layout.separators == ".,"
    assert theme.fmt_pct(34.29, "da", 1) == "34,3 %" and theme.fmt_pct(34.29, "en", 1) == "34.3 %"


def test_subtitle_gives_unweighted_n_with_the_language_thousands_separator(fd):
    assert "n = 1.877" in _subtitle(_figure(fd, "fig1", lang="da"))
    assert "n = 1,877" in _subtitle(_figure(fd, "fig1", lang="en"))
    assert "n = 733 / 1,144" in _subtitle(_figure(fd, "fig4", lang="en"))
    assert "Base: innovative workplaces" in _subtitle(_figure(fd, "fig1", lang="en"))
    assert "Grundlag: innovative arbejdspladser" in _subtitle(_figure(fd, "fig1", lang="da"))


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("figure_id", specs.IDS)
def test_synthetic_label_on_every_figure(fd, figure_id, lang):
    fig = _figure(fd, figure_id, lang=lang)
    assert cb.SYNTHETIC_LABEL[lang] in _annotations(fig)
    assert specs.BY_ID[figure_id].source[lang] in _annotations(fig)


def test_png_filename_names_the_filters():
    fig1 = specs.BY_ID["fig1"]
    assert png_filename(fig1, Filter(sector=("state",))) == "fig1_sector-state"
    assert png_filename(fig1, Filter()) == "fig1_all"
    assert png_filename(fig1, Filter(sector=("state",), tech_role=("new_tech",))) == \
        "fig1_sector-state_tech_role-new_tech"
    name = png_filename(specs.BY_ID["dst-sector-trend"], Filter(round="2015-2016"))
    assert name == "dst-sector-trend_round-2015-2016" and re.fullmatch(r"[A-Za-z0-9_\-]+", name)


def test_filter_not_applied_is_named_in_the_subtitle(fd):
    filt = Filter(round="2015-2016")
    assert "Not applied: Round" in _subtitle(_figure(fd, "fig1", filt, "en"))
    assert "Ikke anvendt: Runde" in _subtitle(_figure(fd, "fig1", filt, "da"))
    assert "Not applied" not in _subtitle(_figure(fd, "dst-sector-trend", filt, "en"))  # its own series
    nordic = _subtitle(_figure(fd, "nordic", Filter(sector=("state",)), "en"))
    assert "Not applied: Sector" in nordic


def test_subtitle_keeps_to_two_lines_and_keeps_not_applied():
    filt = Filter(sector=("state", "region"), tech_role=("solution", "important", "minor", "none", "new_tech"),
                  value=("quality", "efficiency", "employee_satisfaction", "citizen_involvement"),
                  round="2015-2016")
    counts = pd.DataFrame({"series": ["tech", "non_tech"], "n": [10, 20]})  # the subtitle needs only the n
    lines = subtitle_lines(specs.BY_ID["fig4"], counts, filt, "en")
    assert len(lines) == 2
    assert lines[-1].endswith("Not applied: Round")


def test_graph_config_exports_a_print_size_png(fd):
    spec, filt = specs.BY_ID["fig1"], Filter(sector=("state",))
    config = graph_config(spec, filt, "da")
    camera = config["toImageButtonOptions"]
    assert camera["format"] == "png" and camera["filename"] == "fig1_sector-state"
    assert camera["scale"] >= 2 and (camera["width"], camera["height"]) == (1200, 700)
    assert config["displaylogo"] is False and config["locale"] == "da"
    assert {"lasso2d", "select2d"} <= set(config["modeBarButtonsToRemove"])
    assert graph_config(spec, filt, "en")["locale"] != "da"


def test_significant_categories_are_starred_with_a_footnote(fd):
    table = fd.table("fig4", Filter(), "en")
    fig = build_figure(specs.BY_ID["fig4"], table, Filter(), "en")
    starred = {t.replace("<br>", " ").removesuffix(" *") for t in fig.layout.xaxis.ticktext if t.endswith("*")}
    expected = set(table.loc[table["significant"].fillna(False).astype(bool), "category_label"])
    assert starred == expected and starred
    footnote = "* Significant difference between the groups (p < 0.05, design-based test)"
    assert footnote in _annotations(fig)
    assert footnote not in _annotations(_figure(fd, "fig1"))  # no comparison in figure 1


def test_flagged_bar_is_hatched_with_a_footnote(fd):
    table = fd.table("fig1", Filter(), "en")
    table.loc[2, "flagged"] = True
    fig = build_figure(specs.BY_ID["fig1"], table, Filter(), "en")
    bars = _bars(fig)
    assert bars[("all", "minor")]["pattern"] == theme.FLAGGED_PATTERN
    assert bars[("all", "none")]["pattern"] == ""
    assert "Uncertain: interval wider than 30 points" in bars[("all", "minor")]["hover"]
    assert any(a.startswith("Hatched bars") for a in _annotations(fig))
    assert not any(a.startswith("Hatched bars") for a in _annotations(_figure(fd, "fig1")))


def test_nordic_ranges_float_between_the_published_bounds(fd):
    fig = _figure(fd, "nordic", lang="da")
    by_name = {tr.name: tr for tr in fig.data if tr.type == "bar"}
    ranges = by_name["Kun offentliggjort som interval"]
    assert list(ranges.base) == [77.0] * 4 and list(ranges.y) == [4.0] * 4
    assert set(ranges.text) == {"77-81 %"}
    exact = by_name["Offentliggjort tal"]
    assert list(exact.y) == [95.0] and list(exact.text) == ["95 %"]
    assert specs.BY_ID["nordic"].note["da"] in _annotations(fig)


def test_illustrative_figures_say_so(fd):
    note = "Illustrative values: the publication gives no numbers for this figure"
    assert note in _annotations(_figure(fd, "fig2"))
    assert note not in _annotations(_figure(fd, "fig1"))


def test_single_series_uses_the_primary_colour_and_series_keep_their_colour(fd):
    fig1 = _figure(fd, "fig1")
    assert {c for tr in fig1.data if tr.type == "bar" for c in tr.marker.color} == {theme.PRIMARY}
    for figure_id in ("fig4", "fig6"):
        legend = {tr.legendgroup: tr.marker.color for tr in _figure(fd, figure_id).data if tr.showlegend}
        assert legend["non_tech"] == theme.NEUTRAL


def test_value_axis_runs_from_zero_to_one_hundred_percent(fd):
    fig = _figure(fd, "fig4", lang="da")
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] >= 100
    assert fig.layout.yaxis.ticktext[-1] == "100 %"
    assert fig.layout.yaxis.title.text == "Andel"
