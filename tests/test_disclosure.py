"""No hidden value can be worked out from what a filter state publishes, nor by comparing two states.

The attacker here knows every value the page, a download or the command line publishes for a filter
state (shares to one decimal), the exact weighted base of every bar (a strong attacker: in practice it
has to be pieced together from other figures) and the relations a reader can know: bars that add up
to 100 %, totals that are weighted means of their groups, the same domain in two figures. It derives
what it can, by propagation and by least squares, and must recover no hidden value within 0.5 points.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pandas as pd
import pytest

from dashboard.data import codebook as cb
from dashboard.data.cube import attributes
from dashboard.data.dimensions import BY_KEY, BY_KEYS, DIMENSIONS
from dashboard.data.filters import Filter, outside, parse_filter
from dashboard.figures.breakdown import group_filter, view
from dashboard.figures.specs import SPECS
from dashboard.figures.tables import indicators, published
from tests.shipped import figure_data, shipped
from tests.test_snapshot import states as snapshot_states

CODES = [(d.key, c) for d in DIMENSIONS if d.multiple for c in d.codes]  # every code of every filter


def _state(pairs) -> Filter:
    query: dict[str, list[str]] = {}
    for key, code in pairs:
        query.setdefault(key, []).append(code)
    return parse_filter(**{k: ",".join(v) for k, v in query.items()})


def _possible(pairs) -> bool:
    """Return False for two codes that contradict (a sub-sector not found in the chosen sector): no state."""
    return not outside({k: c for k, c in pairs})[1]


SINGLE = [_state([c]) for c in CODES]
PAIRS = [_state(p) for p in itertools.combinations(CODES, 2) if _possible(p)]
STATES = [Filter(), *SINGLE, *PAIRS]
MANY = [f for f in snapshot_states() if f not in STATES]  # random states of up to three codes in each filter


@functools.lru_cache(maxsize=256)
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


def _rows_of(fid: str, series: str, category: str, filt: Filter, df: pd.DataFrame | None = None,
             attrs: pd.DataFrame | None = None) -> tuple[np.ndarray, str]:
    """Return the rows a published bar's share is computed over (answered, in its domain) and its item, from
    the microdata (`df`: other answers given to the same rows, with their `attrs`) and what the page says of
    the bar: its figure's base and round, the filters the figure restricts by, its series and its category."""
    spec = SPECS[fid]
    df, attrs = (shipped(), _attributes()) if df is None else (df, attrs)
    sc = figure_data().scope(fid, filt)
    innovators = df["innovated"].fillna(False).astype(bool).to_numpy()
    rows = np.ones(len(df), dtype=bool)
    if spec.base != "all":
        rows &= innovators
    if spec.base == "tech_innovators":
        rows &= df["tech_role"].isin(cb.TECH_ROLES).to_numpy()
    if spec.series != "round":
        rows &= (df["round"] == sc.round).to_numpy()
    for key in sc.restrict:  # the rows each code selects are public: the registry declares them
        if key != "round":
            rows &= np.logical_or.reduce([BY_KEY[key].selects(attrs, c) for c in filt.codes(key)])
    if series != "all":
        if spec.series == "tech_split":
            rows &= innovators & (df["tech_role"].isin(cb.TECH_ROLES) == (series == "tech")).to_numpy()
        else:
            rows &= (df[spec.series].astype("object") == series).to_numpy()
    cat = next(c for c in spec.categories if c.code == category)
    for column, codes in cat.within:
        rows &= df[column].isin(codes).to_numpy()
    rows &= _answered(fid)[category] if df is shipped() else _answered_given(fid, df.attrs["answer"])[category]
    return rows, cat


@functools.cache
def _given(role: str, new: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the shipped data with every innovator answering `role` (and `new`) on technology, its group derived
    as the publication derives it, and its attributes."""
    df = shipped()
    innovators = df["innovated"].fillna(False).astype(bool).to_numpy()
    given = df.copy()
    for column in ("tech_role", "tech_new", "tech_group"):
        given[column] = given[column].astype("object")
    given.loc[innovators, "tech_role"] = role
    given.loc[innovators, "tech_new"] = pd.NA if new is None else new
    given.loc[innovators, "tech_group"] = cb.derive_tech_group(role, new)
    given.attrs["answer"] = (role, new)
    return given, attributes(given)


@functools.cache
def _answered_given(fid: str, answer: tuple) -> dict[str, np.ndarray]:
    """Return, per category of a figure, the rows that answered its item when every innovator gives `answer`."""
    answered = indicators(SPECS[fid], _given(*answer)[0]).notna()
    return {c: answered[c].to_numpy() for c in answered.columns}


def _technology_classes(members) -> tuple[np.ndarray, np.ndarray]:
    """Return, for the bars of figure 1's answers and figure 3's groups, every (domain pattern, answer) class an
    attacker must allow: each innovator given, in turn, every possible answer on technology (role, and for a
    technological one whether it was new), its group derived as the publication derives it. Returns the bars'
    answer and domain indicators over the classes, (bars, classes) each."""
    innovators = shipped()["innovated"].fillna(False).astype(bool).to_numpy()
    answers = [(r, n) for r in cb.TECH_ROLES for n in (*cb.TECH_NEW_CODES, None)]
    answers += [(r, None) for r in cb.TECH_ROLE_CODES if r not in cb.TECH_ROLES]
    blocks = []
    for role, new in answers:
        given, attrs = _given(role, new)
        said = {"tech_role": role, "tech_new": new, "tech_group": cb.derive_tech_group(role, new)}
        domain = np.array([_rows_of(*bar[5], given, attrs)[0] for bar in members])
        yes = np.array([domain[j] & (said[bar[2].variable] in bar[2].codes) for j, bar in enumerate(members)])
        blocks.append(np.concatenate([yes, domain])[:, innovators].T)
    classes = np.unique(np.concatenate(blocks).astype(float), axis=0)
    k = len(members)
    return classes[:, :k].T, classes[:, k:].T


@functools.cache
def _attributes() -> pd.DataFrame:
    """Return the shipped data's rows as the registry's selectors read them."""
    return attributes(shipped())


@functools.cache
def _answered(fid: str) -> dict[str, np.ndarray]:
    """Return, per category of a figure, the rows that answered its item."""
    answered = indicators(SPECS[fid], shipped()).notna()
    return {c: answered[c].to_numpy() for c in answered.columns}


TECH = "tech_role|tech_new|tech_group"
CODED = {"tech_role": TECH, "tech_group": TECH, "tech_new": TECH}  # one family: tech_group is derived from the others


def _equations(view: pd.DataFrame, filt: Filter) -> list[tuple[dict[int, float], float]]:
    """Return the attacker's equations: ({cell: coefficient}, constant) with sum coef * value = constant; each
    bar is of the state `filt`, or of the state in the view's column "state" where it has one (a breakdown).

    Derived from the rows behind every published bar, not from the dashboard's own list: bars counting the
    same yes/no item over domains that are linearly dependent as sets of respondents (the same domain in two
    figures, a total and its groups, a union equal to a union) give sum λ W p = 0; for a question with
    codes (and figure 3's groups, derived from figure 1's answers and whether the technology is new), every
    structural dependency between the bars' answer sets and their bases gives sum λ W p = -100 sum μ W. Only
    what holds whatever the respondents answered is used: an attacker does not know the answers."""
    df = shipped()
    w = df["weight"].to_numpy(float)
    bars = []
    states = view["state"] if "state" in view else [filt] * len(view)
    for i, (fid, s, c, state) in enumerate(zip(view["figure"], view["series"], view["category"], states, strict=True)):
        if fid == "nordic":
            continue
        rows, cat = _rows_of(fid, s, c, state)
        coded = cat.variable in CODED or (cb.BY_NAME.get(cat.variable) and cb.BY_NAME[cat.variable].kind == "code")
        family = CODED.get(cat.variable, cat.variable) if coded else (cat.variable, cat.codes, cat.na_false)
        bars.append((i, rows, cat, family, coded, (fid, s, c, state)))
    eqs = []
    for family in dict.fromkeys(b[3] for b in bars):
        members = [b for b in bars if b[3] == family]
        if len(members) < 2:
            continue
        weight = np.array([w[rows].sum() for _, rows, *_ in members])
        domain = np.array([rows for _, rows, *_ in members])
        live = domain.any(axis=0)
        if members[0][4]:  # a question with codes: every code is a possible answer in every domain pattern, but
            # figure 3's groups follow from figure 1's answers and whether the technology is new: their
            # family takes the answers each pattern holds
            variable = members[0][2].variable
            if family == TECH:
                yes, member = _technology_classes(members)
            else:
                patterns = pd.DataFrame(domain[:, live].T)
                codes = pd.DataFrame({"answer": list(cb.BY_NAME[variable].codes)})
                classes = patterns.drop_duplicates().merge(codes, how="cross")
                member = classes.drop(columns="answer").to_numpy(dtype=float).T  # (bars, classes)
                yes = np.array([member[j] * classes["answer"].isin(cat.codes).to_numpy()
                                for j, (_, _, cat, *_) in enumerate(members)])
            matrix = np.concatenate([np.array(yes), member]).T
        else:  # a yes/no item: its share times its base is additive over the domains
            matrix = pd.DataFrame(domain[:, live].T).drop_duplicates().to_numpy(dtype=float)
        null = _null(matrix)
        k = len(members)
        for vec in null.T:
            lam = vec[:k]
            if np.abs(lam).max() < 1e-9:
                continue
            const = -100.0 * (vec[k:] * weight).sum() if members[0][4] else 0.0
            eqs.append(({m[0]: lam[j] * weight[j] for j, m in enumerate(members) if abs(lam[j]) > 1e-9}, const))
    return eqs


def _null(matrix: np.ndarray) -> np.ndarray:
    """Return a basis of the column combinations of `matrix` that vanish."""
    _, sv, vt = np.linalg.svd(matrix)
    rank = int((sv > 1e-9 * max(sv.max(initial=0), 1)).sum())
    return vt[rank:].T


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


@pytest.mark.parametrize("filt", [*STATES, *MANY],
                         ids=lambda f: "&".join(f"{k}={v}" for k, v in f.query().items()) or "all")
def test_no_hidden_value_can_be_worked_out_within_a_state(filt):
    """No hidden value is worked out from the shown ones, except a value the definitions alone fix (innovations
    whose technology's role is "don't know" are non-technological: 100 %), which tells nothing of anyone."""
    _nothing_recovered(_view(filt), filt)


def _breakdown_view(filt: Filter, by: str) -> pd.DataFrame:
    """Return every published cell of a view broken down by `by` (as `_view`), with the state each is of."""
    fd = figure_data()
    rows = []
    for group, figures in view(fd, filt, by).items():
        state = filt if group == "" else group_filter(filt, by, group)
        for fid, nums in figures.items():
            t = nums.frame()
            shown = published(fd.table(fid, state, "en", nums))
            rows.append(pd.DataFrame({"figure": fid, "series": t["series"], "category": t["category"],
                                      "published": shown["share"].to_numpy(), "truth": 100 * t["share"].to_numpy(),
                                      "weight": t["weight_sum"].to_numpy(), "n": t["n"].to_numpy(),
                                      "yes": t["n_yes"].to_numpy(), "hidden": t["suppressed"].to_numpy(),
                                      "state": [state] * len(t)}))
    return pd.concat(rows, ignore_index=True)


BREAKDOWN_STATES = [Filter(), *SINGLE, *PAIRS[::12]]  # every filter code alone, a twelfth of the pairs, by each


@pytest.mark.parametrize("filt", BREAKDOWN_STATES,
                         ids=lambda f: "&".join(f"{k}={v}" for k, v in f.query().items()) or "all")
def test_no_hidden_value_can_be_worked_out_from_a_view_broken_down_by_any_dimension(filt):
    """A breakdown shows each group's state and the figures it leaves whole from the filter's: what the attacker
    knows of all of them together (every relation between them derived from the rows behind the bars) gives no
    hidden value, and no group's bar differs from the filter's own bar (its page) by 1 or 2 respondents."""
    whole = _view(filt)[["figure", "series", "category", "n", "yes"]]
    for by in BY_KEYS:
        shown = _breakdown_view(filt, by)
        _nothing_recovered(shown, filt)
        groups_ = shown[(shown["state"] != filt) & ~shown["hidden"].astype(bool)]
        both = groups_.merge(whole, on=["figure", "series", "category"], suffixes=("", "_whole"))
        dn, dy = both["n_whole"] - both["n"], both["yes_whole"] - both["yes"]
        assert not (((dn > 0) & (dn < 3)) | ((dy > 0) & (dy < 3))).any(), (by, both[(dn > 0) & (dn < 3)].head(3))


def _nothing_recovered(view: pd.DataFrame, filt: Filter) -> None:
    """Fail if the attacks work out a hidden value of `view` within 0.5 points (beyond what definitions fix)."""
    eqs = _equations(view, filt)
    blind = view.assign(published=np.nan)  # what the relations give without a single published number
    structural = {**_propagate(blind, eqs), **_least_squares(blind, eqs)}
    for attack in (_propagate, _least_squares):
        for i, value in attack(view, eqs).items():
            if i in structural and abs(structural[i] - value) < 0.5:
                continue
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
    """Return, per cell shown in both states, the respondents one state has and the other has not (answering
    and yes): a figure the technology filter restricts in one state and highlights in the other shows the
    wider domain in the narrower state."""
    keys = ["figure", "series", "category"]
    both = _view(narrow).merge(_view(wide), on=keys, suffixes=("_a", "_b"))
    both = both[~both["hidden_a"].astype(bool) & ~both["hidden_b"].astype(bool)]
    return pd.DataFrame({**{k: both[k] for k in keys}, "n": (both["n_b"] - both["n_a"]).abs(),
                         "yes": (both["yes_b"] - both["yes_a"]).abs()})


def _wider(filt: Filter):
    """Yield the states that add one or two codes of one filter to `filt`."""
    for dim in DIMENSIONS:
        codes = getattr(filt, dim.key) if dim.multiple else ()
        if not codes:
            continue
        found = dim.under(filt.codes(dim.within[0])) if dim.within else dim.codes
        key, rest = dim.key, [c for c in found if c not in codes]
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
