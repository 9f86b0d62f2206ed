"""The plotly figures: subtitles, export configuration, palette and patterns, and width-aware layout."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.data.filters import Filter, parse_filter
from dashboard.figures import specs, theme
from dashboard.figures.build import TEXT, build_figure, export_height, graph_config, png_filename, subtitle_lines
from tests.figure_helpers import _bars, _figure, _lines, _subtitle


# --------------------------------------------------------------------------------------------------
# Subtitles
# --------------------------------------------------------------------------------------------------
def test_subtitle_gives_unweighted_n_with_the_language_thousands_separator(fd):
    assert "n = 1.877" in _subtitle(_figure(fd, "fig1", lang="da"))
    assert "n = 1,877" in _subtitle(_figure(fd, "fig1", lang="en"))
    n = fd.table("fig4", Filter(), "en").groupby("series", sort=False)["n"].max()  # those who answered
    assert f"n = {n['tech']:,} / {n['non_tech']:,}" in _subtitle(_figure(fd, "fig4", lang="en"))
    assert "Base: innovative workplaces" in _subtitle(_figure(fd, "fig1", lang="en"))
    assert "Grundlag: innovative arbejdspladser" in _subtitle(_figure(fd, "fig1", lang="da"))


def test_filter_not_applied_is_named_in_the_subtitle(fd):
    filt = Filter(round="2015-2016")
    assert "No data for 2015-2016: shows 2018-2019" in _subtitle(_figure(fd, "fig1", filt, "en"))
    assert "Ingen data for 2015-2016: viser 2018-2019" in _subtitle(_figure(fd, "fig1", filt, "da"))
    assert "Not applied" not in _subtitle(_figure(fd, "dst-sector-trend", filt, "en"))  # its own series
    assert "Highlighted: Round: 2015-2016" in _subtitle(_figure(fd, "dst-sector-trend", filt, "en"))
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
    assert lines[-1].endswith("No data for 2015-2016: shows 2018-2019")


# --------------------------------------------------------------------------------------------------
# Export configuration
# --------------------------------------------------------------------------------------------------
def test_png_filename_names_the_filters():
    fig1 = specs.BY_ID["fig1"]
    assert png_filename(fig1, Filter(sector=("state",))) == "fig1_sector-state"
    assert png_filename(fig1, Filter()) == "fig1_all"
    assert png_filename(fig1, Filter(sector=("state",), tech_role=("new_tech",))) == \
        "fig1_sector-state_tech_role-new_tech"
    name = png_filename(specs.BY_ID["dst-sector-trend"], Filter(round="2015-2016"))
    assert name == "dst-sector-trend_round-2015-2016" and re.fullmatch(r"[A-Za-z0-9_\-]+", name)


def test_graph_config_exports_a_print_size_png(fd):
    spec, filt = specs.BY_ID["fig1"], Filter(sector=("state",))
    config = graph_config(spec, filt, "da")
    camera = config["toImageButtonOptions"]
    assert camera["format"] == "png" and camera["filename"] == "fig1_sector-state"
    assert camera["scale"] >= 2 and (camera["width"], camera["height"]) == (1200, 700)
    assert config["displaylogo"] is False and config["showSendToCloud"] is False  # no "Share chart"
    assert config["modeBarButtons"] == [["toImage"]]  # the camera, nothing else
    assert config["locales"]["da"]["dictionary"]["Download plot as a PNG"] == "Hent figuren som PNG-billede"
    assert "locale" not in graph_config(spec, filt, "en")  # plotly's own words are English
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


# --------------------------------------------------------------------------------------------------
# Palette and patterns
# --------------------------------------------------------------------------------------------------
def test_single_series_uses_the_primary_colour_and_series_keep_their_colour(fd):
    fig1 = _figure(fd, "fig1")
    assert {tr.marker.color for tr in fig1.data if tr.type == "bar"} == {theme.PRIMARY}
    for figure_id in ("fig4", "fig6"):
        legend = {tr.legendgroup: tr.marker.color for tr in _figure(fd, figure_id).data if tr.showlegend}
        assert legend["non_tech"] == theme.NEUTRAL


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


# --------------------------------------------------------------------------------------------------
# Width-aware figures
# --------------------------------------------------------------------------------------------------
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
        assert lines[-1].endswith(TEXT["round_missing"][lang].format(chosen="2015-2016", shown="2018-2019"))
        assert all(theme.text_width(line, theme.scale(360).subtitle) <= 360 - 2 * theme.scale(360).pad
                   for line in lines)


def test_text_width_and_buckets():
    assert theme.text_width("Innovation", 10) < theme.text_width("Innovation", 10, bold=True)
    assert theme.text_width("iiii", 10) < theme.text_width("mmmm", 10)
    assert [theme.bucket(w) for w in (100, 359, 360, 594, 1214, 4000)] == [320, 320, 360, 560, 1200, 1200]
    assert theme.scale(360).base < theme.scale(900).base == theme.BASE_SIZE


@pytest.mark.parametrize("lang", ["da", "en"])
def test_category_labels_stay_level_and_fit_at_every_width_and_preset(fd, lang):
    """No label is turned or wrapped into a tower: a vertical chart keeps at most MAX_TICK_LINES lines per
    label, each narrower than its slot; where that does not hold the chart is drawn horizontally."""
    from dashboard.export.presets import PRESETS
    from dashboard.figures.build import figure_dict
    from dashboard.figures.placement import MAX_TICK_LINES
    from dashboard.figures.text import FIT

    widths = [*theme.WIDTH_BUCKETS, *(p.width for p in PRESETS.values()), None]
    for figure_id in specs.IDS:
        table = fd.table(figure_id, Filter(), lang)
        for width in widths:
            fig = figure_dict(specs.BY_ID[figure_id], table, Filter(), lang, width=width)
            layout = fig["layout"]
            horizontal = any(t.get("orientation") == "h" for t in fig["data"] if t["type"] == "bar")
            axis = layout["yaxis"] if horizontal else layout["xaxis"]
            assert axis.get("tickangle") == 0, (figure_id, width)
            if horizontal:
                continue
            sc = theme.scale(width)
            plot_w = sc.width - layout["margin"]["l"] - layout["margin"]["r"]
            slot = plot_w / max(len(axis["ticktext"]), 1)
            for label in axis["ticktext"]:
                lines = label.split("<br>")
                assert len(lines) <= MAX_TICK_LINES, (figure_id, width, label)
                assert all(theme.text_width(line, sc.base) <= slot / FIT for line in lines), (figure_id, width, label)


def test_a4_export_draws_the_eight_partners_of_figure_8_horizontally(fd):
    from dashboard.export.presets import PRESETS
    from dashboard.figures.build import figure_dict

    fig = figure_dict(specs.BY_ID["fig8"], fd.table("fig8", Filter(), "da"), Filter(), "da", width=PRESETS["a4"].width)
    assert {t.get("orientation") for t in fig["data"] if t["type"] == "bar"} == {"h"}
