"""In-process HTTP tests of the Dash app: crafted and malformed requests get a readable answer, never a 500.

The request guard (dashboard/guard.py) and the error handlers: wrong bodies, outputs and states, JSON that
is malformed or nested too deep, unknown paths and missing files, oversized and chunked bodies, an
exception escaping Dash's dispatch, and one log line per refusal.
"""

import io
import json
import logging

import pytest

from dashboard.data.dimensions import DIMENSIONS
from tests.dash_client import assert_readable, call, click_download, dependency, split_outputs, valid_body

STATES = len(DIMENSIONS) + 4  # "Download all" reads the filters, the breakdown, the size, the data fingerprint and the language


# --------------------------------------------------------------------------------------------------
# Malformed requests
# --------------------------------------------------------------------------------------------------
def test_malformed_request_is_short_json_not_traceback(client):
    res = client.post("/_dash-update-component", json={"output": "fig1-figure-data.data"})
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
    output = next(k for k in app.callback_map if "fig1-figure-data.data" in k)
    res = client.post("/_dash-update-component", json={"output": output, "outputs": [], "inputs": [],
                                                         "changedPropIds": [], "state": []})
    assert res.status_code == 400 and "inputs, 0 were sent" in res.get_json()["error"]


# --------------------------------------------------------------------------------------------------
# Crafted requests: a readable answer, never a 500 or a traceback
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("fragment", "change", "needle"), [
    ("fig1-figure-data.data", {"outputs": None}, "'outputs' is missing"),
    ("fig1-figure-data.data", {"outputs": []}, "'outputs' must be a list of 52 outputs"),
    ("fig1-figure-data.data", {"outputs": {"id": "fig1-figure-data", "property": "data"}}, "'outputs' must be a list"),
    ("export-size.options", {"outputs": [{"id": "export-size", "property": "options"}]}, "needs an 'id'"),
    ("export-size.options", {"outputs": {"id": "export-size"}}, "needs an 'id' and a 'property'"),
    ("about-body.children", {"outputs": "x"}, "'outputs' must be a list"),
    ("export-download.data", {"state": []}, f"takes {STATES} states, 0 were sent"),
    ("export-download.data", {"state": [{"id": "lang", "property": "value", "value": "da"}] * (STATES + 1)},
     f"{STATES + 1} were sent"),
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


def test_exception_escaping_dispatch_is_400_and_one_log_line(client, app, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(app, "_inputs_to_vals", boom)
    with caplog.at_level(logging.INFO):
        res = client.post("/_dash-update-component", json=valid_body(client, "export-size.options"))
    assert_readable(res, 400, "Malformed callback request: it could not be processed")
    (record,) = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "RuntimeError: unexpected" in record.getMessage() and "\n" not in record.getMessage()
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="dashboard.guard"):  # the traceback, for who asks for it
        client.post("/_dash-update-component", json=valid_body(client, "export-size.options"))
    (traceback,) = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert traceback.exc_info[0] is RuntimeError


# --------------------------------------------------------------------------------------------------
# Bodies that are not JSON, or JSON nested too deep
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "needle"), [
    (b"[" * 5_000 + b"]" * 5_000, "nested deeper than 32 levels"),  # 10 KB: Python's JSON parser recurses
    (b'{"a":' * 40 + b"1" + b"}" * 40, "nested deeper than 32 levels"),  # parses, but deeper than any real request
    (b'{"output": "fig1-figure-data.data", "inputs": [', "the body is not valid JSON"),
    (b"\xff\xfe{}", "the body is not valid JSON"),
    (b"", "the body is not valid JSON"),
    (b'{"n": ' + b"9" * 5_000 + b"}", "the body is not valid JSON"),  # longer than Python converts to int
])
def test_nested_or_malformed_json_is_400(client, raw, needle):
    res = client.post("/_dash-update-component", data=raw, content_type="application/json")
    assert_readable(res, 400, needle)


def test_a_body_that_is_not_sent_as_json_is_415(client):
    body = json.dumps(valid_body(client, "export-size.options"))
    assert_readable(client.post("/_dash-update-component", data=body, content_type="text/plain"), 415, "application/json")


def test_real_requests_are_far_below_the_nesting_limit(client):
    from dashboard.guard import MAX_DEPTH, nesting_depth

    deepest = max(nesting_depth(valid_body(client, fragment)) for fragment in ("fig1-figure-data.data", "about-body.children"))
    assert 3 <= deepest <= MAX_DEPTH // 4


def test_a_callback_that_runs_in_the_browser_is_refused(client):
    body = {"output": "doc-lang.data", "outputs": {"id": "doc-lang", "property": "data"},
            "inputs": [{"id": "lang", "property": "value", "value": "en"}], "changedPropIds": ["lang.value"]}
    assert_readable(client.post("/_dash-update-component", json=body), 400, "runs in the browser")


@pytest.mark.parametrize("keep_hash", [True, False])
def test_duplicate_outputs_pass_with_or_without_their_hash(client, keep_hash):
    body = valid_body(client, "filter-sector.value@")  # the reset button's allow_duplicate outputs
    assert all("@" in o["property"] for o in body["outputs"])
    if not keep_hash:
        body["outputs"] = [dict(o, property=o["property"].split("@")[0]) for o in body["outputs"]]
    body["inputs"][0]["value"] = 1
    body["changedPropIds"] = ["reset.n_clicks"]
    res = client.post("/_dash-update-component", json=body)
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    assert res.get_json()["response"]["filter-sector"]["value"] == []


def test_outputs_naming_another_component_are_refused(client):
    body = valid_body(client, "export-size.options")
    body["outputs"] = {"id": "fig1", "property": "figure"}
    assert_readable(client.post("/_dash-update-component", json=body), 400, "do not match this callback's 'export-size")


# --------------------------------------------------------------------------------------------------
# Unknown or missing files: 404
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["dash/dash-renderer/build/dash_renderer.min.js.map", "dash/dcc/async-mathjax.js.map"])
def test_registered_source_map_that_is_not_installed_is_404(client, app, path):
    package, file = path.split("/", 1)
    assert file in app.registered_paths[package]  # Dash lists it, but the wheel has no such file
    assert_readable(client.get(f"/_dash-component-suites/{path}"), 404, "Not found")


def test_installed_component_files_are_still_served(client):
    res = client.get("/_dash-component-suites/dash/dcc/async-graph.js")
    assert res.status_code == 200 and res.mimetype == "text/javascript" and len(res.data) > 10_000


@pytest.mark.parametrize("path", ["/nope", "/wp-login.php", "/.env", "/fig1/", "/assets/nope.css", "/assets/../pyproject.toml",
                                  "/_dash-update-component", "/favicon.ico"])
def test_unknown_path_is_404_not_the_page(client, path):
    assert_readable(client.get(path), 404, "Not found")


def test_the_page_is_served_at_its_own_path_with_any_query(client):
    for path in ("/", "/?sector=state&lang=en", "/?sector=atlantis"):
        res = client.get(path)
        assert res.status_code == 200 and res.mimetype == "text/html" and "_dash-renderer" in res.get_data(as_text=True)


def test_a_method_a_route_does_not_take_is_405_with_allow(client):
    res = client.post("/_dash-layout", json={})
    assert_readable(res, 405, "Method not allowed")
    assert "GET" in res.headers["Allow"]


# --------------------------------------------------------------------------------------------------
# One log line per rejected request
# --------------------------------------------------------------------------------------------------
def test_each_rejected_request_writes_one_log_line(client, caplog):
    from dashboard.guard import MAX_BODY

    requests = [
        lambda: client.post("/_dash-update-component", data=b"[" * 5_000 + b"]" * 5_000, content_type="application/json"),
        lambda: client.post("/_dash-update-component", data=b"{", content_type="application/json"),
        lambda: client.post("/_dash-update-component", json={"output": "fig1-figure-data.data"}),
        lambda: client.post("/_dash-update-component", data=b"x" * (MAX_BODY + 10), content_type="application/json"),
        lambda: client.get("/_dash-component-suites/dash/dcc/async-mathjax.js.map"),
        lambda: client.get("/_dash-component-suites/nope/x.js"),
        lambda: client.get("/nope\nFAKE LOG LINE"),
        lambda: client.post("/_dash-layout"),
    ]
    with caplog.at_level(logging.INFO):
        statuses = [send().status_code for send in requests]
    assert statuses == [400, 400, 400, 413, 404, 404, 404, 405]
    assert len(caplog.records) == len(requests), [r.getMessage() for r in caplog.records]
    for record, status in zip(caplog.records, statuses, strict=True):
        message = record.getMessage()
        assert record.name == "dashboard.guard" and record.levelno == logging.WARNING and record.exc_info is None
        assert f": {status} " in message and "\n" not in message and len(message) < 400, message
