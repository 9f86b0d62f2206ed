"""Read a CSV or Parquet data file into a raw frame, without interpreting its values.

`read_table` sniffs the CSV separator (',' or ';') from the header line, accepts UTF-8 with or
without BOM and refuses other encodings and Excel workbooks with a hint on how to re-save the file.
It numbers the rows as a spreadsheet user sees them: for a CSV file the header is line 1 and the
first data row line 2 (blank lines count, as in the file); for Parquet they are 1-based data rows.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dashboard.data.errors import MAX_PER_RULE, DataFileError, Violation, refuse

__all__ = ["ROW_INDEX", "read_table"]

ROW_INDEX = "row"  # name of the index `read_table` gives its frame: the row number reported to the user

_SEPARATORS = (",", ";")
_SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: Save As > 'CSV UTF-8 (comma delimited)')"


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file without interpreting it.

    CSV cells come back as strings (empty cell = ""), Parquet columns as stored. The index, named
    `ROW_INDEX`, holds each row's number as reported to the user. CSV files may be comma or
    semicolon separated (sniffed from the header line) and UTF-8 with or without BOM; blank lines
    (also lines holding only separators) are skipped. A Parquet file is recognised by its
    ``.parquet`` suffix or its magic bytes.

    Raises
    ------
    DataFileError
        When the file is missing, unreadable, empty, not UTF-8, an Excel workbook, has a header
        with repeated column names, or has rows with more or fewer fields than the header.
    """
    name = str(path)
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise refuse(name, "file not found") from None
    except OSError as exc:
        raise refuse(name, f"the file cannot be read: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".parquet" or data[:4] == b"PAR1":
        return _read_parquet(name, data)
    if suffix in (".xlsx", ".xlsm", ".xls") or data[:4] == b"PK\x03\x04":
        raise refuse(name, "this is an Excel workbook, not a CSV file; " + _SAVE_AS_UTF8)
    return _read_csv(name, data)


def _read_parquet(name: str, data: bytes) -> pd.DataFrame:
    """Return the frame of a Parquet file's bytes, numbered 1, 2, ... in `ROW_INDEX`."""
    try:
        frame = pq.read_table(pa.BufferReader(data)).to_pandas()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise refuse(name, f"not a readable Parquet file ({exc})") from None
    if any(level is not None for level in frame.index.names):
        frame = frame.reset_index()  # a named index (e.g. id) was a column of the data
    frame.columns = [str(c) for c in frame.columns]
    frame.index = pd.RangeIndex(1, len(frame) + 1, name=ROW_INDEX)
    return frame


def _read_csv(name: str, data: bytes) -> pd.DataFrame:
    """Return the frame of string cells of a CSV file's bytes, indexed by line number in `ROW_INDEX`."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refuse(name, "the file is UTF-16 ('Unicode text'); " + _SAVE_AS_UTF8, row=1)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(name, [_encoding_violation(name, data, exc.start)]) from None
    if not data or data.isspace():
        raise refuse(name, "the file is empty: no header line and no data rows")

    header_line = _first_line(data).decode("utf-8")
    sep = max(_SEPARATORS, key=header_line.count)  # ties (no separator at all) go to ","
    header = next(csv.reader([header_line], delimiter=sep), [])
    repeated = [Violation(name, 1, col, None, f"column appears {k} times in the header; each column must appear once")
                for col, k in Counter(header).items() if k > 1 and col != ""]
    if repeated:
        raise DataFileError(name, repeated)

    quoted = b'"' in data
    invalid_rows = []
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=quoted,
                                             invalid_row_handler=lambda row: invalid_rows.append(1) or "skip"),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        raise refuse(name, f"the file cannot be parsed as CSV ({exc})") from None

    if quoted or invalid_rows or _lone_carriage_return(data):
        lines, blank = _exact_layout(name, data, sep, len(header))
    else:
        lines, blank = _line_layout(data, sep, len(header))
    frame = table.to_pandas()
    if len(frame) == len(lines):
        frame.index = pd.Index(lines, name=ROW_INDEX)
        frame = frame.loc[~blank]
    else:  # unusual line structure: number the rows as if each took one line
        frame.index = pd.RangeIndex(2, len(frame) + 2, name=ROW_INDEX)
    unnamed = [i for i, c in enumerate(frame.columns) if c == ""]
    if unnamed:  # e.g. a trailing separator on every line: drop if empty, else report
        empty_cols = [i for i in unnamed if (frame.iloc[:, i].str.strip() == "").all()]
        frame = frame.iloc[:, [i for i in range(frame.shape[1]) if i not in empty_cols]]
        if len(empty_cols) < len(unnamed):
            pos = ", ".join(str(i + 1) for i in unnamed if i not in empty_cols)
            raise refuse(name, f"column(s) {pos} of the header have no name but hold data; name or remove them",
                          row=1)
    frame.attrs["separator"] = sep
    return frame


def _first_line(data: bytes) -> bytes:
    """Return the first line of `data`, without its line end."""
    end = data.find(b"\n")
    return (data if end < 0 else data[:end]).rstrip(b"\r")


def _lone_carriage_return(data: bytes) -> bool:
    """True when some line ends in a bare \\r (old Mac style), which the fast layout cannot count."""
    return b"\r" in data and data.count(b"\r") != data.count(b"\r\n")


def _line_layout(data: bytes, sep: str, ncols: int) -> tuple[np.ndarray, np.ndarray]:
    """Line numbers of the parsed rows, and which of them are blank, for a file without quotes.

    The parser has accepted every non-empty line (each has `ncols` fields), so the rows are the
    data lines that are not empty; a row is blank when it holds only separators.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    newline = np.flatnonzero(arr == 10)
    starts = np.concatenate(([0], newline + 1))
    ends = np.concatenate((newline, [len(arr)]))
    if starts[-1] == len(arr):
        starts, ends = starts[:-1], ends[:-1]
    length = ends - starts
    length = length - ((length > 0) & (arr[np.maximum(ends - 1, 0)] == 13))  # without a trailing \r
    rows = np.flatnonzero(length[1:] > 0) + 1  # 0-based line index of each parsed row
    blank = np.zeros(len(rows), dtype=bool)
    for k in np.flatnonzero(length[rows] == ncols - 1):
        line = data[starts[rows[k]]:starts[rows[k]] + ncols - 1]
        blank[k] = line == sep.encode() * (ncols - 1)
    return rows + 1, blank


def _exact_layout(name: str, data: bytes, sep: str, ncols: int) -> tuple[np.ndarray, np.ndarray]:
    """Line numbers and blank flags of the parsed rows; raise on rows with a wrong number of fields."""
    starts, nfields, blank = _record_layout(data, sep)
    starts, nfields, blank = starts[1:], nfields[1:], blank[1:]
    ragged = np.flatnonzero((nfields != ncols) & ~blank)

    def message(i: int) -> str:
        comma = ", or a decimal comma in a comma-separated file" if sep == "," and nfields[i] > ncols else ""
        return (f"the row has {nfields[i]} fields but the header has {ncols} (separator '{sep}'); "
                f"check for a stray or missing separator{comma}")

    problems = [Violation(name, int(starts[i]), None, None, message(i)) for i in ragged[:MAX_PER_RULE]]
    if len(ragged) > MAX_PER_RULE:
        extra = len(ragged) - MAX_PER_RULE
        problems.append(Violation(name, None, None, None, f"{extra} more rows have the wrong number of fields",
                                  count=extra))
    if problems:
        raise DataFileError(name, problems)
    kept = nfields == ncols
    return starts[kept], blank[kept]


def _record_layout(data: bytes, sep: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return, per CSV record (header first): starting line, number of fields, blank flag.

    An empty line has 0 fields; a blank record holds nothing but separators and spaces. This walks
    the file with the csv module (a quoted field may span lines), so it is kept for files with
    quotes, odd line ends or rows the parser rejected.
    """
    lines, counts, blanks = [], [], []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=sep)
    end = 0
    for record in reader:
        lines.append(end + 1)
        counts.append(len(record))
        blanks.append(all(not f.strip() for f in record))
        end = reader.line_num
    return np.array(lines, dtype=np.int64), np.array(counts, dtype=np.int64), np.array(blanks, dtype=bool)


def _encoding_violation(name: str, data: bytes, pos: int) -> Violation:
    """Describe the first byte that is not UTF-8: its line, column and cell."""
    line = data.count(b"\n", 0, pos) + 1
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    end = len(data) if end < 0 else end
    header_line = _first_line(data).decode("cp1252", errors="replace")
    sep = max(_SEPARATORS, key=header_line.count)
    prefix = data[start:pos].decode("cp1252", errors="replace")
    position = max(len(next(csv.reader([prefix], delimiter=sep), [""])), 1) - 1
    cells = next(csv.reader([data[start:end].rstrip(b"\r").decode("cp1252", errors="replace")], delimiter=sep), [])
    header = next(csv.reader([header_line], delimiter=sep), [])
    column = header[position] if line > 1 and position < len(header) else None
    value = cells[position] if position < len(cells) else None
    message = (f"byte 0x{data[pos]:02X} is not valid UTF-8: the file seems to be saved in another encoding "
               f"(e.g. Windows-1252/Latin-1, Excel's plain 'CSV'); {_SAVE_AS_UTF8}")
    return Violation(name, line, column, value, message)
