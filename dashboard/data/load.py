"""Read, validate and type a survey data file (CSV or Parquet) against the codebook.

The contract is `codebook.VARIABLES`: its column list, codes and routing. `load` reads a file, checks
every rule and either returns a typed frame or raises `DataFileError` listing every problem found;
it never returns partial data. The checks are vectorised (a million rows take a few seconds); only
the reported violations are formatted row by row, and each rule keeps at most `MAX_PER_RULE` of
them while still counting the rest.

Row numbers are those a spreadsheet user sees: for a CSV file the header is line 1 and the first
data row line 2 (blank lines count, as in the file); for Parquet they are 1-based data rows.

Examples
--------
>>> from dashboard.data.load import load, DataFileError
>>> try:
...     frame = load("survey.csv")
... except DataFileError as err:
...     print(err)  # doctest: +SKIP
survey.csv: 2 problem(s); the file was refused
  survey.csv, row 7, column weight: value '-2' — weight must be a number > 0
  ...
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.data import codebook as cb

__all__ = ["ROW_INDEX", "DataFileError", "Violation", "coerce", "load", "read_table", "validate"]

ROW_INDEX = "row"  # name of the index `read_table` gives its frame: the row number reported to the user
MAX_PER_RULE = 1000  # violations kept per rule and column; the rest are counted in one summary entry
MAX_REPORT_LINES = 50  # violations printed by str(DataFileError)

# Columns every row must fill, whatever its routing.
CORE_COLUMNS = ("id", "round", "sector", "industry", "size", "stratum", "weight", "innovated")
# Columns that must be filled wherever they are asked, because later questions are routed by them.
ROUTING_COLUMNS = ("tech_role",)
# Consistency: a true member implies a true summary column.
IMPLIED_TRUE = (("collab_any", cb.PARTNER_COLUMNS), ("spread_any", tuple(cb.SPREAD)))

_TRUE_TEXT = frozenset({"true", "1"})
_FALSE_TEXT = frozenset({"false", "0"})
_SEPARATORS = (",", ";")
_SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: Save As > 'CSV UTF-8 (comma delimited)')"
_MAX_VALUE_CHARS = 60


# --------------------------------------------------------------------------------------------------
# Violations and the error that carries them
# --------------------------------------------------------------------------------------------------
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
        where = [Path(self.path).name or self.path]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
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
        return type(self), (self.path, self.violations)

    @property
    def problem_count(self) -> int:
        """Number of problems, including those a summary entry stands for."""
        return sum(v.count for v in self.violations)

    def report(self, max_lines: int = MAX_REPORT_LINES) -> str:
        """Return the multi-line report: a header line, then one line per violation (capped)."""
        total = self.problem_count
        lines = [f"{self.path}: {total} problem(s); the file was refused"]
        shown = self.violations[:max_lines]
        lines += [f"  {v}" for v in shown]
        rest = total - sum(v.count for v in shown)
        if rest > 0:
            lines.append(f"  ... and {rest} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def _refuse(path: str, message: str, row: int | None = None, column: str | None = None,
            value: str | None = None) -> DataFileError:
    return DataFileError(path, [Violation(path, row, column, value, message)])


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------
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
        raise _refuse(name, "file not found") from None
    except OSError as exc:
        raise _refuse(name, f"the file cannot be read: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".parquet" or data[:4] == b"PAR1":
        return _read_parquet(name, data)
    if suffix in (".xlsx", ".xlsm", ".xls") or data[:4] == b"PK\x03\x04":
        raise _refuse(name, "this is an Excel workbook, not a CSV file; " + _SAVE_AS_UTF8)
    return _read_csv(name, data)


def _read_parquet(name: str, data: bytes) -> pd.DataFrame:
    try:
        frame = pq.read_table(pa.BufferReader(data)).to_pandas()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _refuse(name, f"not a readable Parquet file ({exc})") from None
    if any(level is not None for level in frame.index.names):
        frame = frame.reset_index()  # a named index (e.g. id) was a column of the data
    frame.columns = [str(c) for c in frame.columns]
    frame.index = pd.RangeIndex(1, len(frame) + 1, name=ROW_INDEX)
    return frame


def _read_csv(name: str, data: bytes) -> pd.DataFrame:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _refuse(name, "the file is UTF-16 ('Unicode text'); " + _SAVE_AS_UTF8, row=1)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(name, [_encoding_violation(name, data, exc.start)]) from None
    if not data.strip():
        raise _refuse(name, "the file is empty: no header line and no data rows")

    header_line = data.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    sep = max(_SEPARATORS, key=header_line.count)  # ties (no separator at all) go to ","
    header = next(csv.reader([header_line], delimiter=sep), [])
    starts, nfields, blank = _record_layout(data, sep)

    problems = []
    for col, k in pd.Series(header).value_counts().items():
        if k > 1 and col != "":
            problems.append(Violation(name, 1, col, None, f"column appears {k} times in the header; each column "
                                                           "must appear once"))
    ragged = np.flatnonzero((nfields[1:] != len(header)) & ~blank[1:]) + 1
    for i in ragged[:MAX_PER_RULE]:
        problems.append(Violation(
            name, int(starts[i]), None, None,
            f"the row has {nfields[i]} fields but the header has {len(header)} (separator '{sep}'); "
            "check for a stray or missing separator" + (", or a decimal comma in a comma-separated file"
                                                        if sep == "," and nfields[i] > len(header) else "")))
    if len(ragged) > MAX_PER_RULE:
        extra = len(ragged) - MAX_PER_RULE
        problems.append(Violation(name, None, None, None, f"{extra} more rows have the wrong number of fields",
                                  count=extra))
    if problems:
        raise DataFileError(name, problems)

    try:
        frame = pd.read_csv(io.BytesIO(data), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                            skip_blank_lines=False, index_col=False, encoding="utf-8")
    except (pd.errors.ParserError, ValueError) as exc:
        raise _refuse(name, f"the file cannot be parsed as CSV ({exc})") from None
    if len(frame) == len(starts) - 1:
        keep = ~blank[1:]
        frame = frame.loc[keep]
        frame.index = pd.Index(starts[1:][keep], name=ROW_INDEX)
    else:  # unusual line structure: number the rows as if each took one line
        frame.index = pd.RangeIndex(2, len(frame) + 2, name=ROW_INDEX)
    frame.columns = header if len(header) == frame.shape[1] else [str(c) for c in frame.columns]
    unnamed = [i for i, c in enumerate(frame.columns) if c == ""]
    if unnamed:  # e.g. a trailing separator on every line: drop if empty, else report
        empty_cols = [i for i in unnamed if (frame.iloc[:, i].str.strip() == "").all()]
        frame = frame.iloc[:, [i for i in range(frame.shape[1]) if i not in empty_cols]]
        if len(empty_cols) < len(unnamed):
            pos = [i + 1 for i in unnamed if i not in empty_cols]
            raise _refuse(name, f"column(s) {', '.join(map(str, pos))} of the header have no name but hold data; "
                                "name them or remove them", row=1)
    frame.attrs["separator"] = sep
    return frame


def _record_layout(data: bytes, sep: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return, per CSV record (header first): starting line, number of fields, blank flag.

    Without quote characters a record is a line, counted on the bytes with numpy; with quotes
    (a field may then span lines or hold a separator) the csv module walks the file.
    """
    if b'"' not in data and data.count(b"\r") == data.count(b"\r\n"):
        arr = np.frombuffer(data, dtype=np.uint8)
        newline = np.flatnonzero(arr == 10)
        starts = np.concatenate(([0], newline + 1))
        if starts[-1] == len(arr):
            starts = starts[:-1]
        is_sep = arr == ord(sep)
        nsep = np.add.reduceat(is_sep, starts, dtype=np.int64)
        content = ~(is_sep | (arr == 10) | (arr == 13) | (arr == 32) | (arr == 9))
        blank = np.add.reduceat(content, starts, dtype=np.int64) == 0
        return np.arange(1, len(starts) + 1), nsep + 1, blank
    lines, counts, blanks = [], [], []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=sep)
    end = 0
    for record in reader:
        lines.append(end + 1)
        counts.append(max(len(record), 1))
        blanks.append(all(not f.strip() for f in record))
        end = reader.line_num
    return np.array(lines, dtype=np.int64), np.array(counts, dtype=np.int64), np.array(blanks, dtype=bool)


def _encoding_violation(name: str, data: bytes, pos: int) -> Violation:
    """Describe the first byte that is not UTF-8: its line, column and cell."""
    line = data.count(b"\n", 0, pos) + 1
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    end = len(data) if end < 0 else end
    header_line = data.split(b"\n", 1)[0].rstrip(b"\r").decode("cp1252", errors="replace")
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


# --------------------------------------------------------------------------------------------------
# Parsing cells (shared by validate and coerce)
# --------------------------------------------------------------------------------------------------
@dataclass
class _Column:
    """One parsed column: per-row masks and values, and the canonical texts of factor columns."""

    var: cb.Variable
    raw: pd.Series
    empty: np.ndarray  # bool: cell empty (NA or blank)
    bad: np.ndarray  # bool: cell filled but not an allowed value
    value: np.ndarray  # code index (code/round), 1/0/-1 (bool), float (weight), text index (id/text)
    texts: list[str]  # canonical (stripped) texts, indexed by value for id/text columns
    problem: Callable[[int], str]  # message for a bad cell, by row position

    def cell(self, i: int) -> str | None:
        """Return the raw cell at row position i as text, None when empty."""
        v = self.raw.iat[i]
        return None if pd.isna(v) or str(v).strip() == "" else str(v)


def _as_text(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _factor(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Return (text index per row, -1 when empty; canonical stripped texts), whatever the dtype."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = np.array([_as_text(u) for u in np.asarray(uniques, dtype=object)], dtype=object)
    remap, canonical = pd.factorize(texts) if len(texts) else (np.zeros(0, dtype=np.intp), [])
    canonical = list(canonical)
    remap = np.append(remap, -1)  # position -1 (NA sentinel) maps to -1
    if "" in canonical:
        remap[remap == canonical.index("")] = -1
    return remap[codes], canonical


def _code_problem(var: cb.Variable, text: str) -> str:
    allowed = ", ".join(var.codes)
    if text.lower() in var.codes:
        hint = f" (codes are lower-case: use '{text.lower()}')"
    elif var.kind == "round":
        hint = ""
    else:
        close = difflib.get_close_matches(text.lower(), var.codes, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
    what = "round" if var.kind == "round" else f"{var.name} code"
    return f"not a valid {what}{hint}; allowed: {allowed}"


def _parse(var: cb.Variable, raw: pd.Series, decimal_comma: bool) -> _Column:
    n = len(raw)
    if var.kind == "weight":
        return _parse_weight(var, raw, decimal_comma)
    index, texts = _factor(raw)
    empty = index < 0
    if var.kind in ("code", "round"):
        lut = np.array([var.codes.index(t) if t in var.codes else -1 for t in texts] + [-1], dtype=np.int64)
        messages = [_code_problem(var, t) for t in texts]
    elif var.kind == "bool":
        lut = np.array([1 if t.lower() in _TRUE_TEXT else 0 if t.lower() in _FALSE_TEXT else -1 for t in texts]
                       + [-1], dtype=np.int64)
        message = (f"not a valid true/false value; allowed: true, false, 1, 0 (any case), or empty where "
                   f"{var.name} was not asked")
        messages = [message] * len(texts)
    else:  # id, text: any text is allowed
        return _Column(var, raw, empty, np.zeros(n, dtype=bool), index, texts, lambda i: "")
    value = lut[index]
    bad = ~empty & (value < 0)
    return _Column(var, raw, empty, bad, value, texts, lambda i: messages[index[i]])


def _parse_weight(var: cb.Variable, raw: pd.Series, decimal_comma: bool) -> _Column:
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        number = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        empty = np.isnan(number)
        not_number = np.zeros(len(raw), dtype=bool)
    else:
        text = raw.astype("string").str.strip()
        empty = (text.isna() | (text == "")).to_numpy(dtype=bool)
        if decimal_comma:
            text = text.str.replace(",", ".", regex=False)
        number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        not_number = ~empty & np.isnan(number)
    finite = np.isfinite(number)
    not_finite = ~empty & ~not_number & ~finite
    with np.errstate(invalid="ignore"):
        bad = not_number | not_finite | (finite & (number <= 0))
    number = np.where(bad, np.nan, number)

    def problem(i: int) -> str:
        if not_number[i] and "," in str(raw.iat[i]) and not decimal_comma:
            return ("weight must be a number > 0 with '.' as decimal mark (a decimal comma is accepted only in "
                    "';'-separated files)")
        return "weight must be a finite number > 0" if not_finite[i] else "weight must be a number > 0"

    return _Column(var, raw, empty, bad, number, [], problem)


def _parse_all(df: pd.DataFrame) -> dict[str, _Column]:
    decimal_comma = df.attrs.get("separator") == ";"
    return {v.name: _parse(v, df[v.name], decimal_comma) for v in cb.VARIABLES if v.name in df.columns}


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------
class _Collector:
    """Collect violations: at most `MAX_PER_RULE` per call, the rest counted in one summary entry."""

    def __init__(self, path: str, rows: np.ndarray, columns: dict[str, _Column]):
        self.path, self.rows, self.columns = path, rows, columns
        self.items: list[Violation] = []

    def file(self, message: str, column: str | None = None, row: int | None = None) -> None:
        self.items.append(Violation(self.path, row, column, None, message))

    def cells(self, mask: np.ndarray, column: str, message: str | Callable[[int], str],
              value: Callable[[int], str | None] | None = None) -> None:
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
        order = {c: k for k, c in enumerate(cb.COLUMNS)}

        def key(v: Violation):
            group = 0 if v.row is None and v.count == 1 else 2 if v.count > 1 else 1
            return group, v.row or 0, order.get(v.column, len(order))

        return sorted(self.items, key=key)


def _row_numbers(df: pd.DataFrame) -> np.ndarray:
    if df.index.name == ROW_INDEX and pd.api.types.is_integer_dtype(df.index.dtype):
        return df.index.to_numpy()
    return np.arange(1, len(df) + 1)


def validate(df: pd.DataFrame, path: str | Path = "<data>") -> list[Violation]:
    """Return every violation of the data contract in `df` (empty list when valid).

    `df` is a raw frame from `read_table` (row numbers from its index) or any frame holding the
    codebook's columns (row numbers are then 1-based positions).
    """
    return _check(df, str(path))[0]


def _check(df: pd.DataFrame, path: str) -> tuple[list[Violation], dict[str, _Column]]:
    columns = _parse_all(df)
    out = _Collector(path, _row_numbers(df), columns)
    _check_columns(df, out)
    if len(df) == 0:
        out.file("no data rows: the file has a header but no data")
        return out.sorted(), columns
    _check_values(columns, out)
    _check_identity(columns, out)
    _check_routing(columns, out)
    _check_tech_group(columns, out)
    _check_implied(columns, out)
    return out.sorted(), columns


def _check_columns(df: pd.DataFrame, out: _Collector) -> None:
    present = [str(c) for c in df.columns]
    missing = [c for c in cb.COLUMNS if c not in present]
    unknown = [c for c in present if c not in cb.COLUMNS]
    for col in missing:
        out.file("required column is missing", column=col)
    for col in unknown:
        close = (difflib.get_close_matches(col.strip().lower(), missing, n=1, cutoff=0.6)
                 or difflib.get_close_matches(col.strip().lower(), cb.COLUMNS, n=1, cutoff=0.6))
        hint = f"did you mean '{close[0]}'?" if close else "remove it or rename it to one of the expected columns"
        out.file(f"unknown column {col!r}; {hint}", column=col)
    if missing or unknown:
        out.file("expected columns (in any order): " + ", ".join(cb.COLUMNS))


def _check_values(columns: dict[str, _Column], out: _Collector) -> None:
    for name, col in columns.items():
        out.cells(col.bad, name, col.problem)
    for name in CORE_COLUMNS:
        if name in columns:
            allowed = {"id": "a unique identifier", "stratum": "sector.industry.size",
                       "weight": "a number > 0", "innovated": "true or false"}.get(name)
            if allowed is None:
                allowed = "one of " + ", ".join(cb.BY_NAME[name].codes)
            out.cells(columns[name].empty, name, f"{name} is empty; every row needs it ({allowed})")


def _check_identity(columns: dict[str, _Column], out: _Collector) -> None:
    """Unique ids; industry within sector; stratum = sector.industry.size."""
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
    if var.asked_of == cb.TECH_INNOVATORS:
        return f"technological innovators (innovated true and tech_role {'/'.join(cb.TECH_ROLES)})"
    return "innovators (innovated true)"


def _check_routing(columns: dict[str, _Column], out: _Collector) -> None:
    """Answers only where asked; core and routing columns filled where asked."""
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


def _check_tech_group(columns: dict[str, _Column], out: _Collector) -> None:
    """tech_group equals derive_tech_group(tech_role, tech_new) for innovators where it was asked."""
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


def _check_implied(columns: dict[str, _Column], out: _Collector) -> None:
    """A true partner_* (spread_*) answer requires collab_any (spread_any) true."""
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


# --------------------------------------------------------------------------------------------------
# Typing and loading
# --------------------------------------------------------------------------------------------------
def coerce(df: pd.DataFrame) -> pd.DataFrame:
    """Return the typed frame of the codebook's columns (in codebook order) with a fresh RangeIndex.

    Code and round columns become Categoricals whose categories are the codebook's codes in
    codebook order; bool columns pandas "boolean" (NA where not asked or not answered); weight
    float64; id and stratum "string". Cells that are not valid become NA: call `validate` (or use
    `load`) first.
    """
    missing = [c for c in cb.COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"cannot coerce: missing column(s) {', '.join(missing)}")
    return _typed(_parse_all(df), len(df))


def _typed(columns: dict[str, _Column], n: int) -> pd.DataFrame:
    out = {}
    for var in cb.VARIABLES:
        col = columns[var.name]
        if var.kind in ("code", "round"):
            out[var.name] = pd.Categorical.from_codes(col.value, categories=pd.Index(list(var.codes), dtype="str"))
        elif var.kind == "bool":
            out[var.name] = pd.arrays.BooleanArray(col.value == 1, col.value < 0)
        elif var.kind == "weight":
            out[var.name] = col.value.astype(np.float64)
        else:
            texts = np.array([*col.texts, None], dtype=object)
            out[var.name] = pd.array(texts[col.value], dtype="string")
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def load(path: str | Path) -> pd.DataFrame:
    """Read, validate and type a data file; raise DataFileError listing every problem if any.

    No partial data is ever returned: one violation refuses the whole file.
    """
    frame = read_table(path)
    violations, columns = _check(frame, str(path))
    if violations:
        raise DataFileError(str(path), violations)
    return _typed(columns, len(frame))

