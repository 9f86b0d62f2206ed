"""Recognise the files the dashboard itself hands out (a figure's CSV, the XLSX workbook, the ZIP of every
figure) when they are given where microdata are expected, and say so instead of listing every column they
lack.

>>> check_header("fig8.csv", ["figure", "series", "category", "share", "ci_low"])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dashboard.data.errors.DataFileError: fig8.csv: 1 problem(s); the file was refused
  fig8.csv, row 1: this is a figure's numbers as the dashboard exports them (columns figure, series, ...
"""

from __future__ import annotations

import io
import re
import zipfile

from .errors import refuse

EXPORT_COLUMNS = ("figure", "series", "category", "share")  # the first columns of every exported figure table
# What an exported file holds, and what `validate` expects instead.
_EXPECTED = ("not microdata. barometer validate checks microdata: one row per workplace with the columns id, round, "
             "sector, industry, size, stratum, weight, innovated and the answers (see the README, 'Loading real "
             "microdata')")
_FIGURE_FILE = re.compile(r"^(fig\d+|dst-[a-z-]+|nordic)_[A-Za-z0-9_-]+\.(png|svg|csv)$")
_README = ("README.txt", "LAES_MIG.txt")


def check_header(name: str, header: list[str]) -> None:
    """Refuse a CSV file whose header is that of a figure table the dashboard exported; return None otherwise."""
    if all(column in header for column in EXPORT_COLUMNS):
        raise refuse(name, "this is a figure's numbers as the dashboard exports them (columns figure, series, "
                           "category, share, ...), " + _EXPECTED, row=1)


def check_archive(name: str, data: bytes) -> None:
    """Refuse the dashboard's XLSX workbook or ZIP of every figure; return None for any other file."""
    if data[:4] != b"PK\x03\x04":
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace") if "xl/workbook.xml" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return
    if 'name="metadata"' in workbook and 'name="columns"' in workbook:
        raise refuse(name, "this is the workbook of figures the dashboard exports (sheets metadata, columns and one "
                           "per figure), " + _EXPECTED)
    if any(n in names for n in _README) and any(_FIGURE_FILE.match(n) for n in names):
        raise refuse(name, "this is the ZIP of every figure the dashboard exports (images, each figure's numbers "
                           "and a workbook), " + _EXPECTED)
