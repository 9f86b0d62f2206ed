"""The dashboard's filter state as a frozen value over the registry of dimensions, parsed from URLs,
callbacks and the command line.

>>> f = parse_filter(sector="state,region", round="2015-2016")
>>> f.sector, f.round, f.query()
(('state', 'region'), '2015-2016', {'sector': 'state,region', 'round': '2015-2016'})
>>> f == Filter(sector=("state", "region"), round="2015-2016"), f.replace(sector=()) == Filter(round="2015-2016")
(True, True)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalogs import LANGS
from .dimensions import BY_KEY, DIMENSIONS, KEYS, Dimension

FILTER_KEYS = KEYS
ALLOWED = {d.key: d.codes for d in DIMENSIONS}
TECH_FILTER_CODES = BY_KEY["tech_role"].codes
VALUE_CODES = BY_KEY["value"].codes
MAX_CODES = 16  # longer lists are refused as malformed input


class FilterError(ValueError):
    """A filter value that is not one of the allowed codes; the message lists what is allowed."""


class Filter:
    """The codes chosen in each dimension of the registry: a tuple of codes for a multiple choice (empty:
    all), one code for a single choice; hashable, equal when the choices are.

    Each dimension's choice reads as an attribute (``filt.sector``); ``Filter(sector=("state",))`` chooses,
    and the dimensions not named keep their empty choice.
    """

    __slots__ = ("chosen",)

    def __init__(self, **chosen):
        unknown = [k for k in chosen if k not in BY_KEY]
        if unknown:
            raise TypeError(f"Filter: unknown dimension {unknown[0]!r}; the dimensions are {', '.join(KEYS)}")
        choice = tuple(_stored(d, chosen[d.key]) if d.key in chosen else d.empty() for d in DIMENSIONS)
        object.__setattr__(self, "chosen", choice)

    def __getattr__(self, key: str):
        index = _INDEX.get(key)
        if index is None:
            raise AttributeError(key)
        return self.chosen[index]

    def __setattr__(self, key, value):
        raise AttributeError("a Filter is frozen; use replace()")

    def __eq__(self, other) -> bool:
        return isinstance(other, Filter) and other.chosen == self.chosen

    def __hash__(self) -> int:
        return hash(self.chosen)

    def __reduce__(self):
        return (_of_choice, (self.chosen,))

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.items() if v != BY_KEY[k].empty())
        return f"Filter({shown})"

    def items(self) -> list[tuple[str, tuple[str, ...] | str]]:
        """Return (key, choice) of every dimension, in the registry's order."""
        return list(zip(KEYS, self.chosen, strict=True))

    def replace(self, **changes) -> Filter:
        """Return this filter with the choices of the dimensions named changed."""
        return Filter(**{**dict(self.items()), **changes})

    def codes(self, key: str) -> tuple[str, ...]:
        """Return the codes chosen in one dimension, a single choice as a one-code tuple."""
        value = getattr(self, key)
        return value if isinstance(value, tuple) else (value,)

    def active(self) -> dict[str, tuple[str, ...]]:
        """Return the choices that restrict something, by key: a multiple choice with codes, a single choice
        other than its default."""
        return {k: self.codes(k) for k, v in self.items() if v and v != BY_KEY[k].empty()}

    def query(self) -> dict[str, str]:
        """Return URL query parameters (comma-separated codes) for the non-default filters."""
        return {k: ",".join(v) for k, v in self.active().items()}

    def describe(self, lang: str = "da", keys=FILTER_KEYS) -> list[str]:
        """Return readable 'Filter: value, value' phrases for the active filters among `keys`."""
        return [f"{BY_KEY[k].name(lang)}: {', '.join(BY_KEY[k].label(c, lang) for c in codes)}"
                for k, codes in self.active().items() if k in keys]

    def mask(self, attrs: pd.DataFrame, keys=FILTER_KEYS) -> pd.Series:
        """Return the rows of a cell-attribute frame that pass the filters named in `keys`."""
        return pd.Series(CellMasks(attrs).mask(self, keys), index=attrs.index)


_INDEX = {k: i for i, k in enumerate(KEYS)}


def _stored(dim: Dimension, value):
    """Return a choice as a Filter holds it: a tuple of codes, or one code."""
    if dim.multiple:
        return tuple(value)
    return value


def _of_choice(chosen: tuple) -> Filter:
    """Return the Filter of a tuple of choices in the registry's order (unpickling)."""
    return Filter(**dict(zip(KEYS, chosen, strict=True)))


class CellMasks:
    """Which rows of a cell-attribute frame each code of each dimension selects, as boolean arrays computed
    once; a filter's mask is then a few array operations."""

    def __init__(self, attrs: pd.DataFrame):
        self.size = len(attrs)
        self._kept: dict[tuple, np.ndarray] = {}
        self.codes: dict[tuple[str, str], np.ndarray] = {
            (d.key, c): np.asarray(d.selects(attrs, c), dtype=bool) for d in DIMENSIONS for c in d.codes}

    KEPT = 4096  # masks kept: a filter state's figures and their wider selections ask for the same ones

    def mask(self, filt: Filter, keys=FILTER_KEYS) -> np.ndarray:
        """Return the rows that pass the filters of `filt` named in `keys` (read-only: it may be kept and
        handed out again)."""
        key = tuple(choice if k in keys else None for k, choice in filt.items())
        found = self._kept.get(key)
        if found is not None:
            return found
        m = np.ones(self.size, dtype=bool)
        for k, choice in filt.items():
            if k in keys and choice:
                m &= np.logical_or.reduce([self.codes[(k, c)] for c in filt.codes(k)])
        m.flags.writeable = False
        if len(self._kept) >= self.KEPT:
            self._kept.clear()
        self._kept[key] = m
        return m


FILTER_LABELS = {d.key: {lang: d.name(lang) for lang in LANGS} for d in DIMENSIONS}


def code_label(key: str, code: str, lang: str = "da") -> str:
    """Return the label of one filter code."""
    return BY_KEY[key].label(code, lang)


def match_code(key: str, given: str) -> str | None:
    """Return the code of filter `key` that `given` names: the code itself in any case, or its label in either
    language (any case); None when it names none.

    >>> match_code("sector", "Region"), match_code("sector", "kommune"), match_code("sector", "county")
    ('region', 'municipality', None)
    """
    wanted = given.strip().casefold()
    dim = BY_KEY[key]
    for code in dim.codes:
        if wanted == code.casefold() or wanted in {dim.label(code, lang).casefold() for lang in LANGS}:
            return code
    return None


def _codes(key: str, raw) -> tuple[str, ...]:
    """Return the codes of one filter from a list or comma-separated text, or raise FilterError."""
    if raw is None or raw == "" or raw == []:
        return ()
    if isinstance(raw, str):
        items = [p.strip() for p in raw.split(",") if p.strip()]
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    else:
        raise FilterError(f"{key}: expected a list of codes, got {type(raw).__name__}")
    if len(items) > MAX_CODES:
        raise FilterError(f"{key}: {len(items)} values given, at most {MAX_CODES} allowed")
    dim = BY_KEY[key]
    bad = [str(i) for i in items if not isinstance(i, str) or i not in dim.codes]
    if bad:
        raise FilterError(f"{key}: unknown value {', '.join(repr(b[:40]) for b in bad[:3])}; "
                          f"allowed: {', '.join(dim.codes)}")
    if dim.all_is_none and set(items) == set(dim.codes):
        return ()  # every code selected is the same as no filter
    order = {c: i for i, c in enumerate(dim.codes)}
    return tuple(sorted(set(items), key=order.get))


def outside(raw: dict) -> tuple[dict, dict[str, tuple[str, ...]]]:
    """Return the raw values with the codes of a nested dimension that are not found under the chosen codes of
    the dimension it nests in taken out, and those codes by key (values that do not parse are left as they are:
    parsing reports them).

    >>> outside({"sector": "state", "industry": "daycare,admin"})
    ({'sector': 'state', 'industry': ('admin',)}, {'industry': ('daycare',)})
    """
    kept, out = dict(raw), {}
    for dim in DIMENSIONS:
        if dim.within is None or dim.key not in raw:
            continue
        try:
            codes, parents = _codes(dim.key, raw[dim.key]), _codes(dim.within[0], raw.get(dim.within[0]))
        except FilterError:
            continue
        found = dim.under(parents)
        if any(c not in found for c in codes):
            kept[dim.key] = tuple(c for c in codes if c in found)
            out[dim.key] = tuple(c for c in codes if c not in found)
    return kept, out


def parse_filter(**raw) -> Filter:
    """Return a Filter from raw values by key (lists or comma-separated codes); raise FilterError if bad, or if a
    nested dimension's code is not found under the chosen codes of the dimension it nests in."""
    unknown = [k for k in raw if k not in BY_KEY]
    if unknown:
        raise FilterError(f"{unknown[0][:40]}: not a filter; the filters are {', '.join(KEYS)}")
    _, out = outside(raw)
    for key, codes in out.items():
        dim = BY_KEY[key]
        parents = _codes(dim.within[0], raw.get(dim.within[0]))
        raise FilterError(f"{key}: {', '.join(codes)} not found in {dim.within[0]} {','.join(parents)}; "
                          f"found there: {', '.join(dim.under(parents))}")
    chosen = {}
    for key, value in raw.items():
        dim, codes = BY_KEY[key], _codes(key, value)
        if dim.multiple:
            chosen[key] = codes
        elif len(codes) > 1:
            raise FilterError(f"{key}: choose one of {', '.join(dim.codes)}")
        elif codes:
            chosen[key] = codes[0]
    return Filter(**chosen)


def parse_lenient(params: dict) -> tuple[Filter, list[str]]:
    """Return a Filter from untrusted parameters, dropping bad ones (and nested codes outside their parents'),
    and the problems found."""
    kept, problems = {}, []
    for key in FILTER_KEYS:
        try:
            parse_filter(**{key: params.get(key)})
            kept[key] = params.get(key)
        except FilterError as exc:
            problems.append(str(exc))
    kept, out = outside(kept)
    problems += [f"{key}: {', '.join(codes)} not found in the chosen {BY_KEY[key].within[0]}" for key, codes in out.items()]
    return parse_filter(**kept), problems
