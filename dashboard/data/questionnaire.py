"""The questions of the questionnaire, as the question explorer offers them.

A question is the codebook's variables that share a wording (`codebook.Variable.question_key`): a coded
variable is a single-choice question (its answers partition who was asked), several true/false items a
multiple-answer question (innovation types, values, partners, channels), one true/false variable a yes/no
question. Who was asked, in which rounds and the answers come from the codebook; this module adds each
question's theme and order, and leaves out what the codebook derives (the technology groups are a
dimension to filter and break down by).

>>> [q.id for q in QUESTIONS][:4]
['innovated', 'types', 'novelty', 'core_task']
>>> BY_ID["partners"].kind, BY_ID["partners"].answers[:2], BY_ID["tech_role"].kind, BY_ID["core_task"].kind
('multiple', ('collab_any', 'partner_own_org'), 'single', 'yes_no')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..catalogs import texts
from . import codebook as cb

# The themes in the order the explorer lists them, each with its questions (codebook question keys) in order.
THEMES: dict[str, tuple[str, ...]] = {
    "innovation": ("innovated", "types", "novelty", "core_task"),
    "technology": ("tech_role", "tech_new", "technology", "started_by_new_tech"),
    "value": ("values",),
    "people": ("curiosity", "citizens", "employees_initiated", "employees_role"),
    "collaboration": ("partners", "spread"),
}


@dataclass(frozen=True)
class Question:
    """One question: its id (the codebook's question key), theme, kind, variables, who was asked and when.

    `answers` are the bars it has: a single-choice question's codes, else its true/false variables (a
    multiple-answer question's "any of them" item first, where the questionnaire asks it).
    """

    id: str
    theme: str
    kind: Literal["single", "multiple", "yes_no"]
    variables: tuple[str, ...]
    asked_of: str
    rounds: tuple[str, ...]

    @property
    def answers(self) -> tuple[str, ...]:
        """Return the question's answers: codes of a single-choice question, else its variables."""
        return cb.BY_NAME[self.variables[0]].codes if self.kind == "single" else self.variables

    @property
    def title(self) -> dict[str, str]:
        """Return the question's short name in every language ('Partners in the collaboration')."""
        return texts(f"question_title.{self.id}")

    @property
    def wording(self) -> dict[str, str]:
        """Return the question as the questionnaire words it, in every language."""
        return texts(f"question.{self.id}")

    def describe(self, lang: str) -> dict:
        """Return the question as `barometer questions` and the API list it: id, theme, short name, kind, who
        was asked, rounds, wording and answers with their labels, in `lang`."""
        return {"id": self.id, "theme": self.theme, "theme_label": texts(f"theme.{self.theme}")[lang],
                "title": self.title[lang], "kind": self.kind, "asked_of": self.asked_of,
                "base": texts(f"base.{self.asked_of}")[lang], "rounds": list(self.rounds),
                "question": self.wording[lang],
                "answers": [{"code": a, "label": self.answer_label(a, lang)} for a in self.answers]}

    def answer_label(self, answer: str, lang: str) -> str:
        """Return an answer's label ('Private companies', 'Agree fully')."""
        if self.kind == "single":
            return cb.label(self.variables[0], answer, lang)
        return cb.label(answer, lang=lang)


def _question(key: str, theme: str) -> Question:
    """Return the question of a codebook question key."""
    found = [v for v in cb.VARIABLES if v.question_key == key and not v.derived]
    if not found:
        raise ValueError(f"the codebook has no question {key!r}")
    kind = "single" if found[0].kind == "code" else "multiple" if len(found) > 1 else "yes_no"
    rounds = tuple(r for r in cb.ROUNDS if all(r in v.rounds for v in found))
    return Question(key, theme, kind, tuple(v.name for v in found), found[0].asked_of, rounds)


QUESTIONS: tuple[Question, ...] = tuple(_question(key, theme) for theme, keys in THEMES.items() for key in keys)
BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}
