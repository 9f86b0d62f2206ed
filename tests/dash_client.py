"""Calling the Dash app the way the browser does, for the in-process HTTP tests.

Callbacks are called as a POST to /_dash-update-component whose payload is built from the app's own
/_dash-dependencies, so a renamed id or property fails the tests that use these helpers.
"""

import base64
import json
import zipfile

import numpy as np
import pandas as pd

from dashboard.data.dimensions import DIMENSIONS

CONTROLS = {d.key: d.control_id for d in DIMENSIONS}  # each filter's control
VIEW_CONTROLS = {**CONTROLS, "by": "by"}  # and the breakdown's
DEFAULTS = {
    ("by", "value"): None,
    ("url", "search"): "",
    **{(d.control_id, "value"): [] if d.multiple else d.default for d in DIMENSIONS},
    ("lang", "value"): "da",
    ("url-problems", "data"): {"link": "", "problems": []},
    ("reset", "n_clicks"): 0,
}


# --------------------------------------------------------------------------------------------------
# Build a callback request from the app's dependency list
# --------------------------------------------------------------------------------------------------
def dependency(client, output_fragment: str) -> dict:
    """Return the one callback whose output string contains `output_fragment` or whose input is it."""
    deps = client.get("/_dash-dependencies").get_json()
    found = [d for d in deps if output_fragment in d["output"] or any(i["id"] == output_fragment for i in d["inputs"])]
    assert len(found) == 1, [d["output"][:80] for d in found]
    return found[0]


def split_outputs(output: str) -> list[dict]:
    """Return [{id, property}] of a callback output string ('..a.b...c.d..' or 'a.b')."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


def call(client, output_fragment: str, values: dict, changed: list, outputs=None, state_values=None):
    """POST one callback with input `values` ({(id, prop): value}; others default) and return the response."""
    dep = dependency(client, output_fragment)

    def key(item):  # a pattern-matching id is given as its JSON text (keys sorted)
        cid = item["id"]
        return (json.dumps(cid, sort_keys=True, separators=(",", ":")) if isinstance(cid, dict) else cid, item["property"])

    def filled(items, given):
        return [dict(i, value=given.get(key(i), DEFAULTS.get(key(i)))) for i in items]

    inputs = filled(dep["inputs"], values)
    if outputs is None:
        outputs = split_outputs(dep["output"])
        outputs = outputs if dep["output"].startswith("..") else outputs[0]
    body = {"output": dep["output"], "outputs": outputs, "inputs": inputs,
            "changedPropIds": changed, "state": filled(dep["state"], state_values or {})}
    return client.post("/_dash-update-component", json=body)


def figures(client, before=None, **controls):
    """Call the figures callback with control values by key (and `before`, what the last redraw showed: the
    ``figures-state`` store) and return the JSON response."""
    ids = {**VIEW_CONTROLS, "lang": "lang", "url_problems": "url-problems", "chart_width": "chart-width"}
    stores = ("url_problems", "chart_width")
    values = {(ids[k], "data" if k in stores else "value"): v for k, v in controls.items()}
    res = call(client, "fig1-figure-data.data", values, [f"{ids[k]}.{'data' if k in stores else 'value'}" for k in controls],
               state_values={("figures-state", "data"): before} if before is not None else None)
    assert res.status_code == 200, res.data[:300]
    response = res.get_json()["response"]
    for key in [k for k in response if k.endswith("-figure-data")]:  # each chart's figure and config, by graph id
        response[key.removesuffix("-figure-data")] = response.pop(key)["data"]
    return response


# --------------------------------------------------------------------------------------------------
# Read the answers
# --------------------------------------------------------------------------------------------------
def as_list(array) -> list:
    """Return a plotly JSON array as a list (plain lists, or typed arrays as base64 'bdata')."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def bar_values(figure: dict) -> dict[tuple[str, str], float]:
    """Return {(series, category): bar length} of every bar in a figure's JSON."""
    out = {}
    for trace in figure["data"]:
        if trace.get("type") != "bar" or "customdata" not in trace:  # a legend entry has no bars
            continue
        lengths = as_list(trace["x"] if trace.get("orientation") == "h" else trace["y"])
        for (series, category), length in zip(trace["customdata"], lengths, strict=True):
            if length is not None and not (isinstance(length, float) and np.isnan(length)):
                out[(series, category)] = length
    return out


def table_values(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Return {(series, category): share} of the shown rows, to one decimal as the charts carry them."""
    shown = table[~table["suppressed"]]
    return {(s, c): round(v, 1) for s, c, v in zip(shown["series"], shown["category"], shown["share"], strict=True)}


def notice_text(response: dict) -> str:
    return json.dumps(response["notice"]["children"], ensure_ascii=False)


def find_component(node, component_id):
    """Return the component with `component_id` in a layout JSON, or None."""
    if isinstance(node, dict):
        if isinstance(node.get("props"), dict) and node["props"].get("id") == component_id:
            return node
        node = list(node.values())
    if isinstance(node, list):
        for value in node:
            found = find_component(value, component_id)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------------------------------
# Downloads: one figure's CSV, and "Download all"
# --------------------------------------------------------------------------------------------------
def click_download(client, figure, fmt="csv", **state):
    """Click a figure's download button of format `fmt` (csv, xlsx) with the given control values; return the
    HTTP response."""
    ids = {**{cid: key for key, cid in VIEW_CONTROLS.items()}, "lang": "lang"}
    dep = dependency(client, f'"download-{fmt}"')
    button = {"type": f"{fmt}-btn", "figure": figure}
    body = {"output": dep["output"], "outputs": {"id": {"type": f"download-{fmt}", "figure": figure}, "property": "data"},
            "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
            "changedPropIds": [json.dumps(button, separators=(",", ":")) + ".n_clicks"],
            "state": [dict(s, value=state.get(ids[s["id"]], DEFAULTS[(s["id"], s["property"])]))
                      for s in dep["state"]]}
    return client.post("/_dash-update-component", json=body)


def download(client, figure: str, fmt: str = "csv", **state):
    """Click a figure's download button of format `fmt` with the given control values; return the dcc.Download
    data."""
    res = click_download(client, figure, fmt, **state)
    assert res.status_code == 200, res.data[:300]
    (data,) = [v["data"] for v in res.get_json()["response"].values()]
    return data


def count_by_kind(archive: zipfile.ZipFile) -> dict[str, int]:
    kinds = [name.rsplit(".", 1)[-1] for name in archive.namelist()]
    return {kind: kinds.count(kind) for kind in sorted(set(kinds))}


def layout_text(app) -> str:
    return app.server.test_client().get("/_dash-layout").get_data(as_text=True)


# --------------------------------------------------------------------------------------------------
# Crafted requests
# --------------------------------------------------------------------------------------------------
def assert_readable(res, status: int, needle: str) -> None:
    """Assert a short JSON error answer with `status` whose message contains `needle`."""
    body = res.get_data(as_text=True)
    assert res.status_code == status, body[:300]
    assert res.is_json and needle in res.get_json()["error"], body[:300]
    assert "Traceback" not in body and len(body) < 400


def valid_body(client, output_fragment: str) -> dict:
    """Return a well-formed callback body (default values) for the callback with `output_fragment`."""
    dep = dependency(client, output_fragment)
    outputs = split_outputs(dep["output"])
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": [dict(i, value=DEFAULTS.get((i["id"], i["property"]))) for i in dep["inputs"]],
            "changedPropIds": [], "state": [dict(s, value=DEFAULTS.get((s["id"], s["property"])))
                                            for s in dep["state"]]}
