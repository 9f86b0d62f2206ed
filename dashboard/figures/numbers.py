"""The numbers of one figure for one filter state, and the rows the page draws from them.

`FigureNumbers` holds a figure's estimates as flat arrays, one entry per bar (series-major); `Row` is
one bar as the charts, summaries and table views read it (plain attributes, no pandas). `rows_of`
turns a figure table (a DataFrame with tables.COLUMNS) into rows, so a table changed by hand can be
drawn too.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd


@dataclass
class FigureNumbers:
    """A figure's estimates per bar: series and category codes, shares as proportions, the rules applied."""

    series: list[str]
    category: list[str]
    share: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    se: np.ndarray
    n: np.ndarray
    n_yes: np.ndarray
    n_eff: np.ndarray
    df: np.ndarray
    weight_sum: np.ndarray
    suppressed: np.ndarray
    reason: list[str | None]
    flagged: np.ndarray
    p_value: np.ndarray
    significant: list[bool | None]
    revealed_by: list  # per bar hidden by the differencing rule: the wider selection (a Filter) that would reveal it

    def __len__(self) -> int:
        return len(self.series)

    def hide(self, where: np.ndarray, reason: str) -> None:
        """Hide the shown bars in `where` (a bool array) for `reason`; returns None."""
        for i in np.flatnonzero(np.asarray(where, dtype=bool) & ~self.suppressed):
            self.suppressed[i] = True
            self.reason[i] = reason
            self.flagged[i] = False

    def hide_by(self, selections: list, reason: str) -> None:
        """Hide the shown bars whose entry in `selections` is not None for `reason`, recording that entry (the
        selection that would reveal the bar) in `revealed_by`; returns None."""
        where = np.array([s is not None for s in selections], dtype=bool)
        for i in np.flatnonzero(where & ~self.suppressed):
            self.revealed_by[i] = selections[i]
        self.hide(where, reason)

    def adopt(self, i: int, other: FigureNumbers, j: int) -> None:
        """Give bar `i` what another figure shows of the same bar `j` (the same item over the same respondents,
        so the same estimate): shown or hidden, why, and the flag; returns None."""
        self.suppressed[i], self.reason[i], self.flagged[i] = other.suppressed[j], other.reason[j], other.flagged[j]
        self.revealed_by[i] = other.revealed_by[j]

    def take(self, keep) -> FigureNumbers:
        """Return the numbers of the bars where `keep` (a bool sequence) is True, in order."""
        keep = np.asarray(keep, dtype=bool)
        if keep.all():
            return self
        idx = np.flatnonzero(keep)
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = value[idx] if isinstance(value, np.ndarray) else [value[i] for i in idx]
        return FigureNumbers(**values)

    def untested(self) -> FigureNumbers:
        """Return a copy to change: the same numbers and hidden values, without the tests' p-values."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        copied = {k: v.copy() if isinstance(v, np.ndarray) else list(v) for k, v in values.items()}
        copied["p_value"] = np.full(len(self), np.nan)
        copied["significant"] = [None] * len(self)
        return FigureNumbers(**copied)

    def frame(self) -> pd.DataFrame:
        """Return the numbers as a DataFrame (one row per bar, the fields as columns)."""
        out = pd.DataFrame({f.name: getattr(self, f.name) for f in fields(self) if f.name != "revealed_by"})
        out["significant"] = pd.array(self.significant, dtype="boolean")
        return out


@dataclass(slots=True)
class Row:
    """One bar as the page shows it: shares in percent (NaN where hidden), labels in the page's language."""

    figure: str
    series: str
    category: str
    share: float
    ci_low: float
    ci_high: float
    n: int
    n_eff: float
    suppressed: bool
    reason: str
    flagged: bool
    highlighted: bool
    p_value: float
    significant: bool | None
    series_label: str
    category_label: str
    reason_label: str


ROW_FIELDS = tuple(f.name for f in fields(Row))


def rows_of(table) -> list[Row]:
    """Return the rows of a figure table: a DataFrame with tables.COLUMNS, or rows already."""
    if not isinstance(table, pd.DataFrame):
        return list(table)
    columns = [table[name].tolist() for name in ROW_FIELDS]
    out = []
    for values in zip(*columns, strict=True):
        row = Row(*values)
        row.suppressed, row.flagged, row.highlighted = bool(row.suppressed), bool(row.flagged), bool(row.highlighted)
        row.significant = None if row.significant is None or row.significant is pd.NA else bool(row.significant)
        row.reason = row.reason if isinstance(row.reason, str) else ""
        out.append(row)
    return out


def frame_of(rows: list[Row]) -> pd.DataFrame:
    """Return rows as a figure table (a DataFrame with the rows' fields as columns)."""
    out = pd.DataFrame({name: [getattr(r, name) for r in rows] for name in ROW_FIELDS})
    out["significant"] = pd.array([r.significant for r in rows], dtype="boolean")
    out["n"] = out["n"].astype(int)
    for column in ("share", "ci_low", "ci_high", "n_eff", "p_value"):
        out[column] = out[column].astype(float)
    return out
