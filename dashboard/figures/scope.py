"""How a filter state applies to one figure: which filters restrict its rows, which highlight its bars,
which it does not apply, the round its numbers are for and which of its groups it shows.

A figure broken down by technology (its series or its categories are technology groups) highlights the
groups the technology filter chooses, but only when the chosen codes are exactly a union of its groups:
then the highlighted bars are for the chosen innovations and no others. A choice finer than the figure's
groups (new technology in a figure of technological and non-technological innovations, or one answer
of figure 1 in figure 3's groups) restricts the figure's rows instead, as the filter does in every other
figure, and the groups it leaves empty are not shown. A highlight never claims a group its bars are
not for.

A figure shows the chosen round when the data hold answers to its questions in that round; otherwise it
shows the current round and says so (`round_missing`).

>>> from dashboard.figures.specs import BY_ID
>>> s = scope(BY_ID["fig8"], Filter(tech_role=("new_tech",)))
>>> s.restrict, s.highlight, s.series
(('tech_role',), (), ('tech',))
>>> scope(BY_ID["fig9"], Filter(tech_role=("new_tech",))).highlight
('tech_role',)
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data import codebook as cb
from ..data import technology
from ..data.dimensions import BY_KEY
from ..data.filters import FILTER_KEYS, Filter
from .specs import FigureSpec

SERIES_CODES = {  # the series of each kind of breakdown, in the order the figures show them
    "tech_split": tuple(cb.TECH_SPLIT_CODES),
    "tech_group": tuple(cb.TECH_GROUP_CODES),
    "sector": tuple(cb.SECTORS),
    "round": tuple(reversed(cb.ROUNDS)),
    "tech_new": ("new", "known"),
}
UNIVERSE = {"all": technology.INNOVATOR_ATOMS, "innovators": technology.INNOVATOR_ATOMS,
            "tech_innovators": technology.TECH_ATOMS}


@dataclass(frozen=True)
class Scope:
    """A filter state as one figure applies it.

    `restrict`: the filter keys that restrict the figure's rows; `highlight`: those that highlight its
    bars; `ignored`: the active keys it does not apply; `round`: the round its numbers are for (the trend
    figure shows both); `round_missing`: the chosen round has no answers to the figure's questions, so it
    shows `round`; `series` and `categories`: the codes of the groups shown (None: all of them);
    `marks`: per highlighting key, the axis ("series" or "category") and the codes it highlights.
    """

    filt: Filter
    restrict: tuple[str, ...]
    highlight: tuple[str, ...]
    ignored: tuple[str, ...]
    round: str
    round_missing: bool = False
    series: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    marks: tuple[tuple[str, frozenset[str]], ...] = ()

    def highlighted(self, series: str, category: str) -> bool:
        """Return True for a bar every highlighting filter chooses (none highlight: False).

        >>> from dashboard.figures.specs import BY_ID
        >>> s = scope(BY_ID["dst-values-sector"], Filter(sector=("state",), value=("quality",)))
        >>> s.highlighted("state", "value_quality"), s.highlighted("region", "value_quality")
        (True, False)
        """
        if not self.marks:
            return False
        return all((series if axis == "series" else category) in codes for axis, codes in self.marks)

    def shows(self, series: str, category: str) -> bool:
        """Return True for a bar of a group the figure shows in this state."""
        return ((self.series is None or series == "all" or series in self.series)
                and (self.categories is None or category in self.categories))


def _technology_groups(spec: FigureSpec) -> tuple[str, dict[str, frozenset[str]]] | None:
    """Return the axis ("series" or "category") and the atoms of each group of a figure broken down by
    technology, or None for a figure that is not."""
    if spec.series in technology.VARIABLES:
        return "series", {c: technology.selects(spec.series, c) for c in SERIES_CODES[spec.series]}
    variables = {c.variable for c in spec.categories}
    if len(variables) == 1 and next(iter(variables)) in technology.VARIABLES:
        return "category", {c.code: technology.selects(c.variable, c.codes[0]) for c in spec.categories}
    return None


def _technology(spec: FigureSpec, filt: Filter) -> tuple[bool, str, frozenset[str], tuple[str, ...]] | None:
    """Return how the technology filter meets a figure broken down by technology: (exact, axis, the groups it
    highlights, the groups shown), or None when the filter is empty or the figure has no technology groups."""
    found = _technology_groups(spec)
    if found is None or not filt.tech_role:
        return None
    axis, groups = found
    chosen = technology.chosen(filt.tech_role) & UNIVERSE[spec.base]
    inside = [g for g, atoms in groups.items() if atoms <= chosen]
    exact = bool(chosen) and all(atoms <= chosen or atoms.isdisjoint(chosen) for atoms in groups.values()) \
        and frozenset().union(*(groups[g] for g in inside)) == chosen
    if exact:
        return True, axis, frozenset(inside), tuple(groups)
    shown = tuple(g for g, atoms in groups.items() if not atoms.isdisjoint(chosen)) or tuple(groups)
    return False, axis, frozenset(), shown


def _marks(spec: FigureSpec, key: str, filt: Filter) -> tuple[str, frozenset[str]]:
    """Return the axis and codes a highlighting filter other than technology marks."""
    if key == "value":
        return "category", frozenset("value_" + v for v in filt.value)
    codes = frozenset(getattr(filt, key)) if key != "round" else frozenset({filt.round})
    return ("series" if spec.series == key else "category"), codes


def scope(spec: FigureSpec, filt: Filter = Filter(), rounds: tuple[str, ...] | None = None) -> Scope:
    """Return how `filt` applies to the figure `spec`; `rounds` are the rounds whose data answer the
    figure's questions (None: the rounds the codebook asks all its questions in)."""
    if rounds is None:
        rounds = declared_rounds(spec)
    active = filt.active()
    restrict = [k for k in active if k != "round" and BY_KEY[k].restricts and k not in spec.ignores
                and k not in spec.highlight]
    highlight = [k for k in spec.highlight if k in active and k != "round"]
    marks, series, categories = [], None, None
    tech = _technology(spec, filt) if "tech_role" in spec.highlight else None
    if tech is not None:
        exact, axis, inside, shown = tech
        if exact:
            marks.append((axis, inside))
        else:
            highlight.remove("tech_role")
            restrict.append("tech_role")
            series, categories = (shown, None) if axis == "series" else (None, shown)
    marks += [_marks(spec, k, filt) for k in highlight if k != "tech_role"]
    shown_round, missing = cb.CURRENT_ROUND, False
    if spec.series == "round":
        if "round" in active and "round" in spec.highlight:
            highlight.append("round")
            marks.append(_marks(spec, "round", filt))
    elif filt.round in rounds:
        shown_round = filt.round
        if "round" in active:
            restrict.append("round")
    else:
        missing = "round" in active
    applied = set(restrict) | set(highlight)
    ignored = tuple(k for k in FILTER_KEYS if k in active and k not in applied)
    return Scope(filt, tuple(restrict), tuple(highlight), ignored, shown_round, missing, series, categories,
                 tuple(marks))


def variables(spec: FigureSpec) -> tuple[str, ...]:
    """Return the variables a figure's categories are computed from (those of its `within` included).

    >>> from dashboard.figures.specs import BY_ID
    >>> variables(BY_ID["fig5"])
    ('citizens_initiated', 'citizens_promoted', 'citizens_collaborated')
    """
    names = []
    for cat in spec.categories:
        names += cat.variable.split("|")
        names += [column for column, _ in cat.within]
    return tuple(dict.fromkeys(names))


def declared_rounds(spec: FigureSpec) -> tuple[str, ...]:
    """Return the rounds in which the codebook asks every question of a figure.

    >>> from dashboard.figures.specs import BY_ID
    >>> declared_rounds(BY_ID["dst-sector-trend"]), declared_rounds(BY_ID["fig4"])
    (('2018-2019', '2015-2016'), ('2018-2019',))
    """
    if not spec.categories:
        return ()
    return tuple(r for r in cb.ROUNDS if all(r in cb.BY_NAME[v].rounds for v in variables(spec)))


def scope_of(spec: FigureSpec, filt: Filter | Scope) -> Scope:
    """Return `filt` if it is already a figure's Scope, else how the Filter `filt` applies to `spec` (by the
    rounds the codebook declares; `FigureData.scope` knows the rounds of the data)."""
    return filt if isinstance(filt, Scope) else scope(spec, filt)
