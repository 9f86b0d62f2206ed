"""In-process HTTP tests of the Dash app: one figure's CSV, and "Download all" (one ZIP of every figure)."""

import base64
import io
import json

import numpy as np
import pandas as pd
import pytest

from dashboard import jobs
from dashboard.callbacks.export import CLEAR_STATUS_JS, SHOW_STATUS_JS, STARTING_JS
from dashboard.data.codebook import SYNTHETIC_LABEL
from dashboard.data.dimensions import DIMENSIONS
from dashboard.data.filters import Filter
from dashboard.export.images import INSTALL_HINT
from dashboard.export.sheets import COLUMN_NOTES
from dashboard.figures.build import TEXT
from dashboard.figures.tables import COLUMNS, published
from tests.dash_client import call, count_by_kind, dependency, download, find_component, layout_text, split_outputs
from tests.test_export_jobs import run_export, status_of, zip_of

DOWNLOAD_COLUMNS = [*COLUMNS[:COLUMNS.index("p_value") + 1], "p_value_numeric", *COLUMNS[COLUMNS.index("p_value") + 1:],
                    "filters", "note"]


# --------------------------------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------------------------------
def test_download_is_the_figure_table(client, figure_data):
    data = download(client, "fig4", sector=["region"], lang="en")
    assert data["filename"] == "fig4_sector-region-synthetic.csv"
    assert data["type"] == "text/csv"
    content = base64.b64decode(data["content"]).decode("utf-8") if data.get("base64") else data["content"]
    header = content.splitlines()[0].split(",")
    assert header == DOWNLOAD_COLUMNS
    got = pd.read_csv(io.StringIO(content), keep_default_na=False, na_values=[""], dtype={"p_value": str})
    expected = published(figure_data.table("fig4", Filter(sector=("region",)), "en"))  # one decimal, p as text
    assert len(got) == len(expected) == 10
    assert got["category"].tolist() == expected["category"].tolist()
    assert got["series"].tolist() == expected["series"].tolist()
    assert got["n"].tolist() == expected["n"].tolist()
    np.testing.assert_allclose(got["share"], expected["share"], atol=1e-9)
    np.testing.assert_allclose(got["ci_low"], expected["ci_low"], atol=1e-9)
    assert got["p_value"].fillna("").astype(str).tolist() == expected["p_value"].tolist()
    assert got["category_label"].tolist() == expected["category_label"].tolist()
    assert set(got["note"]) == {SYNTHETIC_LABEL["en"]}
    assert set(got["filters"]) == {"Sector: Region"} and set(got["round"]) == {"2018-2019"}  # in the file, not the name
    np.testing.assert_allclose(got["p_value_numeric"], expected["p_value_numeric"], atol=1e-12)  # a number beside
    assert got["p_value_numeric"].dtype == float


def test_the_danish_csv_opens_as_a_table_in_danish_excel(client, figure_data):
    """Semicolons, decimal commas and a byte-order mark: what Danish Excel reads as columns, 'Øget kvalitet'
    included; the numbers are those of the English file."""
    data = download(client, "fig4", sector=["state"], lang="da")
    raw = data["content"]
    assert raw.startswith("\ufeff")  # UTF-8 with BOM: Excel reads the æ, ø and å as written
    lines = raw.lstrip("\ufeff").splitlines()
    assert lines[0].split(";") == DOWNLOAD_COLUMNS
    got = pd.read_csv(io.StringIO(raw.lstrip("\ufeff")), sep=";", decimal=",", keep_default_na=False, na_values=[""])
    expected = published(figure_data.table("fig4", Filter(sector=("state",)), "da"))
    np.testing.assert_allclose(got["share"], expected["share"], atol=1e-9)
    assert "Øget kvalitet" in set(got["category_label"])
    assert any("," in line.split(";")[3] for line in lines[1:])  # a share such as 60,3
    assert set(got["filters"]) == {"Sektor: Stat"}
    assert (got["p_value"] == "< 0,001").any()


def test_one_figure_as_an_excel_workbook(client, figure_data):
    """A researcher gets one figure as XLSX: its numbers (p as a number beside the text), what the figure is and
    its filters, and what each column holds (the effective n above n explained)."""
    data = download(client, "fig4", "xlsx", sector=["region"], lang="en")
    assert data["filename"] == "fig4_sector-region-synthetic.xlsx" and data["base64"] is True
    sheets = pd.read_excel(io.BytesIO(base64.b64decode(data["content"])), sheet_name=None)
    assert list(sheets) == ["metadata", "fig4", "columns"]
    numbers = sheets["fig4"]
    expected = published(figure_data.table("fig4", Filter(sector=("region",)), "en"))
    np.testing.assert_allclose(numbers["share"], expected["share"], atol=1e-9)
    assert numbers["p_value_numeric"].dtype == float
    meta = sheets["metadata"].iloc[0]
    assert meta["filters"] == "Sector: Region" and meta["round"] == "2018-2019"
    assert meta["where"] == "Figure 4 in the COI publication" and meta["source"].endswith(", figure 4")
    notes = dict(zip(sheets["columns"]["column"], sheets["columns"]["meaning"], strict=True))
    assert notes["n_eff"] == COLUMN_NOTES["n_eff"]["en"] and "can exceed n" in notes["n_eff"]
    assert set(notes) == set(numbers.columns)  # every column explained


def test_download_of_the_nordic_figure_names_published_figures(client):
    data = download(client, "nordic", lang="en")
    got = pd.read_csv(io.StringIO(data["content"]))
    assert set(got["note"]) == {TEXT["published_source"]["en"]}


def test_download_with_crafted_filter_uses_default(client, figure_data):
    data = download(client, "fig1", sector={"bad": 1})
    got = pd.read_csv(io.StringIO(data["content"].lstrip("\ufeff")), sep=";", decimal=",")
    np.testing.assert_allclose(got["share"], published(figure_data.table("fig1", Filter()))["share"], atol=1e-9)
    assert data["filename"] == "fig1_all-synthetic.csv"


# --------------------------------------------------------------------------------------------------
# Download all: one ZIP of every figure (PNG, SVG, CSV) and the XLSX workbook, made by a background job
# (the job itself, its slots and its store: tests/test_export_jobs.py)
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def jobs_dir(tmp_path_factory):
    """Keep the jobs of the apps made here (and their results) in a directory of this module."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(jobs.JOBS_DIR, str(tmp_path_factory.mktemp("jobs")))
        mp.delenv(jobs.JOBS_URL, raising=False)
        yield


@pytest.fixture(scope="module")
def export_client(jobs_dir, synth_data):
    from dashboard.app import create_app

    return create_app(synth_data).server.test_client()


def test_download_all_control_is_in_the_filter_bar(client):
    page = client.get("/_dash-layout").get_data(as_text=True)
    for key in ('"export-all"', '"export-size"', '"export-download"', '"export-status"', '"export-progress"', "Hent alt", "16:9",
                "-rapportspalte"):
        assert key in page, key
    assert INSTALL_HINT["da"] not in page
    assert '"export-hint"' not in page


def test_download_all_is_a_background_callback_with_progress_and_a_busy_button(client):
    dep = dependency(client, "export-download.data")
    assert dep["background"] == {"interval": 500}
    assert dep["running"]["running"] == {"export-all.disabled": True, "export-all.className": "btn btn-export is-busy"}
    assert dep["running"]["runningOff"] == {"export-all.disabled": False, "export-all.className": "btn btn-export"}
    assert "export-progress.data" in dep["output"]  # ready, refused or failed when the job ends, in every language
    deps = client.get("/_dash-dependencies").get_json()
    # the status is shown in the page's language, whichever language the export was asked in
    (shown,) = [d for d in deps if d["output"] == "export-status.children"]
    assert {i["id"] for i in shown["inputs"]} == {"export-progress", "lang"}
    assert "progress[lang]" in SHOW_STATUS_JS
    # pressing the button says "starting" at once, in every language; a finished status goes with the filters
    assert "Starting the export" in STARTING_JS and "Eksporten starter" in STARTING_JS
    (clear,) = [d for d in deps if d["output"].startswith("export-progress.data") and "filter-sector" in
                {i["id"] for i in d["inputs"]}]
    assert {i["id"] for i in clear["inputs"]} == {*(d.control_id for d in DIMENSIONS), "export-size"}
    assert "progress.done" in CLEAR_STATUS_JS


def test_download_all_without_chromium_offers_the_numbers(jobs_dir, synth_data):
    from dashboard.app import create_app

    app = create_app(synth_data, chromium=None)
    page = json.loads(layout_text(app))
    text = json.dumps(page, ensure_ascii=False)
    assert INSTALL_HINT["da"] in text and "Hent alle tal" in text and '"export-hint"' in text
    size = find_component(page, "export-size")
    assert size and all(o["disabled"] for o in size["props"]["options"])
    out, _ = run_export(app.server.test_client(), sector=["state"])
    name, archive = zip_of(out)
    assert name == "innovationsbarometer_sector-state_da_data-synthetic.zip"
    assert count_by_kind(archive) == {"csv": 16, "xlsx": 1, "txt": 1}
    assert status_of(out, "da") == "ZIP-filen er klar: Sektor: Stat · dansk."
    # the figures still get their camera button (rendered in the browser, not on the server)
    res = call(app.server.test_client(), "fig1-figure-data.data", {("lang", "value"): "en"}, ["lang.value"])
    assert res.get_json()["response"]["fig1-figure-data"]["data"]["camera"]["title"] == "Download the chart as a PNG image"
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
def test_download_all_with_crafted_input_gives_notice_not_500(export_client, state, named):
    out, statuses = run_export(export_client, **state)
    assert "export-download" not in out
    assert out["notice"]["is_open"] is True
    text = json.dumps(out["notice"]["children"], ensure_ascii=False)
    assert named in text
    assert "Intet blev hentet" in text or "Nothing was downloaded" in text
    assert out["export-progress"]["data"] is None and statuses == []  # "starting" is cleared, nothing rendered


def test_download_all_falls_back_to_numbers_when_chromium_goes_away(export_client, monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))  # found at start, gone now
    out, _ = run_export(export_client, "slide", lang="en")
    name, archive = zip_of(out)
    assert name == "innovationsbarometer_all_en_data-synthetic.zip"
    assert count_by_kind(archive) == {"csv": 16, "xlsx": 1, "txt": 1}
    assert out["notice"]["is_open"] is True and INSTALL_HINT["en"] in out["notice"]["children"]
    assert status_of(out) == "The ZIP file is ready: no filters · English."
