"""A gate in front of the Dash server: crafted and malformed requests get a short readable 4xx, never a 500.

Dash itself assumes a well-formed body; a crafted POST with missing keys, wrong types, an unknown
output, the wrong number of outputs or states, JSON nested a thousand levels deep, or a huge payload
would otherwise end in an unhandled exception inside Dash. `register_guard` checks each callback
request before Dash sees it and answers what still escapes Dash's dispatch with a 400. A too-large
body (also a chunked one) gets a 413, an unknown or missing file (a crafted component-suite path, a
registered source map that is not installed, any path but the page's own) a 404, every other HTTP
error its status, each as short JSON ``{"error": ..., "status": ...}``.

Every refusal writes one warning line to the ``dashboard.guard`` logger; the traceback of an
exception that escaped Dash's dispatch is logged at DEBUG level only.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging

from dash.exceptions import DependencyException, InvalidResourceError, PreventUpdate
from flask import jsonify, request
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge

MAX_BODY = 256 * 1024  # bytes; the largest real request of this app is a few kilobytes
MAX_DEPTH = 32  # nesting levels of a callback body; the app's own requests nest 5 deep
ENDPOINT = "_dash-update-component"
COMPONENT_SUITES = "_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"
CATCH_ALL = "<path:path>"
MALFORMED = "Malformed callback request"
NOT_FOUND = "Not found"
logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------------
# What is wrong with a callback request body
# --------------------------------------------------------------------------------------------------
def output_parts(output: str) -> list[str]:
    """Return the 'id.property' parts of a callback's output string ('..a.b...c.d..' or 'a.b')."""
    return output[2:-2].split("...") if output.startswith("..") else [output]


def _takes_all(part: str) -> bool:
    """Whether an output part is a pattern-matching id with ALL: Dash then sends a list of items."""
    component_id = part.rsplit(".", 1)[0]
    if not component_id.startswith("{"):
        return False
    try:
        parsed = json.loads(component_id)
    except ValueError:
        return False
    return isinstance(parsed, dict) and any(v in (["ALL"], ["ALLSMALLER"]) for v in parsed.values())


def _is_item(item) -> bool:
    """Whether `item` is an {id, property} dict as the renderer sends for one component property."""
    return isinstance(item, dict) and isinstance(item.get("id"), str | dict) and isinstance(item.get("property"), str)


def _matches(part: str, item: dict) -> bool:
    """Whether an output item names the component property of the callback's output `part` ('id.prop@hash').

    The renderer sends a duplicate output's property with its '@hash'; either form is taken.
    """
    component_id, prop = part.rsplit(".", 1)
    if item["property"].split("@", 1)[0] != prop.split("@", 1)[0]:
        return False
    if not component_id.startswith("{"):
        return item["id"] == component_id
    pattern = json.loads(component_id)
    return (isinstance(item["id"], dict) and item["id"].keys() == pattern.keys()
            and all(isinstance(v, list) or item["id"][k] == v for k, v in pattern.items()))


def _outputs_problem(outputs, output: str) -> str | None:
    """Return what is wrong with a body's `outputs` for the callback `output`, or None."""
    parts = output_parts(output)
    if output.startswith(".."):
        if not isinstance(outputs, list) or len(outputs) != len(parts):
            return f"'outputs' must be a list of {len(parts)} outputs for this callback"
        sent = outputs
    else:
        sent = [outputs]
    for part, item in zip(parts, sent, strict=True):
        if _takes_all(part):
            if not (isinstance(item, list) and all(_is_item(i) for i in item)):
                return "a pattern-matching output must be a list of items with an 'id' and a 'property'"
            items = item
        elif not _is_item(item):
            return "every output needs an 'id' and a 'property'"
        else:
            items = [item]
        if not all(_matches(part, i) for i in items):
            return f"the outputs do not match this callback's {part.split('@', 1)[0]!r}"[:200]
    return None


def problem(body, callback_map) -> str | None:
    """Return what is wrong with a callback request body, or None when it is well-formed."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "'output' must name one of the app's callbacks"
    if "callback" not in callback_map[output]:
        return "this callback runs in the browser, not on the server"
    for key in ("inputs", "changedPropIds"):
        if not isinstance(body.get(key), list):
            return f"'{key}' must be a list"
    if not all(isinstance(prop_id, str) for prop_id in body["changedPropIds"]):
        return "'changedPropIds' must be a list of strings"
    if not isinstance(body.get("state", []), list):
        return "'state' must be a list"
    for item in [*body["inputs"], *body.get("state", [])]:
        if not (all(_is_item(i) for i in item) if isinstance(item, list) else _is_item(item)):
            return "every input needs an 'id' and a 'property'"  # pattern-matching inputs come as lists
    callback = callback_map[output]
    expected = len(callback["inputs"])
    if len(body["inputs"]) != expected:
        return f"this callback takes {expected} inputs, {len(body['inputs'])} were sent"
    expected, sent = len(callback.get("state", [])), len(body.get("state", []))
    if sent != expected:
        return f"this callback takes {expected} states, {sent} were sent"
    if not callback.get("no_output"):
        if "outputs" not in body:
            return "'outputs' is missing"
        return _outputs_problem(body["outputs"], output)
    return None


def nesting_depth(value) -> int:
    """Return how many levels of lists and objects `value` nests (0 for a plain value), without recursion."""
    depth, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            depth = max(depth, level)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return depth


def read_body(raw: bytes) -> tuple[object, str | None]:
    """Return the JSON value of a request body and None, or None and what is wrong with the body."""
    try:
        body = json.loads(raw)
    except RecursionError:
        return None, f"the JSON is nested deeper than {MAX_DEPTH} levels"
    except ValueError:  # also a body that is not UTF-8, or an integer of more than 4300 digits
        return None, "the body is not valid JSON"
    if nesting_depth(body) > MAX_DEPTH:
        return None, f"the JSON is nested deeper than {MAX_DEPTH} levels"
    return body, None


# --------------------------------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------------------------------
def refusal(status: int, message: str, detail: str = "", headers=None):
    """Return a short JSON answer `{"error": message, "status": status}` and log one line about it."""
    logger.warning("refused %s %.200r: %d %s%s", request.method, request.full_path.rstrip("?"), status, message,
                   f" ({detail})" if detail else "")
    response = jsonify(error=message, status=status)
    response.status_code = status
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _malformed(reason: str, status: int = 400, detail: str = ""):
    return refusal(status, f"{MALFORMED}: {reason}", detail)


def _too_large():
    return refusal(413, f"Request too large: at most {MAX_BODY // 1024} KB")


def _wrap_view(app, endpoint: str, handle) -> None:
    """Replace the view of `endpoint` by one that answers an exception with `handle(exc)` (HTTP errors pass)."""
    view = app.server.view_functions[app.config.routes_pathname_prefix + endpoint]

    if inspect.iscoroutinefunction(view):
        @functools.wraps(view)
        async def guarded(*args, **kwargs):
            try:
                return await view(*args, **kwargs)
            except (HTTPException, PreventUpdate):
                raise
            except Exception as exc:
                return handle(exc)
    else:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except (HTTPException, PreventUpdate):
                raise
            except Exception as exc:
                return handle(exc)

    app.server.view_functions[app.config.routes_pathname_prefix + endpoint] = guarded


def _dispatch_failed(exc: Exception):
    """Answer an exception that escaped Dash's dispatch: a 400, one warning line, the traceback at DEBUG."""
    logger.debug("callback request failed", exc_info=exc)
    return _malformed("it could not be processed", detail=f"{type(exc).__name__}: {str(exc)[:200]}")


def _missing_file(exc: Exception):
    """Answer a registered component file that is not installed (such as a source map) with a 404."""
    if not isinstance(exc, OSError):
        raise exc
    return refusal(404, NOT_FOUND, detail=type(exc).__name__)


def _only_the_page(view):
    """Return the catch-all view restricted to the page itself: any other path is a 404."""
    @functools.wraps(view)
    def page_or_not_found(*args, path: str = "", **kwargs):
        if path.strip("/"):
            raise NotFound()
        return view(*args, path=path, **kwargs)

    return page_or_not_found


def register_guard(app) -> None:
    """Check every callback request before Dash handles it; answer every refusal with a short JSON 4xx."""
    server = app.server
    callback_endpoint = app.config.routes_pathname_prefix + ENDPOINT
    # Flask reads at most this much of any body, also of a chunked one (which has no length). It cuts
    # such a body off silently, so allow one byte more than MAX_BODY and refuse what reaches it.
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY + 1

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_error):
        return _too_large()

    @server.errorhandler(DependencyException)
    @server.errorhandler(InvalidResourceError)
    def unknown_component_file(error):
        # Dash's message lists every registered file; the client only needs to know there is none.
        return refusal(404, NOT_FOUND, detail=type(error).__name__)

    @server.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code >= 500:
            return error
        return refusal(error.code, error.name.capitalize(), headers=error.get_headers())

    @server.before_request
    def check_callback_request():
        if request.endpoint != callback_endpoint or request.method != "POST":
            return None
        if (request.content_length or 0) > MAX_BODY or len(request.get_data(cache=True)) > MAX_BODY:
            return _too_large()
        if not request.is_json:
            return _malformed("the body must be JSON, sent as application/json", 415)
        body, found = read_body(request.get_data(cache=True))
        found = found or problem(body, app.callback_map)
        if found:
            return _malformed(found)
        return None

    _wrap_view(app, ENDPOINT, _dispatch_failed)
    _wrap_view(app, COMPONENT_SUITES, _missing_file)
    catch_all = app.config.routes_pathname_prefix + CATCH_ALL
    server.view_functions[catch_all] = _only_the_page(server.view_functions[catch_all])
