"""The question explorer's numbers: any question of the questionnaire (`data.questionnaire`), filtered by every
dimension and broken down by up to two, drawn through the question's spec (`specs.question_spec`).

Each group's bars are the bars of the filter state selecting the group (its code in each breakdown
dimension) under the report's rules: the presentation standard, the differencing rule against one more
code in a filter, complementary suppression with the report figures that count the same items in that
state. Then, over the whole view:

- a group's bar that a wider selection of the view (the group with one breakdown dimension left open, or
  the filter itself) differs from by 1 or 2 respondents, or by 1 or 2 answering yes, is hidden: the
  differencing rule between nested selections;
- a bar counting what a report figure counts in the same state (the same item over the same respondents)
  is hidden where the report hides it;
- complementary suppression runs once more over the question's bars of every group together with those
  report figures' bars in every group's state, the report's values held as the report publishes them
  (hidden only where nothing else can be), so no value hidden here or in the report can be worked out.

The limits, as a table builder over confidential microdata has them (SDA, ABS TableBuilder): at most
`MAX_BY` breakdown dimensions and `MAX_GROUPS` groups (choose fewer codes in a filter), no group with fewer
than `breakdown.MIN_GROUP_N` respondents in the question's base shows a bar, no breakdown by the dimension
of a question's own answers (the role of technology, for the questions on technology's role and whether it
was new) nor by round for a question asked in one round.

>>> from dashboard.data.filters import Filter
>>> groups_of(Filter(sector=("state", "region")), ("sector", "size"))[:2]
[('state', 'small'), ('state', 'medium')]
>>> len(groups_of(Filter(), ("sector", "industry")))  # the sub-sectors found in each sector
11
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..data.dimensions import BY_KEY, BY_KEYS
from ..data.filters import Filter
from ..data.questionnaire import BY_ID as QUESTIONS
from ..data.questionnaire import Question
from .breakdown import MIN_GROUP_N, _hide_all, _isolated, group_filter, group_label, groups, tests_across
from .numbers import FigureNumbers, Row, frame_of
from .relations import VIEW_MARK
from .specs import FIGURES, QUESTION_SPECS, FigureSpec
from .state import protect
from .tables import COLUMNS

MAX_BY = 2  # breakdown dimensions at once
MAX_GROUPS = 12  # groups of a view (the product of the breakdown dimensions' groups)
TECH_FAMILY = {"tech_role": "tech", "tech_new": "tech", "tech_group": "tech"}  # one family: the group is derived


class ExploreError(ValueError):
    """A question or breakdown the explorer does not show; the message names it and what is allowed."""


def question_of(name: str) -> Question:
    """Return the question with id `name`; raise ExploreError naming the questions otherwise."""
    if name not in QUESTIONS:
        raise ExploreError(f"Unknown question {name!r}; possible: {', '.join(QUESTIONS)}.")
    return QUESTIONS[name]


def parse_by(raw) -> tuple[str, ...]:
    """Return the breakdown dimensions of 'sector,size' (or a list of keys; '' or None: none); raise
    ExploreError naming an unknown, repeated or extra dimension and what is allowed.

    >>> parse_by("sector,size"), parse_by(None)
    (('sector', 'size'), ())
    """
    if raw is None or raw == "":
        return ()
    keys = [k.strip() for k in (raw.split(",") if isinstance(raw, str) else raw)]
    for key in keys:
        if key not in BY_KEYS:
            raise ExploreError(f"Unknown breakdown {key!r}; possible: {', '.join(BY_KEYS)}.")
    if len(set(keys)) < len(keys):
        raise ExploreError(f"A breakdown dimension is given twice: {', '.join(keys)}.")
    if len(keys) > MAX_BY:
        raise ExploreError(f"At most {MAX_BY} breakdown dimensions at once; given {len(keys)}: {', '.join(keys)}.")
    return tuple(keys)


def groups_of(filt: Filter, by: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Return the groups of a view: one code per breakdown dimension, every combination found in the data's
    nesting (a sub-sector only under its sector); [()] without a breakdown."""
    out = []
    for combo in itertools.product(*(groups(key, filt) for key in by)):
        chosen = dict(zip(by, combo, strict=True))
        nested = [BY_KEY[k] for k in by if BY_KEY[k].within and BY_KEY[k].within[0] in chosen]
        if all(chosen[d.key] in d.under((chosen[d.within[0]],)) for d in nested):
            out.append(combo)
    return out


def group_state(filt: Filter, by: tuple[str, ...], combo: tuple[str, ...]) -> Filter:
    """Return the filter state selecting one group: `filt` with the group's code in each breakdown dimension."""
    for key, code in zip(by, combo, strict=True):
        filt = group_filter(filt, key, code)
    return filt


def check(question: Question, filt: Filter, by: tuple[str, ...], rounds: tuple[str, ...]) -> None:
    """Raise ExploreError when a question cannot be broken down by `by` for `filt`, saying why; `rounds`:
    the rounds whose data answer the question."""
    spec = QUESTION_SPECS[question.id]
    if "round" in filt.active() and filt.round not in rounds:
        raise ExploreError(f"{question.id!r} was asked in {', '.join(rounds) or 'no round of these data'} only, "
                           f"not in {filt.round}.")
    for key in by:
        if key in spec.highlight:
            raise ExploreError(f"{question.id!r} is not broken down by {key!r}: its answers are that dimension's.")
        if key == "round" and len(rounds) < 2:
            raise ExploreError(f"{question.id!r} is not broken down by round: it was asked in {', '.join(rounds)} only.")
    count = len(groups_of(filt, by))
    if count > MAX_GROUPS:
        raise ExploreError(f"{count} groups is more than the {MAX_GROUPS} a view shows: choose fewer codes in the "
                           f"filters of {', '.join(by)}.")


def _mark(fid: str, combo: tuple[str, ...]) -> str:
    """Return a figure's key in a view of several states ('q-partners@state|small')."""
    return f"{fid}{VIEW_MARK}{'|'.join(combo)}"


def _items(spec: FigureSpec) -> set[str]:
    """Return the variables (technology's as one family) a figure's bars count."""
    return {TECH_FAMILY.get(v, v) for c in spec.categories for v in c.variable.split("|")}


def related(spec: FigureSpec) -> tuple[str, ...]:
    """Return the report figures counting any item a question's spec counts (their bars and the question's
    can be tied by known totals).

    >>> related(QUESTION_SPECS["partners"])
    ('fig8', 'fig9', 'fig10')
    """
    return tuple(f.id for f in FIGURES if f.id != "nordic" and _items(f) & _items(spec))


def view(data, question: Question, filt: Filter, by: tuple[str, ...]) -> dict[tuple[str, ...], FigureNumbers]:
    """Return the question's numbers per group of the view (see the module): {group: numbers}, kept per
    (question, filter, breakdown) as `FigureData` keeps its states."""
    return data.view(("explore", question.id, filt, by), lambda: _view(data, question, filt, by))


def _view(data, question: Question, filt: Filter, by: tuple[str, ...]) -> dict[tuple[str, ...], FigureNumbers]:
    """Return the question's numbers per group of the view, computed (see `view`)."""
    spec = QUESTION_SPECS[question.id]
    near = related(spec)
    combos = groups_of(filt, by) if by else [()]
    shown: dict[str, FigureNumbers] = {}
    bars: dict[str, list] = {}
    fixed: dict[str, np.ndarray] = {}
    for combo in combos:
        state = group_state(filt, by, combo)
        mine, domains, _ = data.computed(state, (spec,))
        report, report_domains, _ = data.protected(state)
        nums = mine[spec.id]
        if by and max(nums.n, default=0) < MIN_GROUP_N:
            nums.hide(np.ones(len(nums), dtype=bool), "group_lt_n")
        own = {spec.id: nums, **{fid: report[fid] for fid in near}}
        pinned = {spec.id: as_report(nums, domains[spec.id], own, report_domains),
                  **{fid: np.ones(len(report[fid]), dtype=bool) for fid in near}}
        protect(own, {**domains, **report_domains}, pinned)  # what the state's own view hides
        for fid, found in own.items():
            shown[_mark(fid, combo)], bars[_mark(fid, combo)] = found, (domains | report_domains)[fid]
            fixed[_mark(fid, combo)] = pinned[fid]
    _nested_differencing(data, spec, filt, by, {c: shown[_mark(spec.id, c)] for c in combos},
                         {c: fixed[_mark(spec.id, c)] for c in combos})
    protect(shown, bars, fixed)
    return {combo: shown[_mark(spec.id, combo)] for combo in combos}


def as_report(nums: FigureNumbers, domains: list, report: dict[str, FigureNumbers], report_domains: dict) -> np.ndarray:
    """Give, in place, each bar counting the same item over the same respondents as a report bar what the report
    shows of it (shown, or hidden and why); return which bars did (the report publishes them as they are)."""
    same: dict[tuple, list[tuple[np.ndarray, FigureNumbers, int]]] = {}
    for fid, other in report.items():
        if fid in report_domains and fid != "nordic":
            for j, d in enumerate(report_domains[fid]):
                same.setdefault(d.item, []).append((d.cells, other, j))
    pinned = np.zeros(len(nums), dtype=bool)
    for i, d in enumerate(domains):
        for cells, other, j in same.get(d.item, ()):
            if np.array_equal(cells, d.cells) and not (nums.suppressed[i] and nums.reason[i] == "group_lt_n"):
                nums.adopt(i, other, j)
                pinned[i] = True
                break
    return pinned


def _nested_differencing(data, spec: FigureSpec, filt: Filter, by: tuple[str, ...],
                         shown: dict[tuple[str, ...], FigureNumbers], pinned: dict[tuple[str, ...], np.ndarray]) -> None:
    """Hide, in place, each group's bar that a wider selection (one or more breakdown dimensions left open:
    another view of the explorer shows it) differs from by 1 or 2 respondents or 1 or 2 answering yes, unless
    the report publishes the bar as it is; returns None."""
    wider: dict[tuple, tuple[Filter, FigureNumbers]] = {}
    for combo, nums in shown.items():
        for kept in itertools.chain.from_iterable(itertools.combinations(range(len(by)), k) for k in range(len(by))):
            partial = tuple(combo[k] if k in kept else None for k in range(len(by)))
            if partial not in wider:
                state = group_state(filt, tuple(by[k] for k in kept), tuple(combo[k] for k in kept))
                wider[partial] = state, data.computed(state, (spec,))[0][spec.id]
            state, whole = wider[partial]
            nums.hide_by([None if p else s for s, p in zip(_isolated(nums, whole, state), pinned[combo], strict=True)],
                         "differencing")


def crosstab(data, question: Question, filt: Filter, by: tuple[str, ...], lang: str) -> pd.DataFrame:
    """Return the numbers the explorer publishes for a question, filter and breakdown: per group and answer,
    the group's code and label in each breakdown dimension, the figure table's columns (tables.COLUMNS; the
    series is 'all') and the test across the groups (p_groups, significant_groups)."""
    check(question, filt, by, data.rounds(QUESTION_SPECS[question.id]))
    spec = QUESTION_SPECS[question.id]
    numbers = view(data, question, filt, by)
    rows: list[Row] = []
    group, rounds = [], []
    for combo, nums in numbers.items():
        state = group_state(filt, by, combo)
        mine = data.rows(spec, state, lang, nums)
        if by and max((r.n for r in mine), default=0) < MIN_GROUP_N:
            mine = _hide_all(mine, lang)
        rows += mine
        group += [combo] * len(mine)
        rounds += [data.scope(spec, state).round] * len(mine)
    states = {combo: group_state(filt, by, combo) for combo in numbers} if by else {}
    p_groups, significant = tests_across(data, spec, filt, by, states, group, rows)
    out = frame_of(rows)
    out["round"] = rounds
    out = out[[c for c in COLUMNS if c not in by]]  # a breakdown by round gives the round first, as its group
    for k, key in reversed(list(enumerate(by))):
        out.insert(0, f"{key}_label", [group_label(key, combo[k], lang) for combo in group])
        out.insert(0, key, [combo[k] for combo in group])
    out["p_groups"] = p_groups
    out["significant_groups"] = pd.array(significant, dtype="boolean")
    return out
