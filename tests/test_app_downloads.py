"""In-process HTTP tests of the Dash app: one figure's CSV, and "Download all" (one ZIP of every figure)."""

import base64
import io
import json
import struct

import numpy as np
import pandas as pd
import pytest

from dashboard.data.codebook import SYNTHETIC_LABEL
from dashboard.data.filters import Filter
from dashboard.export import images
from dashboard.export.images import INSTALL_HINT
from dashboard.export.presets import PRESETS
from dashboard.figures.build import TEXT
from dashboard.figures.tables import COLUMNS
from tests.dash_client import (
    call,
    count_by_kind,
    dependency,
    download,
    export_all,
    find_component,
    layout_text,
    split_outputs,
    zip_names,
)


# --------------------------------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------------------------------
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
# Download all: one ZIP of every figure (PNG, SVG, CSV) and the XLSX workbook
# --------------------------------------------------------------------------------------------------
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


def test_download_all_falls_back_to_numbers_when_chromium_goes_away(client, monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))  # found at start, gone now
    out = export_all(client, "slide", lang="en")
    name, archive = zip_names(out)
    assert name == "innovationsbarometer_all_data.zip"
    assert count_by_kind(archive) == {"csv": 16, "xlsx": 1}
    assert out["notice"]["is_open"] is True and INSTALL_HINT["en"] in out["notice"]["children"]
