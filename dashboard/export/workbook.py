"""The XLSX workbook (one sheet of numbers per figure and a metadata sheet), and the guard every CSV and
XLSX file the project writes passes its cells through: `neutralised` (OWASP CSV-injection guidance).
"""

from __future__ import annotations

import io
import re

import pandas as pd

from ..data.rules import FORMULA_START

_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")  # text that is a plain number, e.g. -2.5


def neutralised_text(value):
    """Return `value` with a leading single quote when it is text a spreadsheet would read as a formula.

    Text starting with =, +, -, @, a tab or a carriage return is prefixed with ' (OWASP), unless it is
    a plain number such as "-2.5"; anything that is not a string is returned unchanged.

    >>> [neutralised_text(v) for v in ("=1+1", "@SUM(1)", "-2+3", "-2.5", "Alle", -2.5)]
    ["'=1+1", "'@SUM(1)", "'-2+3", '-2.5', 'Alle', -2.5]
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of `frame` whose text cells and column names are `neutralised_text`; numbers stay numbers."""
    out = frame.copy()
    for k in range(out.shape[1]):
        column = out.iloc[:, k]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            continue
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        out.isetitem(k, column.map(neutralised_text))
    out.columns = [neutralised_text(c) for c in out.columns]
    return out


def sheet_name(figure: str) -> str:
    """Return an Excel-safe sheet name (at most 31 characters) for a figure id."""
    return figure[:31]


def workbook_bytes(tables: dict[str, pd.DataFrame], metadata: pd.DataFrame, columns: pd.DataFrame | None = None) -> bytes:
    """Return the XLSX file: a 'metadata' sheet first, then one sheet per figure table and, when given, a 'columns'
    sheet saying what each column holds (text cells `neutralised`)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralised(metadata).to_excel(writer, sheet_name="metadata", index=False)
        for figure, table in tables.items():
            neutralised(table).to_excel(writer, sheet_name=sheet_name(figure), index=False)
        if columns is not None:
            neutralised(columns).to_excel(writer, sheet_name="columns", index=False)
        for sheet in writer.book.worksheets:
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column[:60])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
            sheet.freeze_panes = "A2"
    return buffer.getvalue()
