"""In-process HTTP tests of the Dash app: page, layout, the figures callback, language.

Callbacks are called the way the browser calls them (see tests/dash_client.py). URLs, downloads and
crafted requests are in test_app_urls.py, test_app_downloads.py and test_app_requests.py.
"""

import json

import pytest

from dashboard.callbacks import PAIRS, chart_widths
from dashboard.cards import card_spans
from dashboard.data.codebook import SYNTHETIC_LABEL
from dashboard.data.filters import FILTER_LABELS, Filter, parse_filter
from dashboard.figures.specs import BY_ID, FIGURES, IDS, SECTIONS
from dashboard.figures.theme import WIDTH_BUCKETS
from tests.dash_client import bar_values, call, dependency, figures, notice_text, split_outputs, table_values


# --------------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------------
def test_index_page_has_title(client):
    res = client.get("/")
    assert res.status_code == 200
    assert "<title>Innovationsbarometeret</title>" in res.get_data(as_text=True)
    assert '<html lang="da">' in res.get_data(as_text=True)


def test_layout_has_stable_ids(client):
    layout = client.get("/_dash-layout").get_data(as_text=True)
    for fid in IDS:  # each chart's slot (the chart is put into it with its first figure, in the browser)
        assert f'"id":"{fid}-slot"' in layout and f'"id":"{fid}-figure-data"' in layout, fid
    for control in ("filter-sector", "filter-tech-role", "filter-value", "filter-round", "lang", "reset",
                    "notice", "url"):
        assert f'"{control}"' in layout, control
    page = json.loads(layout)
    downloads = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Download":
                key = node["props"]["id"]
                downloads.append(key["figure"] if isinstance(key, dict) else key)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(page)
    # "Download all" in the filter bar, then each card's numbers as CSV and as XLSX
    assert downloads == ["export-download", *(fid for fid in IDS for _ in ("csv", "xlsx"))]


def test_dependencies_endpoint_lists_the_callbacks(client):
    outputs = [d["output"] for d in client.get("/_dash-dependencies").get_json()]
    assert any("url-problems.data" in o and "filter-sector.value" in o for o in outputs)  # a link sets the filters
    assert any(o.startswith("..url.search...url-current.data@") for o in outputs)  # the filters write the link
    assert any(all(f"{fid}-figure-data.data" in o for fid in IDS) for o in outputs)  # one callback computes them all
    # and one callback in the browser hands every chart its figure from its store, or the wake store
    show = [d for d in client.get("/_dash-dependencies").get_json() if d["output"].startswith(f"..{IDS[0]}-slot.")]
    assert len(show) == 1 and show[0]["clientside_function"] == {"namespace": "charts", "function_name": "show"}
    assert show[0]["output"] == ".." + "...".join(f"{fid}-slot.children" for fid in IDS) + ".."
    assert [i["id"] for i in show[0]["inputs"]] == [f"{fid}-figure-data" for fid in IDS] + ["charts-wake"]
    assert any('"download-csv"' in o and "MATCH" in o for o in outputs)
    assert any('"download-xlsx"' in o and "MATCH" in o for o in outputs)
    assert "camera-image.data" in outputs  # a chart's camera asks the server for the chart at the export size


# --------------------------------------------------------------------------------------------------
# Figures callback
# --------------------------------------------------------------------------------------------------
def test_figures_follow_sector_filter(client, figure_data):
    res = figures(client, sector=["state"])
    expected = figure_data.table("fig1", Filter(sector=("state",)))
    bars = bar_values(res["fig1"]["figure"])
    assert bars.keys() == table_values(expected).keys()
    for key, share in table_values(expected).items():
        assert bars[key] == pytest.approx(share, abs=1e-6), key
    default = table_values(figure_data.table("fig1", Filter()))
    assert bars != pytest.approx(default)  # the filter changed the numbers
    assert res["notice"] == {"children": None, "is_open": False}


def test_every_graph_gets_figure_config_and_summary_and_open_tables_their_table(client):
    res = figures(client, value=["efficiency"], lang="en")
    # the table views are closed: none is sent (each comes when it is opened)
    assert set(res) == {*IDS, *(f"{fid}-summary" for fid in IDS), "notice", "figures-status", "figures-state"}
    for fid in IDS:
        assert res[fid]["figure"]["data"], fid
        assert res[fid]["config"]["toImageButtonOptions"]["filename"].startswith(fid)
        assert res[f"{fid}-summary"]["children"].startswith("Base: ") or fid == "nordic"
    assert res["figures-status"]["children"] == "16 figures updated: Value: Higher efficiency."
    assert res["fig4"]["figure"]["layout"]["meta"] == {"figure": "fig4", "lang": "en"}
    body = {("card-body", "fig4"): "card-body show-table"}  # the card of figure 4 shows its table
    state = {(json.dumps({"figure": "fig4", "type": "card-body"}, separators=(",", ":")), "className"):
             body[("card-body", "fig4")]}
    figures(client, lang="en")  # the figures of this filter are cached without any table
    opened = call(client, "fig1-figure-data.data", {("lang", "value"): "en"}, ["lang.value"],
                  state_values=state).get_json()["response"]
    assert set(k for k in opened if k.endswith("-table")) == {"fig4-table"}
    assert opened["fig4-table"]["children"]["type"] == "Table"
    caption = opened["fig4-table"]["children"]["props"]["children"][0]["props"]["children"]
    assert "Base: " in json.dumps(caption)


def test_the_live_region_announces_only_the_figures_a_change_redraws(client):
    """The issue's example: choosing 2015-2016 changed only the trend figure's highlight, yet the live region said
    "16 figures updated". It now counts the figures whose bars changed and says which figures the round has."""
    first = figures(client, lang="en")
    assert first["figures-status"]["children"] == "16 figures updated: no filters."  # the first draw: all of them
    old = figures(client, before=first["figures-state"]["data"], round="2015-2016", lang="en")
    assert old["figures-status"]["children"] == ("1 of 16 figures updated: Round: 2015-2016. Round 2015-2016 has data "
                                                 "for 1 of 16 figures.")
    state = figures(client, before=first["figures-state"]["data"], sector=["state"], lang="en")
    assert state["figures-status"]["children"] == "15 of 16 figures updated: Sector: State."  # the Nordic one stays
    same = figures(client, before=state["figures-state"]["data"], sector=["state"], lang="en")
    assert same["figures-status"]["children"] == "No figure changed: Sector: State."
    danish = figures(client, before=state["figures-state"]["data"], sector=["state"], lang="da")
    assert danish["figures-status"]["children"] == "16 figurer opdateret: Sektor: Stat."  # a new language: all


def test_opening_a_table_sends_the_numbers_of_the_current_filter(client, figure_data):
    toggle = json.dumps({"type": "view-toggle", "figure": "fig1"}, sort_keys=True, separators=(",", ":"))
    res = call(client, "fig1-table.children@", {(toggle, "n_clicks"): 1}, [toggle + ".n_clicks"],
               state_values={("filter-sector", "value"): ["state"], ("lang", "value"): "en"})
    assert res.status_code == 200
    table = res.get_json()["response"]["fig1-table"]["children"]
    first = table["props"]["children"][2]["props"]["children"][0]["props"]["children"]
    expected = figure_data.table("fig1", parse_filter(sector="state"), "en").iloc[0]
    assert first[0]["props"]["children"] == expected["category_label"]
    assert first[1]["props"]["children"] == f"{expected['share']:.1f} %"


@pytest.mark.parametrize(
    ("controls", "named"),
    [
        ({"sector": ["state", "atlantis"]}, "'atlantis'"),
        ({"tech_role": {"$gt": ""}}, "dict"),
        ({"value": 7}, "int"),
        ({"sector": ["state"] * 10_000}, "10000"),
        ({"round": "1999-2000"}, "'1999-2000'"),
        ({"tech_role": [None]}, "'None'"),
    ],
)
def test_crafted_filter_gives_notice_and_default_view(client, figure_data, controls, named):
    res = figures(client, **controls)
    assert res["notice"]["is_open"] is True
    text = notice_text(res)
    assert named in text
    key = next(iter(controls))
    assert FILTER_LABELS[key]["da"] in text or key == "round"  # names the filter by the name its control has
    assert "Standardfilteret vises" in text
    bars = bar_values(res["fig1"]["figure"])
    assert bars == pytest.approx(table_values(figure_data.table("fig1", Filter())))


def test_unknown_language_falls_back_to_danish_with_notice(client):
    res = figures(client, lang="xx")
    assert res["notice"]["is_open"] is True
    assert "'xx'" in notice_text(res)
    assert res["fig1"]["figure"]["layout"]["meta"]["lang"] == "da"


LINK = {"link": "?sector=region&tech_role=bogus", "problems": ["Ukendt værdi i linket ignoreret: tech_role 'bogus'"]}


def test_url_problems_are_shown_in_notice(client):
    res = figures(client, sector=["region"], url_problems=LINK)
    assert res["notice"]["is_open"] is True
    assert "'bogus'" in notice_text(res)


@pytest.mark.parametrize("store", [
    LINK,  # the controls no longer show the link: a filter has changed since
    ["a list, as an older page sent it"], {"link": 7, "problems": "no list"}, {"problems": [{"$gt": ""}]},
])
def test_url_problems_are_told_only_while_the_controls_show_the_link(client, store):
    res = figures(client, sector=["state"], url_problems=store)
    assert res["notice"] == {"children": None, "is_open": False}


def _title_lines(response: dict, figure: str) -> int:
    return response[figure]["figure"]["layout"]["title"]["text"].count("<br>") + 1


def test_figures_are_built_for_the_width_of_their_card(client):
    wide = figures(client, lang="en")  # no width known yet: the export design
    assert "width" not in wide["fig3"]["figure"]["layout"]
    assert _title_lines(wide, "fig3") == 1
    assert wide["fig3"]["config"]["toImageButtonOptions"]["height"] == 700

    # a wide screen: two cards a row; the pair gets one height, the half-width chart is wrapped for its card
    desktop = figures(client, lang="en", chart_width={"wide": 1214, "half": 594})
    assert _title_lines(desktop, "fig1") == 1 and _title_lines(desktop, "fig3") == 2
    for left, right in PAIRS:
        assert desktop[left]["figure"]["layout"]["height"] == desktop[right]["figure"]["layout"]["height"]
    assert desktop["fig3"]["figure"]["layout"]["autosize"] is True

    # a phone: the phone design at a fixed width, horizontal bars where vertical ones would be cramped
    phone = figures(client, lang="en", chart_width={"wide": 390, "half": 390})
    layout = phone["fig4"]["figure"]["layout"]
    assert layout["width"] == 360 and layout["autosize"] is False
    assert {t.get("orientation") for t in phone["fig4"]["figure"]["data"] if t["type"] == "bar"} == {"h"}
    assert _title_lines(phone, "fig1") > 1
    for fid in IDS:  # the export keeps everything: as tall as the figure if that is taller
        camera = phone[fid]["config"]["toImageButtonOptions"]
        assert (camera["width"], camera["scale"]) == (1200, 2)
        assert camera["height"] >= max(700, phone[fid]["figure"]["layout"]["height"])
        assert "locale" not in phone[fid]["config"]
    assert phone["notice"] == {"children": None, "is_open": False}


@pytest.mark.parametrize("width", ["wide", {"wide": "huge"}, {"wide": True}, {"wide": 1e12, "half": -5}, [390], None])
def test_crafted_chart_width_is_ignored_or_bounded(client, width):
    res = figures(client, chart_width=width)
    assert res["notice"] == {"children": None, "is_open": False}
    for fid in IDS:
        assert res[fid]["figure"]["data"], fid
    assert chart_widths(width)["wide"] in (None, *WIDTH_BUCKETS)


def test_layout_pairs_small_charts_and_reports_the_width(client):
    page = client.get("/_dash-layout").get_data(as_text=True)
    assert '"chart-width"' in page
    classes = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props, dict) and str(props.get("id", "")).startswith("card-"):
                classes[props["id"].removeprefix("card-")] = props.get("className")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(page))
    spans = card_spans()
    assert set(spans) == set(IDS) and set(spans.values()) == {"wide", "half"}
    assert classes == {fid: f"figure-card figure-card-{span}" for fid, span in spans.items()}
    for fid in ("fig3", "fig9", "fig10", "fig5", "dst-novelty", "dst-spread", "dst-types"):
        assert spans[fid] == "half", fid
    for left, right in PAIRS:  # side by side: same section, both half width
        assert BY_ID[left].section == BY_ID[right].section and spans[left] == spans[right] == "half"
    for key in SECTIONS:  # no half-width card is left alone in its section
        halves = [f.id for f in FIGURES if f.section == key and spans[f.id] == "half"]
        assert len(halves) % 2 == 0, key
    deps = client.get("/_dash-dependencies").get_json()
    assert any(d["output"] == "chart-width.data" and d.get("clientside_function") for d in deps)
    figures_dep = dependency(client, "fig1-figure-data.data")
    assert {"id": "chart-width", "property": "data"} in figures_dep["inputs"]


def test_real_microdata_are_not_labelled_synthetic(synth_data):
    """An app over real microdata says so in every chart's footer, not 'synthetic' or 'illustrative'."""
    from dashboard.app import create_app

    real = create_app(synth_data, synthetic=False, chromium=None).server.test_client()
    response = figures(real, sector=["state"])
    for figure in IDS:
        text = json.dumps(response[figure]["figure"]["layout"].get("annotations", []), ensure_ascii=False)
        assert SYNTHETIC_LABEL["da"] not in text and "Illustrative" not in text, figure
    assert "mikrodata" in json.dumps(response["fig1"]["figure"]["layout"]["annotations"], ensure_ascii=False)


# --------------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------------
def test_language_switch_translates_static_texts(client):
    dep = dependency(client, "about-body.children")
    keys = ["section:overview", "section:value", "download_as@fig1-csv", "reset", "filter:round", "where:fig8"]
    outputs = split_outputs(dep["output"])
    outputs[0] = [{"id": {"type": "txt", "key": k}, "property": "children"} for k in keys]
    for lang, expected in (("en", ["Overview", "Value created", "Download the numbers as", "Reset", "Round",
                                   "Figure 8 in the COI publication"]),
                           ("da", ["Overblik", "Værdi", "Hent tallene som", "Nulstil", "Runde",
                                   "Figur 8 i COI-publikationen"])):
        res = call(client, "about-body.children", {("lang", "value"): lang}, ["lang.value"], outputs=outputs)
        out = res.get_json()["response"]
        texts = [out[json.dumps({"key": k, "type": "txt"}, separators=(",", ":"))]["children"] for k in keys]
        assert texts == expected
        assert texts[0] == SECTIONS["overview"][lang]
    assert out["filter-sector"]["options"] == [{"label": "Stat", "value": "state"},
                                               {"label": "Region", "value": "region"},
                                               {"label": "Kommune", "value": "municipality"}]
    assert "2.271" in json.dumps(out["about-body"]["children"], ensure_ascii=False)


# --------------------------------------------------------------------------------------------------
# Module
# --------------------------------------------------------------------------------------------------
def test_import_loads_no_data_and_server_is_lazy():
    import dashboard.app as module

    assert "server" not in vars(module)
    with pytest.raises(AttributeError):
        module.no_such_attribute  # noqa: B018


@pytest.mark.parametrize("query,lang", [("", "da"), ("?lang=en", "en"), ("?lang=EN&sector=state", "en"),
                                        ("?lang=xx", "da")])
def test_the_page_is_served_in_the_language_of_its_link(client, query, lang):
    """WCAG 3.1.1: the page's language is the one it is written in from the first byte, not only after a script
    has run."""
    page = client.get("/" + query).get_data(as_text=True)
    assert page.count("<html lang=") == 1 and f'<html lang="{lang}">' in page


def test_the_app_runs_numpy_s_blas_on_one_thread(client):
    """A request's matrices are small: BLAS threads only wait for each other when requests run at once."""
    from threadpoolctl import threadpool_info

    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    assert blas and all(p["num_threads"] == 1 for p in blas)
