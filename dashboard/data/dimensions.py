"""The registry of dimensions: every way the dashboard selects respondents, each declared once.

A dimension is something the data say about each respondent (its sector, the role technology played in
its latest innovation, the values that innovation created, the round it answered in). Its declaration
holds all the rest of the code needs to know of it: the key of the link, the command line and the
control; the codebook variable naming it; its codes and the rows each code selects; single or multiple
choice and the default; whether choosing every code is the same as choosing none; whether a chosen code
restricts the rows a figure counts; the kind of control; and whether a figure can be broken down by it.
Parsing, masks, the cells' attributes, the differencing guard, the notes of what a figure does not
apply, links, the command line, the page, the callbacks, cache keys, summaries and exports iterate
`DIMENSIONS`; a new dimension is a new declaration here.

>>> [d.key for d in DIMENSIONS]
['sector', 'industry', 'size', 'tech_role', 'value', 'round']
>>> BY_KEY["tech_role"].flag, BY_KEY["tech_role"].control_id
('--tech-role', 'filter-tech-role')
>>> BY_KEY["value"].label("quality", "en"), BY_KEY["tech_role"].label("new_tech", "en")
('Higher quality', 'Innovations with new technology')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..catalogs import section
from . import codebook as cb
from . import technology


def _equals(column: str) -> Callable[[pd.DataFrame, str], np.ndarray]:
    """Return the selector of a dimension whose codes are the codes of one column."""
    return lambda attrs, code: (attrs[column] == code).to_numpy()


def _flag(prefix: str) -> Callable[[pd.DataFrame, str], np.ndarray]:
    """Return the selector of a dimension whose codes name true/false columns ('quality': value_quality)."""
    return lambda attrs, code: attrs[prefix + code].to_numpy(dtype=bool)


def _technology(attrs: pd.DataFrame, code: str) -> np.ndarray:
    """Return the rows whose technology atom the technology code selects (see `technology`)."""
    return np.isin(technology.atoms_of(attrs["tech_role"], attrs["tech_new"]), list(technology.chosen((code,))))


@dataclass(frozen=True)
class Dimension:
    """One way of selecting respondents (see the module).

    `key`: the URL query key, from which the command-line flag and the control's id derive; `variable`:
    the codebook variable it is named by; `codes`: its codes, in the order controls and files list them;
    `columns`: the data columns its codes read (the fine cells' attributes); `selector(attrs, code)`: the
    rows of a cell-attribute frame a code selects; `multiple`: several codes (rows with any of them) or
    exactly one; `default`: a single choice's code when none is given; `all_is_none`: choosing every code
    is the same as choosing none; `restricts`: a chosen code restricts the rows a figure counts (or,
    for a figure of its own groups, highlights them); `control`: "dropdown" or "radio"; `groups`: the
    control's headings, (text key, codes); `breakdown`: a figure can be broken down by it;
    `innovators_only`: its codes describe an innovation, so they select only workplaces that innovated;
    `within`: its codes nest in another dimension's: (that key, the codes found under each of its codes);
    `code_label`: the codebook's (variable, code) naming a code, when not the dimension's variable and the code.
    """

    key: str
    variable: str
    codes: tuple[str, ...]
    columns: tuple[str, ...]
    selector: Callable[[pd.DataFrame, str], np.ndarray]
    multiple: bool = True
    default: str | None = None
    all_is_none: bool = True
    restricts: bool = True
    control: Literal["dropdown", "radio"] = "dropdown"
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    breakdown: bool = False
    innovators_only: bool = False
    within: tuple[str, dict[str, tuple[str, ...]]] | None = None
    code_label: Callable[[str], tuple[str, str | None]] | None = None

    @property
    def flag(self) -> str:
        """Return the command-line flag ('--tech-role')."""
        return "--" + self.key.replace("_", "-")

    @property
    def control_id(self) -> str:
        """Return the id of the page's control ('filter-tech-role')."""
        return "filter-" + self.key.replace("_", "-")

    def name(self, lang: str = "da") -> str:
        """Return the dimension's one name (on its control, in subtitles, summaries, notices and files)."""
        return NAMES[self.key][lang]

    def label(self, code: str, lang: str = "da") -> str:
        """Return the label of one code (a round is its own label)."""
        if self.code_label is None:
            return cb.label(self.variable, code, lang)
        variable, named = self.code_label(code)
        return code if variable is None else cb.label(variable, named, lang)

    def selects(self, attrs: pd.DataFrame, code: str) -> np.ndarray:
        """Return the rows of a cell-attribute frame that one code selects, as a bool array."""
        return self.selector(attrs, code)

    def under(self, parents: tuple[str, ...]) -> tuple[str, ...]:
        """Return the codes found under the chosen codes of the dimension it nests in (none chosen: every code).

        >>> BY_KEY["industry"].under(("state",))
        ('admin', 'education', 'other')
        """
        if self.within is None or not parents:
            return self.codes
        found = {c for p in parents for c in self.within[1].get(p, ())}
        return tuple(c for c in self.codes if c in found)

    def empty(self) -> tuple[str, ...] | str:
        """Return the choice of no code: () for a multiple choice, the default for a single one."""
        return () if self.multiple else self.default


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("sector", "sector", cb.SECTORS, ("sector",), _equals("sector"), breakdown=True),
    Dimension("industry", "industry", cb.INDUSTRIES, ("industry",), _equals("industry"), breakdown=True,
              within=("sector", cb.SECTOR_INDUSTRIES)),
    Dimension("size", "size", cb.SIZES, ("size",), _equals("size"), breakdown=True),
    Dimension("tech_role", "tech_role", cb.TECH_ROLE_CODES + cb.TECH_GROUP_CODES, ("tech_role", "tech_new"),
              _technology, innovators_only=True, breakdown=True,
              all_is_none=False,  # every answer chosen still leaves out the workplaces without innovation
              groups=(("group_tech_role", cb.TECH_ROLE_CODES), ("group_tech_group", cb.TECH_GROUP_CODES)),
              code_label=lambda c: ("tech_role" if c in cb.TECH_ROLE_CODES else "tech_group", c)),
    Dimension("value", "value_quality", tuple(v.removeprefix("value_") for v in cb.VALUES), cb.VALUE_COLUMNS,
              _flag("value_"), innovators_only=True, code_label=lambda c: ("value_" + c, None)),
    Dimension("round", "round", cb.ROUNDS, ("round",), _equals("round"), multiple=False, default=cb.CURRENT_ROUND,
              all_is_none=False, control="radio", breakdown=True, code_label=lambda c: (None, c)),
)
BY_KEY: dict[str, Dimension] = {d.key: d for d in DIMENSIONS}
KEYS: tuple[str, ...] = tuple(BY_KEY)
BY_KEYS: tuple[str, ...] = tuple(d.key for d in DIMENSIONS if d.breakdown)  # what a figure can be broken down by

NAMES = section("dimension")  # each dimension's one name, {key: {lang: name}}
