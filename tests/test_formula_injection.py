"""Text that a spreadsheet would run as a formula is neutralised in every CSV and XLSX the project writes.

OWASP's CSV-injection guidance: a text cell starting with =, +, -, @, a tab or a carriage return is
prefixed with a single quote. Numbers, negative ones included, stay numbers. The texts come from a
crafted table (labels such as '=1+1') served by a stand-in for the figure data, so every writer is
exercised as it runs: a figure's CSV download, "Download all" (numbers only) and `barometer export`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile

import openpyxl
import pytest

from dashboard.callbacks.downloads import csv_text
from dashboard.callbacks.export import export_zip
from dashboard.catalogs import LANGS
from dashboard.cli import main
from dashboard.data.filters import Filter
from dashboard.export.bundle import export_files, table_csv
from dashboard.export.workbook import neutralised_text, workbook_bytes
from dashboard.figures.specs import BY_ID, FIGURES, FigureSpec
from tests.shipped import figure_data

CRAFTED = ["=1+1", "@SUM(1)", "+cmd", "-2+3", "\t=cmd"]  # the category labels of fig1's five rows
TITLE = '=HYPERLINK("http://example.invalid","click")'


class CraftedData:
    """Stands in for FigureData: every figure's table is fig1's, with crafted labels and a negative share."""

    def table(self, figure, filt, lang):
        """Return the crafted table, its `figure` column naming the figure asked for."""
        spec = figure if isinstance(figure, str) else figure.id
        table = figure_data().table("fig1", filt, lang).copy()
        table["figure"] = spec
        table["category_label"] = CRAFTED
        table["series_label"] = TITLE
        table.loc[0, "share"] = -2.5
        return table

    def scope(self, figure, filt):
        """Return how the filter applies to the figure (as the figure data say)."""
        return figure_data().scope(figure, filt)


def csv_rows(text: str) -> list[dict]:
    """Return the rows of a CSV file in either dialect (the Danish one starts with a byte-order mark)."""
    danish = text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";" if danish else ","))


def assert_csv_neutralised(text: str) -> None:
    """Assert the crafted labels start with a quote and the numbers are written as numbers."""
    rows = csv_rows(text)
    assert [r["category_label"] for r in rows] == ["'" + label for label in CRAFTED]
    assert {r["series_label"] for r in rows} == {"'" + TITLE}
    assert rows[0]["share"] in ("-2.5", "-2,5") and float(rows[1]["share"].replace(",", ".")) > 0
    assert [r["category"] for r in rows] == ["solution", "important", "minor", "none", "dont_know"]


def assert_workbook_neutralised(data: bytes, sheets: list[str]) -> None:
    """Assert no cell of the workbook is a formula, the crafted labels are quoted strings, numbers are numbers."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[:len(sheets) + 1] == ["metadata", *sheets]
    assert [c.data_type for sheet in book for row in sheet.iter_rows() for c in row].count("f") == 0
    for name in sheets:
        header = [c.value for c in book[name][1]]
        label, series, share = (header.index(k) + 1 for k in ("category_label", "series_label", "share"))
        cells = [book[name].cell(row=r, column=label) for r in range(2, 7)]
        assert [(c.data_type, c.value) for c in cells] == [("s", "'" + text) for text in CRAFTED]
        assert book[name].cell(row=2, column=series).value == "'" + TITLE
        negative = book[name].cell(row=2, column=share)
        assert (negative.data_type, negative.value) == ("n", -2.5)


@pytest.mark.parametrize(("text", "written"), [
    ("=1+1", "'=1+1"), ("@SUM(1)", "'@SUM(1)"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("-2.5", "-2.5"), ("+3", "+3"), ("-1e5", "-1e5"), ("Alle", "Alle"), ("", ""), (-2.5, -2.5),
])
def test_text_starting_a_formula_gets_a_quote_and_numbers_do_not(text, written):
    assert neutralised_text(text) == written


def test_figure_csv_download_is_neutralised():
    assert_csv_neutralised(csv_text(CraftedData(), "fig1", Filter(), "da", True))


def test_table_csv_neutralises_the_column_names_too():
    table = CraftedData().table("fig1", Filter(), "en").rename(columns={"reason": "=cmd"})
    header = table_csv(table, BY_ID["fig1"], Filter(), "en", True).splitlines()[0].split(",")
    assert "'=cmd" in header and "share" in header


def test_workbook_cells_are_strings_not_formulas():
    meta = CraftedData().table("fig1", Filter(), "da")[["figure", "series_label"]].head(1)
    assert_workbook_neutralised(workbook_bytes({"fig1": CraftedData().table("fig1", Filter(), "da")}, meta), ["fig1"])


def test_download_all_numbers_are_neutralised():
    with zipfile.ZipFile(io.BytesIO(export_zip(CraftedData(), Filter(), "da", None, True))) as archive:
        names = archive.namelist()
        csvs = [n for n in names if n.endswith(".csv")]
        [xlsx] = [n for n in names if n.endswith(".xlsx")]
        assert len(csvs) == len(FIGURES)
        for name in csvs:
            assert_csv_neutralised(archive.read(name).decode("utf-8"))
        assert_workbook_neutralised(archive.read(xlsx), [spec.id for spec in FIGURES])


@dataclasses.dataclass(frozen=True)
class CraftedSpec(FigureSpec):
    """A figure whose title (in every catalog) is a formula."""

    @property
    def title(self) -> dict[str, str]:
        return dict.fromkeys(LANGS, TITLE)


def test_export_metadata_with_a_crafted_title_is_neutralised():
    spec = CraftedSpec(**{f.name: getattr(BY_ID["fig1"], f.name) for f in dataclasses.fields(FigureSpec)})
    files = export_files(CraftedData(), Filter(), lang="en", formats=("xlsx",), figures=(spec,))
    [data] = [content for name, content in files.items() if name.endswith(".xlsx")]
    meta = openpyxl.load_workbook(io.BytesIO(data))["metadata"]
    header = [c.value for c in meta[1]]
    title = meta.cell(row=2, column=header.index("title") + 1)
    assert (title.data_type, title.value) == ("s", "'" + TITLE)


def test_barometer_export_writes_no_formula_and_keeps_numbers(tmp_path):
    assert main(["export", "--out", str(tmp_path), "--formats", "csv,xlsx", "--lang", "en"]) == 0
    [xlsx] = tmp_path.glob("*.xlsx")
    book = openpyxl.load_workbook(xlsx)
    cells = [c for sheet in book for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    header = [c.value for c in book["fig1"][1]]
    shares = [book["fig1"].cell(row=r, column=header.index("share") + 1) for r in range(2, 7)]
    assert all(c.data_type == "n" and 0 < c.value < 100 for c in shares)
    rows = csv_rows(next(tmp_path.glob("*fig1*.csv")).read_text(encoding="utf-8"))
    assert len(rows) == 5 and not any(v.startswith("'") for r in rows for v in r.values())
