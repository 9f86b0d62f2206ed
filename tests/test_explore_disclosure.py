"""No hidden value can be worked out from a view of the question explorer.

The attacker of `test_disclosure` (every published value, the exact weighted bases, every relation derived
from the rows behind the bars) sees an explorer view: the question's bars in every group of the view, and
the report figures counting the same items in each group's state as the report publishes them. Over every
question, with no breakdown, one and two breakdown dimensions, and filters of one and two codes, it must
recover no hidden value within 0.5 points.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.data.dimensions import BY_KEYS
from dashboard.data.filters import Filter
from dashboard.data.questionnaire import QUESTIONS
from dashboard.figures.explore import ExploreError, check, group_state, related, view
from dashboard.figures.specs import QUESTION_SPECS
from dashboard.figures.tables import published
from tests.shipped import figure_data
from tests.test_disclosure import PAIRS, SINGLE, _nothing_recovered


def _frame(fid: str, nums, state: Filter, shown: pd.DataFrame) -> pd.DataFrame:
    """Return one figure's bars in a view as the attacker's table (see `test_disclosure._view`)."""
    t = nums.frame()
    return pd.DataFrame({"figure": fid, "series": t["series"], "category": t["category"],
                         "published": shown["share"].to_numpy(), "truth": 100 * t["share"].to_numpy(),
                         "weight": t["weight_sum"].to_numpy(), "n": t["n"].to_numpy(), "yes": t["n_yes"].to_numpy(),
                         "hidden": t["suppressed"].to_numpy(), "state": [state] * len(t)})


def _explore_view(qid: str, filt: Filter, by: tuple[str, ...]) -> pd.DataFrame:
    """Return every value an explorer view publishes, with the report's values of the same items in its states."""
    fd = figure_data()
    spec = QUESTION_SPECS[qid]
    frames = []
    for combo, nums in view(fd, QUESTIONS_BY_ID[qid], filt, by).items():
        state = group_state(filt, by, combo)
        frames.append(_frame(spec.id, nums, state, published(fd.table(spec, state, "en", nums))))
        report = fd.estimates(state)
        for fid in related(spec):
            frames.append(_frame(fid, report[fid], state, published(fd.table(fid, state, "en"))))
    return pd.concat(frames, ignore_index=True)


QUESTIONS_BY_ID = {q.id: q for q in QUESTIONS}


def _states() -> list[tuple[str, Filter, tuple[str, ...]]]:
    """Return the explorer states attacked: per question, no filter, one code and two codes (taken in turn from
    every code and pair of codes), each with no breakdown, one and two dimensions (in turn from those the
    question can be broken down by, within the explorer's limits)."""
    out = []
    for i, q in enumerate(QUESTIONS):
        rounds = q.rounds
        dims = [d for d in BY_KEYS if d not in QUESTION_SPECS[q.id].highlight and (d != "round" or len(rounds) > 1)]
        for j, filt in enumerate((Filter(), SINGLE[(7 * i) % len(SINGLE)], PAIRS[(37 * i) % len(PAIRS)])):
            first = dims[(i + j) % len(dims)]
            for by in ((), (first,), (first, dims[(i + j + 1) % len(dims)])):
                try:
                    check(q, filt, by, rounds)
                except ExploreError:
                    by = by[:1]
                out.append((q.id, filt, by))
    return list(dict.fromkeys(out))


def _id(state) -> str:
    qid, filt, by = state
    return "-".join([qid, "&".join(f"{k}={v}" for k, v in filt.query().items()) or "all", "by-" + ",".join(by)])


@pytest.mark.parametrize("state", _states(), ids=_id)
def test_no_hidden_value_can_be_worked_out_from_an_explorer_view(state):
    qid, filt, by = state
    _nothing_recovered(_explore_view(qid, filt, by), filt)


def test_the_attacked_states_cover_every_question_and_one_and_two_breakdowns():
    states = _states()
    assert {q for q, _, _ in states} == set(QUESTIONS_BY_ID)
    assert sum(len(by) == 2 for *_, by in states) >= 30 and sum(len(by) == 1 for *_, by in states) >= 30
    assert {len(f.active()) for _, f, _ in states} >= {0, 1, 2}
