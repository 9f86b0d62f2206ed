"""Where each parsed row of a CSV file stands: its line number as a spreadsheet user sees it (the header
is line 1; blank lines count), whether it holds nothing but separators, and the rows with the wrong
number of fields, each named by its line.

`line_numbers` and `separator_only` serve the common file (no quotes, no bare \\r, every row parsed)
with byte masks over the file; `exact_layout` walks any other file record by record.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from dashboard.data.errors import MAX_PER_RULE, DataFileError, Violation, refuse

MAX_CELL_CHARS = csv.field_size_limit()  # a cell this long is no value of the contract (the csv module's limit)


def lone_carriage_return(data: bytes) -> bool:
    """True when some line ends in a bare \\r (old Mac style), which the fast layout cannot count."""
    return b"\r" in data and data.count(b"\r") != data.count(b"\r\n")


def line_numbers(data: bytes, nrows: int) -> np.ndarray:
    """Line numbers of the `nrows` parsed rows of a file without quotes or bare \\r.

    The parser has accepted every non-empty line, so the rows are the non-empty lines after the
    header. Without empty lines they are simply 2, 3, ...; otherwise they are found with a few
    byte-wide masks over the file (no per-line array of positions, so a file of empty lines stays cheap).
    """
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines == nrows + 1:
        return np.arange(2, nrows + 2)
    arr = np.frombuffer(data, dtype=np.uint8)
    newline = arr == 10
    starts = np.ones(len(arr), dtype=bool)
    starts[1:] = newline[:-1]  # a line starts at 0 and after each \n ...
    empty = newline.copy()  # ... and is empty when it begins with \n or \r\n
    empty[:-1] |= (arr[:-1] == 13) & newline[1:]
    begin = np.flatnonzero(starts & ~empty)  # the header and the parsed rows
    if len(begin) < 2:
        return np.arange(2, nrows + 2)
    between = np.add.reduceat(newline, begin, dtype=np.int64)[:-1]  # line ends from one row's start to the next
    first = int(np.count_nonzero(newline[:begin[0]])) + 1
    numbers = first + np.concatenate(([0], np.cumsum(between)))
    return numbers[1:1 + nrows]


def separator_only(frame: pd.DataFrame, data: bytes, sep: str) -> np.ndarray:
    """Which parsed rows of a file without quotes hold nothing but separators (Excel writes such lines)."""
    if frame.shape[1] < 2 or (sep * (frame.shape[1] - 1)).encode() not in data:
        return np.zeros(len(frame), dtype=bool)
    return (frame == "").all(axis=1).to_numpy()


def exact_layout(name: str, data: bytes, sep: str, ncols: int) -> tuple[np.ndarray, np.ndarray]:
    """Line numbers and blank flags of the parsed rows; raise on rows with a wrong number of fields.

    Reading stops after `MAX_PER_RULE` such rows: enough to report, and a bound on time and memory.
    """
    starts, ends, nfields, blank, complete = _record_layout(name, data, sep, ncols)
    starts, ends, nfields, blank = starts[1:], ends[1:], nfields[1:], blank[1:]
    ragged = np.flatnonzero((nfields != ncols) & ~blank)

    def message(i: int) -> str:
        text = f"the row has {nfields[i]} fields but the header has {ncols} (separator '{sep}'); "
        if ends[i] > starts[i]:
            return text + (f"it runs on to line {ends[i]} because a quote (\") opened on line {starts[i]} is not "
                           "closed where the cell ends; check the quotes")
        comma = ", or a decimal comma in a comma-separated file" if sep == "," and nfields[i] > ncols else ""
        return text + f"check for a stray or missing separator{comma}"

    problems = [Violation(name, int(starts[i]), None, None, message(i)) for i in ragged[:MAX_PER_RULE]]
    if not complete:
        problems.append(Violation(name, None, None, None, f"more rows have the wrong number of fields (reading "
                                                          f"stopped at line {int(ends[-1])})"))
    elif len(ragged) > MAX_PER_RULE:
        extra = len(ragged) - MAX_PER_RULE
        problems.append(Violation(name, None, None, None, f"{extra} more rows have the wrong number of fields",
                                  count=extra))
    if problems:
        raise DataFileError(name, problems)
    kept = nfields == ncols
    return starts[kept], blank[kept]


def _record_layout(name: str, data: bytes, sep: str, ncols: int):
    """Return, per CSV record (header first): first and last line, number of fields, blank flag; and
    whether the whole file was read (False after more than `MAX_PER_RULE` rows with a wrong number of fields).

    An empty line has 0 fields; a blank record holds nothing but separators and spaces. This walks
    the file with the csv module (a quoted field may span lines), so it is kept for files with
    quotes, odd line ends or rows the parser rejected. A cell longer than `MAX_CELL_CHARS` raises
    DataFileError at the line where its record starts.
    """
    lines, last, counts, blanks = [], [], [], []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=sep)
    end, ragged, complete = 0, 0, True
    try:
        for record in reader:
            blank = all(not f.strip() for f in record)
            lines.append(end + 1)
            last.append(reader.line_num)
            counts.append(len(record))
            blanks.append(blank)
            end = reader.line_num
            if len(lines) > 1 and len(record) != ncols and not blank:
                ragged += 1
                if ragged > MAX_PER_RULE:
                    complete = False
                    break
    except csv.Error:
        hint = "check for a quote (\") that is opened but never closed" if b'"' in data else "is this a CSV file?"
        raise refuse(name, f"a cell starting on this line is longer than {MAX_CELL_CHARS:,} characters, which no "
                           f"value of the data contract is; {hint}", row=end + 1) from None
    return (np.array(lines, dtype=np.int64), np.array(last, dtype=np.int64), np.array(counts, dtype=np.int64),
            np.array(blanks, dtype=bool), complete)
