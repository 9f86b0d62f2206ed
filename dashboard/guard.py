"""A gate in front of Dash's callback endpoint: malformed requests get a readable 400, not a 500.

Dash itself assumes a well-formed body; a crafted POST with missing keys, wrong types, an unknown
output or a huge payload would otherwise end in an unhandled exception inside Dash.
"""

from __future__ import annotations

from flask import jsonify, request

MAX_BODY = 256 * 1024  # bytes; the largest real request of this app is a few kilobytes
ENDPOINT = "_dash-update-component"


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
    expected = len(callback_map[output]["inputs"])
    if len(body["inputs"]) != expected:
        return f"this callback takes {expected} inputs, {len(body['inputs'])} were sent"
    return None


def register_guard(app) -> None:
    """Check every callback request before Dash handles it; answer a malformed one with 400 or 413."""

    @app.server.before_request
    def check_callback_request():
        if request.method != "POST" or not request.path.endswith(ENDPOINT):
            return None
        if (request.content_length or 0) > MAX_BODY:
            return jsonify(error=f"Request too large: at most {MAX_BODY // 1024} KB", status=413), 413
        body = request.get_json(silent=True)
        found = problem(body, app.callback_map)
        if found:
            return jsonify(error=f"Malformed callback request: {found}", status=400), 400
        return None
