"""The codebook: every variable's codes, routing and rounds; its labels and question wording are in the
catalogs (`dashboard.catalogs`: variable.<name>, code.<name>.<code>, question.<key>).

The data hold only lower-case ASCII codes.

>>> label("sector", "municipality", "en"), BY_NAME["value_quality"].label["da"]
('Municipality', 'Øget kvalitet')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..catalogs import CATALOGS, texts

ROUNDS = ("2018-2019", "2015-2016")
CURRENT_ROUND = "2018-2019"

SYNTHETIC_LABEL = texts("data.synthetic")

# Who was asked a question. Each routing names a rule in `routing_mask`.
ALL, INNOVATORS, TECH_INNOVATORS = "all", "innovators", "tech_innovators"
TECH_ROLES = ("solution", "important")  # tech_role answers that make an innovation technological


@dataclass(frozen=True)
class Variable:
    """One column of the data contract.

    kind is one of "id", "round", "code" (one of `codes`), "bool", "weight", "count" (a whole number
    >= 1), "text". asked_of is the routing: ALL, INNOVATORS or TECH_INNOVATORS; rounds lists the rounds
    in which it was asked (other rounds hold NA). An optional column may be left out of a file.
    `question_key` names its wording in the catalogs (question.<key>), shared by the items of one question.
    """

    name: str
    kind: str
    asked_of: str = ALL
    rounds: tuple[str, ...] = (CURRENT_ROUND,)
    codes: tuple[str, ...] = ()
    question_key: str = ""
    derived: bool = False
    optional: bool = False

    @functools.cached_property
    def label(self) -> dict[str, str]:
        """Return the variable's label in every language."""
        return texts(f"variable.{self.name}")

    @functools.cached_property
    def code_labels(self) -> dict[str, dict[str, str]]:
        """Return {code: {lang: label}} (a round is its own label, so it has none)."""
        return {} if self.kind == "round" else code_labels(self.name, self.codes)

    @functools.cached_property
    def question(self) -> dict[str, str]:
        """Return the question's wording in every language ({} if it has none)."""
        return texts(f"question.{self.question_key}") if self.question_key else {}


def code_labels(variable: str, codes: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Return {code: {lang: label}} of a variable's (or a series kind's) codes from the catalogs."""
    return {c: texts(f"code.{variable}.{c}") for c in codes}


SECTORS = ("state", "region", "municipality")
SECTOR_LABELS = code_labels("sector", SECTORS)

# Sub-sectors (DST-style groupings of the public sector) allowed in each sector.
INDUSTRIES = ("admin", "education", "health", "daycare", "eldercare", "social", "other")
SECTOR_INDUSTRIES = {
    "state": ("admin", "education", "other"),
    "region": ("health", "social", "admin"),
    "municipality": ("education", "daycare", "eldercare", "social", "admin"),
}
SIZES = ("small", "medium", "large")

TECH_ROLE_CODES = ("solution", "important", "minor", "none", "dont_know")
TECH_GROUP_CODES = ("new_tech", "known_tech", "non_tech")
# Two-way split used by figures 4 and 8 (solution + important vs the rest).
TECH_SPLIT_CODES = ("tech", "non_tech")
TECH_NEW_CODES = ("new", "known", "dont_know")
TECHNOLOGY_CODES = ("ai", "vr", "sensors", "apps", "tablets", "social_media", "robots", "computers", "self_service",
                    "planning_tools", "other")
CURIOSITY_CODES = ("agree_fully", "agree_partly", "disagree_partly", "disagree_fully", "dont_know", "not_relevant")
NOVELTY_CODES = ("first", "adapted", "copied", "dont_know")
EMPLOYEES_ROLE_CODES = ("promoted", "hindered", "neither", "dont_know", "not_relevant")

# The items of the multiple-answer questions, each a true/false column.
VALUES = ("value_quality", "value_efficiency", "value_employee_satisfaction", "value_citizen_involvement",
          "value_political_goals")
TYPES = ("type_product", "type_service", "type_process", "type_communication")
CITIZENS = ("citizens_initiated", "citizens_promoted", "citizens_collaborated")
PARTNERS = ("partner_own_org", "partner_same_sector", "partner_other_public", "partner_private", "partner_knowledge",
            "partner_volunteer", "partner_foreign", "partner_citizens")
SPREAD = ("spread_network", "spread_internal", "spread_website")
_BOTH_ROUNDS = ROUNDS


def _bools(items: tuple[str, ...], question: str, asked_of: str) -> list[Variable]:
    """Return one bool Variable per item, all sharing a question and routing."""
    return [Variable(name, "bool", asked_of, question_key=question) for name in items]


VARIABLES: tuple[Variable, ...] = (
    Variable("id", "id", rounds=_BOTH_ROUNDS),
    Variable("round", "round", rounds=_BOTH_ROUNDS, codes=ROUNDS),
    Variable("sector", "code", rounds=_BOTH_ROUNDS, codes=SECTORS),
    Variable("industry", "code", rounds=_BOTH_ROUNDS, codes=INDUSTRIES),
    Variable("size", "code", rounds=_BOTH_ROUNDS, codes=SIZES),
    Variable("stratum", "text", rounds=_BOTH_ROUNDS),
    Variable("weight", "weight", rounds=_BOTH_ROUNDS),
    # N_h: workplaces in the row's stratum in its round; with it the variance has the finite population correction
    Variable("stratum_population", "count", rounds=_BOTH_ROUNDS, optional=True),
    Variable("innovated", "bool", rounds=_BOTH_ROUNDS, question_key="innovated"),
    Variable("curiosity", "code", codes=CURIOSITY_CODES, question_key="curiosity"),
    *_bools(TYPES, "types", INNOVATORS),
    Variable("novelty", "code", INNOVATORS, codes=NOVELTY_CODES, question_key="novelty"),
    Variable("tech_role", "code", INNOVATORS, codes=TECH_ROLE_CODES, question_key="tech_role"),
    Variable("tech_new", "code", TECH_INNOVATORS, codes=TECH_NEW_CODES, question_key="tech_new"),
    Variable("tech_group", "code", INNOVATORS, codes=TECH_GROUP_CODES, derived=True, question_key="tech_group"),
    Variable("technology", "code", TECH_INNOVATORS, codes=TECHNOLOGY_CODES, question_key="technology"),
    Variable("started_by_new_tech", "bool", INNOVATORS, question_key="started_by_new_tech"),
    Variable("core_task", "bool", INNOVATORS, question_key="core_task"),
    *_bools(VALUES, "values", INNOVATORS),
    *_bools(CITIZENS, "citizens", INNOVATORS),
    Variable("employees_initiated", "bool", INNOVATORS, question_key="employees_initiated"),
    Variable("employees_role", "code", INNOVATORS, codes=EMPLOYEES_ROLE_CODES, question_key="employees_role"),
    Variable("collab_any", "bool", INNOVATORS, question_key="partners"),
    *_bools(PARTNERS, "partners", INNOVATORS),
    Variable("spread_any", "bool", INNOVATORS, question_key="spread"),
    *_bools(SPREAD, "spread", INNOVATORS),
)

BY_NAME: dict[str, Variable] = {v.name: v for v in VARIABLES}
COLUMNS: tuple[str, ...] = tuple(v.name for v in VARIABLES)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(v.name for v in VARIABLES if not v.optional)
BOOL_COLUMNS = tuple(v.name for v in VARIABLES if v.kind == "bool")
CODE_COLUMNS = tuple(v.name for v in VARIABLES if v.kind in ("code", "round"))
VALUE_COLUMNS = tuple(VALUES)
PARTNER_COLUMNS = tuple(PARTNERS)


def label(variable: str, code: str | None = None, lang: str = "da") -> str:
    """Return the label of a variable, or of one of its codes, in `lang`."""
    key = f"variable.{variable}" if code is None else f"code.{variable}.{code}"
    return CATALOGS[lang][key]


def derive_tech_group(tech_role, tech_new):
    """Return the figure 3 grouping for one innovator: new_tech, known_tech or non_tech.

    Technological innovations (tech_role solution or important) with tech_new == "new" are new_tech,
    all other technological ones known_tech (including "don't know"); every other innovator is non_tech.
    """
    if tech_role in TECH_ROLES:
        return "new_tech" if tech_new == "new" else "known_tech"
    return "non_tech"
