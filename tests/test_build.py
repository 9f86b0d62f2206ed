"""The plotly figures: numbers, intervals, suppression, highlight, languages, labels and titles.

Width-aware layout, export configuration, palette, patterns and subtitles are in test_build_layout.py.
"""

from __future__ import annotations

import re

import pytest

from dashboard.data import codebook as cb
from dashboard.data.filters import Filter
from dashboard.figures import specs, theme
from dashboard.figures.build import TEXT, build_figure
from dashboard.figures.tables import REASONS
from tests.figure_helpers import _annotations, _bars, _figure, _labels, _suppress


# --------------------------------------------------------------------------------------------------
# Bars and intervals
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("figure_id", ["fig4", "fig2", "fig1"])
def test_error_bars_end_at_the_interval_bounds_to_one_decimal(fd, figure_id):
    # the chart carries what the downloads publish: shares and bounds to one decimal
    table = fd.table(figure_id, Filter(), "en")
    bars = _bars(build_figure(specs.BY_ID[figure_id], table, Filter(), "en"))
    assert len(bars) == len(table)
    for row in table.itertuples():
        bar = bars[(row.series, row.category)]
        if row.suppressed:
            assert bar["value"] is None
            continue
        assert bar["value"] == pytest.approx(round(row.share, 1), abs=1e-9)
        assert bar["value"] + bar["plus"] == pytest.approx(round(row.ci_high, 1), abs=1e-9)
        assert bar["value"] - bar["minus"] == pytest.approx(round(row.ci_low, 1), abs=1e-9)


def test_value_axis_runs_from_zero_to_one_hundred_percent(fd):
    fig = _figure(fd, "fig4", lang="da")
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] >= 100
    assert fig.layout.yaxis.ticktext[-1] == "100 %"
    assert fig.layout.yaxis.title.text == "Andel"


def test_nordic_ranges_float_between_the_published_bounds(fd):
    fig = _figure(fd, "nordic", lang="da")
    by_name = {tr.name: tr for tr in fig.data if tr.type == "bar"}
    ranges = by_name["Kun offentliggjort som interval"]
    assert list(ranges.base) == [77.0] * 4 and list(ranges.y) == [4.0] * 4
    assert set(ranges.text) == {"77-81 %"}
    exact = by_name["Offentliggjort tal"]
    assert list(exact.y) == [95.0] and list(exact.text) == ["95 %"]
    assert specs.BY_ID["nordic"].note["da"] in _annotations(fig)


# --------------------------------------------------------------------------------------------------
# Suppression
# --------------------------------------------------------------------------------------------------
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
    assert set(suppressed["reason"]) & {"neff_lt_30", "cell_lt_3", "rel_width_gt_130"}
    notes = [a.text.replace("<br>", " ") for a in fig.layout.annotations if a.name == "suppressed"]
    assert len(notes) == len(suppressed)
    for reason in suppressed["reason"]:  # every missing bar says why
        assert any(note.lower().endswith(REASONS[reason]["en"].lower()) for note in notes), reason


# --------------------------------------------------------------------------------------------------
# Highlight, significance and uncertainty
# --------------------------------------------------------------------------------------------------
def test_highlight_outlines_the_selected_bars_and_lightens_the_others(fd):
    filt = Filter(value=("quality",))
    table = fd.table("fig4", filt, "en")
    fig = build_figure(specs.BY_ID["fig4"], table, filt, "en")
    bars = _bars(fig)
    for row in table.itertuples():
        bar = bars[(row.series, row.category)]
        base = theme.colour(row.series)
        if row.category == "value_quality":  # highlighted: full colour, dark thick outline (not opacity)
            assert (bar["fill"], bar["line_colour"], bar["line_width"]) == (base, *theme.HIGHLIGHT_LINE)
        else:  # the others: lighter, with an outline still at 3:1 against white
            assert bar["fill"] == theme.lighten(base, theme.DIMMED_MIX) and bar["line_width"] == theme.BAR_LINE_WIDTH
            assert theme.contrast(bar["line_colour"]) >= 3.0
    bold = [t for tr in fig.data if tr.type == "scatter" and tr.mode == "text" and tr.textfont.weight == "bold"
            for t in tr.text]
    assert len(bold) == 2  # the two highlighted bars' values are bold (by the font: no markup)
    assert TEXT["highlight_key"]["en"] in " ".join(_annotations(fig))
    legend = [tr for tr in fig.data if tr.showlegend]
    assert [tr.name for tr in legend] == ["Technological innovations", "Non-technological innovations"]
    assert [tr.marker.pattern.shape for tr in legend] == ["", "/"]  # series differ without colour too


def test_no_highlight_draws_every_bar_alike(fd):
    fig = _figure(fd, "fig4")
    assert {b["line_width"] for b in _bars(fig).values()} == {theme.BAR_LINE_WIDTH}
    assert TEXT["highlight_key"]["en"] not in " ".join(_annotations(fig))


def test_significant_categories_are_starred_with_a_footnote(fd):
    table = fd.table("fig4", Filter(), "en")
    fig = build_figure(specs.BY_ID["fig4"], table, Filter(), "en")
    starred = {t.replace("<br>", " ").removesuffix(" *") for t in fig.layout.xaxis.ticktext if t.endswith("*")}
    expected = set(table.loc[table["significant"].fillna(False).astype(bool), "category_label"])
    assert starred == expected and starred
    footnote = "* Significant difference between the groups (p < 0.05, design-based test)"
    assert footnote in _annotations(fig)
    assert footnote not in _annotations(_figure(fd, "fig1"))  # no comparison in figure 1


def test_flagged_bar_gets_a_dagger_with_a_footnote(fd):
    table = fd.table("fig1", Filter(), "en")
    table.loc[2, "flagged"] = True
    fig = build_figure(specs.BY_ID["fig1"], table, Filter(), "en")
    bars = _bars(fig)
    assert f"{round(table.loc[2, 'share'])} %{theme.FLAG_MARK}" in _labels(fig)
    assert sum(label.endswith(theme.FLAG_MARK) for label in _labels(fig)) == 1
    assert TEXT["uncertain"]["en"] in bars[("all", "minor")]["hover"]
    assert TEXT["flagged"]["en"] in _annotations(fig)
    assert TEXT["flagged"]["en"] not in _annotations(_figure(fd, "fig1"))


# --------------------------------------------------------------------------------------------------
# Languages, labels and titles
# --------------------------------------------------------------------------------------------------
def test_danish_and_english_differ_and_danish_writes_decimal_commas(fd):
    fig_da, fig_en = _figure(fd, "fig1", lang="da"), _figure(fd, "fig1", lang="en")
    assert fig_da.layout.title.text == specs.BY_ID["fig1"].title["da"]
    assert fig_en.layout.title.text == specs.BY_ID["fig1"].title["en"]
    assert fig_da.layout.title.text != fig_en.layout.title.text

    share = fd.table("fig1", Filter(), "da").set_index("category").loc["minor", "share"]
    # on screen shares are whole percent, as published; thousands take the language's separator
    assert f"{round(share)} %" in _bars(fig_da)[("all", "minor")]["hover"]
    assert "1.877" in _bars(fig_da)[("all", "minor")]["hover"] and "1,877" in _bars(fig_en)[("all", "minor")]["hover"]
    for bar in _bars(fig_da).values():
        assert not re.search(r"\d[.,]\d %", bar["hover"])
    assert f"{round(share)} %" in [t.strip() for tr in fig_da.data if tr.type == "scatter" and tr.mode == "text" for t in tr.text]
    assert fig_da.layout.separators == ",." and fig_en.layout.separators == ".,"
    assert theme.fmt_pct(34.29, "da", 1) == "34,3 %" and theme.fmt_pct(34.29, "en", 1) == "34.3 %"


MICRODATA_FIGURES = [f for f in specs.IDS if specs.BY_ID[f].chart != "range"]


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("figure_id", MICRODATA_FIGURES)
def test_synthetic_label_on_every_figure_drawn_from_the_microdata(fd, figure_id, lang):
    fig = _figure(fd, figure_id, lang=lang)
    assert cb.SYNTHETIC_LABEL[lang] in _annotations(fig)
    assert specs.BY_ID[figure_id].source_line(lang) in _annotations(fig)
    assert cb.SYNTHETIC_LABEL[lang] in _annotations(_figure(fd, figure_id, lang=lang, width=360))


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("figure_id", specs.IDS)
def test_real_microdata_is_not_labelled_synthetic_or_illustrative(fd, figure_id, lang):
    spec = specs.BY_ID[figure_id]
    illustrative = TEXT["illustrative"][lang]
    for width in (None, 390):
        table = fd.table(figure_id, Filter(), lang)
        real = _annotations(build_figure(spec, table, Filter(), lang, width=width, synthetic=False))
        assert cb.SYNTHETIC_LABEL[lang] not in real and illustrative not in real
        assert not any(word in a.lower() for a in real for word in ("synthetic", "syntetisk"))
        assert spec.source_line(lang) in real
        synthetic = _annotations(build_figure(spec, table, Filter(), lang, width=width, synthetic=True))
        assert (illustrative in synthetic) == spec.illustrative
        if spec.chart == "range":  # published figures either way
            assert real == synthetic and spec.note[lang] in real
        else:
            assert TEXT["microdata"][lang] in real and cb.SYNTHETIC_LABEL[lang] in synthetic
    assert TEXT["microdata"] == {"da": "Data: Innovationsbarometerets mikrodata",
                                 "en": "Data: Innovationsbarometeret microdata"}


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("width", [None, 390])
def test_nordic_footer_says_published_figures_not_synthetic(fd, lang, width):
    annotations = _annotations(_figure(fd, "nordic", lang=lang, width=width))
    expected = {"da": "Offentliggjorte tal fra de nordiske innovationsbarometre, ikke beregnet af dashboardets data",
                "en": "Published figures from the Nordic innovation barometers, not computed from this dashboard's data"}
    assert expected[lang] in annotations and TEXT["published_source"][lang] == expected[lang]
    assert specs.BY_ID["nordic"].source_line(lang) in annotations
    assert cb.SYNTHETIC_LABEL[lang] not in annotations
    assert not any(word in a.lower() for a in annotations for word in ("synthetic", "syntetisk"))


def test_illustrative_figures_say_so(fd):
    note = "Illustrative values: the publication gives no numbers for this figure"
    assert note in _annotations(_figure(fd, "fig2"))
    assert note not in _annotations(_figure(fd, "fig1"))


# --------------------------------------------------------------------------------------------------
# Plotly's own property check
# --------------------------------------------------------------------------------------------------
def test_figures_are_valid_plotly_when_checked(monkeypatch):
    """Built without plotly's per-property check for speed, every figure still passes that check."""
    import plotly.graph_objects as go

    from dashboard.data.filters import parse_filter as _parse
    from dashboard.data.synth import generate as _generate
    from dashboard.figures import build as build_module
    from dashboard.figures.specs import FIGURES as _FIGURES
    from dashboard.figures.tables import FigureData as _FigureData

    data = _FigureData(_generate())
    filt = _parse(sector="region", tech_role="dont_know", value="political_goals")
    for spec in _FIGURES:
        for width in (None, 390):
            fast = build_module.build_figure(spec, data.table(spec.id, filt, "en"), filt, "en", width=width)
            checked = go.Figure(fast.to_dict())  # validates every property, raises on an invalid one
            assert checked.to_plotly_json()["layout"]["title"] == fast.to_plotly_json()["layout"]["title"]


def test_figure_dict_is_plain_data_and_the_figure_build_figure_returns():
    """figure_dict holds only dicts, lists and scalars, and plotly reads it as build_figure's figure."""
    import json

    import plotly.graph_objects as go
    import plotly.io as pio
    from plotly.basedatatypes import BasePlotlyType

    from dashboard.data.filters import parse_filter as _parse
    from dashboard.data.synth import generate as _generate
    from dashboard.figures.build import figure_dict
    from dashboard.figures.tables import FigureData as _FigureData

    def plain(value):
        if isinstance(value, dict):
            return all(plain(v) for v in value.values())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return not isinstance(value, BasePlotlyType)

    data = _FigureData(_generate())
    filt = _parse(sector="region", tech_role="dont_know", value="political_goals")
    for figure_id in ("fig1", "fig2", specs.FIGURES[-1].id):
        spec = specs.BY_ID[figure_id]
        table = data.table(figure_id, filt, "da")
        fig = figure_dict(spec, table, filt, "da", width=390)
        assert set(fig) == {"data", "layout"} and plain(fig)
        assert all(trace["type"] in ("bar", "scatter") for trace in fig["data"])
        built = build_figure(spec, table, filt, "da", width=390)
        assert json.loads(pio.to_json(go.Figure(fig), validate=False)) == json.loads(pio.to_json(built, validate=False))
