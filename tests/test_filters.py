"""Parsing filters from URLs, callbacks and the CLI."""

import pytest

from dashboard.data.filters import MAX_CODES, Filter, FilterError, parse_filter, parse_lenient


def test_parse_comma_text_and_lists_alike():
    assert parse_filter(sector="state,region") == parse_filter(sector=["region", "state"])
    assert parse_filter(sector="state,region").sector == ("state", "region")


def test_all_sectors_equals_no_filter():
    assert parse_filter(sector="state,region,municipality") == Filter()


@pytest.mark.parametrize("raw,needle", [
    ({"sector": "moon"}, "sector: unknown value 'moon'; allowed: state, region, municipality"),
    ({"tech_role": {"a": 1}}, "tech_role: expected a list of codes, got dict"),
    ({"value": 5}, "value: expected a list of codes, got int"),
    ({"sector": ["state"] * (MAX_CODES + 1)}, f"at most {MAX_CODES} allowed"),
    ({"round": "2018-2019,2015-2016"}, "round: choose one of"),
])
def test_bad_input_raises_readable_error(raw, needle):
    with pytest.raises(FilterError) as info:
        parse_filter(**raw)
    assert needle in str(info.value)


def test_lenient_parse_keeps_good_values_and_reports_bad_ones():
    filt, problems = parse_lenient({"sector": "region", "tech_role": "bogus", "value": "quality"})
    assert filt == Filter(sector=("region",), value=("quality",))
    assert len(problems) == 1 and "bogus" in problems[0]


def test_query_roundtrip_and_description():
    filt = parse_filter(sector="state", tech_role="new_tech", round="2015-2016")
    assert filt.query() == {"sector": "state", "tech_role": "new_tech", "round": "2015-2016"}
    assert parse_lenient(filt.query())[0] == filt
    assert filt.describe("en") == ["Sector: State", "Technology: Innovations with new technology", "Round: 2015-2016"]
