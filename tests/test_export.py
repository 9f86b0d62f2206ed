"""The export suite: every figure as PNG and SVG at preset x scale, CSVs and the XLSX workbook."""

import io
import struct
import zipfile

import pandas as pd
import pytest

from dashboard.callbacks import csv_text
from dashboard.cli import main
from dashboard.data.codebook import SYNTHETIC_LABEL
from dashboard.data.filters import parse_filter
from dashboard.export import images
from dashboard.export.bundle import export_files, zip_bytes
from dashboard.export.names import figure_stem
from dashboard.export.presets import PRESETS
from dashboard.figures.build import TEXT
from dashboard.figures.specs import BY_ID, IDS
from dashboard.figures.tables import published
from tests.shipped import figure_data
from tests.test_cli import run

FILTER = parse_filter(sector="region", tech_role="dont_know", value="political_goals")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def bundle():
    if images.find_chromium() is None:
        pytest.skip("Chromium not installed")
    return export_files(figure_data(), FILTER, lang="en", preset="a4", scale=2)


def stem(figure: str, synthetic: bool = True) -> str:
    return figure_stem(BY_ID[figure], figure_data().scope(figure, FILTER), synthetic)


def test_bundle_holds_every_figure_in_every_format(bundle):
    names = set(bundle)
    for figure in IDS:
        assert {f"{stem(figure)}.png", f"{stem(figure)}.svg", f"{stem(figure)}.csv"} <= names, figure
    assert sum(n.endswith(".png") for n in names) == 16 and sum(n.endswith(".svg") for n in names) == 16
    assert [n for n in names if n.endswith(".xlsx")] == [
        "innovationsbarometer_sector-region_tech_role-dont_know_value-political_goals_en-synthetic.xlsx"]
    assert "README.txt" in names  # what the files are, their filters, language and columns


def test_png_pixels_match_preset_times_scale(bundle):
    """The preset's width; its height, or the figure's own where that is taller (nothing is cut)."""
    a4 = PRESETS["a4"]
    heights = []
    for name, data in bundle.items():
        if name.endswith(".png"):
            width, height = png_size(data)
            assert width == a4.width * 2 and height >= a4.height * 2, name
            heights.append(height)
    assert heights.count(a4.height * 2) >= 8  # most figures fit the preset's height exactly


def test_svg_carries_title_and_synthetic_label(bundle):
    svg = bundle[f"{stem('fig4')}.svg"].decode("utf-8")
    assert svg.startswith("<svg") and "Value created by technological" in svg
    assert "Synthetic data calibrated to published figures" in svg
    nordic = bundle[f"{stem('nordic')}.svg"].decode("utf-8")
    assert "Synthetic data" not in nordic and "Finland" in nordic


def test_workbook_reads_back_equal_to_the_table(bundle):
    name = next(n for n in bundle if n.endswith(".xlsx"))
    sheets = pd.read_excel(io.BytesIO(bundle[name]), sheet_name=None)
    assert list(sheets)[0] == "metadata" and list(sheets)[-1] == "columns" and len(sheets) == 18
    for figure in IDS:
        expected = published(figure_data().table(figure, FILTER, "en"))  # one decimal, as published
        got = sheets[figure][list(expected.columns)]
        pd.testing.assert_series_equal(got["share"], expected["share"], check_names=False, check_dtype=False, atol=1e-9)
        assert got["n"].tolist() == expected["n"].tolist()
        assert got["suppressed"].tolist() == expected["suppressed"].tolist()
    novelty = sheets["dst-novelty"]
    assert novelty["suppressed"].all() and novelty["share"].isna().all()  # suppressed, not 0
    meta = sheets["metadata"].set_index("figure")
    assert meta.loc["fig1", "data"].startswith("Synthetic data") and meta.loc["nordic", "data"].startswith("Published")
    assert "Sector: Region" in meta.loc["fig1", "filters"] and meta.loc["fig1", "question"].startswith("To what extent")


def test_zip_round_trip(bundle):
    archive = zipfile.ZipFile(io.BytesIO(zip_bytes(bundle)))
    assert sorted(archive.namelist()) == sorted(bundle)


def test_cli_exports_slide_preset(tmp_path):
    if images.find_chromium() is None:
        pytest.skip("Chromium not installed")
    code, out, err = run("export", "--out", str(tmp_path), "--formats", "png,csv", "--preset", "slide",
                         "--scale", "1", "--lang", "en")
    assert code == 0, err
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == 16 and len(list(tmp_path.glob("*.csv"))) == 16
    sizes = [png_size(p.read_bytes()) for p in pngs]
    assert all(w == PRESETS["slide"].width and h >= PRESETS["slide"].height for w, h in sizes)
    assert sizes.count((PRESETS["slide"].width, PRESETS["slide"].height)) >= 12


def test_cli_without_chromium_exits_nonzero_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    code, out, err = run("export", "--out", str(tmp_path / "x"), "--formats", "png", "--lang", "en")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "needs Chromium" in err and "apt-get install chromium" in err


def test_cli_rejects_unknown_format(tmp_path):
    code, _, err = run("export", "--out", str(tmp_path), "--formats", "png,gif")
    assert code == 2 and "allowed: png, svg, csv, xlsx" in err


def test_csv_and_xlsx_work_without_chromium(tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    files = export_files(figure_data(), parse_filter(sector="state"), formats=("csv", "xlsx"))
    assert len(files) == 18  # 16 CSVs, the workbook and the README
    assert main(["export", "--out", str(tmp_path / "y"), "--formats", "csv"]) == 0


@pytest.mark.parametrize("synthetic", [True, False])
def test_bundle_csv_is_the_table_plus_the_note_of_the_figure_download(synthetic):
    files = export_files(figure_data(), FILTER, lang="en", formats=("csv", "xlsx"), synthetic=synthetic)
    name = next(n for n in files if n.endswith(".xlsx"))
    meta = pd.read_excel(io.BytesIO(files[name]), sheet_name="metadata").set_index("figure")
    for figure in IDS:
        content = files[f"{stem(figure, synthetic)}.csv"].decode("utf-8")
        assert content == csv_text(figure_data(), figure, FILTER, "en", synthetic), figure
        got = pd.read_csv(io.StringIO(content), keep_default_na=False, na_values=[""])
        expected = published(figure_data().table(figure, FILTER, "en"))
        assert list(got.columns) == [*expected.columns, "filters", "note"]
        assert got["category"].tolist() == expected["category"].tolist()
        assert got["n"].tolist() == expected["n"].tolist()
        pd.testing.assert_series_equal(got["share"], expected["share"], check_names=False, check_dtype=False, atol=1e-9)
        if figure == "nordic":
            note = TEXT["published_source"]["en"]
        else:
            note = SYNTHETIC_LABEL["en"] if synthetic else ""
        assert {"" if pd.isna(v) else v for v in got["note"]} == {note}, figure
        assert meta.loc[figure, "data"] == (note or "Microdata"), figure
