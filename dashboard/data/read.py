"""Read a CSV or Parquet data file into a raw frame, without interpreting its values.

`read_table` opens only regular files (a named pipe, a device such as /dev/zero, a socket or a
directory is refused unread, also behind a symbolic link) of at most `max_file_bytes()` (set with
$BAROMETER_MAX_FILE_MB). It refuses compressed, binary and spreadsheet files with a hint, sniffs the
CSV separator (',' or ';') from the header line, accepts UTF-8 with or without BOM and any line
ends (LF, CRLF, CR). It numbers the rows as a spreadsheet user sees them: for a CSV file the header
is line 1 and the first data row line 2 (blank lines count, as in the file); for Parquet they are
1-based data rows. Every refusal is a `DataFileError` naming the file, the row and the column.
"""

from __future__ import annotations

import codecs
import csv
import os
import stat
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dashboard.data import integrity
from dashboard.data.csv_rows import MAX_CELL_CHARS, exact_layout, line_numbers, lone_carriage_return, separator_only
from dashboard.data.errors import MAX_PER_RULE, DataFileError, Violation, refuse
from dashboard.data.exported import check_archive, check_header

__all__ = ["MAX_COLUMNS", "MAX_FILE_ENV", "MAX_FILE_MB", "ROW_INDEX", "max_file_bytes", "read_table"]

ROW_INDEX = "row"  # name of the index `read_table` gives its frame: the row number reported to the user
MAX_FILE_MB = 256  # default size limit of a data file, in MB (about 1.3 million rows of the shipped file's layout)
MAX_FILE_ENV = "BAROMETER_MAX_FILE_MB"  # environment variable that sets another limit
MAX_COLUMNS = 1000  # a header with more columns is refused at once (the data contract has a few dozen)

_MB = 1 << 20
_SEPARATORS = (",", ";")
_SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: Save As > 'CSV UTF-8 (comma delimited)')"
_UNPACK = "; unpack it first and give the CSV or Parquet file inside"
# Leading bytes of formats that are not CSV text, and what to say about them.
_SIGNATURES = (
    (b"\x1f\x8b", "the file is gzip-compressed" + _UNPACK + " (e.g. gunzip FILE.gz)"),
    (b"\xfd7zXZ\x00", "the file is xz-compressed" + _UNPACK + " (e.g. unxz FILE.xz)"),
    (b"\x28\xb5\x2f\xfd", "the file is zstd-compressed" + _UNPACK + " (e.g. unzstd FILE.zst)"),
    (b"BZh", "the file is bzip2-compressed" + _UNPACK + " (e.g. bunzip2 FILE.bz2)"),
    (b"7z\xbc\xaf\x27\x1c", "the file is a 7-Zip archive" + _UNPACK),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "this is an Excel 97-2003 workbook (.xls), not a CSV file; " + _SAVE_AS_UTF8),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r") + b"\x7f"
_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def max_file_bytes(name: str = "<data>") -> int:
    """Return the size limit of a data file in bytes: $BAROMETER_MAX_FILE_MB megabytes, else `MAX_FILE_MB`.

    Raises DataFileError (for file `name`) when the variable is not a positive number.
    """
    text = os.environ.get(MAX_FILE_ENV, "").strip()
    if not text:
        return MAX_FILE_MB * _MB
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = 0.0
    if not 0 < megabytes < float("inf"):  # also refuses nan
        raise refuse(name, f"{MAX_FILE_ENV} must be a positive number of megabytes, not {text!r}")
    return int(megabytes * _MB)


def _too_big(name: str, size: int, limit: int, what: str = "the file is") -> DataFileError:
    """Return the refusal of a file over the size limit, saying how to raise it."""
    return refuse(name, f"{what} {size / _MB:,.1f} MB, above the limit of {limit / _MB:,.6g} MB for a data file; "
                        f"to read it, raise the limit with the environment variable {MAX_FILE_ENV} "
                        f"(e.g. {MAX_FILE_ENV}={max(2 * limit, size + _MB) // _MB})")


def read_table(path: str | Path, checksum: bool = True) -> pd.DataFrame:
    """Read a CSV or Parquet file without interpreting it.

    CSV cells come back as strings (empty cell = ""), Parquet columns as stored. The index, named
    `ROW_INDEX`, holds each row's number as reported to the user. CSV files may be comma or
    semicolon separated (sniffed from the header line) and UTF-8 with or without BOM; blank lines
    (also lines holding only separators) are skipped. A Parquet file is recognised by its
    ``.parquet`` suffix or its magic bytes. A file with a checksum file (`integrity.sidecar`) must match
    it; the frame's ``attrs["sha256"]`` is the SHA-256 of the bytes read, ``attrs["on_disk"]`` the file's size,
    modification time (ns) and inode as it was read.

    Raises
    ------
    DataFileError
        When the file is missing, not a regular file, over the size limit, unreadable, empty,
        compressed, binary, not UTF-8, an Excel workbook, has a header with repeated column names
        or too many columns, a Parquet column that is not plain values, a cell longer than
        `MAX_CELL_CHARS`, rows with more or fewer fields than the header, or it does not match its
        checksum file.
    """
    name = str(path)
    path = Path(path)
    limit = max_file_bytes(name)
    data, info = _read_bytes(name, path, limit)
    # against the file's checksum file, when it has one (`checksum` False: not, for writing a new one)
    sha256 = integrity.check(name, path, data) if checksum else integrity.digest(data)
    suffix = path.suffix.lower()
    if suffix == ".parquet" or data[:4] == b"PAR1":
        frame = _read_parquet(name, data, limit)
    else:
        check_archive(name, data)  # the dashboard's own workbook or ZIP: say what it is
        _refuse_other_formats(name, suffix, data)
        frame = _read_csv(name, data)
    frame.attrs["sha256"] = sha256
    frame.attrs["on_disk"] = (info.st_size, info.st_mtime_ns, info.st_ino)  # the file read, as it was then
    return frame


def _read_bytes(name: str, path: Path, limit: int) -> tuple[bytes, os.stat_result]:
    """Return the content of the regular file at `path` and what it was on disk as it was read (its stat),
    refusing anything else without reading it."""
    link = f" (a symbolic link to {os.path.realpath(path)})" if path.is_symlink() else ""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        broken = f": it is a symbolic link to {os.path.realpath(path)}, which does not exist" if link else ""
        raise refuse(name, "file not found" + broken) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise refuse(name, f"the file cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    _check_kind(name, mode, link)  # before opening: opening a device may do something
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise refuse(name, "file not found") from None
    except OSError as exc:
        raise refuse(name, f"the file cannot be read: {exc.strerror or exc}") from None
    with open(fd, "rb") as file:
        info = os.fstat(fd)
        _check_kind(name, info.st_mode, link)  # the path may have been replaced since the first look
        if info.st_size > limit:
            raise _too_big(name, info.st_size, limit)
        try:
            data = file.read(limit + 1)
        except OSError as exc:
            raise refuse(name, f"the file cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise _too_big(name, len(data), limit, "the file is more than")
    return data, info


def _check_kind(name: str, mode: int, link: str) -> None:
    """Refuse a directory or a special file (pipe, device, socket); return None for a regular file."""
    if stat.S_ISDIR(mode):
        raise refuse(name, f"this is a directory{link}, not a data file; give the path of a CSV or Parquet file")
    for test, what in _SPECIAL:
        if test(mode):
            raise refuse(name, f"this is {what}{link}, not a regular file; only regular files are read, so give "
                               "the path of a CSV or Parquet file (copy the data into one first)")
    if not stat.S_ISREG(mode):
        raise refuse(name, f"this is not a regular file{link}; give the path of a CSV or Parquet file")


def _refuse_other_formats(name: str, suffix: str, data: bytes) -> None:
    """Refuse compressed files, archives, workbooks and binary data with a hint; return None for text."""
    if suffix in (".xlsx", ".xlsm", ".xls") or (data[:4] == b"PK\x03\x04" and b"xl/" in data[:1 << 16]):
        raise refuse(name, "this is an Excel workbook, not a CSV file; " + _SAVE_AS_UTF8)
    if data[:4] == b"PK\x03\x04" and b"opendocument.spreadsheet" in data[:200]:
        raise refuse(name, "this is an OpenDocument spreadsheet (.ods), not a CSV file; save it as CSV (UTF-8)")
    if data[:4] == b"PK\x03\x04":
        raise refuse(name, "the file is a ZIP archive" + _UNPACK)
    for signature, message in _SIGNATURES:
        if data.startswith(signature) and (signature != b"BZh" or data[3:4].isdigit()):
            raise refuse(name, message)
    sample = data[:1 << 16]
    control = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES)
    if control * 100 > len(sample):  # more than 1 % control bytes: not text
        utf16 = sample.count(0) * 4 > len(sample)
        raise refuse(name, f"the file holds binary data, not CSV text ({control:,} control bytes in its first "
                           f"{len(sample):,}); give a CSV file (UTF-8 text) or a Parquet file"
                           + ("; if it is UTF-16 text without a byte-order mark, " + _SAVE_AS_UTF8 if utf16 else ""))


_PLAIN_TYPES = (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer, pa.types.is_floating,
                pa.types.is_boolean, pa.types.is_null, pa.types.is_decimal)


def _plain(kind: pa.DataType) -> bool:
    """True when a Parquet column of this type holds plain values (text, number, true/false)."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return any(test(kind) for test in _PLAIN_TYPES)


def _read_parquet(name: str, data: bytes, limit: int) -> pd.DataFrame:
    """Return the frame of a Parquet file's bytes, numbered 1, 2, ... in `ROW_INDEX`.

    The schema and the size are checked from the file's footer before any data is unpacked.
    """
    unreadable = ("not a readable Parquet file: it is damaged, cut off or not Parquet at all; write it again "
                  "(e.g. with pandas DataFrame.to_parquet) or give a CSV file")
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        schema, meta = parquet.schema_arrow, parquet.metadata
    except (pa.ArrowException, OSError, ValueError):
        raise refuse(name, unreadable) from None
    if len(schema) > MAX_COLUMNS:
        raise refuse(name, f"the file has {len(schema):,} columns, more than the {MAX_COLUMNS:,} read; is it the "
                           "survey's data file?")
    nested = [Violation(name, None, field.name, None,
                        f"the column has type {field.type}; each column must hold plain values (text, numbers or "
                        "true/false), not lists, structures, maps, dates or bytes")
              for field in schema if not _plain(field.type)]
    if nested:
        raise DataFileError(name, nested)
    unpacked = max(sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)),
                   meta.num_rows * len(schema))  # a CSV needs at least a byte per cell
    if unpacked > limit:
        raise _too_big(name, unpacked, limit, "unpacked, the data take about")
    try:
        frame = parquet.read().to_pandas()
    except (pa.ArrowException, OSError, ValueError, TypeError):
        raise refuse(name, unreadable) from None
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
    header = _cells(header_line, sep)
    if header is None:
        raise refuse(name, f"a cell of the header line is longer than {MAX_CELL_CHARS:,} characters; is this the "
                           "survey's data file?", row=1)
    if len(header) > MAX_COLUMNS:
        raise refuse(name, f"the header has {len(header):,} columns (separator '{sep}'), more than the "
                           f"{MAX_COLUMNS:,} read; is this the survey's data file?", row=1)
    check_header(name, header)  # a figure's numbers exported by the dashboard
    repeated = [Violation(name, 1, col, None, f"column appears {k} times in the header; each column must appear once")
                for col, k in Counter(header).items() if k > 1 and col != ""]
    if repeated:
        raise DataFileError(name, repeated)

    quoted = b'"' in data
    invalid_rows = []

    def on_invalid_row(row) -> str:
        invalid_rows.append(1)
        return "skip" if len(invalid_rows) <= MAX_PER_RULE else "error"  # enough to report: stop parsing

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=quoted,
                                             invalid_row_handler=on_invalid_row),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowException:
        exact_layout(name, data, sep, len(header))  # raises, naming the row, when it finds the fault
        raise refuse(name, f"the file cannot be read as CSV with separator '{sep}'; check that every opening "
                           "quote (\") has a closing one and that each row has one cell per column") from None

    frame = table.to_pandas()
    if quoted or invalid_rows or lone_carriage_return(data):
        lines, blank = exact_layout(name, data, sep, len(header))
    else:
        lines = line_numbers(data, len(frame))
        blank = separator_only(frame, data, sep)
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


def _cells(line: str, sep: str) -> list[str] | None:
    """Return the cells of one CSV line (no line end in it); None when a cell is over `MAX_CELL_CHARS`."""
    try:
        return next(csv.reader([line], delimiter=sep), [])
    except csv.Error:
        return None


def _first_line(data: bytes) -> bytes:
    """Return the first line of `data`, without its line end (LF, CRLF or CR)."""
    ends = [k for k in (data.find(b"\n"), data.find(b"\r")) if k >= 0]
    return data[:min(ends)] if ends else data


def _encoding_violation(name: str, data: bytes, pos: int) -> Violation:
    """Describe the first byte that is not UTF-8: its line, column and cell."""
    before = data[:pos]
    line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
    start = max(data.rfind(b"\n", 0, pos), data.rfind(b"\r", 0, pos)) + 1
    ends = [k for k in (data.find(b"\n", pos), data.find(b"\r", pos)) if k >= 0]
    end = min(ends) if ends else len(data)
    header_line = _first_line(data).decode("cp1252", errors="replace")
    sep = max(_SEPARATORS, key=header_line.count)
    prefix = data[start:pos].decode("cp1252", errors="replace")
    position = max(len(_cells(prefix, sep) or [""]), 1) - 1
    cells = _cells(data[start:end].decode("cp1252", errors="replace"), sep) or []
    header = _cells(header_line, sep) or []
    column = header[position] if line > 1 and position < len(header) else None
    value = cells[position] if position < len(cells) else None
    message = (f"byte 0x{data[pos]:02X} is not valid UTF-8: the file seems to be saved in another encoding "
               f"(e.g. Windows-1252/Latin-1, Excel's plain 'CSV'); {_SAVE_AS_UTF8}")
    return Violation(name, line, column, value, message)
