"""The HTML of a figure's text alternatives: its table view (see figures.alternative).

The table is returned as component JSON, the form the Dash renderer receives (type, namespace and
props), rather than as html.* objects: a redraw sends sixteen tables of up to fifty rows, and building
and serialising thousands of component objects would cost more than computing every figure.
"""

from __future__ import annotations

from .figures.alternative import TableView


def element(tag: str, children=None, **props) -> dict:
    """Return the component JSON of one dash_html_components element (e.g. 'Td'), with its children."""
    if children is not None:
        props["children"] = children
    return {"type": tag, "namespace": "dash_html_components", "props": props}


def data_table(view: TableView, table_id: str) -> dict:
    """Return the table view as an HTML table: a caption, column headers, and a row header per bar.

    Each cell carries its column's name (`data-label`), which a phone shows before it when the rows are laid
    out as blocks; the table's roles are set explicitly, so that it stays a table for assistive technology
    when CSS changes how its parts are displayed.
    """
    head = element("Thead", element("Tr", [element("Th", c, scope="col", role="columnheader") for c in view.columns],
                                    role="row"), role="rowgroup")
    body = element("Tbody", [
        element("Tr", [element("Th", row[0], scope="row", role="rowheader"),
                       *(element("Td", c, role="cell", **{"data-label": label})
                         for c, label in zip(row[1:], view.columns[1:], strict=True))],
                role="row", **({"className": "row-hidden"} if hidden else {}))
        for row, hidden in zip(view.rows, view.hidden, strict=True)
    ], role="rowgroup")
    return element("Table", [element("Caption", view.caption), head, body], id=f"{table_id}-data",
                   className="data-table", role="table")
