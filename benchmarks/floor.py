"""The floor a benchmark measures the project against: a minimal Dash app whose one callback has the
inputs and outputs of the project's figures callback and returns the project's answer (the same
JSON) from a dict, so it costs only Dash itself (and, with `compressed`, the response compression the
project serves every response with: the same bytes on the wire)."""

from __future__ import annotations

import json

from dash import Dash, Input, Output, html

from benchmarks.callbacks import split_outputs


def _outputs(dep: dict) -> list[tuple[str, str]]:
    """Return the (id, property) outputs of a dependency, without duplicate-output suffixes."""
    return [(o["id"], o["property"].split("@", 1)[0]) for o in split_outputs(dep["output"])]


def state_key(dep: dict, values: dict) -> str:
    """Return the dict key of the input values ({(id, property): value}) a callback `dep` is called with."""
    return json.dumps([values.get((i["id"], i["property"])) for i in dep["inputs"]], sort_keys=True)


def answer_of(dep: dict, response: dict) -> list:
    """Return the output values, in `dep`'s order, of a project callback response ({id: {prop: value}})."""
    return [response.get(cid, {}).get(prop) for cid, prop in _outputs(dep)]


def create_floor_app(dep: dict, answers: dict[str, list], compressed: bool = False) -> Dash:
    """Return the floor app for the project callback `dep`: `answers` maps `state_key` to output values;
    `compressed` serves it through the project's compression (Brotli or gzip, as the request accepts)."""
    app = Dash(__name__, suppress_callback_exceptions=True)  # posted to directly, never rendered
    if compressed:
        from dashboard.serving import register_serving

        register_serving(app)
    app.layout = html.Div()
    inputs = [(i["id"], i["property"]) for i in dep["inputs"]]

    @app.callback([Output(c, p) for c, p in _outputs(dep)], [Input(c, p) for c, p in inputs])
    def answer(*values):
        return answers[json.dumps(list(values), sort_keys=True)]

    return app


def create_page_floor_app(figures: dict[str, dict], widths: dict[str, int], assets_folder: str) -> Dash:
    """Return the first-load floor: a Dash app whose page is nothing but the project's charts, each a
    dcc.Graph holding its figure and config in the layout (no callback), at the width the dashboard gave
    it, with the project's plotly.js (`assets_folder` holds only that bundle), page scripts and compression.

    `figures` maps a chart id to {"figure", "config"} as the project's figures callback sent them.
    """
    from dash import dcc

    from dashboard.app import PageDash
    from dashboard.serving import register_serving

    app = PageDash(__name__, assets_folder=assets_folder)
    register_serving(app)
    app.layout = html.Div([html.Div(dcc.Graph(id=cid, figure=f["figure"], config=f["config"]),
                                    style={"width": f"{widths[cid]}px"}) for cid, f in figures.items()])
    return app
