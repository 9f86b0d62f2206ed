"""In-process HTTP tests of the Dash app: the link (URL query) and the filters, both ways, and reset."""

import pytest

from dashboard.data.codebook import CURRENT_ROUND
from dashboard.data.dimensions import BY_KEY
from tests.dash_client import call


# --------------------------------------------------------------------------------------------------
# URL <-> filters
# --------------------------------------------------------------------------------------------------
def _link(client, search: str):
    """Call read_url as the browser does when the link changes to `search`; return the response."""
    return call(client, "url-problems.data", {("url-recheck", "title"): f"1|{search}"}, ["url-recheck.title"])


def test_link_sets_filters_and_names_ignored_values(client):
    res = _link(client, "?sector=region&tech_role=bogus")
    assert res.status_code == 200
    out = res.get_json()["response"]
    assert out["filter-sector"]["value"] == ["region"]
    assert out["filter-tech-role"]["value"] == []
    assert out["filter-round"]["value"] == CURRENT_ROUND
    assert out["lang"]["value"] == "da"
    assert "url" not in out  # reading the link does not rewrite it
    assert out["url-current"]["data"] == "?sector=region&tech_role=bogus"  # the link now shown
    assert out["url-problems"]["data"]["link"] == "?sector=region&tech_role=bogus"
    (problem,) = out["url-problems"]["data"]["problems"]
    assert problem.startswith("Linket: Teknologi 'bogus' findes ikke og er ignoreret; mulige værdier: solution")
    assert out["url-problems"]["data"]["canonical"] == "?sector=region"  # the link the address bar gets instead


def test_link_keeps_allowed_codes_and_language(client):
    search = "?sector=foo,state&value=quality,efficiency&round=2015-2016&lang=en"
    out = _link(client, search).get_json()["response"]
    assert out["filter-sector"]["value"] == ["state"]
    assert out["filter-value"]["value"] == ["quality", "efficiency"]
    assert out["filter-round"]["value"] == "2015-2016"
    assert out["lang"]["value"] == "en"
    assert out["url-problems"]["data"] == {"link": search, "problems": [
        "In the link, Sector 'foo' does not exist and is ignored; possible values: state, region, municipality."],
        "canonical": "?sector=state&value=quality,efficiency&round=2015-2016&lang=en"}


@pytest.mark.parametrize(("search", "filt", "said", "canonical"), [
    ("?sector=kommune", {"sector": ["municipality"]}, "In the link, Sector 'kommune' is read as Municipality "
     "(municipality).", "?sector=municipality&lang=en"),
    ("?sector=Region", {"sector": ["region"]}, "In the link, Sector 'Region' is read as Region (region).",
     "?sector=region&lang=en"),
    ("?sector=region,foo", {"sector": ["region"]}, "In the link, Sector 'foo' does not exist and is ignored",
     "?sector=region&lang=en"),
    ("?round=2013-2014", {"round": CURRENT_ROUND}, "In the link, Round '2013-2014' does not exist and is ignored; "
     "possible values: 2018-2019, 2015-2016.", "?lang=en"),
    ("?sector=state&industry=daycare,admin&size=small", {"industry": ["admin"], "size": ["small"]},
     "In the link, Sub-sector Day care is not found in Sector State and is ignored; found there: Administration, "
     "Education and research, Police, defence, culture and other.", "?sector=state&industry=admin&size=small&lang=en"),
    ("?sectr=state", {"sector": []}, "In the link, 'sectr' is not known and is ignored", "?lang=en"),
    ("?value=Higher%20quality&utm_source=newsletter", {"value": ["quality"]}, "In the link, Value 'Higher quality' is "
     "read as Higher quality (quality).", "?value=quality&lang=en"),
])
def test_a_link_with_values_not_as_written_says_what_it_read_and_corrects_the_address(client, search, filt, said,
                                                                                      canonical):
    """Unknown or mis-cased codes, labels for codes, keys the dashboard cannot use yet: the notice says what was
    read and what ignored, and the address bar gets the link of what the page shows."""
    out = _link(client, search + "&lang=en").get_json()["response"]
    for key, value in filt.items():
        assert out[BY_KEY[key].control_id]["value"] == value
    problems = out["url-problems"]["data"]["problems"]
    assert any(p.startswith(said) for p in problems), problems
    assert not any("utm_source" in p for p in problems)  # what newsletters add to links is left alone
    assert out["url-problems"]["data"]["canonical"] == canonical


def test_a_language_in_another_case_is_read_and_an_unknown_one_named(client):
    out = _link(client, "?lang=EN").get_json()["response"]
    assert out["lang"]["value"] == "en" and out["url-problems"]["data"]["canonical"] == "?lang=en"
    assert out["url-problems"]["data"]["problems"] == ["In the link, the language 'EN' is read as en."]
    out = _link(client, "?lang=xx").get_json()["response"]
    assert out["lang"]["value"] == "da" and out["url-problems"]["data"]["canonical"] == ""
    assert out["url-problems"]["data"]["problems"] == ["Linket: sproget 'xx' findes ikke; mulige: da, en."]


def test_filter_change_writes_link(client):
    values = {("filter-sector", "value"): ["municipality", "state"], ("filter-value", "value"): ["quality"],
              ("lang", "value"): "en"}
    out = call(client, "url.search", values, ["filter-sector.value"], state_values={("url", "search"): ""}
               ).get_json()["response"]
    assert out["url"]["search"] == "?sector=state,municipality&value=quality&lang=en"
    assert out["url-current"]["data"] == out["url"]["search"]  # so the browser does not send it back
    assert set(out) == {"url", "url-current"}  # nothing the figures read: they need not wait for the link


def test_controls_set_from_a_link_leave_the_link_as_it_is(client):
    """After read_url set the controls from a link with an ignored value, write_url keeps that link (the
    notice names what was ignored): no history entry, no rewrite."""
    values = {("filter-sector", "value"): ["region"], ("filter-tech-role", "value"): []}
    res = call(client, "url.search", values, ["filter-sector.value"],
               state_values={("url", "search"): "?sector=region&tech_role=bogus"})
    assert res.status_code == 204


def test_default_filter_writes_empty_link(client):
    out = call(client, "url.search", {("filter-sector", "value"): []}, ["filter-sector.value"],
               state_values={("url", "search"): "?sector=state"}).get_json()["response"]
    assert out["url"]["search"] == ""


def test_the_page_is_made_for_the_link_it_is_opened_with(client):
    """The layout request carries the page's link (its Referer): controls, language and notice come set."""
    import json

    from tests.dash_client import find_component

    layout = json.loads(client.get("/_dash-layout", headers={
        "Referer": "http://localhost/?sector=region&value=quality&tech_role=bogus&lang=en"}).get_data(as_text=True))
    assert find_component(layout, "filter-sector")["props"]["value"] == ["region"]
    assert find_component(layout, "filter-value")["props"]["value"] == ["quality"]
    assert find_component(layout, "lang")["props"]["value"] == "en"
    assert find_component(layout, "url-current")["props"]["data"] == "?sector=region&value=quality&tech_role=bogus&lang=en"
    (problem,) = find_component(layout, "url-problems")["props"]["data"]["problems"]
    assert problem.startswith("In the link, Technology 'bogus' does not exist and is ignored")
    assert find_component(layout, "url-problems")["props"]["data"]["canonical"] == "?sector=region&value=quality&lang=en"
    plain = json.loads(client.get("/_dash-layout").get_data(as_text=True))  # no link: the default page
    assert find_component(plain, "filter-sector")["props"]["value"] == []
    assert find_component(plain, "lang")["props"]["value"] == "da"


def test_the_page_of_a_link_is_built_once_and_the_links_kept_are_bounded(client, monkeypatch):
    import dashboard.app
    from dashboard.app import LAYOUTS_KEPT

    built = []
    build = dashboard.app.build_layout
    monkeypatch.setattr(dashboard.app, "build_layout", lambda *a, **k: built.append(k["search"]) or build(*a, **k))

    def layout(search):
        return client.get("/_dash-layout", headers={"Referer": f"http://localhost/{search}"}).get_data()

    first = layout("?sector=state&lang=en&once=1")
    assert layout("?sector=state&lang=en&once=1") == first and built == ["?sector=state&lang=en&once=1"]
    other = layout("?sector=region&once=1")
    assert other != first and b'"region"' in other and len(built) == 2
    for k in range(LAYOUTS_KEPT):  # as many other links: the first is no longer kept, and is built again
        layout(f"?once={k + 2}")
    assert layout("?sector=state&lang=en&once=1") == first and len(built) == LAYOUTS_KEPT + 3


def test_reset_returns_defaults(client):
    res = call(client, "reset", {("reset", "n_clicks"): 1}, ["reset.n_clicks"])
    out = res.get_json()["response"]
    assert out["filter-sector"]["value"] == []
    assert out["filter-tech-role"]["value"] == []
    assert out["filter-value"]["value"] == []
    assert out["filter-round"]["value"] == CURRENT_ROUND
