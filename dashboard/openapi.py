"""The OpenAPI 3.1 document of the data API (`dashboard.api`), generated from the registries: the filters from
the dimensions, the figures from the specs, the questions from the questionnaire, so a new dimension, figure
or question is documented as it is served.

>>> doc = document()
>>> doc["openapi"], sorted(doc["paths"])[:2]
('3.1.0', ['/api/v1/', '/api/v1/crosstab.csv'])
"""

from __future__ import annotations

import functools

from . import __version__
from .catalogs import LANGS
from .data.dimensions import BY_KEYS, DIMENSIONS
from .data.filters import MAX_CODES
from .data.questionnaire import QUESTIONS
from .figures.explore import MAX_BY
from .figures.specs import IDS

PREFIX = "/api/v1"
ERROR = {"$ref": "#/components/schemas/Error"}


def _codes_pattern(codes, most: int = MAX_CODES) -> str:
    """Return the pattern of at most `most` comma-separated codes, or none (empty: as if not given).

    >>> _codes_pattern(("a", "b"), 2)
    '^((a|b)(,(a|b)){0,1})?$'
    """
    one = "(" + "|".join(codes) + ")"
    return f"^({one}(,{one}){{0,{most - 1}}})?$"


def _filters() -> list[dict]:
    """Return a query parameter per dimension of the registry."""
    out = []
    for d in DIMENSIONS:
        schema = ({"type": "string", "pattern": _codes_pattern(d.codes)} if d.multiple
                  else {"type": "string", "enum": [*d.codes, ""]})
        what = "comma-separated codes (rows with any of them)" if d.multiple else "one code"
        out.append({"name": d.key, "in": "query", "required": False, "schema": schema,
                    "description": f"Filter by {d.name('en').lower()}: {what} of {', '.join(d.codes)} (empty: no filter)."})
    return out


LANG = {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": list(LANGS)},
        "description": "Language of labels and texts (default en; da: Danish, CSV with semicolons and decimal commas)."}


def _responses(media: str, schema: dict, *, numbers: bool = False) -> dict:
    """Return the responses of an endpoint answering `media` with `schema`."""
    out = {"200": {"description": "The answer.", "headers": {"ETag": {"schema": {"type": "string"}}},
                   "content": {media: {"schema": schema}}},
           "304": {"description": "Not modified (If-None-Match named the ETag)."},
           "400": {"description": "A query parameter is wrong; the message says which and what is allowed.",
                   "content": {"application/json": {"schema": ERROR}}},
           "404": {"description": "No such endpoint, figure or format.", "content": {"application/json": {"schema": ERROR}}}}
    if not numbers:
        out["400"]["description"] = "An unknown or repeated query parameter."
    return out


def _get(summary: str, parameters: list[dict], media: str, schema: dict, numbers: bool = False) -> dict:
    return {"get": {"summary": summary, "parameters": parameters, "responses": _responses(media, schema, numbers=numbers)}}


CSV = {"type": "string", "description": "The numbers as the downloads publish them, with the filters and the note."}
NUMBERS = {"$ref": "#/components/schemas/Numbers"}


@functools.cache
def document() -> dict:
    """Return the OpenAPI document of the API."""
    figure = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "enum": list(IDS)},
              "description": "A figure of the report."}
    by_one = {"name": "by", "in": "query", "required": False, "schema": {"type": "string", "enum": [*BY_KEYS, ""]},
              "description": "Break the figure down by one dimension."}
    by_two = {"name": "by", "in": "query", "required": False,
              "schema": {"type": "string", "pattern": _codes_pattern(BY_KEYS, MAX_BY)},
              "description": f"Break the question down by up to {MAX_BY} dimensions, comma-separated."}
    question = {"name": "question", "in": "query", "required": True,
                "schema": {"type": "string", "enum": [q.id for q in QUESTIONS]}, "description": "A question's id."}
    listing = {"type": "object"}
    paths = {
        f"{PREFIX}/": _get("The API's version and endpoints.", [], "application/json", listing),
        f"{PREFIX}/openapi.json": _get("This document.", [], "application/json", listing),
        f"{PREFIX}/questions": _get("The questions of the questionnaire: wording, who was asked, rounds, answers.",
                                    [LANG], "application/json", {"$ref": "#/components/schemas/Questions"}),
        f"{PREFIX}/dimensions": _get("The dimensions to filter and break down by, with their codes and labels.",
                                     [LANG], "application/json", listing),
        f"{PREFIX}/figures": _get("The report's figures.", [LANG], "application/json", listing),
    }
    for fmt, media, schema in (("json", "application/json", NUMBERS), ("csv", "text/csv", CSV)):
        paths[f"{PREFIX}/figures/{{id}}.{fmt}"] = _get(
            f"A report figure's numbers for a filter ({fmt.upper()}).", [figure, *_filters(), by_one, LANG], media,
            schema, numbers=True)
        paths[f"{PREFIX}/crosstab.{fmt}"] = _get(
            f"A question's numbers for a filter, broken down by up to {MAX_BY} dimensions ({fmt.upper()}).",
            [question, *_filters(), by_two, LANG], media, schema, numbers=True)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Innovationsbarometer data API", "version": __version__,
                 "description": "The numbers of the Innovationsbarometer dashboard, as its downloads publish them: "
                                "hidden values stay hidden, with the reason. Read-only; CORS open for GET."},
        "paths": paths,
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error", "status"], "properties": {
                "error": {"type": "string"}, "status": {"type": "integer", "enum": [400, 404, 405]},
                "allowed": {"type": "array"}}},
            "Numbers": {"type": "object", "required": ["meta", "rows"], "properties": {
                "meta": {"type": "object", "required": ["title", "filters", "rules", "source", "data", "version", "cite"],
                         "properties": {k: {"type": "string"} for k in
                                        ("title", "question", "base", "filters", "rules", "source", "data", "version",
                                         "cite")}},
                "rows": {"type": "array", "items": {"type": "object", "required": ["category", "share", "suppressed"],
                                                    "properties": {"share": {"type": ["number", "null"]},
                                                                   "suppressed": {"type": "boolean"},
                                                                   "category": {"type": "string"}}}}}},
            "Questions": {"type": "object", "required": ["questions"], "properties": {"questions": {
                "type": "array", "items": {"type": "object", "required": ["id", "question", "answers", "rounds"]}}}},
        }},
    }
