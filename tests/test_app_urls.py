"""In-process HTTP tests of the Dash app: the link (URL query) and the filters, both ways, and reset."""

from dashboard.data.codebook import CURRENT_ROUND
from tests.dash_client import call


# --------------------------------------------------------------------------------------------------
# URL <-> filters
# --------------------------------------------------------------------------------------------------
def test_link_sets_filters_and_names_ignored_values(client):
    res = call(client, "url.search", {("url", "search"): "?sector=region&tech_role=bogus"}, ["url.search"])
    assert res.status_code == 200
    out = res.get_json()["response"]
    assert out["filter-sector"]["value"] == ["region"]
    assert out["filter-tech-role"]["value"] == []
    assert out["filter-round"]["value"] == CURRENT_ROUND
    assert out["lang"]["value"] == "da"
    assert "url" not in out  # reading the link does not rewrite it
    (problem,) = out["url-problems"]["data"]
    assert problem.startswith("Ukendt værdi i linket ignoreret: tech_role 'bogus'; tilladt: solution")


def test_link_keeps_allowed_codes_and_language(client):
    search = "?sector=foo,state&value=quality,efficiency&round=2015-2016&lang=en"
    out = call(client, "url.search", {("url", "search"): search}, ["url.search"]).get_json()["response"]
    assert out["filter-sector"]["value"] == ["state"]
    assert out["filter-value"]["value"] == ["quality", "efficiency"]
    assert out["filter-round"]["value"] == "2015-2016"
    assert out["lang"]["value"] == "en"
    assert out["url-problems"]["data"] == [
        "Unknown value in the link ignored: sector 'foo'; allowed: state, region, municipality"]


def test_filter_change_writes_link(client):
    values = {("url", "search"): "", ("filter-sector", "value"): ["municipality", "state"],
              ("filter-value", "value"): ["quality"], ("lang", "value"): "en"}
    out = call(client, "url.search", values, ["filter-sector.value"]).get_json()["response"]
    assert out["url"]["search"] == "?sector=state,municipality&value=quality&lang=en"
    assert out["url-problems"]["data"] == []
    assert "filter-sector" not in out  # controls are not echoed back


def test_default_filter_writes_empty_link(client):
    values = {("url", "search"): "?sector=state", ("filter-sector", "value"): []}
    out = call(client, "url.search", values, ["filter-sector.value"]).get_json()["response"]
    assert out["url"]["search"] == ""


def test_reset_returns_defaults(client):
    res = call(client, "reset", {("reset", "n_clicks"): 1}, ["reset.n_clicks"])
    out = res.get_json()["response"]
    assert out["filter-sector"]["value"] == []
    assert out["filter-tech-role"]["value"] == []
    assert out["filter-value"]["value"] == []
    assert out["filter-round"]["value"] == CURRENT_ROUND
