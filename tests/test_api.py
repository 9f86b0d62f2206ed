"""The data API under /api/v1/: its OpenAPI document is valid and describes every answer; the numbers are those
the downloads and the command line publish; ETag, cache and CORS headers; errors name what was wrong and what
is allowed; and 1,000+ generated requests (schemathesis, from the document) get no 5xx and no traceback."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from dashboard.cli import main
from dashboard.data.dimensions import KEYS
from dashboard.openapi import document


@pytest.fixture(scope="module")
def api_app():
    from dashboard.app import create_app
    from tests.shipped import shipped

    return create_app(shipped(), chromium=None)


@pytest.fixture(scope="module")
def api(api_app):
    return api_app.server.test_client()


def test_the_openapi_document_is_valid_and_generated_from_the_registries(api):
    served = api.get("/api/v1/openapi.json").get_json()
    validate(served)
    assert served == json.loads(json.dumps(document()))
    params = {p["name"] for p in served["paths"]["/api/v1/crosstab.csv"]["get"]["parameters"]}
    assert params == {"question", "by", "lang", *KEYS}
    question = next(p for p in served["paths"]["/api/v1/crosstab.json"]["get"]["parameters"] if p["name"] == "question")
    assert "partners" in question["schema"]["enum"] and len(question["schema"]["enum"]) == 15


def test_the_crosstab_csv_is_what_the_command_line_prints(api, capsys):
    """Partners by sub-sector, regions only: the API's CSV and `barometer crosstab` give the same table."""
    res = api.get("/api/v1/crosstab.csv?question=partners&by=industry&sector=region&lang=en")
    assert res.status_code == 200 and res.headers["Content-Type"] == "text/csv; charset=utf-8"
    served = pd.read_csv(io.StringIO(res.get_data(as_text=True)))
    assert main(["crosstab", "partners", "--by", "industry", "--sector", "region", "--lang", "en"]) == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out))
    pd.testing.assert_frame_equal(served, printed)
    assert served["suppressed"].any() and served.loc[served["suppressed"], "share"].isna().all()
    assert served["note"].str.startswith("Synthetic data").all()


def test_a_figure_s_json_carries_the_numbers_of_barometer_table_and_its_metadata(api, capsys):
    res = api.get("/api/v1/figures/fig4.json?sector=state&by=size&lang=en")
    body = res.get_json()
    assert main(["table", "fig4", "--sector", "state", "--by", "size", "--format", "json", "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [(r["group"], r["category"], r["share"]) for r in body["rows"]] == \
        [(r["group"], r["category"], r["share"]) for r in printed]
    meta = body["meta"]
    assert meta["filters"] == "Sector: State" and meta["by"] == "size" and meta["data"].startswith("Synthetic data")
    assert "Korn-Graubard" in meta["rules"] and meta["cite"].endswith("/api/v1/figures/fig4.json?sector=state&by=size&lang=en")
    assert meta["version"] and meta["source"].startswith("Source")
    hidden = [r for r in body["rows"] if r["suppressed"]]
    assert all(r["share"] is None for r in hidden) and set(meta["reasons"]) == {r["reason"] for r in hidden}


def test_answers_carry_an_etag_cache_cors_and_security_headers(api, api_app):
    cache = api_app.server.extensions["barometer_response_cache"]
    hits = cache.stats["hits"]
    first = api.get("/api/v1/crosstab.json?question=curiosity&by=size")
    assert first.status_code == 200
    assert first.headers["Access-Control-Allow-Origin"] == "*" and "ETag" in first.headers["Access-Control-Expose-Headers"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert "default-src 'self'" in first.headers["Content-Security-Policy"]
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    first.close()  # sent: the answer is written to the cache
    again = api.get("/api/v1/crosstab.json?question=curiosity&by=size", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert cache.stats["hits"] == hits + 1  # the second answer came from the page's response cache


@pytest.mark.parametrize(("url", "status", "said", "allowed"), [
    ("/api/v1/crosstab.json?question=partnerz", 400, "Unknown question 'partnerz'", "partners"),
    ("/api/v1/crosstab.json", 400, "Missing query parameter 'question'", "curiosity"),
    ("/api/v1/crosstab.csv?question=partners&by=industry,size", 400, "21 groups is more than the 12", None),
    ("/api/v1/crosstab.json?question=partners&by=colour", 400, "Unknown breakdown 'colour'", "sector"),
    ("/api/v1/crosstab.json?question=partners&sector=kommune", 400, "sector: unknown value 'kommune'", None),
    ("/api/v1/crosstab.json?question=partners&colour=red", 400, "Unknown query parameter 'colour'", "sector"),
    ("/api/v1/crosstab.json?question=partners&sector=state&sector=region", 400, "given more than once", None),
    ("/api/v1/figures/fig99.csv", 404, "Unknown figure 'fig99'", "fig8"),
    ("/api/v1/figures/fig8.xml", 404, "Unknown format 'xml'", "csv"),
    ("/api/v1/figures/fig8.json?lang=fr", 400, "Unknown language 'fr'", "da"),
    ("/api/v1/figures/fig8.json?round=2015-2016", 400, "fig8 has no answers in round 2015-2016", "2018-2019"),
    ("/api/v1/tables", 404, "No such endpoint: /api/v1/tables", "/api/v1/crosstab.csv"),
])
def test_a_bad_request_gets_a_json_error_naming_what_was_wrong_and_what_is_allowed(api, url, status, said, allowed):
    res = api.get(url)
    body = res.get_json()
    assert res.status_code == status and body["status"] == status and said in body["error"], body
    assert allowed is None or allowed in body["allowed"]
    assert res.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_generated_requests_get_no_server_error_and_match_the_document(api_app, mode):
    """Requests generated from the document (schemathesis): those that fit it (every filter, breakdown and question
    code, in any combination) and, in turn, those that do not (wrong types, codes and patterns). Each answer must
    match the document (status, media type, schema), none is a 5xx or shows a traceback; 1,000+ requests in all.
    A request the document allows may still be refused with a documented 400 (a sub-sector outside the chosen
    sector, more groups than a view shows, a round a figure was not asked in): the check that every allowed
    request is accepted is left out."""
    from schemathesis.generation.modes import GenerationMode
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app.server)
    for result in schema.get_all_operations():
        operation = result.ok()
        if mode == "negative" and not operation.definition.raw.get("parameters"):
            continue  # nothing to give wrong

        @settings(max_examples=200, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(GenerationMode(mode)))
        def run(case):
            response = case.call_and_validate(headers={"Accept-Encoding": "identity"},
                                              excluded_checks=[positive_data_acceptance])
            CALLS[mode] = CALLS.get(mode, 0) + 1
            assert response.status_code < 500 and "Traceback" not in response.text, (case.path, case.query)

        run()


def test_at_least_a_thousand_generated_requests_were_sent():
    print("generated requests:", CALLS)
    assert sum(CALLS.values()) >= 1000, CALLS


CALLS: dict[str, int] = {}
