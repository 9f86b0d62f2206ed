"""No hidden value can be worked out from what a filter state publishes, nor by comparing two states.

The attacker here knows every value the page, a download or the command line publishes for a filter
state (shares to one decimal), the exact weighted base of every bar (a strong attacker: in practice it
has to be pieced together from other figures) and the relations a reader can know: bars that add up
to 100 %, totals that are weighted means of their groups, the same domain in two figures. It derives
what it can, by propagation and by least squares, and must recover no hidden value within 0.5 points.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from dashboard.data import codebook as cb
from dashboard.data.filters import ALLOWED, Filter, parse_filter
from dashboard.figures.tables import published
from tests.shipped import figure_data

CODES = [(k, c) for k in ("sector", "tech_role", "value") for c in ALLOWED[k]]
PARTITIONS = ("fig1", "fig2", "fig3", "fig7", "dst-novelty")


def _state(pairs) -> Filter:
    query: dict[str, list[str]] = {}
    for key, code in pairs:
        query.setdefault(key, []).append(code)
    return parse_filter(**{k: ",".join(v) for k, v in query.items()})


SINGLE = [_state([c]) for c in CODES]
PAIRS = [_state(p) for p in itertools.combinations(CODES, 2)]
STATES = [Filter(), *SINGLE, *PAIRS]


def _view(filt: Filter) -> pd.DataFrame:
    """Return every published cell of a state: published share (NaN if hidden), truth, weight, n, yes."""
    fd = figure_data()
    raw = fd.estimates(filt)
    rows = []
    for fid, nums in raw.items():
        t = nums.frame()
        shown = published(fd.table(fid, filt, "en"))
        rows.append(pd.DataFrame({"figure": fid, "series": t["series"], "category": t["category"],
                                  "published": shown["share"].to_numpy(), "truth": 100 * t["share"].to_numpy(),
                                  "weight": t["weight_sum"].to_numpy(), "n": t["n"].to_numpy(),
                                  "yes": t["n_yes"].to_numpy(), "hidden": t["suppressed"].to_numpy()}))
    return pd.concat(rows, ignore_index=True)


def _equations(view: pd.DataFrame, filt: Filter) -> list[tuple[dict[int, float], float]]:
    """Return the attacker's equations: ({cell: coefficient}, constant) with sum coef * value = constant."""
    key = {(f, s, c): i for i, (f, s, c) in enumerate(zip(view["figure"], view["series"], view["category"]))}
    w = view["weight"].fillna(0).to_numpy()
    eqs = []

    def eq(terms, const=0.0):
        terms = {key[k]: v for k, v in terms if k in key}
        if len(terms) > 1:
            eqs.append((terms, const))

    for fid in PARTITIONS:
        part = view[view["figure"] == fid]
        for s in part["series"].unique():
            eq([((fid, s, c), 1.0) for c in part.loc[part["series"] == s, "category"]], 100.0)
    for c in cb.VALUES:  # the values-by-sector figure: all = weighted mean of the sectors
        eq([(("dst-values-sector", "all", c), w[key[("dst-values-sector", "all", c)]])]
           + [(("dst-values-sector", s, c), -w[key[("dst-values-sector", s, c)]]) for s in cb.SECTORS])
    for r in cb.ROUNDS:  # the trend figure: whole public sector = weighted mean of the sectors
        eq([(("dst-sector-trend", r, "total"), w[key[("dst-sector-trend", r, "total")]])]
           + [(("dst-sector-trend", r, s), -w[key[("dst-sector-trend", r, s)]]) for s in cb.SECTORS])
    for fid, item in (("fig9", "partner_same_sector"), ("fig10", "partner_private")):
        eq([(("fig8", "non_tech", item), 1.0), ((fid, "non_tech", item), -1.0)])
        eq([(("fig8", "tech", item), w[key[("fig8", "tech", item)]]),
            ((fid, "new_tech", item), -w[key[(fid, "new_tech", item)]]),
            ((fid, "known_tech", item), -w[key[(fid, "known_tech", item)]])])
    eq([(("fig1", "all", "solution"), 1.0), (("fig1", "all", "important"), 1.0),
        (("fig3", "all", "new_tech"), -1.0), (("fig3", "all", "known_tech"), -1.0)])
    if not filt.tech_role:  # figure 4's two groups make up each sector of the values-by-sector figure
        for c in cb.VALUES:
            eq([(("dst-values-sector", s, c), w[key[("dst-values-sector", s, c)]]) for s in filt.sector or cb.SECTORS]
               + [(("fig4", g, c), -w[key[("fig4", g, c)]]) for g in ("tech", "non_tech")])
    return eqs


def _propagate(view, eqs) -> dict[int, float]:
    """Return the hidden cells derived by solving, again and again, equations with one unknown."""
    known = {i: v for i, v in enumerate(view["published"]) if not np.isnan(v)}
    derived = {}
    changed = True
    while changed:
        changed = False
        for terms, const in eqs:
            unknown = [i for i in terms if i not in known]
            if len(unknown) == 1 and terms[unknown[0]] != 0:
                i = unknown[0]
                known[i] = derived[i] = (const - sum(c * known[j] for j, c in terms.items() if j != i)) / terms[i]
                changed = True
    return derived


def _least_squares(view, eqs) -> dict[int, float]:
    """Return the hidden cells the equations determine jointly (zero in every direction they leave free)."""
    hidden = [i for i, v in enumerate(view["published"]) if np.isnan(v)]
    if not hidden or not eqs:
        return {}
    col = {i: k for k, i in enumerate(hidden)}
    a = np.zeros((len(eqs), len(hidden)))
    b = np.zeros(len(eqs))
    for r, (terms, const) in enumerate(eqs):
        b[r] = const - sum(c * view["published"].iat[j] for j, c in terms.items() if j not in col)
        for j, c in terms.items():
            if j in col:
                a[r, col[j]] = c
    scale = np.abs(a).max(axis=1, keepdims=True)
    scale[scale == 0] = 1
    a, b = a / scale, b / scale[:, 0]
    solution, *_ = np.linalg.lstsq(a, b, rcond=None)
    _, sv, vt = np.linalg.svd(a)
    rank = int((sv > 1e-9 * max(sv.max(initial=0), 1)).sum())
    free = np.abs(vt[rank:]).sum(axis=0) > 1e-7
    return {i: solution[col[i]] for i in hidden if not free[col[i]]}


@pytest.mark.parametrize("filt", STATES, ids=lambda f: "&".join(f"{k}={v}" for k, v in f.query().items()) or "all")
def test_no_hidden_value_can_be_worked_out_within_a_state(filt):
    view = _view(filt)
    eqs = _equations(view, filt)
    for attack in (_propagate, _least_squares):
        for i, value in attack(view, eqs).items():
            row = view.iloc[i]
            assert abs(value - row["truth"]) >= 0.5, (attack.__name__, row["figure"], row["series"], row["category"],
                                                      value, row["truth"])


def test_the_published_example_is_now_protected():
    """dst-novelty, region, new technology: "don't know" was hidden alone and was 100 minus the rest."""
    table = figure_data().table("dst-novelty", parse_filter(sector="region", tech_role="new_tech"), "en")
    hidden = table.set_index("category")
    assert hidden.loc["dont_know", "suppressed"]
    second = hidden[hidden["suppressed"] & (hidden.index != "dont_know")]
    assert len(second) >= 1  # a second bar is hidden too
    assert published(table)["share"].sum() < 100 - 1  # what is shown no longer closes the gap


def _differences(narrow: Filter, wide: Filter) -> pd.DataFrame:
    """Return, per cell shown in both states, the respondents the wider state adds (answering and yes)."""
    a, b = _view(narrow), _view(wide)
    both = ~a["hidden"].to_numpy() & ~b["hidden"].to_numpy()
    return pd.DataFrame({"figure": a["figure"], "series": a["series"], "category": a["category"],
                         "n": b["n"] - a["n"], "yes": b["yes"] - a["yes"]})[both]


def _wider(filt: Filter):
    """Yield the states that add one or two codes of one filter to `filt`."""
    for key in ("sector", "tech_role", "value"):
        codes = getattr(filt, key)
        if not codes:
            continue
        rest = [c for c in ALLOWED[key] if c not in codes]
        for k in (1, 2):
            for extra in itertools.combinations(rest, k):
                yield parse_filter(**{**filt.query(), key: ",".join((*codes, *extra))})


@pytest.mark.parametrize("filt", [*SINGLE, *PAIRS[::6]],
                         ids=lambda f: "&".join(f"{k}={v}" for k, v in f.query().items()))
def test_comparing_with_a_wider_selection_never_isolates_fewer_than_three(filt):
    for wide in _wider(filt):
        diff = _differences(filt, wide)
        # a figure that ignores the filter shows the same cells in both states: nothing to subtract
        small = diff[((diff["n"] > 0) & (diff["n"] < 3)) | ((diff["yes"] > 0) & (diff["yes"] < 3))]
        assert small.empty, (wide.query(), small.head(3).to_dict("records"))


def test_region_cannot_be_subtracted_out_of_state_and_region():
    """The issue's example: sector=state,region minus sector=state gives region's values."""
    fd = figure_data()
    filt = {"tech_role": "new_tech"}
    region = fd.estimates(parse_filter(sector="region", **filt))["dst-novelty"].frame().set_index("category")
    state = fd.estimates(parse_filter(sector="state", **filt))["dst-novelty"].frame().set_index("category")
    both = fd.estimates(parse_filter(sector="state,region", **filt))["dst-novelty"].frame().set_index("category")
    assert region.loc["dont_know", "suppressed"]
    assert state.loc["dont_know", "suppressed"] or both.loc["dont_know", "suppressed"]
    assert state.loc["dont_know", "reason"] == "differencing" or both.loc["dont_know", "suppressed"]
