"""Violations and the error that carries them: what `load` reports when it refuses a data file.

`Violation` is one problem, located by file, row and column; `DataFileError` refuses a file and
lists every violation found. Shared by reading (`read`) and validation (`rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["MAX_PER_RULE", "MAX_REPORT_LINES", "DataFileError", "Violation", "printable", "refuse"]

MAX_PER_RULE = 1000  # violations kept per rule and column; the rest are counted in one summary entry
MAX_REPORT_LINES = 50  # violations printed by str(DataFileError)

_MAX_VALUE_CHARS = 60


def printable(text: str, limit: int | None = _MAX_VALUE_CHARS) -> str:
    """Return `text` safe to print: escaped as in repr when it holds control characters, cut after `limit`."""
    if not text.isprintable():
        text = repr(text)[1:-1]
    return text if limit is None or len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True)
class Violation:
    """One problem in a data file.

    row is the 1-based line of a CSV file (header = 1) or the 1-based data row of a Parquet file;
    None when the problem concerns the whole file or a whole column. count is 1, except for a
    summary entry that stands for `count` further rows with the same problem.
    """

    path: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    count: int = 1

    def __str__(self) -> str:
        """Return the one-line description: file, row, column, value (shortened) and message."""
        where = [printable(Path(self.path).name or self.path)]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {printable(self.column)}")
        text = ", ".join(where) + ": "
        if self.value is not None:
            shown = self.value if len(self.value) <= _MAX_VALUE_CHARS else self.value[:_MAX_VALUE_CHARS] + "..."
            text += f"value {shown!r} — "
        return text + self.message


class DataFileError(ValueError):
    """A data file was refused; `violations` lists why, `str()` is a report for the user."""

    def __init__(self, path: str | Path, violations: list[Violation]):
        self.path = str(path)
        self.violations = list(violations)
        super().__init__(self.report())

    def __reduce__(self):
        """Return the constructor and its arguments, so the error survives pickling."""
        return type(self), (self.path, self.violations)

    @property
    def problem_count(self) -> int:
        """Number of problems, including those a summary entry stands for."""
        return sum(v.count for v in self.violations)

    def report(self, max_lines: int = MAX_REPORT_LINES) -> str:
        """Return the multi-line report: a header line, then one line per violation (capped)."""
        total = self.problem_count
        lines = [f"{printable(self.path, None)}: {total} problem(s); the file was refused"]
        shown = self.violations[:max_lines]
        lines += [f"  {v}" for v in shown]
        rest = total - sum(v.count for v in shown)
        if rest > 0:
            lines.append(f"  ... and {rest} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        """Return the report (see `report`)."""
        return self.report()


def refuse(path: str, message: str, row: int | None = None, column: str | None = None,
           value: str | None = None) -> DataFileError:
    """Return a DataFileError holding the single violation described by the arguments."""
    return DataFileError(path, [Violation(path, row, column, value, message)])
