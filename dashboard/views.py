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
    """Return the table view as an HTML table: a caption, column headers, and a row header per bar."""
    head = element("Thead", element("Tr", [element("Th", c, scope="col") for c in view.columns]))
    body = element("Tbody", [
        element("Tr", [element("Th", row[0], scope="row"), *(element("Td", c) for c in row[1:])],
                **({"className": "row-hidden"} if hidden else {}))
        for row, hidden in zip(view.rows, view.hidden, strict=True)
    ])
    return element("Table", [element("Caption", view.caption), head, body], id=f"{table_id}-data",
                   className="data-table")
