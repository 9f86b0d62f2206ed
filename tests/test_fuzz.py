"""Generated callback requests (hypothesis): whatever a client sends, no 5xx and no traceback.

Every payload starts from a request the renderer would send, built from the app's own
/_dash-dependencies and /_dash-layout (pattern-matching ids made concrete from the components in the
layout, values from the options the page offers), and is then mutated: ids, properties, values,
types, the number of inputs, states and outputs, changed-property lists, deep nesting, top-level
keys, the raw bytes, or forged background-callback handles in the query string. Each callback that
runs in the browser gets PER_BROWSER_CALLBACK payloads (the server refuses those), the server-side
callbacks share the rest of TOTAL equally.
"""

import json
import logging
import os
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.app import create_app
from tests.dash_client import DEFAULTS, split_outputs

TOTAL = 1050  # payloads in all
PER_BROWSER_CALLBACK = 20
MAX_ERROR_BODY = 400
WILDCARDS = (["MATCH"], ["ALL"], ["ALLSMALLER"])


@pytest.fixture(scope="module")
def fuzz_client(synth_data):
    """A client of an app without server-side images: "Download all" then builds only CSV and XLSX."""
    return create_app(synth_data, chromium=None).server.test_client()


@pytest.fixture(scope="module")
def page(fuzz_client):
    return page_facts(fuzz_client)


def page_facts(client) -> dict:
    """Return the app's callbacks, its components' pattern-matching ids by type, and the values its options offer."""
    deps = client.get("/_dash-dependencies").get_json()
    layout = client.get("/_dash-layout").get_json()
    ids, values = {}, set()
    stack = [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict):
                if isinstance(props.get("id"), dict):
                    ids.setdefault(props["id"].get("type"), []).append(props["id"])
                for option in props.get("options") or []:
                    if isinstance(option, dict) and isinstance(option.get("value"), str):
                        values.add(option["value"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return {"deps": deps, "ids": ids, "values": sorted(values)}


# --------------------------------------------------------------------------------------------------
# The request the renderer would send
# --------------------------------------------------------------------------------------------------
def concrete(component_id: str, ids: dict) -> list:
    """Return the ids a dependency's id stands for: itself, or the layout's components matching its pattern."""
    if not component_id.startswith("{"):
        return [component_id]
    pattern = json.loads(component_id)
    found = [i for i in ids.get(pattern.get("type"), [])
             if all(v in WILDCARDS or i.get(k) == v for k, v in pattern.items())]
    if any(v in WILDCARDS[1:] for v in pattern.values()):
        return [found[:3]]  # ALL: one list of items
    return found[:1] or [pattern]


def prop_id(component_id) -> str:
    """Return a component id as the renderer writes it in changedPropIds (a dict as sorted compact JSON)."""
    return json.dumps(component_id, separators=(",", ":"), sort_keys=True) if isinstance(component_id, dict) else component_id


def base_body(dep: dict, ids: dict) -> dict:
    """Return the callback request the renderer sends for `dep`, with the page's default values."""
    def item(component_id, prop):
        value = DEFAULTS.get((component_id, prop)) if isinstance(component_id, str) else None
        value = 1 if prop == "n_clicks" else value
        return {"id": component_id, "property": prop, "value": value}

    def items(deps):
        out = []
        for d in deps:
            (found,) = concrete(d["id"], ids)
            out.append([item(i, d["property"]) for i in found] if isinstance(found, list) else item(found, d["property"]))
        return out

    outputs = []
    for part in split_outputs(dep["output"]):
        (found,) = concrete(part["id"], ids)
        outputs.append([{"id": i, "property": part["property"]} for i in found] if isinstance(found, list)
                       else {"id": found, "property": part["property"]})  # with its '@hash', as the renderer sends
    inputs = items(dep["inputs"])
    changed = [f"{prop_id(i['id'])}.{i['property']}" for i in inputs[:1] if isinstance(i, dict)]
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": inputs, "changedPropIds": changed, "state": items(dep["state"])}


# --------------------------------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------------------------------
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
JSON = st.recursive(SCALARS, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                    max_leaves=10)


HANDLES = st.lists(st.tuples(st.sampled_from(["cacheKey", "job", "oldJob", "endId"]),
                             st.sampled_from(["1", "0", "-1", str(os.getpid()), "x~y", "~"]) | st.text(max_size=40)),
                   max_size=4)
QUERY = st.just("") | HANDLES.map(lambda pairs: "?" + urlencode(pairs))


def values(page):
    """Values a client might send: the page's own option values, lists of them, query strings, or any JSON."""
    codes = st.sampled_from(page["values"])
    query = st.lists(st.tuples(st.sampled_from(["sector", "tech_role", "value", "round", "lang", "x"]),
                               codes | st.text(max_size=10)), max_size=4)
    return st.one_of(codes, st.lists(codes | SCALARS, max_size=6), query.map(lambda q: "?" + "&".join(f"{k}={v}" for k, v in q)),
                     st.dictionaries(st.sampled_from(["wide", "half", "x"]), st.integers(-10, 5000) | SCALARS, max_size=3),
                     JSON)


def nested(value, depth: int, as_list: bool):
    """Return `value` wrapped `depth` times in a list or an object."""
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value


def slots(body) -> list[dict]:
    """Return every input, state and output item (a dict) of a body, those in pattern-matching lists included."""
    out = []
    for key in ("inputs", "state", "outputs"):
        container = body.get(key)
        container = [container] if isinstance(container, dict) else container
        for item in container if isinstance(container, list) else []:
            for one in item if isinstance(item, list) else [item]:
                if isinstance(one, dict):
                    out.append(one)
    return out


@st.composite
def payloads(draw, dep, page):
    """Return a mutated callback request for `dep`: (query string, body bytes).

    The query string is empty or holds the background-callback handles a polling renderer sends
    (cacheKey, job, oldJob, endId), forged.
    """
    body = base_body(dep, page["ids"])
    other_deps = st.sampled_from(page["deps"])
    known_ids = st.sampled_from([i for group in page["ids"].values() for i in group] or [{}])
    for _ in range(draw(st.integers(1, 3))):
        if not isinstance(body, dict):
            break
        kind = draw(st.sampled_from(["value", "value", "value", "id", "property", "count", "changed", "output",
                                     "nest", "key", "body", "bytes"]))
        items = slots(body)
        if kind in ("value", "id", "property", "nest") and items:
            item = draw(st.sampled_from(items))
            if kind == "value":
                item["value"] = draw(values(page))
            elif kind == "id":
                item["id"] = draw(known_ids | st.text(max_size=20) | JSON | other_deps.map(lambda d: d["inputs"][0]["id"]))
            elif kind == "property":
                item["property"] = draw(st.sampled_from(["value", "n_clicks", "data", "figure", "children"]) | JSON)
            else:
                item["value"] = nested(item.get("value"), draw(st.integers(1, 60)), draw(st.booleans()))
        elif kind == "count":
            key = draw(st.sampled_from(["inputs", "state", "outputs"]))
            if isinstance(body.get(key), list) and body[key]:
                index = draw(st.integers(0, len(body[key]) - 1))
                if draw(st.booleans()):
                    body[key].pop(index)
                else:
                    body[key][index:index] = [body[key][index]] * draw(st.integers(1, 5))
        elif kind == "changed":
            body["changedPropIds"] = draw(st.lists(st.sampled_from(["lang.value", "reset.n_clicks", "export-all.n_clicks"])
                                                   | st.text(max_size=30) | JSON, max_size=4) | JSON)
        elif kind == "output":
            body["output"] = draw(other_deps.map(lambda d: d["output"]) | st.text(max_size=40) | JSON)
        elif kind == "key":
            body[draw(st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds"]))] = draw(JSON)
            if draw(st.booleans()):
                body.pop(draw(st.sampled_from(sorted(body))), None)
        elif kind == "body":
            body = draw(JSON)
        else:  # bytes that are not a whole JSON document
            raw = json.dumps(body).encode("utf-8")
            cut = draw(st.integers(1, max(len(raw) - 1, 1)))
            return draw(QUERY), raw[:cut] + draw(st.sampled_from([b"", b"\xff\xfe", b"\x00", b"]]]", b"{\"a\":"]))
    return draw(QUERY), json.dumps(body).encode("utf-8")


def check(res) -> None:
    """Assert a readable answer: below 500, no traceback, an error as short JSON naming what is wrong."""
    text = res.get_data(as_text=True)
    assert res.status_code < 500, text[:300]
    assert "Traceback" not in text and 'File "' not in text, text[:300]
    if res.status_code >= 400:
        assert res.is_json and len(text) < MAX_ERROR_BODY, text[:300]
        assert res.get_json()["status"] == res.status_code and len(res.get_json()["error"]) > 10
    elif res.status_code == 200:
        assert isinstance(json.loads(text), dict), text[:300]


def examples(dep: dict, deps: list[dict]) -> int:
    """Return how many payloads the callback `dep` gets."""
    if dep.get("clientside_function"):
        return PER_BROWSER_CALLBACK
    browser = sum(1 for d in deps if d.get("clientside_function"))
    return -(-(TOTAL - browser * PER_BROWSER_CALLBACK) // (len(deps) - browser))


def fuzz(client, dep: dict, page: dict) -> list[int]:
    """Send mutated requests for one callback, check each answer; return their statuses."""
    statuses = []

    @settings(max_examples=examples(dep, page["deps"]), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(request=payloads(dep, page))
    def send(request):
        query, raw = request
        res = client.post("/_dash-update-component" + query, data=raw, content_type="application/json")
        check(res)
        statuses.append(res.status_code)

    send()
    return statuses


def test_generated_callback_requests_get_a_readable_answer(fuzz_client, page, caplog):
    with caplog.at_level(logging.INFO):
        statuses = {dep["output"]: fuzz(fuzz_client, dep, page) for dep in page["deps"]}
    refusals = [s for sent in statuses.values() for s in sent if s >= 400]
    guard_lines = [r for r in caplog.records if r.name == "dashboard.guard"]
    assert len(guard_lines) == len(refusals)  # one log line per refused request
    assert not [r.getMessage()[:200] for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert len(statuses) == len(page["deps"])
    assert all(len(statuses[d["output"]]) >= examples(d, page["deps"]) for d in page["deps"])
    assert sum(len(sent) for sent in statuses.values()) >= 1000
    served = [s for sent in statuses.values() for s in sent if s == 200]
    refused = [s for sent in statuses.values() for s in sent if s == 400]
    assert len(served) > 50 and len(refused) > 500, (len(served), len(refused))  # both paths are exercised


def test_the_unmutated_request_of_every_callback_is_served(fuzz_client, page):
    """The fuzz starts from real requests: each server-side callback answers its base request with 200 or 204."""
    for dep in page["deps"]:
        res = fuzz_client.post("/_dash-update-component", json=base_body(dep, page["ids"]))
        if dep.get("clientside_function"):
            assert res.status_code == 400 and "runs in the browser" in res.get_json()["error"], dep["output"]
        else:
            assert res.status_code in (200, 204), (dep["output"], res.get_data(as_text=True)[:300])
