"""The registry of dimensions is complete, and every place that must know a dimension learns it from there:
for every dimension and code, the link, the command line, the page's control, the cache and export keys, the
differencing guard and every figure's scope take it into account (the places that failed silently when a
dimension was added by hand)."""

import pickle

import numpy as np
import pytest

from dashboard.callbacks.export import export_key
from dashboard.callbacks.figures import figure_key
from dashboard.callbacks.url import url_search, url_state
from dashboard.cli import parser
from dashboard.data.cube import ATTRIBUTES
from dashboard.data.dimensions import BY_KEY, DIMENSIONS
from dashboard.data.filters import Filter, parse_filter
from dashboard.export.names import slug
from dashboard.figures.differencing import wider_states
from dashboard.figures.specs import FIGURES
from dashboard.layout import build_layout
from tests.shipped import figure_data

CHOICES = [(d.key, c) for d in DIMENSIONS for c in d.codes if c != d.default]
WIDTHS = {"wide": 1200, "half": 560}


def _chosen(key: str, code: str) -> Filter:
    return parse_filter(**{key: code})


def test_each_dimension_is_declared_completely():
    cells = figure_data().cells.attrs
    for dim in DIMENSIONS:
        assert dim.codes and len(set(dim.codes)) == len(dim.codes), dim.key
        assert set(dim.columns) <= set(ATTRIBUTES), dim.key
        assert dim.multiple or dim.default in dim.codes, dim.key
        assert dim.control in ("dropdown", "radio") and (dim.multiple or dim.control == "radio"), dim.key
        assert {c for _, members in dim.groups for c in members} in (set(), set(dim.codes)), dim.key
        for lang in ("da", "en"):
            assert dim.name(lang).strip(), (dim.key, lang)
            assert all(dim.label(c, lang).strip() for c in dim.codes), (dim.key, lang)
        for code in dim.codes:
            rows = dim.selects(cells, code)
            assert rows.dtype == bool and rows.shape == (len(cells),) and rows.any(), (dim.key, code)


def test_the_public_ids_and_keys_stay():
    assert [BY_KEY[k].control_id for k in ("sector", "tech_role", "value")] == \
        ["filter-sector", "filter-tech-role", "filter-value"]
    assert BY_KEY["tech_role"].flag == "--tech-role"


def test_a_filter_is_a_hashable_value_over_the_registry():
    a = Filter(sector=("state",), round="2015-2016")
    assert a == parse_filter(sector="state", round="2015-2016") and hash(a) == hash(parse_filter(sector="state",
                                                                                                   round="2015-2016"))
    assert pickle.loads(pickle.dumps(a)) == a and a.replace(sector=()) == Filter(round="2015-2016")
    assert {dim.key for dim in DIMENSIONS} == {k for k, _ in Filter().items()}
    with pytest.raises(TypeError, match="unknown dimension 'colour'"):
        Filter(colour=("red",))
    with pytest.raises(AttributeError):
        a.sector = ()


@pytest.mark.parametrize("key,code", CHOICES, ids=[f"{k}={c}" for k, c in CHOICES])
def test_every_code_reaches_every_place_that_must_know_it(key, code):
    filt, plain = _chosen(key, code), Filter()
    assert filt != plain and filt.active() == {key: (code,)}
    # the link, both ways, and the command line
    assert url_search(filt, "da") == f"?{key}={code}" and url_state(url_search(filt, "en"))[:2] == (filt, "en")
    args = parser().parse_args(["table", "fig1", BY_KEY[key].flag, code])
    assert parse_filter(**{d.key: getattr(args, d.key) for d in DIMENSIONS}) == filt
    # the cache and export keys, the file names
    assert figure_key(filt, "da", WIDTHS) != figure_key(plain, "da", WIDTHS)
    assert export_key("f", True, filt, "da", "a4") != export_key("f", True, plain, "da", "a4")
    assert slug(filt) != slug(plain)
    # every figure restricts by it, highlights by it, or says it does not apply it
    data = figure_data()
    for spec in FIGURES:
        sc = data.scope(spec, filt)
        applied = key in sc.restrict or key in sc.highlight or key in sc.ignored or sc.round_missing
        assert applied or (key == "round" and sc.round == code), (spec.id, sc)


@pytest.mark.parametrize("dim", [d for d in DIMENSIONS if d.multiple], ids=lambda d: d.key)
def test_the_differencing_guard_widens_every_multiple_choice(dim):
    filt = _chosen(dim.key, dim.codes[0])
    wider = wider_states(filt, [dim.key])
    assert len(wider) == len(dim.codes) - 1
    assert all(set(filt.codes(dim.key)) < set(w.codes(dim.key)) or not getattr(w, dim.key) for w in wider)


def test_the_page_has_a_control_for_every_dimension_set_to_the_filter():
    filt = Filter(**{d.key: (d.codes[0],) if d.multiple else d.codes[-1] for d in DIMENSIONS})
    page = build_layout("en", filt=filt)
    found = {node.id: node.value for node in page._traverse()
             if isinstance(getattr(node, "id", None), str) and node.id.startswith("filter-") and hasattr(node, "value")}
    expected = {d.control_id: [d.codes[0]] if d.multiple else d.codes[-1] for d in DIMENSIONS}
    assert found == expected


def test_the_masks_of_a_filter_are_the_and_of_its_dimensions_or_of_their_codes():
    data = figure_data()
    attrs = data.cells.attrs
    filt = parse_filter(sector="state,region", value="quality", round="2015-2016")
    expected = np.ones(len(attrs), dtype=bool)
    for dim in DIMENSIONS:
        expected &= np.logical_or.reduce([dim.selects(attrs, c) for c in filt.codes(dim.key)]) \
            if getattr(filt, dim.key) else True
    assert (data.masks.mask(filt) == expected).all()


def test_every_dimension_has_its_texts_in_every_language():
    from dashboard.i18n import LANGS, TEXTS

    for dim in DIMENSIONS:
        keys = ["help_" + dim.key, *(["placeholder_" + dim.key] if dim.control == "dropdown" else []),
                *(name for name, _ in dim.groups)]
        for key in keys:
            assert key in TEXTS and all(TEXTS[key].get(lang, "").strip() for lang in LANGS), (dim.key, key)


@pytest.mark.parametrize("key,code", CHOICES, ids=[f"{k}={c}" for k, c in CHOICES])
def test_a_filtered_share_equals_the_weighted_share_of_the_rows_the_code_selects(key, code):
    """Figure 7 (all workplaces, one question) for one code of one dimension, against the weighted share computed
    directly on the microdata rows that code selects."""
    from dashboard.data.cube import attributes
    from tests.shipped import shipped

    df = shipped()
    filt = _chosen(key, code)
    shown = figure_data().scope("fig7", filt).round  # a round without the question: the figure shows the current
    rows = df["curiosity"].notna().to_numpy() & (df["round"] == shown).to_numpy()
    if key != "round":
        rows &= BY_KEY[key].selects(attributes(df), code)
    nums = figure_data().estimates(filt)["fig7"]
    for category, share in zip(nums.category, nums.share, strict=True):
        yes = (df["curiosity"].astype("object") == category).to_numpy()
        w = df["weight"].to_numpy(float)
        expected = (w * yes)[rows].sum() / w[rows].sum() if rows.any() else np.nan
        assert share == pytest.approx(expected, abs=1e-9, nan_ok=True), (category, share, expected)
