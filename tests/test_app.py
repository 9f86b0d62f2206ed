"""In-process HTTP tests of the Dash app: page, callbacks, crafted payloads, downloads, errors.

Callbacks are called the way the browser calls them: a POST to /_dash-update-component whose
payload is built from the app's own /_dash-dependencies, so a renamed id or property fails here.
"""

import base64
import io
import json
import struct
import zipfile

import numpy as np
import pandas as pd
import pytest

from dashboard.callbacks import PAIRS, chart_widths
from dashboard.data.codebook import CURRENT_ROUND, SYNTHETIC_LABEL
from dashboard.data.filters import Filter
from dashboard.export import images
from dashboard.export.images import INSTALL_HINT
from dashboard.export.presets import PRESETS
from dashboard.figures.build import TEXT
from dashboard.figures.specs import BY_ID, FIGURES, IDS, SECTIONS
from dashboard.figures.tables import COLUMNS
from dashboard.figures.theme import WIDTH_BUCKETS
from dashboard.layout import card_spans

DEFAULTS = {
    ("url", "search"): "",
    ("filter-sector", "value"): [],
    ("filter-tech-role", "value"): [],
    ("filter-value", "value"): [],
    ("filter-round", "value"): CURRENT_ROUND,
    ("lang", "value"): "da",
    ("url-problems", "data"): [],
    ("reset", "n_clicks"): 0,
}


# --------------------------------------------------------------------------------------------------
# Helpers: build a callback request from the app's dependency list
# --------------------------------------------------------------------------------------------------
def dependency(client, output_fragment: str) -> dict:
    """Return the one callback whose output string contains `output_fragment` or whose input is it."""
    deps = client.get("/_dash-dependencies").get_json()
    found = [d for d in deps if output_fragment in d["output"] or any(i["id"] == output_fragment for i in d["inputs"])]
    assert len(found) == 1, [d["output"][:80] for d in found]
    return found[0]


def split_outputs(output: str) -> list[dict]:
    """Return [{id, property}] of a callback output string ('..a.b...c.d..' or 'a.b')."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


def call(client, output_fragment: str, values: dict, changed: list, outputs=None, state_values=None):
    """POST one callback with input `values` ({(id, prop): value}; others default) and return the response."""
    dep = dependency(client, output_fragment)

    def filled(items, given):
        return [dict(i, value=given.get((i["id"], i["property"]), DEFAULTS.get((i["id"], i["property"]))))
                for i in items]

    inputs = filled(dep["inputs"], values)
    if outputs is None:
        outputs = split_outputs(dep["output"])
        outputs = outputs if dep["output"].startswith("..") else outputs[0]
    body = {"output": dep["output"], "outputs": outputs, "inputs": inputs,
            "changedPropIds": changed, "state": filled(dep["state"], state_values or {})}
    return client.post("/_dash-update-component", json=body)


def figures(client, **controls):
    """Call the figures callback with control values by key and return the JSON response."""
    ids = {"sector": "filter-sector", "tech_role": "filter-tech-role", "value": "filter-value",
           "round": "filter-round", "lang": "lang", "url_problems": "url-problems", "chart_width": "chart-width"}
    stores = ("url_problems", "chart_width")
    values = {(ids[k], "data" if k in stores else "value"): v for k, v in controls.items()}
    res = call(client, "fig1.figure", values, [f"{ids[k]}.{'data' if k in stores else 'value'}" for k in controls])
    assert res.status_code == 200, res.data[:300]
    return res.get_json()["response"]


def as_list(array) -> list:
    """Return a plotly JSON array as a list (plain lists, or typed arrays as base64 'bdata')."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def bar_values(figure: dict) -> dict[tuple[str, str], float]:
    """Return {(series, category): bar length} of every bar in a figure's JSON."""
    out = {}
    for trace in figure["data"]:
        if trace.get("type") != "bar":
            continue
        lengths = as_list(trace["x"] if trace.get("orientation") == "h" else trace["y"])
        for (series, category), length in zip(trace["customdata"], lengths, strict=True):
            if length is not None and not (isinstance(length, float) and np.isnan(length)):
                out[(series, category)] = length
    return out


def table_values(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    shown = table[~table["suppressed"]]
    return {(s, c): v for s, c, v in zip(shown["series"], shown["category"], shown["share"], strict=True)}


def notice_text(response: dict) -> str:
    return json.dumps(response["notice"]["children"], ensure_ascii=False)


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
    for fid in IDS:
        assert f'"id": "{fid}"' in layout or f'"id":"{fid}"' in layout, fid
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
    assert downloads == ["export-download", *IDS]  # "Download all" in the filter bar, then one per card


def test_dependencies_endpoint_lists_the_callbacks(client):
    outputs = [d["output"] for d in client.get("/_dash-dependencies").get_json()]
    assert any("url.search" in o and "filter-sector.value" in o for o in outputs)
    assert any(all(f"{fid}.figure" in o for fid in IDS) for o in outputs)
    assert any('"download"' in o and "MATCH" in o for o in outputs)


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


def test_every_graph_gets_figure_and_config(client):
    res = figures(client, value=["efficiency"], lang="en")
    assert set(res) == {*IDS, "notice"}
    for fid in IDS:
        assert res[fid]["figure"]["data"], fid
        assert res[fid]["config"]["toImageButtonOptions"]["filename"].startswith(fid)
    assert res["fig4"]["figure"]["layout"]["meta"] == {"figure": "fig4", "lang": "en"}


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
    assert next(iter(controls)) in text  # names the filter
    assert "Standardfilteret vises" in text
    bars = bar_values(res["fig1"]["figure"])
    assert bars == pytest.approx(table_values(figure_data.table("fig1", Filter())))


def test_unknown_language_falls_back_to_danish_with_notice(client):
    res = figures(client, lang="xx")
    assert res["notice"]["is_open"] is True
    assert "'xx'" in notice_text(res)
    assert res["fig1"]["figure"]["layout"]["meta"]["lang"] == "da"


def test_url_problems_are_shown_in_notice(client):
    res = figures(client, sector=["region"], url_problems=["Ukendt værdi i linket ignoreret: tech_role 'bogus'"])
    assert res["notice"]["is_open"] is True
    assert "'bogus'" in notice_text(res)


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
    figures_dep = dependency(client, "fig1.figure")
    assert {"id": "chart-width", "property": "data"} in figures_dep["inputs"]


def test_malformed_request_is_short_json_not_traceback(client):
    res = client.post("/_dash-update-component", json={"output": "fig1.figure"})
    assert res.status_code == 400
    assert res.is_json
    body = res.get_data(as_text=True)
    assert "Traceback" not in body and len(body) < 400
    assert "Malformed callback request" in res.get_json()["error"]


# --------------------------------------------------------------------------------------------------
# URL <-> filters
# --------------------------------------------------------------------------------------------------
def test_link_sets_filters_and_names_ignored_values(client):
    res = call(client, "url.search", {("url", "search"): "?sector=region&tech_role=bogus"}, ["url.search"])
    assert res.status_code == 200
    out = res.get_json()["response"]
    assert out["filter-sector"]["value"] == ["region"]
    assert out["filter-tech-role"]["value"] == []
    assert out["filter-round"]["value"] == CURRENT_ROUND
    assert out["lang"]["value"] == "da"
    assert "url" not in out  # reading the link does not rewrite it
    (problem,) = out["url-problems"]["data"]
    assert problem.startswith("Ukendt værdi i linket ignoreret: tech_role 'bogus'; tilladt: solution")


def test_link_keeps_allowed_codes_and_language(client):
    search = "?sector=foo,state&value=quality,efficiency&round=2015-2016&lang=en"
    out = call(client, "url.search", {("url", "search"): search}, ["url.search"]).get_json()["response"]
    assert out["filter-sector"]["value"] == ["state"]
    assert out["filter-value"]["value"] == ["quality", "efficiency"]
    assert out["filter-round"]["value"] == "2015-2016"
    assert out["lang"]["value"] == "en"
    assert out["url-problems"]["data"] == [
        "Unknown value in the link ignored: sector 'foo'; allowed: state, region, municipality"]


def test_filter_change_writes_link(client):
    values = {("url", "search"): "", ("filter-sector", "value"): ["municipality", "state"],
              ("filter-value", "value"): ["quality"], ("lang", "value"): "en"}
    out = call(client, "url.search", values, ["filter-sector.value"]).get_json()["response"]
    assert out["url"]["search"] == "?sector=state,municipality&value=quality&lang=en"
    assert out["url-problems"]["data"] == []
    assert "filter-sector" not in out  # controls are not echoed back


def test_default_filter_writes_empty_link(client):
    values = {("url", "search"): "?sector=state", ("filter-sector", "value"): []}
    out = call(client, "url.search", values, ["filter-sector.value"]).get_json()["response"]
    assert out["url"]["search"] == ""


def test_reset_returns_defaults(client):
    res = call(client, "reset", {("reset", "n_clicks"): 1}, ["reset.n_clicks"])
    out = res.get_json()["response"]
    assert out["filter-sector"]["value"] == []
    assert out["filter-tech-role"]["value"] == []
    assert out["filter-value"]["value"] == []
    assert out["filter-round"]["value"] == CURRENT_ROUND


# --------------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------------
def test_language_switch_translates_static_texts(client):
    dep = dependency(client, "about-body.children")
    keys = ["section:overview", "section:value", "download@fig1", "reset"]
    outputs = split_outputs(dep["output"])
    outputs[0] = [{"id": {"type": "txt", "key": k}, "property": "children"} for k in keys]
    for lang, expected in (("en", ["Overview", "Value created", "Download data (CSV)", "Reset"]),
                           ("da", ["Overblik", "Værdi", "Hent data (CSV)", "Nulstil"])):
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
# Downloads
# --------------------------------------------------------------------------------------------------
def click_download(client, figure, **state):
    """Click a figure's download button with the given control values; return the HTTP response."""
    ids = {"filter-sector": "sector", "filter-tech-role": "tech_role", "filter-value": "value",
           "filter-round": "round", "lang": "lang"}
    dep = dependency(client, '"download"')
    button = {"type": "download-btn", "figure": figure}
    body = {"output": dep["output"], "outputs": {"id": {"type": "download", "figure": figure}, "property": "data"},
            "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
            "changedPropIds": [json.dumps(button, separators=(",", ":")) + ".n_clicks"],
            "state": [dict(s, value=state.get(ids[s["id"]], DEFAULTS[(s["id"], s["property"])]))
                      for s in dep["state"]]}
    return client.post("/_dash-update-component", json=body)


def download(client, figure: str, **state):
    """Click a figure's download button with the given control values; return the dcc.Download data."""
    res = click_download(client, figure, **state)
    assert res.status_code == 200, res.data[:300]
    (data,) = [v["data"] for v in res.get_json()["response"].values()]
    return data


def test_download_is_the_figure_table(client, figure_data):
    data = download(client, "fig4", sector=["region"], lang="en")
    assert data["filename"] == "fig4_sector-region-synthetic.csv"
    assert data["type"] == "text/csv"
    content = base64.b64decode(data["content"]).decode("utf-8") if data.get("base64") else data["content"]
    header = content.splitlines()[0].split(",")
    assert header == [*COLUMNS, "note"]
    got = pd.read_csv(io.StringIO(content), keep_default_na=False, na_values=[""])
    expected = figure_data.table("fig4", Filter(sector=("region",)), "en")
    assert len(got) == len(expected) == 10
    assert got["category"].tolist() == expected["category"].tolist()
    assert got["series"].tolist() == expected["series"].tolist()
    assert got["n"].tolist() == expected["n"].tolist()
    np.testing.assert_allclose(got["share"], expected["share"], atol=1e-9)
    np.testing.assert_allclose(got["ci_low"], expected["ci_low"], atol=1e-9)
    np.testing.assert_allclose(got["p_value"], expected["p_value"], atol=1e-9)
    assert got["category_label"].tolist() == expected["category_label"].tolist()
    assert set(got["note"]) == {SYNTHETIC_LABEL["en"]}


def test_download_of_the_nordic_figure_names_published_figures(client):
    data = download(client, "nordic", lang="en")
    got = pd.read_csv(io.StringIO(data["content"]))
    assert set(got["note"]) == {TEXT["published_source"]["en"]}


def test_download_with_crafted_filter_uses_default(client, figure_data):
    data = download(client, "fig1", sector={"bad": 1})
    got = pd.read_csv(io.StringIO(data["content"]))
    np.testing.assert_allclose(got["share"], figure_data.table("fig1", Filter())["share"], atol=1e-9)
    assert data["filename"] == "fig1_all-synthetic.csv"


# --------------------------------------------------------------------------------------------------
# Module
# --------------------------------------------------------------------------------------------------
def test_import_loads_no_data_and_server_is_lazy():
    import dashboard.app as module

    assert "server" not in vars(module)
    with pytest.raises(AttributeError):
        module.no_such_attribute  # noqa: B018


# --------------------------------------------------------------------------------------------------
# Download all: one ZIP of every figure (PNG, SVG, CSV) and the XLSX workbook
# --------------------------------------------------------------------------------------------------
def export_all(client, preset="slide", **state):
    """Click "Download all" with a size and control values by key; return the response's outputs."""
    ids = {"filter-sector": "sector", "filter-tech-role": "tech_role", "filter-value": "value",
           "filter-round": "round", "lang": "lang", "export-size": "preset"}
    state = {"preset": preset, **state}
    dep = dependency(client, "export-download.data")
    body = {"output": dep["output"], "outputs": split_outputs(dep["output"]),
            "inputs": [{"id": "export-all", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["export-all.n_clicks"],
            "state": [dict(s, value=state.get(ids[s["id"]], DEFAULTS.get((s["id"], s["property"]))))
                      for s in dep["state"]]}
    res = client.post("/_dash-update-component", json=body)
    assert res.status_code == 200, res.data[:300]
    return res.get_json()["response"]


def zip_names(response: dict) -> tuple[str, zipfile.ZipFile]:
    """Return the file name and the archive of the dcc.Download payload in a response."""
    data = response["export-download"]["data"]
    assert data["base64"] is True
    return data["filename"], zipfile.ZipFile(io.BytesIO(base64.b64decode(data["content"])))


def count_by_kind(archive: zipfile.ZipFile) -> dict[str, int]:
    kinds = [name.rsplit(".", 1)[-1] for name in archive.namelist()]
    return {kind: kinds.count(kind) for kind in sorted(set(kinds))}


def layout_text(app) -> str:
    return app.server.test_client().get("/_dash-layout").get_data(as_text=True)


def test_download_all_is_one_zip_of_every_figure(client):
    if images.find_chromium() is None:
        pytest.skip("Chromium not installed")
    out = export_all(client, "a4", sector=["state"])
    assert "notice" not in out  # a success leaves the notice alone
    name, archive = zip_names(out)
    assert name == "innovationsbarometer_sector-state_a4.zip"
    assert count_by_kind(archive) == {"csv": 16, "png": 16, "svg": 16, "xlsx": 1}
    a4 = PRESETS["a4"]
    for member in archive.namelist():
        if member.endswith(".png"):
            data = archive.read(member)
            assert data[:8] == b"\x89PNG\r\n\x1a\n", member
            assert struct.unpack(">II", data[16:24]) == (a4.width * 3, a4.height * 3), member
    assert "fig1_sector-state.csv" in archive.namelist()


def test_download_all_control_is_in_the_filter_bar(client):
    page = client.get("/_dash-layout").get_data(as_text=True)
    for key in ('"export-all"', '"export-size"', '"export-download"', "Hent alt", "16:9", "-rapportspalte"):
        assert key in page, key
    assert INSTALL_HINT["da"] not in page
    assert '"export-hint"' not in page


def test_download_all_without_chromium_offers_the_numbers(synth_data):
    from dashboard.app import create_app

    app = create_app(synth_data, chromium=None)
    page = json.loads(layout_text(app))
    text = json.dumps(page, ensure_ascii=False)
    assert INSTALL_HINT["da"] in text and "Hent alle tal" in text and '"export-hint"' in text
    size = find_component(page, "export-size")
    assert size and all(o["disabled"] for o in size["props"]["options"])
    out = export_all(app.server.test_client(), sector=["state"])
    name, archive = zip_names(out)
    assert name == "innovationsbarometer_sector-state_data.zip"
    assert count_by_kind(archive) == {"csv": 16, "xlsx": 1}
    # the figures still get their camera button (rendered in the browser, not on the server)
    res = call(app.server.test_client(), "fig1.figure", {("lang", "value"): "en"}, ["lang.value"])
    assert res.get_json()["response"]["fig1"]["config"]["toImageButtonOptions"]["format"] == "png"
    # the size choice follows the language, still disabled
    dep = dependency(app.server.test_client(), "export-size.options")
    res = app.server.test_client().post("/_dash-update-component", json={
        "output": dep["output"], "outputs": split_outputs(dep["output"])[0],
        "inputs": [{"id": "lang", "property": "value", "value": "en"}], "changedPropIds": ["lang.value"],
        "state": []})
    options = res.get_json()["response"]["export-size"]["options"]
    assert '"Slide "' in json.dumps(options) and all(o["disabled"] for o in options)


@pytest.mark.parametrize(("state", "named"), [
    ({"preset": "poster"}, "'poster'"),
    ({"preset": {"$ne": 1}}, "{'$ne': 1}"),
    ({"preset": None, "lang": "en"}, "None"),
    ({"sector": ["state", "atlantis"]}, "'atlantis'"),
    ({"value": 7, "lang": "en"}, "int"),
])
def test_download_all_with_crafted_input_gives_notice_not_500(client, state, named):
    out = export_all(client, **state)
    assert "export-download" not in out
    assert out["notice"]["is_open"] is True
    text = json.dumps(out["notice"]["children"], ensure_ascii=False)
    assert named in text
    assert "Intet blev hentet" in text or "Nothing was downloaded" in text


def find_component(node, component_id):
    """Return the component with `component_id` in a layout JSON, or None."""
    if isinstance(node, dict):
        if isinstance(node.get("props"), dict) and node["props"].get("id") == component_id:
            return node
        node = list(node.values())
    if isinstance(node, list):
        for value in node:
            found = find_component(value, component_id)
            if found is not None:
                return found
    return None


def test_download_all_falls_back_to_numbers_when_chromium_goes_away(client, monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))  # found at start, gone now
    out = export_all(client, "slide", lang="en")
    name, archive = zip_names(out)
    assert name == "innovationsbarometer_all_data.zip"
    assert count_by_kind(archive) == {"csv": 16, "xlsx": 1}
    assert out["notice"]["is_open"] is True and INSTALL_HINT["en"] in out["notice"]["children"]


@pytest.mark.parametrize("body,status,needle", [
    ({"bad": 1}, 400, "'output' must name one of the app's callbacks"),
    ([1, 2], 400, "the body must be a JSON object"),
    ({"output": "nope.figure", "inputs": [], "changedPropIds": []}, 400, "'output' must name"),
    ("x" * 300_000, 413, "Request too large"),
])
def test_malformed_callback_request_gets_readable_4xx_not_500(client, body, status, needle):
    if isinstance(body, str):
        res = client.post("/_dash-update-component", data=body, content_type="application/json")
    else:
        res = client.post("/_dash-update-component", json=body)
    assert res.status_code == status
    assert needle in res.get_json()["error"] and "Traceback" not in res.get_data(as_text=True)


def test_wrong_number_of_inputs_is_refused(client, app):
    output = next(k for k in app.callback_map if "fig1.figure" in k)
    res = client.post("/_dash-update-component", json={"output": output, "outputs": [], "inputs": [],
                                                         "changedPropIds": [], "state": []})
    assert res.status_code == 400 and "inputs, 0 were sent" in res.get_json()["error"]


# --------------------------------------------------------------------------------------------------
# Crafted requests: a readable answer, never a 500 or a traceback
# --------------------------------------------------------------------------------------------------
def assert_readable(res, status: int, needle: str) -> None:
    """Assert a short JSON error answer with `status` whose message contains `needle`."""
    body = res.get_data(as_text=True)
    assert res.status_code == status, body[:300]
    assert res.is_json and needle in res.get_json()["error"], body[:300]
    assert "Traceback" not in body and len(body) < 400


def valid_body(client, output_fragment: str) -> dict:
    """Return a well-formed callback body (default values) for the callback with `output_fragment`."""
    dep = dependency(client, output_fragment)
    outputs = split_outputs(dep["output"])
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": [dict(i, value=DEFAULTS.get((i["id"], i["property"]))) for i in dep["inputs"]],
            "changedPropIds": [], "state": [dict(s, value=DEFAULTS.get((s["id"], s["property"])))
                                            for s in dep["state"]]}


@pytest.mark.parametrize(("fragment", "change", "needle"), [
    ("fig1.figure", {"outputs": None}, "'outputs' is missing"),
    ("fig1.figure", {"outputs": []}, "'outputs' must be a list of 34 outputs"),
    ("fig1.figure", {"outputs": {"id": "fig1", "property": "figure"}}, "'outputs' must be a list"),
    ("export-size.options", {"outputs": [{"id": "export-size", "property": "options"}]}, "needs an 'id'"),
    ("export-size.options", {"outputs": {"id": "export-size"}}, "needs an 'id' and a 'property'"),
    ("about-body.children", {"outputs": "x"}, "'outputs' must be a list"),
    ("export-download.data", {"state": []}, "takes 6 states, 0 were sent"),
    ("export-download.data", {"state": [{"id": "lang", "property": "value", "value": "da"}] * 7}, "7 were sent"),
])
def test_wrong_outputs_or_states_are_refused(client, fragment, change, needle):
    body = valid_body(client, fragment)
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    assert_readable(client.post("/_dash-update-component", json=body), 400, needle)


def test_a_valid_body_passes_the_guard(client):
    res = client.post("/_dash-update-component", json=valid_body(client, "export-size.options"))
    assert res.status_code == 200 and "export-size" in res.get_json()["response"]


def test_pattern_matching_output_must_be_a_list_of_items(client):
    body = valid_body(client, "about-body.children")
    body["outputs"][0] = {"id": {"type": "txt", "key": "reset"}, "property": "children"}
    assert_readable(client.post("/_dash-update-component", json=body), 400, "pattern-matching output")


@pytest.mark.parametrize("figure", [{"a": 1}, ["fig1"], "no-such-figure"])
def test_download_of_a_crafted_figure_id_gives_notice(client, figure):
    res = click_download(client, figure, lang="en")
    body = res.get_data(as_text=True)
    assert res.status_code == 200 and "Traceback" not in body
    out = res.get_json()
    assert not out["response"]  # nothing to download
    notice = out["sideUpdate"]["notice"]
    assert notice["is_open"] is True and "Unknown figure" in notice["children"]


def test_translate_ignores_unknown_text_keys(client):
    dep = dependency(client, "about-body.children")
    outputs = split_outputs(dep["output"])
    keys = ["reset", "nope", "section:atlantis", "title:no-such-figure", "bogus:fig1"]
    outputs[0] = [{"id": {"type": "txt", "key": k}, "property": "children"} for k in keys]
    res = call(client, "about-body.children", {("lang", "value"): "en"}, ["lang.value"], outputs=outputs)
    assert res.status_code == 200, res.data[:300]
    out = res.get_json()["response"]
    assert out[json.dumps({"key": "reset", "type": "txt"}, separators=(",", ":"))]["children"] == "Reset"
    assert not [k for k in keys[1:] if json.dumps({"key": k, "type": "txt"}, separators=(",", ":")) in out]
    outputs[0].append({"id": "not-a-dict", "property": "children"})  # Dash itself refuses this one
    res = call(client, "about-body.children", {("lang", "value"): "en"}, ["lang.value"], outputs=outputs)
    assert_readable(res, 400, "Malformed callback request")


@pytest.mark.parametrize("path", ["/_dash-component-suites/../x", "/_dash-component-suites/dash/../x.js",
                                  "/_dash-component-suites/nope/x.js", "/_dash-component-suites/dash/nope.js"])
def test_unknown_component_suite_path_is_404(client, path):
    res = client.get(path)
    assert_readable(res, 404, "Not found")
    assert "Registered" not in res.get_data(as_text=True)


def test_chunked_body_over_the_limit_is_413(client):
    from dashboard.guard import MAX_BODY

    res = client.post("/_dash-update-component", input_stream=io.BytesIO(b"x" * (MAX_BODY + 10)),
                      content_type="application/json", headers={"Transfer-Encoding": "chunked"},
                      environ_overrides={"wsgi.input_terminated": True})
    assert_readable(res, 413, "Request too large")
    body = json.dumps(valid_body(client, "export-size.options")).encode("utf-8")  # a small one is served
    res = client.post("/_dash-update-component", input_stream=io.BytesIO(body),
                      content_type="application/json", headers={"Transfer-Encoding": "chunked"},
                      environ_overrides={"wsgi.input_terminated": True})
    assert res.status_code == 200 and "export-size" in res.get_json()["response"]


def test_exception_escaping_dispatch_is_400_and_logged(client, app, monkeypatch):
    import logging

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("dashboard.guard")
    logger.addHandler(handler)
    monkeypatch.setattr(app, "_inputs_to_vals", boom)
    try:
        res = client.post("/_dash-update-component", json=valid_body(client, "export-size.options"))
    finally:
        logger.removeHandler(handler)
    assert_readable(res, 400, "Malformed callback request")
    assert records and records[0].exc_info[0] is RuntimeError


def test_real_microdata_are_not_labelled_synthetic(synth_data):
    """An app over real microdata says so in every chart's footer, not 'synthetic' or 'illustrative'."""
    from dashboard.app import create_app

    real = create_app(synth_data, synthetic=False, chromium=None).server.test_client()
    response = figures(real, sector=["state"])
    for figure in IDS:
        text = json.dumps(response[figure]["figure"]["layout"].get("annotations", []), ensure_ascii=False)
        assert SYNTHETIC_LABEL["da"] not in text and "Illustrative" not in text, figure
    assert "mikrodata" in json.dumps(response["fig1"]["figure"]["layout"]["annotations"], ensure_ascii=False)
