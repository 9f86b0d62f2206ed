"""Validate a raw frame against the data contract of `codebook.VARIABLES`.

`validate` returns every violation: missing, repeated or unknown columns, invalid or missing
values, ids that are not plain identifiers (`ID_RULE`), duplicate ids, industry outside its
sector, a stratum that is not sector.industry.size, answers where the question was not asked
(round and routing), tech_group not derived from tech_role and tech_new, and summary columns
contradicting their members. The checks are vectorised; only reported violations are formatted,
at most `MAX_PER_RULE` per rule and column.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.data import codebook as cb
from dashboard.data.errors import MAX_PER_RULE, Violation, printable
from dashboard.data.parse import Column, parse_all
from dashboard.data.read import ROW_INDEX

__all__ = ["CORE_COLUMNS", "FORMULA_START", "ID_MAX_CHARS", "ID_RULE", "IMPLIED_TRUE", "ROUTING_COLUMNS", "check",
           "validate"]

# Columns every row must fill, whatever its routing.
CORE_COLUMNS = ("id", "round", "sector", "industry", "size", "stratum", "weight", "innovated")
# Columns that must be filled wherever they are asked, because later questions are routed by them.
ROUTING_COLUMNS = ("tech_role",)
# Consistency: a true member implies a true summary column.
IMPLIED_TRUE = (("collab_any", cb.PARTNER_COLUMNS), ("spread_any", tuple(cb.SPREAD)))
# A text cell starting with one of these is read as a formula by spreadsheets (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ID_MAX_CHARS = 64
ID_RULE = (f"an id is 1 to {ID_MAX_CHARS} printable characters (no line breaks, tabs, NUL bytes or other control "
           "characters) and does not begin with =, +, - or @, which a spreadsheet reads as a formula")


class _Collector:
    """Collect violations: at most `MAX_PER_RULE` per call, the rest counted in one summary entry."""

    def __init__(self, path: str, rows: np.ndarray, columns: dict[str, Column]):
        self.path, self.rows, self.columns = path, rows, columns
        self.items: list[Violation] = []

    def file(self, message: str, column: str | None = None, row: int | None = None) -> None:
        """Record one violation of the whole file, a column or a row; return None."""
        self.items.append(Violation(self.path, row, column, None, message))

    def cells(self, mask: np.ndarray, column: str, message: str | Callable[[int], str],
              value: Callable[[int], str | None] | None = None) -> None:
        """Record a violation per row position where `mask` is true (capped, the rest summarised); return None."""
        where = np.flatnonzero(mask)
        if not len(where):
            return
        say = message if callable(message) else (lambda i: message)
        show = value or self.columns[column].cell
        for i in where[:MAX_PER_RULE]:
            self.items.append(Violation(self.path, int(self.rows[i]), column, show(i), say(i)))
        if len(where) > MAX_PER_RULE:
            extra = len(where) - MAX_PER_RULE
            self.items.append(Violation(self.path, None, column, None,
                                        f"{extra} more rows with the same kind of problem: {say(where[MAX_PER_RULE])}",
                                        count=extra))

    def sorted(self) -> list[Violation]:
        """Return the violations: file-wide first, then by row and codebook column, summaries last."""
        order = {c: k for k, c in enumerate(cb.COLUMNS)}

        def key(v: Violation):
            group = 0 if v.row is None and v.count == 1 else 2 if v.count > 1 else 1
            return group, v.row or 0, order.get(v.column, len(order))

        return sorted(self.items, key=key)


def _row_numbers(df: pd.DataFrame) -> np.ndarray:
    """Return the row numbers to report: the `ROW_INDEX` index if present, else 1-based positions."""
    if df.index.name == ROW_INDEX and pd.api.types.is_integer_dtype(df.index.dtype):
        return df.index.to_numpy()
    return np.arange(1, len(df) + 1)


def validate(df: pd.DataFrame, path: str | Path = "<data>") -> list[Violation]:
    """Return every violation of the data contract in `df` (empty list when valid).

    `df` is a raw frame from `read_table` (row numbers from its index) or any frame holding the
    codebook's columns (row numbers are then 1-based positions).
    """
    return check(df, str(path))[0]


def check(df: pd.DataFrame, path: str) -> tuple[list[Violation], dict[str, Column]]:
    """Return the sorted violations in `df` and its parsed columns (reused to type a valid frame)."""
    columns = parse_all(df)
    out = _Collector(path, _row_numbers(df), columns)
    _check_columns(df, out)
    if len(df) == 0:
        out.file("no data rows: the file has a header but no data")
        return out.sorted(), columns
    _check_values(columns, out)
    _check_ids(columns, out)
    _check_identity(columns, out)
    _check_routing(columns, out)
    _check_tech_group(columns, out)
    _check_implied(columns, out)
    _check_population(columns, out)
    return out.sorted(), columns


def _check_columns(df: pd.DataFrame, out: _Collector) -> None:
    """Record repeated, missing and unknown columns (with a suggested name); return None."""
    counts = Counter(str(c) for c in df.columns)
    missing = [c for c in cb.REQUIRED_COLUMNS if c not in counts]
    unknown = [c for c in counts if c not in cb.COLUMNS]
    for col, k in counts.items():
        if k > 1:
            out.file(f"column appears {k} times; each column must appear once", column=col)
    for col in missing:
        out.file("required column is missing", column=col)
    for col in unknown:
        close = (difflib.get_close_matches(col.strip().lower(), missing, n=1, cutoff=0.6)
                 or difflib.get_close_matches(col.strip().lower(), cb.COLUMNS, n=1, cutoff=0.6))
        hint = f"did you mean '{close[0]}'?" if close else "remove it or rename it to one of the expected columns"
        out.file(f"unknown column '{printable(col)}'; {hint}", column=col)
    if missing or unknown:
        optional = [c for c in cb.COLUMNS if c not in cb.REQUIRED_COLUMNS]
        out.file("expected columns (in any order): " + ", ".join(cb.REQUIRED_COLUMNS)
                 + (f"; optional: {', '.join(optional)}" if optional else ""))


def _check_values(columns: dict[str, Column], out: _Collector) -> None:
    """Record invalid cells, and empty cells in the core columns; return None."""
    for name, col in columns.items():
        out.cells(col.bad, name, col.problem)
    for name in CORE_COLUMNS:
        if name in columns:
            allowed = {"id": "a unique identifier", "stratum": "sector.industry.size",
                       "weight": "a number > 0", "innovated": "true or false"}.get(name)
            if allowed is None:
                allowed = "one of " + ", ".join(cb.BY_NAME[name].codes)
            out.cells(columns[name].empty, name, f"{name} is empty; every row needs it ({allowed})")


def _check_ids(columns: dict[str, Column], out: _Collector) -> None:
    """Record ids that break `ID_RULE`: too long, holding control characters, or starting like a formula."""
    if "id" not in columns:
        return
    col = columns["id"]
    texts = col.texts
    long = np.asarray(texts.str.len() > ID_MAX_CHARS, dtype=bool)
    control = ~np.fromiter((t.isprintable() for t in texts), dtype=bool, count=len(texts))
    formula = np.asarray(texts.str.startswith(FORMULA_START[:4]), dtype=bool)
    problem = np.select([long, control, formula], [1, 2, 3], 0)
    per_row = np.append(problem, 0)[col.value]  # an empty id (index -1) is reported as empty elsewhere
    if not per_row.any():
        return

    def message(i: int) -> str:
        text = texts[col.value[i]]
        if per_row[i] == 1:
            return f"the id is {len(text):,} characters long; {ID_RULE}"
        if per_row[i] == 2:
            char = next(c for c in text if not c.isprintable())
            return f"the id holds the control character {char!r} (U+{ord(char):04X}); {ID_RULE}"
        return f"the id begins with {text[0]!r}; {ID_RULE}"

    out.cells(per_row > 0, "id", message)


def _check_identity(columns: dict[str, Column], out: _Collector) -> None:
    """Record violations of: unique ids; industry within sector; stratum = sector.industry.size. Return None."""
    if "id" in columns:
        index = columns["id"].value
        filled = index >= 0
        first = np.full(len(columns["id"].texts) + 1, -1, dtype=np.int64)
        seen, first_pos = np.unique(index[filled], return_index=True)
        first[seen] = np.flatnonzero(filled)[first_pos]
        duplicate = filled & (first[index] != np.arange(len(index)))
        rows = out.rows
        out.cells(duplicate, "id", lambda i: f"duplicate id: also used in row {rows[first[index[i]]]}; each id must "
                                             "be unique")
    if not all(c in columns for c in ("sector", "industry", "size")):
        return
    sector, industry, size = (columns[c].value for c in ("sector", "industry", "size"))
    sectors, industries, sizes = (cb.BY_NAME[c].codes for c in ("sector", "industry", "size"))
    allowed = np.zeros((len(sectors) + 1, len(industries) + 1), dtype=bool)  # last row/column: unknown code
    for s, inds in cb.SECTOR_INDUSTRIES.items():
        allowed[sectors.index(s), [industries.index(i) for i in inds]] = True
    known = (sector >= 0) & (industry >= 0)
    out.cells(known & ~allowed[sector, industry], "industry",
              lambda i: f"industry '{industries[industry[i]]}' is not a sub-sector of sector "
                        f"'{sectors[sector[i]]}'; allowed for {sectors[sector[i]]}: "
                        f"{', '.join(cb.SECTOR_INDUSTRIES[sectors[sector[i]]])}")
    if "stratum" not in columns:
        return
    stratum = columns["stratum"]
    names = [f"{s}.{i}.{z}" for s in sectors for i in industries for z in sizes]
    key_of = {n: k for k, n in enumerate(names)}
    stratum_key = np.array([key_of.get(t, -1) for t in stratum.texts] + [-1], dtype=np.int64)
    expected = (sector * len(industries) + industry) * len(sizes) + size
    check = known & (size >= 0) & ~stratum.empty
    out.cells(check & (stratum_key[stratum.value] != expected), "stratum",
              lambda i: f"stratum must be '{names[expected[i]]}' (sector.industry.size of this row)")


def _routing_text(var: cb.Variable) -> str:
    """Return who `var` is asked of, in words."""
    if var.asked_of == cb.TECH_INNOVATORS:
        return f"technological innovators (innovated true and tech_role {'/'.join(cb.TECH_ROLES)})"
    return "innovators (innovated true)"


def _check_routing(columns: dict[str, Column], out: _Collector) -> None:
    """Record violations of: answers only where asked; routing columns filled where asked. Return None."""
    if "round" not in columns:
        return
    round_ = columns["round"].value
    rounds = cb.BY_NAME["round"].codes
    round_known = round_ >= 0
    innovated = columns["innovated"].value if "innovated" in columns else None
    role = columns["tech_role"].value if "tech_role" in columns else None
    role_codes = cb.BY_NAME["tech_role"].codes
    tech_role = np.isin(role, [role_codes.index(r) for r in cb.TECH_ROLES]) if role is not None else None
    for var in cb.VARIABLES:
        if var.name not in columns or var.name in ("id", "round"):
            continue
        col = columns[var.name]
        answered = ~col.empty & ~col.bad
        in_round = np.isin(round_, [rounds.index(r) for r in var.rounds])
        out.cells(answered & round_known & ~in_round, var.name,
                  lambda i, v=var: f"{v.name} answered in round {rounds[round_[i]]}, but it was asked only in "
                                   f"{', '.join(v.rounds)}")
        if var.asked_of == cb.ALL:
            continue
        if innovated is None:
            continue
        asked_round = round_known & in_round
        out.cells(answered & asked_round & (innovated == 0), var.name,
                  f"{var.name} answered but innovated is false: asked only of {_routing_text(var)}")
        asked = asked_round & (innovated == 1)
        if var.asked_of == cb.TECH_INNOVATORS:
            if role is None:
                continue
            out.cells(answered & asked & (role >= 0) & ~tech_role, var.name,
                      lambda i, v=var: f"{v.name} answered but tech_role is '{role_codes[role[i]]}': asked only of "
                                       f"technological innovators (tech_role {'/'.join(cb.TECH_ROLES)})")
            asked = asked & tech_role
        if var.name in ROUTING_COLUMNS:
            out.cells(asked & col.empty, var.name,
                      f"{var.name} is empty for an innovator; it must be answered ({', '.join(var.codes)}) because "
                      "later questions are routed by it")


def _check_tech_group(columns: dict[str, Column], out: _Collector) -> None:
    """Record rows where tech_group is not derive_tech_group(tech_role, tech_new); return None."""
    needed = ("round", "innovated", "tech_role", "tech_new", "tech_group")
    if not all(c in columns for c in needed):
        return
    round_, innovated, role, new, group = (columns[c].value for c in needed)
    roles, news, groups = (cb.BY_NAME[c].codes for c in ("tech_role", "tech_new", "tech_group"))
    # expected[role, new + 1]: column 0 is an empty tech_new
    expected = np.array([[groups.index(cb.derive_tech_group(r, n)) for n in (None, *news)] for r in roles])
    in_round = np.isin(round_, [cb.ROUNDS.index(r) for r in cb.BY_NAME["tech_group"].rounds])
    check = (in_round & (innovated == 1) & (role >= 0) & ~columns["tech_new"].bad & ~columns["tech_group"].bad)
    want = expected[np.maximum(role, 0), new + 1]

    def message(i: int) -> str:
        tn = f"'{news[new[i]]}'" if new[i] >= 0 else "empty"
        return (f"tech_group must be '{groups[want[i]]}' for tech_role '{roles[role[i]]}' and tech_new {tn}: "
                "it is derived from them (new_tech, known_tech or non_tech)")

    out.cells(check & (group != want), "tech_group", message)


def _check_implied(columns: dict[str, Column], out: _Collector) -> None:
    """Record a true partner_* (spread_*) answer without collab_any (spread_any) true; return None."""
    for summary, members in IMPLIED_TRUE:
        present = [m for m in members if m in columns]
        if summary not in columns or not present:
            continue
        any_true = np.logical_or.reduce([columns[m].value == 1 for m in present])
        target = columns[summary]

        def message(i: int, summary=summary, members=members, present=present, target=target) -> str:
            true = [m for m in present if columns[m].value[i] == 1]
            state = "false" if target.value[i] == 0 else "empty"
            return (f"{summary} is {state} but {', '.join(true)} {'is' if len(true) == 1 else 'are'} true; "
                    f"{summary} must be true when any of {', '.join(members)} is true")

        out.cells(any_true & (target.value != 1) & ~target.bad, summary, message)


def _check_population(columns: dict[str, Column], out: _Collector) -> None:
    """Record violations of stratum_population (when the file fills it; an all-empty column counts as
    absent): filled in every row, one value per round and stratum, and at least the respondents of that
    stratum in that round. Return None."""
    if "stratum_population" not in columns or not all(c in columns for c in ("round", "stratum")):
        return
    pop = columns["stratum_population"]
    if pop.empty.all():
        return
    out.cells(pop.empty, "stratum_population",
              "stratum_population is empty; when the column is given, every row needs N_h (workplaces in its stratum)")
    key = pd.Series(columns["round"].value * (len(columns["stratum"].texts) + 1) + columns["stratum"].value)
    ok = ~pop.empty & ~pop.bad & (columns["round"].value >= 0) & (columns["stratum"].value >= 0)
    frame = pd.DataFrame({"key": key[ok].to_numpy(), "pop": pop.value[ok]})
    if frame.empty:
        return
    by = frame.groupby("key")["pop"]
    first, n_rows, low, high = by.transform("first"), by.transform("size"), by.transform("min"), by.transform("max")
    where = np.flatnonzero(ok)
    rounds, strata = cb.BY_NAME["round"].codes, columns["stratum"].texts

    def place(i: int) -> str:
        return f"stratum {printable(strata[columns['stratum'].value[i]])} in {rounds[columns['round'].value[i]]}"

    varies = np.zeros(len(pop.value), dtype=bool)
    varies[where] = (low != high).to_numpy() & (frame["pop"] != first).to_numpy()
    out.cells(varies, "stratum_population",
              lambda i: f"stratum_population differs within {place(i)}; it must be one value per round and stratum "
                        f"(first given: {first.iloc[np.searchsorted(where, i)]:.0f})")
    small = np.zeros(len(pop.value), dtype=bool)
    small[where] = (frame["pop"] < n_rows).to_numpy()
    out.cells(small, "stratum_population",
              lambda i: f"stratum_population is smaller than the {n_rows.iloc[np.searchsorted(where, i)]} respondents "
                        f"of {place(i)}; N_h counts every workplace of the stratum, so it is at least n_h")
