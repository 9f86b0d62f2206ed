"""A gate in front of Dash's callback endpoint: malformed requests get a readable 4xx, not a 500.

Dash itself assumes a well-formed body; a crafted POST with missing keys, wrong types, an unknown
output, the wrong number of outputs or states, or a huge payload would otherwise end in an unhandled
exception inside Dash. `register_guard` checks each callback request before Dash sees it, answers
what still escapes Dash's dispatch with a 400, a too-large body (also a chunked one) with a 413, and
a crafted component-suite path with a 404, each as short JSON.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging

from dash.exceptions import DependencyException, PreventUpdate
from flask import jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

MAX_BODY = 256 * 1024  # bytes; the largest real request of this app is a few kilobytes
ENDPOINT = "_dash-update-component"
MALFORMED = "Malformed callback request"
logger = logging.getLogger(__name__)


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
    return isinstance(item, dict) and "id" in item and isinstance(item.get("property"), str)


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
        elif not _is_item(item):
            return "every output needs an 'id' and a 'property'"
    return None


def problem(body, callback_map) -> str | None:
    """Return what is wrong with a callback request body, or None when it is well-formed."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "'output' must name one of the app's callbacks"
    for key in ("inputs", "changedPropIds"):
        if not isinstance(body.get(key), list):
            return f"'{key}' must be a list"
    if not isinstance(body.get("state", []), list):
        return "'state' must be a list"
    for item in [*body["inputs"], *body.get("state", [])]:
        if isinstance(item, list):  # pattern-matching inputs come as lists of items
            if not all(isinstance(i, dict) and "id" in i and "property" in i for i in item):
                return "every input needs an 'id' and a 'property'"
        elif not (isinstance(item, dict) and "id" in item and "property" in item):
            return "every input needs an 'id' and a 'property'"
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


def _too_large():
    return jsonify(error=f"Request too large: at most {MAX_BODY // 1024} KB", status=413), 413


def _malformed(reason: str, status: int = 400):
    return jsonify(error=f"{MALFORMED}: {reason}", status=status), status


def _guard_dispatch(app) -> None:
    """Wrap Dash's callback view: an exception escaping its dispatch becomes a logged 400, not a 500."""
    endpoint = app.config.routes_pathname_prefix + ENDPOINT
    view = app.server.view_functions[endpoint]

    def failed():
        body = request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        logger.exception("callback request for %.200r failed", output)
        return _malformed("it could not be processed")

    if inspect.iscoroutinefunction(view):
        @functools.wraps(view)
        async def guarded(*args, **kwargs):
            try:
                return await view(*args, **kwargs)
            except (HTTPException, PreventUpdate):
                raise
            except Exception:
                return failed()
    else:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except (HTTPException, PreventUpdate):
                raise
            except Exception:
                return failed()

    app.server.view_functions[endpoint] = guarded


def register_guard(app) -> None:
    """Check every callback request before Dash handles it; answer a malformed one with 400 or 413."""
    server = app.server
    # Flask reads at most this much of any body, also of a chunked one (which has no length). It cuts
    # such a body off silently, so allow one byte more than MAX_BODY and refuse what reaches it.
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY + 1

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_error):
        return _too_large()

    @server.errorhandler(DependencyException)
    def unknown_component_file(_error):
        # Dash's message lists every registered file; the client only needs to know there is none.
        return jsonify(error="Not found", status=404), 404

    @server.before_request
    def check_callback_request():
        if request.method != "POST" or not request.path.endswith(ENDPOINT):
            return None
        if (request.content_length or 0) > MAX_BODY or len(request.get_data(cache=True)) > MAX_BODY:
            return _too_large()
        body = request.get_json(silent=True)
        found = problem(body, app.callback_map)
        if found:
            return _malformed(found)
        return None

    _guard_dispatch(app)
