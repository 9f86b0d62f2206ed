"""The read-only data API under /api/v1/: the questions, dimensions and figures, and the numbers of any report
figure or question as the downloads publish them (hidden values stay hidden), as CSV or as JSON with their
metadata. No Dash import: it is a Flask blueprint on the app's server.

Every answer is computed by the same code as the page and the command line (`breakdown.view_table`,
`explore.crosstab`, `export.sheets`), kept in the app's response cache, and sent with an ETag (a repeated
request with If-None-Match gets 304), ``Cache-Control: public, max-age=300`` and
``Access-Control-Allow-Origin: *`` (the numbers are public). A request it cannot answer gets a JSON 400 or
404 naming what was wrong and what is allowed. The OpenAPI document (`openapi.document`) is generated from
the same registries, at /api/v1/openapi.json.
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, request

from . import __version__
from .catalogs import CATALOGS, LANGS
from .data.codebook import SYNTHETIC_LABEL
from .data.dimensions import BY_KEYS, DIMENSIONS, KEYS
from .data.filters import FilterError, parse_filter
from .data.questionnaire import QUESTIONS
from .export.sheets import COLUMN_NOTES, download_table, filters_text, table_csv
from .figures.breakdown import reason_of, view_table, why_text
from .figures.explore import ExploreError, crosstab, parse_by, question_of
from .figures.specs import BASES, BY_ID, FIGURES, IDS, QUESTION_SPECS

PREFIX = "/api/v1"
EXTENSION = "barometer_api"
MAX_AGE = 300  # seconds a client or proxy may reuse an answer (the data change only with a new file)
FORMATS = ("json", "csv")
COMMON = ("lang",)  # query keys every numbers endpoint takes besides the filters


class ApiError(Exception):
    """A request the API does not answer: its status (400 or 404), what was wrong, and what is allowed."""

    def __init__(self, status: int, message: str, allowed=None):
        super().__init__(message)
        self.status, self.message, self.allowed = status, message, allowed


def _lang() -> str:
    lang = request.args.get("lang", "en")
    if lang not in LANGS:
        raise ApiError(400, f"Unknown language {lang[:20]!r}.", list(LANGS))
    return lang


def _check_keys(allowed: tuple[str, ...]) -> None:
    """Raise ApiError for a query key the endpoint does not read, or one given twice."""
    for key in request.args:
        if key not in allowed:
            raise ApiError(400, f"Unknown query parameter {key[:40]!r}.", list(allowed))
        if len(request.args.getlist(key)) > 1:
            raise ApiError(400, f"Query parameter {key!r} is given more than once; give its codes comma-separated.")


def _filter():
    """Return the Filter of the request's filter keys; raise ApiError naming a bad code."""
    try:
        return parse_filter(**{k: request.args[k] for k in KEYS if k in request.args})
    except FilterError as exc:
        raise ApiError(400, str(exc)) from None


def _split(name: str) -> tuple[str, str]:
    """Return (stem, format) of 'fig4.csv' (format json when none is given); raise ApiError for another format."""
    stem, dot, fmt = name.rpartition(".")
    if not dot:
        return name, "json"
    if fmt not in FORMATS:
        raise ApiError(404, f"Unknown format {fmt[:10]!r}.", list(FORMATS))
    return stem, fmt


def _cite(lang: str) -> str:
    """Return how to cite the answer ('Innovationsbarometer dashboard, version 0.1.0: <its URL>')."""
    url = request.host_url.rstrip("/") + request.full_path.rstrip("?")
    return CATALOGS[lang]["api.cite"].format(version=__version__, url=url)


def _meta(spec, filt, lang: str, table, extra: dict) -> dict:
    """Return the metadata of a table of numbers: what it is, where from, under which rules, how to cite it."""
    data = current_app.extensions[EXTENSION]
    return {
        "title": spec.title[lang], "question": spec.question.get(lang, ""),
        "base": BASES[spec.base][lang], "filters": filters_text(spec, data["data"].scope(spec, filt), lang),
        **extra,
        "rules": CATALOGS[lang]["api.rules"],
        "reasons": dict(zip(table["reason"][table["suppressed"]], table["reason_label"][table["suppressed"]],
                            strict=True)),
        "source": spec.source_line(lang), "data": SYNTHETIC_LABEL[lang] if data["synthetic"] else "",
        "version": __version__, "data_fingerprint": data["fingerprint"], "cite": _cite(lang),
        "columns": {c: COLUMN_NOTES[c][lang] for c in table.columns if c in COLUMN_NOTES},
    }


def _numbers(spec, filt, table, fmt: str, lang: str, extra: dict) -> tuple[str, str]:
    """Return (body, media type) of a table of numbers as the downloads publish it."""
    data = current_app.extensions[EXTENSION]
    scope = data["data"].scope(spec, filt)
    if fmt == "csv":
        return table_csv(table, spec, scope, lang, data["synthetic"]), "text/csv; charset=utf-8"
    rows = json.loads(download_table(table, spec, scope, lang, data["synthetic"]).to_json(orient="records",
                                                                                        force_ascii=False))
    return json.dumps({"meta": _meta(spec, filt, lang, table, extra), "rows": rows}, ensure_ascii=False), \
        "application/json"


def _answer(compute) -> Response:
    """Return the response of `compute()` -> (body, media type), from the response cache, with its ETag,
    cache and CORS headers; a request whose If-None-Match names the ETag gets 304."""
    cache = current_app.extensions.get("barometer_response_cache")
    key = "api|" + request.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(request.args.items()))  # any order
    body, media = cache.get_or_set(key, lambda: list(compute())) if cache else compute()
    response = Response(body, mimetype=media.split(";")[0], content_type=media)
    response.set_etag(hashlib.sha256(body.encode("utf-8")).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


api = Blueprint("api", __name__, url_prefix=PREFIX)


@api.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    return response


@api.errorhandler(ApiError)
def _refused(error: ApiError):
    body = {"error": error.message, "status": error.status}
    if error.allowed is not None:
        body["allowed"] = error.allowed
    return Response(json.dumps(body, ensure_ascii=False), status=error.status, mimetype="application/json")


@api.get("/<path:rest>")
def _not_found(rest: str):
    raise ApiError(404, f"No such endpoint: {PREFIX}/{rest[:100]}", ENDPOINTS)


ENDPOINTS = [f"{PREFIX}/", f"{PREFIX}/openapi.json", f"{PREFIX}/questions", f"{PREFIX}/dimensions",
             f"{PREFIX}/figures", f"{PREFIX}/figures/{{id}}.json", f"{PREFIX}/figures/{{id}}.csv",
             f"{PREFIX}/crosstab.json", f"{PREFIX}/crosstab.csv"]


@api.get("/")
def index():
    _check_keys(())
    return _answer(lambda: (json.dumps({"version": __version__, "endpoints": ENDPOINTS}), "application/json"))


@api.get("/openapi.json")
def openapi_json():
    from .openapi import document

    _check_keys(())
    return _answer(lambda: (json.dumps(document(), ensure_ascii=False), "application/json"))


def _listing(name: str, build) -> Response:
    """Answer a listing endpoint: {name: build(lang)} as JSON, in the request's language."""
    _check_keys(COMMON)
    lang = _lang()
    return _answer(lambda: (json.dumps({name: build(lang)}, ensure_ascii=False), "application/json"))


def _dimension(d, lang: str) -> dict:
    """Return a dimension as the API lists it: key, name, choice, and its codes with labels (and parents)."""
    return {"key": d.key, "name": d.name(lang), "multiple": d.multiple, "default": d.default,
            "breakdown": d.breakdown, "within": d.within[0] if d.within else None,
            "codes": [{"code": c, "label": d.label(c, lang),
                       **({"within": [p for p, kids in d.within[1].items() if c in kids]} if d.within else {})}
                      for c in d.codes]}


def _figure(f, lang: str) -> dict:
    """Return a report figure as the API lists it, with the links to its numbers."""
    return {"id": f.id, "title": f.title[lang], "question": f.question.get(lang, ""), "base": BASES[f.base][lang],
            "where": f.where(lang), "links": {fmt: f"{PREFIX}/figures/{f.id}.{fmt}" for fmt in FORMATS}}


@api.get("/questions")
def questions():
    return _listing("questions", lambda lang: [q.describe(lang) for q in QUESTIONS])


@api.get("/dimensions")
def dimensions():
    return _listing("dimensions", lambda lang: [_dimension(d, lang) for d in DIMENSIONS])


@api.get("/figures")
def figures():
    return _listing("figures", lambda lang: [_figure(f, lang) for f in FIGURES])


@api.get("/figures/<name>")
def figure(name: str):
    stem, fmt = _split(name)
    if stem not in IDS:
        raise ApiError(404, f"Unknown figure {stem[:40]!r}.", list(IDS))
    _check_keys((*KEYS, "by", *COMMON))
    lang, filt = _lang(), _filter()
    by = request.args.get("by") or None
    if by is not None and by not in BY_KEYS:
        raise ApiError(400, f"Unknown breakdown {by[:40]!r}.", list(BY_KEYS))
    spec = BY_ID[stem]

    def compute():
        data = current_app.extensions[EXTENSION]["data"]
        if "round" in filt.active() and spec.categories and filt.round not in data.rounds(spec):
            raise ApiError(400, f"{stem} has no answers in round {filt.round}.", list(data.rounds(spec)))
        reason = reason_of(data, spec, filt, by) if by else None
        extra = {"figure": stem, "by": by if by and reason is None else None,
                 "not_broken_down": why_text(data, spec, filt, by, reason, lang) if reason else ""}
        return _numbers(spec, filt, view_table(data, spec, filt, by, lang), fmt, lang, extra)
    return _answer(compute)


@api.get("/crosstab.<fmt>")
def crosstab_numbers(fmt: str):
    if fmt not in FORMATS:
        raise ApiError(404, f"Unknown format {fmt[:10]!r}.", list(FORMATS))
    _check_keys(("question", *KEYS, "by", *COMMON))
    lang, filt = _lang(), _filter()
    if "question" not in request.args:
        raise ApiError(400, "Missing query parameter 'question'.", [q.id for q in QUESTIONS])
    try:
        question, by = question_of(request.args["question"][:60]), parse_by(request.args.get("by"))
    except ExploreError as exc:
        allowed = [q.id for q in QUESTIONS] if str(exc).startswith("Unknown question") else list(BY_KEYS)
        raise ApiError(400, str(exc), allowed) from None
    spec = QUESTION_SPECS[question.id]

    def compute():
        data = current_app.extensions[EXTENSION]["data"]
        try:
            table = crosstab(data, question, filt, by, lang)
        except ExploreError as exc:
            raise ApiError(400, str(exc)) from None
        return _numbers(spec, filt, table, fmt, lang, {"question_id": question.id, "by": list(by)})
    return _answer(compute)


def register_api(server, data, synthetic: bool, fingerprint: str) -> None:
    """Serve the API under /api/v1/ from `server` over `data` (FigureData); returns None."""
    server.extensions[EXTENSION] = {"data": data, "synthetic": synthetic, "fingerprint": fingerprint}
    server.register_blueprint(api)
