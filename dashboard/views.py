"""The HTML of a figure's text alternatives: its table view and its summary (see figures.alternative)."""

from __future__ import annotations

from dash import html

from .figures.alternative import TableView


def data_table(view: TableView, table_id: str):
    """Return the table view as an HTML table: a caption, column headers, and a row header per bar."""
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in view.columns]))
    body = html.Tbody([
        html.Tr([html.Th(row[0], scope="row"), *[html.Td(c) for c in row[1:]]],
                className="row-hidden" if hidden else None)
        for row, hidden in zip(view.rows, view.hidden, strict=True)
    ])
    return html.Table([html.Caption(view.caption), head, body], id=f"{table_id}-data", className="data-table")
