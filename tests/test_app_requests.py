"""In-process HTTP tests of the Dash app: crafted and malformed requests get a readable answer, never a 500.

The request guard (dashboard/guard.py) and the error handlers: wrong bodies, outputs and states, unknown
paths, oversized and chunked bodies, and an exception escaping Dash's dispatch.
"""

import io
import json

import pytest

from tests.dash_client import assert_readable, call, click_download, dependency, split_outputs, valid_body


# --------------------------------------------------------------------------------------------------
# Malformed requests
# --------------------------------------------------------------------------------------------------
def test_malformed_request_is_short_json_not_traceback(client):
    res = client.post("/_dash-update-component", json={"output": "fig1.figure"})
    assert res.status_code == 400
    assert res.is_json
    body = res.get_data(as_text=True)
    assert "Traceback" not in body and len(body) < 400
    assert "Malformed callback request" in res.get_json()["error"]


@pytest.mark.parametrize("body,status,needle", [
    ({"bad": 1}, 400, "'output' must name one of the app's callbacks"),
    ([1, 2], 400, "the body must be a JSON object"),
    ({"output": "nope.figure", "inputs": [], "changedPropIds": []}, 400, "'output' must name"),
    ("x" * 300_000, 413, "Request too large"),
])
def test_malformed_callback_request_gets_readable_4xx_not_500(client, body, status, needle):
    if isinstance(body, str):
        res = client.post("/_dash-update-component", data=body, content_type="application/json")
    else:
        res = client.post("/_dash-update-component", json=body)
    assert res.status_code == status
    assert needle in res.get_json()["error"] and "Traceback" not in res.get_data(as_text=True)


def test_wrong_number_of_inputs_is_refused(client, app):
    output = next(k for k in app.callback_map if "fig1.figure" in k)
    res = client.post("/_dash-update-component", json={"output": output, "outputs": [], "inputs": [],
                                                         "changedPropIds": [], "state": []})
    assert res.status_code == 400 and "inputs, 0 were sent" in res.get_json()["error"]


# --------------------------------------------------------------------------------------------------
# Crafted requests: a readable answer, never a 500 or a traceback
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("fragment", "change", "needle"), [
    ("fig1.figure", {"outputs": None}, "'outputs' is missing"),
    ("fig1.figure", {"outputs": []}, "'outputs' must be a list of 34 outputs"),
    ("fig1.figure", {"outputs": {"id": "fig1", "property": "figure"}}, "'outputs' must be a list"),
    ("export-size.options", {"outputs": [{"id": "export-size", "property": "options"}]}, "needs an 'id'"),
    ("export-size.options", {"outputs": {"id": "export-size"}}, "needs an 'id' and a 'property'"),
    ("about-body.children", {"outputs": "x"}, "'outputs' must be a list"),
    ("export-download.data", {"state": []}, "takes 6 states, 0 were sent"),
    ("export-download.data", {"state": [{"id": "lang", "property": "value", "value": "da"}] * 7}, "7 were sent"),
])
def test_wrong_outputs_or_states_are_refused(client, fragment, change, needle):
    body = valid_body(client, fragment)
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    assert_readable(client.post("/_dash-update-component", json=body), 400, needle)


def test_a_valid_body_passes_the_guard(client):
    res = client.post("/_dash-update-component", json=valid_body(client, "export-size.options"))
    assert res.status_code == 200 and "export-size" in res.get_json()["response"]


def test_pattern_matching_output_must_be_a_list_of_items(client):
    body = valid_body(client, "about-body.children")
    body["outputs"][0] = {"id": {"type": "txt", "key": "reset"}, "property": "children"}
    assert_readable(client.post("/_dash-update-component", json=body), 400, "pattern-matching output")


@pytest.mark.parametrize("figure", [{"a": 1}, ["fig1"], "no-such-figure"])
def test_download_of_a_crafted_figure_id_gives_notice(client, figure):
    res = click_download(client, figure, lang="en")
    body = res.get_data(as_text=True)
    assert res.status_code == 200 and "Traceback" not in body
    out = res.get_json()
    assert not out["response"]  # nothing to download
    notice = out["sideUpdate"]["notice"]
    assert notice["is_open"] is True and "Unknown figure" in notice["children"]


def test_translate_ignores_unknown_text_keys(client):
    dep = dependency(client, "about-body.children")
    outputs = split_outputs(dep["output"])
    keys = ["reset", "nope", "section:atlantis", "title:no-such-figure", "bogus:fig1"]
    outputs[0] = [{"id": {"type": "txt", "key": k}, "property": "children"} for k in keys]
    res = call(client, "about-body.children", {("lang", "value"): "en"}, ["lang.value"], outputs=outputs)
    assert res.status_code == 200, res.data[:300]
    out = res.get_json()["response"]
    assert out[json.dumps({"key": "reset", "type": "txt"}, separators=(",", ":"))]["children"] == "Reset"
    assert not [k for k in keys[1:] if json.dumps({"key": k, "type": "txt"}, separators=(",", ":")) in out]
    outputs[0].append({"id": "not-a-dict", "property": "children"})  # Dash itself refuses this one
    res = call(client, "about-body.children", {("lang", "value"): "en"}, ["lang.value"], outputs=outputs)
    assert_readable(res, 400, "Malformed callback request")


@pytest.mark.parametrize("path", ["/_dash-component-suites/../x", "/_dash-component-suites/dash/../x.js",
                                  "/_dash-component-suites/nope/x.js", "/_dash-component-suites/dash/nope.js"])
def test_unknown_component_suite_path_is_404(client, path):
    res = client.get(path)
    assert_readable(res, 404, "Not found")
    assert "Registered" not in res.get_data(as_text=True)


def test_chunked_body_over_the_limit_is_413(client):
    from dashboard.guard import MAX_BODY

    res = client.post("/_dash-update-component", input_stream=io.BytesIO(b"x" * (MAX_BODY + 10)),
                      content_type="application/json", headers={"Transfer-Encoding": "chunked"},
                      environ_overrides={"wsgi.input_terminated": True})
    assert_readable(res, 413, "Request too large")
    body = json.dumps(valid_body(client, "export-size.options")).encode("utf-8")  # a small one is served
    res = client.post("/_dash-update-component", input_stream=io.BytesIO(body),
                      content_type="application/json", headers={"Transfer-Encoding": "chunked"},
                      environ_overrides={"wsgi.input_terminated": True})
    assert res.status_code == 200 and "export-size" in res.get_json()["response"]


def test_exception_escaping_dispatch_is_400_and_logged(client, app, monkeypatch):
    import logging

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("dashboard.guard")
    logger.addHandler(handler)
    monkeypatch.setattr(app, "_inputs_to_vals", boom)
    try:
        res = client.post("/_dash-update-component", json=valid_body(client, "export-size.options"))
    finally:
        logger.removeHandler(handler)
    assert_readable(res, 400, "Malformed callback request")
    assert records and records[0].exc_info[0] is RuntimeError
