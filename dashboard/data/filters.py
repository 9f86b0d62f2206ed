"""The dashboard's filter state as a frozen value, parsed from URLs, callbacks and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import technology
from .codebook import (
    CURRENT_ROUND,
    ROUNDS,
    SECTORS,
    TECH_GROUP_CODES,
    TECH_ROLE_CODES,
    VALUES,
    label,
)

TECH_FILTER_CODES = TECH_ROLE_CODES + TECH_GROUP_CODES
VALUE_CODES = tuple(name.removeprefix("value_") for name in VALUES)
FILTER_KEYS = ("sector", "tech_role", "value", "round")
MAX_CODES = 16  # longer lists are refused as malformed input


class FilterError(ValueError):
    """A filter value that is not one of the allowed codes; the message lists what is allowed."""


@dataclass(frozen=True)
class Filter:
    """Selected sectors, technology roles or groups, and values (empty = all), and the round."""

    sector: tuple[str, ...] = ()
    tech_role: tuple[str, ...] = ()
    value: tuple[str, ...] = ()
    round: str = CURRENT_ROUND

    def active(self) -> dict[str, tuple[str, ...]]:
        """Return the filters that restrict something, by key."""
        out = {k: getattr(self, k) for k in ("sector", "tech_role", "value") if getattr(self, k)}
        if self.round != CURRENT_ROUND:
            out["round"] = (self.round,)
        return out

    def query(self) -> dict[str, str]:
        """Return URL query parameters (comma-separated codes) for the non-default filters."""
        return {k: ",".join(v) for k, v in self.active().items()}

    def describe(self, lang: str = "da", keys=FILTER_KEYS) -> list[str]:
        """Return readable 'Filter: value, value' phrases for the active filters among `keys`."""
        out = []
        for key, codes in self.active().items():
            if key in keys:
                out.append(f"{FILTER_LABELS[key][lang]}: {', '.join(code_label(key, c, lang) for c in codes)}")
        return out

    def mask(self, attrs: pd.DataFrame, keys=FILTER_KEYS) -> pd.Series:
        """Return the rows of a cell-attribute frame that pass the filters named in `keys`."""
        return pd.Series(CellMasks(attrs).mask(self, keys), index=attrs.index)


class CellMasks:
    """Which rows of a cell-attribute frame each filter code selects, as boolean arrays computed once; a
    filter's mask is then a few array operations (the semantics of every filter live here)."""

    def __init__(self, attrs: pd.DataFrame):
        self.size = len(attrs)
        self._kept: dict[tuple, np.ndarray] = {}
        self.codes: dict[tuple[str, str], np.ndarray] = {}
        for r in ROUNDS:
            self.codes[("round", r)] = (attrs["round"] == r).to_numpy()
        for s in SECTORS:
            self.codes[("sector", s)] = (attrs["sector"] == s).to_numpy()
        atoms = technology.atoms_of(attrs["tech_role"], attrs["tech_new"])
        for c in TECH_FILTER_CODES:  # an answer of figure 1 or a group of figure 3
            self.codes[("tech_role", c)] = np.isin(atoms, list(technology.chosen((c,))))
        for v in VALUE_CODES:
            self.codes[("value", v)] = attrs["value_" + v].to_numpy(dtype=bool)

    KEPT = 4096  # masks kept: a filter state's figures and their wider selections ask for the same ones

    def mask(self, filt: Filter, keys=FILTER_KEYS) -> np.ndarray:
        """Return the rows that pass the filters of `filt` named in `keys` (read-only: it may be kept and
        handed out again)."""
        key = (filt.round if "round" in keys else None,
               *(getattr(filt, k) if k in keys else None for k in ("sector", "tech_role", "value")))
        found = self._kept.get(key)
        if found is not None:
            return found
        m = np.ones(self.size, dtype=bool)
        if "round" in keys:
            m &= self.codes[("round", filt.round)]
        for name in ("sector", "tech_role", "value"):
            chosen = getattr(filt, name)
            if name in keys and chosen:
                m &= np.logical_or.reduce([self.codes[(name, c)] for c in chosen])
        m.flags.writeable = False
        if len(self._kept) >= self.KEPT:
            self._kept.clear()
        self._kept[key] = m
        return m


FILTER_LABELS = {  # each filter's one name: on its control, in subtitles, summaries, notices and files
    "sector": {"da": "Sektor", "en": "Sector"},
    "tech_role": {"da": "Teknologi", "en": "Technology"},
    "value": {"da": "Værdi", "en": "Value"},
    "round": {"da": "Runde", "en": "Round"},
}
ALLOWED = {"sector": SECTORS, "tech_role": TECH_FILTER_CODES, "value": VALUE_CODES, "round": ROUNDS}


def code_label(key: str, code: str, lang: str = "da") -> str:
    """Return the label of one filter code."""
    if key == "sector":
        return label("sector", code, lang)
    if key == "tech_role":
        return label("tech_role" if code in TECH_ROLE_CODES else "tech_group", code, lang)
    if key == "value":
        return label("value_" + code, lang=lang)
    return code


def match_code(key: str, given: str) -> str | None:
    """Return the code of filter `key` that `given` names: the code itself in any case, or its label in either
    language (any case); None when it names none.

    >>> match_code("sector", "Region"), match_code("sector", "kommune"), match_code("sector", "county")
    ('region', 'municipality', None)
    """
    wanted = given.strip().casefold()
    for code in ALLOWED[key]:
        if wanted == code.casefold() or wanted in {code_label(key, code, lang).casefold() for lang in ("da", "en")}:
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
    allowed = ALLOWED[key]
    bad = [str(i) for i in items if not isinstance(i, str) or i not in allowed]
    if bad:
        raise FilterError(f"{key}: unknown value {', '.join(repr(b[:40]) for b in bad[:3])}; "
                          f"allowed: {', '.join(allowed)}")
    if key in ("sector", "value") and set(items) == set(allowed):
        return ()  # every code selected is the same as no filter
    order = {c: i for i, c in enumerate(allowed)}
    return tuple(sorted(set(items), key=order.get))


def parse_filter(sector=None, tech_role=None, value=None, round=None) -> Filter:
    """Return a Filter from raw values (lists or comma-separated codes); raise FilterError if bad."""
    rnd = _codes("round", round)
    if len(rnd) > 1:
        raise FilterError(f"round: choose one of {', '.join(ROUNDS)}")
    return Filter(_codes("sector", sector), _codes("tech_role", tech_role), _codes("value", value),
                  rnd[0] if rnd else CURRENT_ROUND)


def parse_lenient(params: dict) -> tuple[Filter, list[str]]:
    """Return a Filter from untrusted parameters, dropping bad ones, and the problems found."""
    kept, problems = {}, []
    for key in FILTER_KEYS:
        try:
            parse_filter(**{key: params.get(key)})
            kept[key] = params.get(key)
        except FilterError as exc:
            problems.append(str(exc))
    return parse_filter(**kept), problems

