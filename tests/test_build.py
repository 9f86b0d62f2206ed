"""The plotly figures: numbers, suppression, highlight, languages, the text inside the figure, export."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from dashboard.data import codebook as cb
from dashboard.data.filters import Filter, parse_filter
from dashboard.data.synth import generate
from dashboard.figures import specs, theme
from dashboard.figures.build import TEXT, build_figure, export_height, graph_config, png_filename, subtitle_lines
from dashboard.figures.tables import REASONS, FigureData


@pytest.fixture(scope="module")
def fd() -> FigureData:
    return FigureData(generate())


def _figure(fd: FigureData, figure_id: str, filt: Filter = Filter(), lang: str = "en", width=None):
    spec = specs.BY_ID[figure_id]
    return build_figure(spec, fd.table(figure_id, filt, lang), filt, lang, width=width)


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
    assert "neff_lt_30" in set(suppressed["reason"])
    notes = [a for a in _annotations(fig) if a.startswith("Suppressed: ")]
    assert sorted(notes) == sorted(f"Suppressed: {REASONS[r]['en']}" for r in suppressed["reason"])


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


MICRODATA_FIGURES = [f for f in specs.IDS if specs.BY_ID[f].chart != "range"]


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("figure_id", MICRODATA_FIGURES)
def test_synthetic_label_on_every_figure_drawn_from_the_microdata(fd, figure_id, lang):
    fig = _figure(fd, figure_id, lang=lang)
    assert cb.SYNTHETIC_LABEL[lang] in _annotations(fig)
    assert specs.BY_ID[figure_id].source[lang] in _annotations(fig)
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
        assert spec.source[lang] in real
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
    assert specs.BY_ID["nordic"].source[lang] in annotations
    assert cb.SYNTHETIC_LABEL[lang] not in annotations
    assert not any(word in a.lower() for a in annotations for word in ("synthetic", "syntetisk"))


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


def test_subtitle_base_is_the_innovators_when_a_filter_keeps_only_innovators(fd):
    filt = parse_filter(tech_role="new_tech")
    assert "Base: innovative workplaces" in _subtitle(_figure(fd, "fig7", filt, "en"))
    assert "Grundlag: innovative arbejdspladser" in _subtitle(_figure(fd, "fig7", filt, "da"))
    assert "Base: innovative workplaces" in _subtitle(_figure(fd, "fig7", parse_filter(value="quality"), "en"))
    for filt in (Filter(), parse_filter(sector="state")):
        assert "Base: all workplaces" in _subtitle(_figure(fd, "fig7", filt, "en"))


def test_subtitle_presents_highlighting_filters_as_highlights(fd):
    phrase = Filter(tech_role=("solution",)).describe("en")[0]
    sub = _subtitle(_figure(fd, "fig1", parse_filter(tech_role="solution"), "en")).replace("<br>", " ")
    assert f"Highlighted: {phrase}" in sub
    assert sub.count(phrase) == 1  # only as a highlight, not as a restriction
    assert "Base: innovative workplaces" in sub
    sub_da = _subtitle(_figure(fd, "fig1", parse_filter(tech_role="solution"), "da")).replace("<br>", " ")
    assert "Fremhævet: " + Filter(tech_role=("solution",)).describe("da")[0] in sub_da

    state = _subtitle(_figure(fd, "fig1", parse_filter(sector="state"), "en"))
    assert "Sector: State" in state and "Highlighted" not in state

    both = _subtitle(_figure(fd, "fig1", parse_filter(sector="state", tech_role="solution"), "en"))
    assert "Sector: State · Highlighted: " + phrase in both.replace("<br>", " ")
    assert "Highlighted" not in _subtitle(_figure(fd, "fig7", parse_filter(tech_role="solution"), "en"))


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
    assert config["displaylogo"] is False
    assert "locale" not in config  # numbers are formatted in Python; no plotly locale bundle is loaded
    assert {"lasso2d", "select2d"} <= set(config["modeBarButtonsToRemove"])
    fig = _figure(fd, "fig1", filt, "da")
    assert graph_config(spec, filt, "da", fig)["toImageButtonOptions"]["height"] == 700


@pytest.mark.parametrize("figure_id", ["fig2", "fig8", "dst-values-sector", "fig1"])
def test_export_of_a_figure_built_for_a_phone_is_as_tall_as_the_figure(fd, figure_id):
    fig = _figure(fd, figure_id, lang="da", width=390)
    camera = graph_config(specs.BY_ID[figure_id], Filter(), "da", fig)["toImageButtonOptions"]
    assert camera["width"] == 1200 and camera["height"] == export_height(fig) >= max(700, fig.layout.height)
    assert fig.layout.margin.t + fig.layout.margin.b < camera["height"] - 150  # room left for the bars
    assert graph_config(specs.BY_ID[figure_id], Filter(), "da", fig.to_plotly_json())["toImageButtonOptions"] \
        == camera


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


# --------------------------------------------------------------------------------------------------
# Width-aware figures
# --------------------------------------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", line) for line in (text or "").split("<br>")]


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("width", [320, 390, 560])
@pytest.mark.parametrize("figure_id", specs.IDS)
def test_figure_built_for_a_narrow_width_keeps_its_text_inside(fd, figure_id, lang, width):
    filt = Filter(sector=("state", "region"), value=("quality", "efficiency"), tech_role=("new_tech",))
    fig = _figure(fd, figure_id, filt, lang, width=width)
    sc = theme.scale(width)
    inner = width - 2 * sc.pad
    title = _lines(fig.layout.title.text)
    assert all(theme.text_width(line, sc.title, bold=True) <= inner for line in title), title
    assert theme.text_width(title[0], sc.title, bold=True) <= inner - 50  # clear of the modebar
    subtitle = _lines(fig.layout.title.subtitle.text)
    assert all(theme.text_width(line, sc.subtitle) <= inner for line in subtitle), subtitle
    assert fig.layout.title.font.size == sc.title < theme.TITLE_SIZE
    left, right = fig.layout.margin.l, fig.layout.margin.r
    for a in fig.layout.annotations:
        if a.name in ("footer", "category"):  # from the figure's left padding, across the width
            start = left + (a.xshift or 0)
            assert start >= sc.pad - 1
            assert all(start + theme.text_width(line, a.font.size) <= width - sc.pad for line in _lines(a.text)), a.text
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        if axis.ticktext and axis.tickvals and not str(axis.ticktext[0]).endswith("%"):
            widest = max(theme.text_width(line, sc.base) for t in axis.ticktext for line in _lines(t))
            if axis is fig.layout.yaxis:  # labels left of horizontal bars: inside the left margin
                assert widest + sc.pad <= left
            else:  # labels under vertical bars: each within its slot
                slot = (width - left - right) / len(axis.tickvals)
                assert widest <= slot, axis.ticktext
    legend = [tr.name for tr in fig.data if tr.showlegend]
    assert all(theme.text_width(line, sc.base) + 40 <= width - left - right for n in legend for line in _lines(n))


def test_phone_draws_cramped_vertical_charts_horizontally_with_labels_above(fd):
    for figure_id in ("fig4", "fig8", "fig1", "dst-values-sector"):
        wide = _figure(fd, figure_id, lang="da")
        assert {tr.orientation for tr in wide.data if tr.type == "bar"} == {None}
        phone = _figure(fd, figure_id, lang="da", width=390)
        assert {tr.orientation for tr in phone.data if tr.type == "bar"} == {"h"}, figure_id
        labels = [a.text.replace("<br>", " ") for a in phone.layout.annotations if a.name == "category"]
        table = fd.table(figure_id, Filter(), "da")
        assert [t.removesuffix(" *") for t in labels] == list(dict.fromkeys(table["category_label"]))
    assert _bars(_figure(fd, "fig4", width=390)) == _bars(_figure(fd, "fig4"))  # same numbers, other orientation
    # few bars: still vertical on a phone
    for figure_id in ("fig9", "fig10", "nordic"):
        assert {tr.orientation for tr in _figure(fd, figure_id, lang="da", width=390).data if tr.type == "bar"} == {None}
    # a label that cannot break (one long word) wider than its slot turns the chart too
    assert {tr.orientation for tr in _figure(fd, "nordic", lang="da", width=320).data if tr.type == "bar"} == {"h"}


def test_significance_star_follows_the_label_on_a_phone(fd):
    fig = _figure(fd, "fig4", width=360)
    starred = {a.text.replace("<br>", " ").removesuffix(" *") for a in fig.layout.annotations
               if a.name == "category" and a.text.endswith("*")}
    table = fd.table("fig4", Filter(), "en")
    assert starred == set(table.loc[table["significant"].fillna(False).astype(bool), "category_label"])


def test_width_none_is_the_export_design(fd):
    for figure_id in ("fig1", "fig2", "fig4"):
        default, export = _figure(fd, figure_id), _figure(fd, figure_id, width=theme.EXPORT_WIDTH)
        assert default.to_plotly_json() == export.to_plotly_json()
    fig = _figure(fd, "fig4")
    assert fig.layout.title.font.size == theme.TITLE_SIZE and "<br>" not in fig.layout.title.text
    assert fig.layout.height <= theme.EXPORT_HEIGHT  # the export shows it whole
    assert theme.scale(None) == theme.scale(5000) == theme.scale(theme.EXPORT_WIDTH)


def test_phone_subtitle_takes_more_lines_and_keeps_not_applied():
    filt = Filter(sector=("state", "region"), tech_role=("solution", "important", "minor", "none", "new_tech"),
                  value=("quality", "efficiency", "employee_satisfaction", "citizen_involvement"),
                  round="2015-2016")
    counts = pd.DataFrame({"series": ["tech", "non_tech"], "n": [10, 20]})
    for lang in ("da", "en"):
        lines = subtitle_lines(specs.BY_ID["fig4"], counts, filt, lang, width=360)
        assert 2 < len(lines) <= 4
        assert lines[-1].endswith(TEXT["not_applied"][lang] + ": " + ("Runde" if lang == "da" else "Round"))
        assert all(theme.text_width(line, theme.scale(360).subtitle) <= 360 - 2 * theme.scale(360).pad
                   for line in lines)


def test_flagged_bars_give_plotly_no_colour_array_where_it_wants_one_colour(fd):
    """plotly.js derives an overlay pattern's colours from marker.color: an array there is an invalid colour."""
    table = fd.table("fig4", Filter(), "en")
    table.loc[1, "flagged"] = True
    fig = build_figure(specs.BY_ID["fig4"], table, Filter(), "en")
    for trace in (tr for tr in fig.data if tr.type == "bar"):
        pattern = trace.marker.pattern
        if pattern.fillmode == "overlay" or pattern.fillmode is None:
            assert isinstance(trace.marker.color, str) or pattern.bgcolor is not None and isinstance(pattern.bgcolor, str)
        assert pattern.bgcolor is not None and pattern.fgcolor is not None


def test_text_width_and_buckets():
    assert theme.text_width("Innovation", 10) < theme.text_width("Innovation", 10, bold=True)
    assert theme.text_width("iiii", 10) < theme.text_width("mmmm", 10)
    assert [theme.bucket(w) for w in (100, 359, 360, 594, 1214, 4000)] == [320, 320, 360, 560, 1200, 1200]
    assert theme.scale(360).base < theme.scale(900).base == theme.BASE_SIZE


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
