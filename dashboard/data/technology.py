"""What each technology code selects, in one encoding: sets of atoms.

An innovation's technology is one atom: the role technology played (`tech_role`) and, for a
technological innovation (the technology is the solution itself or an important part of it),
whether the technology was new to the workplace (`tech_new`; "don't know" and no answer count
apart). Every technology code of the dashboard selects a set of atoms: an answer of figure 1
(`tech_role`), a group of figure 3 (`tech_group`), the two-way split of figures 4 and 8
(`tech_split`) and new or known technology (`tech_new`, figure 2's series). The technology filter,
a figure's series and its categories are compared through these sets.

>>> sorted(selects("tech_role", "new_tech"))
['important.new', 'solution.new']
>>> selects("tech_split", "tech") == selects("tech_role", "solution") | selects("tech_role", "important")
True
"""

from __future__ import annotations

import numpy as np

from .codebook import TECH_GROUP_CODES, TECH_ROLE_CODES, TECH_ROLES

NEWNESS = ("new", "known", "dont_know")  # tech_new, with no answer counted as "don't know"
NON_TECH_ROLES = tuple(c for c in TECH_ROLE_CODES if c not in TECH_ROLES)
TECH_ATOMS = frozenset(f"{role}.{new}" for role in TECH_ROLES for new in NEWNESS)
NON_TECH_ATOMS = frozenset(NON_TECH_ROLES)
INNOVATOR_ATOMS = TECH_ATOMS | NON_TECH_ATOMS
VARIABLES = ("tech_role", "tech_group", "tech_split", "tech_new")  # the variables whose codes select atoms


def _atoms(role: str | None = None, new: str | None = None) -> frozenset[str]:
    roles = TECH_ROLES if role is None else (role,)
    news = NEWNESS if new is None else (new,)
    return frozenset(f"{r}.{n}" for r in roles for n in news)


_SELECTS: dict[tuple[str, str], frozenset[str]] = {
    **{("tech_role", r): _atoms(role=r) for r in TECH_ROLES},
    **{("tech_role", r): frozenset({r}) for r in NON_TECH_ROLES},
    ("tech_group", "new_tech"): _atoms(new="new"),
    ("tech_group", "known_tech"): _atoms(new="known") | _atoms(new="dont_know"),
    ("tech_group", "non_tech"): NON_TECH_ATOMS,
    ("tech_split", "tech"): TECH_ATOMS,
    ("tech_split", "non_tech"): NON_TECH_ATOMS,
    **{("tech_new", n): _atoms(new=n) for n in NEWNESS},
}


def selects(variable: str, code: str) -> frozenset[str]:
    """Return the atoms a code of a technology variable selects; a code of the technology filter is a
    `tech_role` answer or a `tech_group` group, and is found under either name.

    >>> sorted(selects("tech_role", "non_tech"))
    ['dont_know', 'minor', 'none']
    """
    if variable in ("tech_role", "tech_group") and code in TECH_GROUP_CODES:
        return _SELECTS[("tech_group", code)]
    return _SELECTS[(variable, code)]


def chosen(codes) -> frozenset[str]:
    """Return the atoms the technology filter's `codes` select together (empty: none chosen)."""
    return frozenset().union(*(selects("tech_role", c) for c in codes))


def atom_of(tech_role, tech_new) -> str:
    """Return the atom of one answer pair ('' when technology's role was not asked or not answered).

    >>> atom_of("important", "new"), atom_of("solution", ""), atom_of("none", "")
    ('important.new', 'solution.dont_know', 'none')
    """
    if tech_role in TECH_ROLES:
        return f"{tech_role}.{tech_new if tech_new in NEWNESS else 'dont_know'}"
    return tech_role if tech_role in NON_TECH_ROLES else ""


def atoms_of(tech_role, tech_new) -> np.ndarray:
    """Return the atom of each (tech_role, tech_new) pair of two aligned sequences, as an object array."""
    return np.array([atom_of(r, n) for r, n in zip(tech_role, tech_new, strict=True)], dtype=object)
