"""The XLSX workbook: one sheet of numbers per figure and a metadata sheet."""

from __future__ import annotations

import io

import pandas as pd

METADATA_COLUMNS = ["figure", "sheet", "title", "question", "base", "n", "filters", "not_applied", "source",
                    "data", "illustrative", "exported_at", "app_version"]


def sheet_name(figure: str) -> str:
    """Return an Excel-safe sheet name (at most 31 characters) for a figure id."""
    return figure[:31]


def workbook_bytes(tables: dict[str, pd.DataFrame], metadata: pd.DataFrame) -> bytes:
    """Return the XLSX file: a 'metadata' sheet first, then one sheet per figure table."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        metadata.to_excel(writer, sheet_name="metadata", index=False)
        for figure, table in tables.items():
            table.to_excel(writer, sheet_name=sheet_name(figure), index=False)
        for sheet in writer.book.worksheets:
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column[:60])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
            sheet.freeze_panes = "A2"
    return buffer.getvalue()
