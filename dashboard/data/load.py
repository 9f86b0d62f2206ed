"""Read, validate and type a survey data file (CSV or Parquet) against the codebook.

The contract is `codebook.VARIABLES`: its column list, codes and routing. `load` reads a file, checks
every rule and either returns a typed frame or raises `DataFileError` listing every problem found;
it never returns partial data. The checks are vectorised (a million rows take a few seconds); only
the reported violations are formatted row by row, and each rule keeps at most `MAX_PER_RULE` of
them while still counting the rest.

Row numbers are those a spreadsheet user sees: for a CSV file the header is line 1 and the first
data row line 2 (blank lines count, as in the file); for Parquet they are 1-based data rows.

This module is the public entry point; the work is done in:

- `dashboard.data.errors`: `Violation` and `DataFileError`;
- `dashboard.data.read`: `read_table` (regular files only, the size limit `BAROMETER_MAX_FILE_MB`, the
  checksum file `FILE.sha256` when there is one (`dashboard.data.integrity`),
  compressed and binary files refused, CSV sniffing, encodings, Parquet, row numbering);
- `dashboard.data.parse`: parsing cells against the codebook, and `coerce`;
- `dashboard.data.rules`: `validate` and its rule checks.

Examples
--------
>>> from dashboard.data.load import load
>>> frame = load("survey.csv")  # doctest: +SKIP
DataFileError: survey.csv: 2 problem(s); the file was refused
  survey.csv, row 7, column weight: value '-2' — weight must be a number > 0
  survey.csv, row 9, column sector: value 'State' — not a valid sector code (codes are lower-case: ...
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.data.errors import MAX_PER_RULE, MAX_REPORT_LINES, DataFileError, Violation
from dashboard.data.parse import coerce, typed
from dashboard.data.read import ROW_INDEX, read_table
from dashboard.data.rules import CORE_COLUMNS, IMPLIED_TRUE, ROUTING_COLUMNS, check, validate

__all__ = [
    "CORE_COLUMNS",
    "IMPLIED_TRUE",
    "MAX_PER_RULE",
    "MAX_REPORT_LINES",
    "ROUTING_COLUMNS",
    "ROW_INDEX",
    "DataFileError",
    "Violation",
    "coerce",
    "load",
    "read_table",
    "validate",
]


def load(path: str | Path, checksum: bool = True) -> pd.DataFrame:
    """Read, validate and type a data file; return the typed frame (as `coerce` would), its ``attrs`` naming
    the file (``source``), the SHA-256 of what was read (``sha256``) and the file's size, modification time and
    inode as it was read (``on_disk``). A file with a checksum file must match
    it, unless `checksum` is False.

    Raises DataFileError listing every problem if there is any: no partial data is ever returned,
    one violation refuses the whole file.
    """
    frame = read_table(path, checksum)
    violations, columns = check(frame, str(path))
    if violations:
        raise DataFileError(str(path), violations)
    out = typed(columns, len(frame))
    out.attrs.update(source=str(path), sha256=frame.attrs["sha256"], on_disk=frame.attrs["on_disk"])
    return out
