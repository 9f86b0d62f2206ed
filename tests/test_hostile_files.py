"""Hostile data files are refused cleanly: file, row, column and a message a user understands.

Each case is one test. The small files are in tests/malformed/ (made by make_corpus.py); the large
and special ones (a 200 KB cell, lines longer than the CSV parser's block, files over the size
limit, named pipes, devices, directories, symbolic links, sockets) are made here. The command-line
tests run `barometer` in a fresh process with a timeout: exit code 1, the report on stderr, no
traceback, and a peak memory that shows nothing was read into memory that should not be.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.procfile import free_port
from dashboard.data.load import DataFileError, load
from dashboard.data.read import MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_ENV, MAX_FILE_MB, max_file_bytes
from dashboard.data.rules import ID_RULE
from dashboard.data.shipped import DEFAULT_DATA

ROOT = Path(__file__).resolve().parents[1]
MALFORMED = ROOT / "tests" / "malformed"
BAROMETER = Path(sys.executable).with_name("barometer")
SPECIAL = "not a regular file; only regular files are read, so give the path of a CSV or Parquet file"
# Runs the command line in-process and reports its peak memory (MB) as the last line of stderr: the
# process's own high-water mark (VmHWM). Not ru_maxrss: Linux carries the parent's peak over into a child
# started with vfork and exec, so a child of a large test process would report the test process's peak.
_MEASURED = ("import re, sys\nfrom dashboard.cli import main\ncode = main(sys.argv[1:])\n"
             "status = open('/proc/self/status').read()\n"
             "print(int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) // 1024, file=sys.stderr)\nsys.exit(code)")


def _corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", MALFORMED / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _corpus_module()


def refusal(path: Path | str) -> DataFileError:
    """Return the error `load` raises for `path` (fails the test when it loads)."""
    with pytest.raises(DataFileError) as err:
        load(path)
    return err.value


def only(err: DataFileError, row: int | None, column: str | None, *parts: str) -> None:
    """Assert the error holds exactly one problem, at `row` and `column`, whose message holds every part."""
    assert err.problem_count == 1, str(err)
    [v] = err.violations
    assert (v.row, v.column) == (row, column), str(err)
    assert all(part in v.message for part in parts), v.message
    assert str(err).splitlines()[0] == f"{err.path}: 1 problem(s); the file was refused"


def barometer(*args: str, env: dict | None = None, timeout: float = 120) -> tuple[int, str, int]:
    """Run the command line in a fresh process; return (exit code, stderr, peak memory in MB)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BAROMETER_")} | (env or {})
    done = subprocess.run([sys.executable, "-c", _MEASURED, *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=timeout)
    *report, peak = done.stderr.rstrip("\n").split("\n")
    return done.returncode, "\n".join(report), int(peak)


def refused_by_cli(path: Path | str, *parts: str, env: dict | None = None) -> int:
    """Assert `barometer validate path` exits 1 with a report holding `parts` and no traceback; return peak MB."""
    code, err, peak = barometer("validate", str(path), env=env)
    assert code == 1, err
    assert "Traceback" not in err and err.startswith(f"{path}: "), err
    assert all(part in err for part in parts), err
    return peak


@pytest.fixture
def lines() -> list[str]:
    """The valid base file of the corpus, as lines (header first, no line ends)."""
    return corpus.to_csv(corpus.base_rows()).splitlines()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# Line ends, quotes and long cells
# --------------------------------------------------------------------------------------------------
def test_cr_only_line_ends_are_read_and_rows_counted(tmp_path, lines):
    lf = write(tmp_path / "lf.csv", lines)
    cr = tmp_path / "cr.csv"
    cr.write_bytes(lf.read_bytes().replace(b"\n", b"\r"))
    assert load(cr).equals(load(lf))
    only(refusal(MALFORMED / "cr_line_ends.csv"), 7, "weight", "weight must be a number > 0")
    refused_by_cli(MALFORMED / "cr_line_ends.csv", "cr_line_ends.csv, row 7, column weight: value '-2'")


def test_unclosed_quote_names_the_line_where_it_opens():
    only(refusal(MALFORMED / "unclosed_quote.csv"), 4, None, "the row has 1 fields but the header has 43",
         'it runs on to line 11 because a quote (") opened on line 4 is not closed where the cell ends')
    refused_by_cli(MALFORMED / "unclosed_quote.csv", "unclosed_quote.csv, row 4: ")


def test_unclosed_quote_in_a_large_file_names_its_line(tmp_path):
    data = DEFAULT_DATA.read_text(encoding="utf-8").split("\n")
    data[5] = data[5].replace(",", ',"', 1)  # line 6: a quote opened, never closed; 0.9 MB follow
    path = write(tmp_path / "quote.csv", data)
    only(refusal(path), 6, None, f"a cell starting on this line is longer than {MAX_CELL_CHARS:,} characters",
         'check for a quote (") that is opened but never closed')


def test_quoted_cell_of_200_kb_is_refused_at_its_row(tmp_path):
    rows = corpus.base_rows()
    rows[2]["id"] = "x," * 100_000  # line 4: a quoted cell of 200,000 characters
    path = tmp_path / "big_cell.csv"
    path.write_text(corpus.to_csv(rows), encoding="utf-8")
    only(refusal(path), 4, None, "a cell starting on this line is longer than 131,072 characters",
         "which no value of the data contract is")
    refused_by_cli(path, "big_cell.csv, row 4: a cell starting on this line is longer than 131,072 characters")


def test_quoted_id_of_100_kb_is_refused_by_the_id_rule(tmp_path):
    rows = corpus.base_rows()
    rows[2]["id"] = "x," * 50_000
    path = tmp_path / "long_id.csv"
    path.write_text(corpus.to_csv(rows), encoding="utf-8")
    err = refusal(path)
    only(err, 4, "id", "the id is 100,000 characters long", ID_RULE)
    assert len(str(err)) < 600  # the value is shortened in the report


@pytest.mark.parametrize("line", ["x" * 3_000_000, "a," * 750_000], ids=["one-cell", "many-cells"])
def test_line_longer_than_the_parser_block_gets_a_readable_message(tmp_path, lines, line):
    path = write(tmp_path / "long_line.csv", [lines[0], line, *lines[1:]])
    err = refusal(path)
    expected = ("a cell starting on this line is longer than 131,072 characters" if line[0] == "x"
                else "the row has 750001 fields but the header has 43")
    only(err, 2, None, expected)
    assert "straddl" not in str(err) and "block" not in str(err)


def test_many_ragged_rows_stop_the_reading_after_a_thousand(tmp_path, lines):
    path = write(tmp_path / "ragged.csv", [lines[0]] + ["a"] * 5_000)
    err = refusal(path)
    assert err.problem_count == 1001
    assert [v.row for v in err.violations[:1000]] == list(range(2, 1002))
    assert err.violations[-1].message == "more rows have the wrong number of fields (reading stopped at line 1002)"


def test_header_with_too_many_columns_is_refused(tmp_path):
    path = write(tmp_path / "wide.csv", [",".join(f"c{k}" for k in range(MAX_COLUMNS + 1)), "1," * MAX_COLUMNS])
    only(refusal(path), 1, None, "the header has 1,001 columns (separator ','), more than the 1,000 read")


# --------------------------------------------------------------------------------------------------
# Not CSV text
# --------------------------------------------------------------------------------------------------
def test_binary_junk_is_refused_as_binary():
    only(refusal(MALFORMED / "binary_junk.csv"), None, None, "the file holds binary data, not CSV text",
         "give a CSV file (UTF-8 text) or a Parquet file")
    refused_by_cli(MALFORMED / "binary_junk.csv", "binary_junk.csv: the file holds binary data")


def test_gzip_compressed_csv_is_refused_with_how_to_unpack():
    only(refusal(MALFORMED / "gzip_compressed.csv"), None, None, "the file is gzip-compressed",
         "unpack it first and give the CSV or Parquet file inside (e.g. gunzip FILE.gz)")
    refused_by_cli(MALFORMED / "gzip_compressed.csv", "gzip_compressed.csv: the file is gzip-compressed")


def test_zip_archive_that_is_not_a_workbook_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "survey.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("survey.csv", corpus.to_csv(corpus.base_rows()))
    only(refusal(path), None, None, "the file is a ZIP archive; unpack it first")


def test_parquet_with_nested_types_names_the_column():
    only(refusal(MALFORMED / "nested_types.parquet"), None, "sector", "the column has type list<element: string>",
         "each column must hold plain values (text, numbers or true/false)")
    refused_by_cli(MALFORMED / "nested_types.parquet", "nested_types.parquet, column sector: the column has type")


def test_parquet_that_unpacks_over_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"sector": pa.repeat("state", 2_000_000)}), path)
    assert path.stat().st_size < 100_000
    monkeypatch.setenv(MAX_FILE_ENV, "1")
    only(refusal(path), None, None, "unpacked, the data take about 1.9 MB, above the limit of 1 MB for a data file",
         f"raise the limit with the environment variable {MAX_FILE_ENV}")


def test_damaged_parquet_message_holds_no_library_internals():
    err = refusal(MALFORMED / "truncated.parquet")
    only(err, None, None, "not a readable Parquet file: it is damaged, cut off or not Parquet at all")
    assert "magic" not in str(err) and "footer" not in str(err)


# --------------------------------------------------------------------------------------------------
# Ids and control characters
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "row", "part"), [
    ("nul_in_id.csv", 4, "the id holds the control character '\\x00' (U+0000)"),
    ("newline_in_id.csv", 3, "the id holds the control character '\\n' (U+000A)"),
    ("control_char_in_id.csv", 5, "the id holds the control character '\\x1b' (U+001B)"),
    ("formula_id.csv", 6, "the id begins with '='"),
], ids=["nul", "newline", "escape", "formula"])
def test_id_breaking_the_id_rule_is_refused(name, row, part):
    err = refusal(MALFORMED / name)
    only(err, row, "id", part, ID_RULE)
    assert all(line.isprintable() for line in str(err).splitlines())  # nothing raw reaches the terminal


@pytest.mark.parametrize("start", ["+cmd", "-2+3", "@SUM(1)"])
def test_id_starting_like_a_formula_is_refused(tmp_path, start):
    rows = corpus.base_rows()
    rows[4]["id"] = start  # line 6
    path = tmp_path / "formula.csv"
    path.write_text(corpus.to_csv(rows), encoding="utf-8")
    only(refusal(path), 6, "id", f"the id begins with '{start[0]}'", "which a spreadsheet reads as a formula")


def test_control_characters_elsewhere_are_shown_escaped(tmp_path, lines):
    header = lines[0].replace("curiosity", "curio\x1b[2Jsity")
    rows = corpus.base_rows()
    rows[1]["sector"] = "state\x00"
    path = tmp_path / "control.csv"
    path.write_text(header + "\n" + "\n".join(corpus.to_csv(rows).splitlines()[1:]) + "\n", encoding="utf-8")
    report = str(refusal(path))
    assert "column curio\\x1b[2Jsity: unknown column 'curio\\x1b[2Jsity'" in report
    assert "row 3, column sector: value 'state\\x00' — not a valid sector code" in report
    assert all(line.isprintable() for line in report.splitlines())


# --------------------------------------------------------------------------------------------------
# What is not a regular file, and the size limit
# --------------------------------------------------------------------------------------------------
def test_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    refused_by_cli(fifo, f"pipe.csv: this is a named pipe (FIFO), {SPECIAL}")


def test_dev_zero_is_refused_without_reading_it():
    peak = refused_by_cli("/dev/zero", f"zero: this is a character device, {SPECIAL}")
    code, err, baseline = barometer("validate", str(MALFORMED / "empty_file.csv"))
    assert code == 1 and peak < baseline + 50, (peak, baseline)


def test_symlinks_to_special_files_name_their_target(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, what in ((Path("/dev/zero"), "a character device"), (fifo, "a named pipe (FIFO)")):
        link = tmp_path / f"link_to_{target.name}.csv"
        link.symlink_to(target)
        refused_by_cli(link, f"this is {what} (a symbolic link to {target}), {SPECIAL}")
    broken = tmp_path / "broken.csv"
    broken.symlink_to(tmp_path / "gone.csv")
    only(refusal(broken), None, None, f"file not found: it is a symbolic link to {tmp_path / 'gone.csv'}, which does "
                                      "not exist")


def test_directory_is_refused(tmp_path):
    only(refusal(tmp_path), None, None, "this is a directory, not a data file; give the path of a CSV or Parquet file")


def test_socket_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        only(refusal(path), None, None, f"this is a socket, {SPECIAL}")


def test_file_over_the_size_limit_names_the_limit_and_how_to_raise_it(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(DEFAULT_DATA.read_bytes() * 2)
    assert max_file_bytes() == MAX_FILE_MB * 2**20 == 256 * 2**20  # the documented default
    monkeypatch.setenv(MAX_FILE_ENV, "1")
    message = (f"the file is {path.stat().st_size / 2**20:.1f} MB, above the limit of 1 MB for a data file; to read "
               f"it, raise the limit with the environment variable {MAX_FILE_ENV} (e.g. {MAX_FILE_ENV}=2)")
    only(refusal(path), None, None, message)
    refused_by_cli(path, message, env={MAX_FILE_ENV: "1"})
    small = tmp_path / "small.csv"
    small.write_bytes(DEFAULT_DATA.read_bytes())  # 0.9 MB: under the limit, read as usual
    assert len(load(small)) == len(load(DEFAULT_DATA))


def test_size_limit_that_is_not_a_number_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv(MAX_FILE_ENV, "lots")
    only(refusal(DEFAULT_DATA), None, None, f"{MAX_FILE_ENV} must be a positive number of megabytes, not 'lots'")


# --------------------------------------------------------------------------------------------------
# The other commands that read a data file
# --------------------------------------------------------------------------------------------------
def test_serve_refuses_a_named_pipe_and_a_compressed_file(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path, part in ((fifo, "this is a named pipe (FIFO)"), (MALFORMED / "gzip_compressed.csv",
                                                               "the file is gzip-compressed")):
        code, err, _ = barometer("serve", "--data", str(path), "--port", str(free_port()), timeout=60)
        assert code == 1 and "Traceback" not in err, err
        assert err.startswith(f"{path}: 1 problem(s); the file was refused") and part in err, err


def test_table_refuses_dev_zero_named_by_the_environment():
    code, err, _ = barometer("table", "fig1", env={"BAROMETER_DATA": "/dev/zero"})
    assert (code, "Traceback" in err) == (1, False)
    assert err.startswith("/dev/zero: 1 problem(s); the file was refused") and "a character device" in err


def test_the_peak_measured_is_the_command_s_own_not_the_test_process_s(tmp_path, lines):
    ballast = bytearray(1024 * 1024 * 1024)  # this process now holds 1 GB more than the command will
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    code, _, peak = barometer("validate", str(write(tmp_path / "ok.csv", lines)))
    del ballast
    assert code == 0 and peak < 500, peak


def test_bounded_memory_on_a_large_file_of_empty_lines(tmp_path, lines):
    path = tmp_path / "empty_lines.csv"
    path.write_bytes(lines[0].encode() + b"\n" * 100_000_000)  # 100 MB of empty lines: no data rows
    peak = refused_by_cli(path, "empty_lines.csv: no data rows")
    assert peak < 1200, peak  # a few bytes per byte of the file, not an array entry per line


# --------------------------------------------------------------------------------------------------
# Any bytes: a typed frame or a DataFileError, never another exception
# --------------------------------------------------------------------------------------------------
_TOKENS = [b'"', b",", b";", b"\r", b"\n", b"\r\n", b"\x00", b'""', b"\xef\xbb\xbf", b"\xff", b"\xc3", b"=", b"\t",
           b"\x1b", "Å".encode(), b"PAR1", b"\x1f\x8b"]
_EDIT = st.tuples(st.sampled_from(["insert", "delete", "replace", "cut"]), st.floats(0, 1), st.sampled_from(_TOKENS),
                  st.integers(1, 40))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(_EDIT, min_size=1, max_size=6))
def test_mutated_files_load_or_are_refused_with_a_report(tmp_path, edits):
    data = bytearray(corpus.to_csv(corpus.base_rows()).encode())
    for op, where, token, size in edits:
        pos = int(where * len(data))
        if op == "insert":
            data[pos:pos] = token
        elif op == "delete":
            del data[pos:pos + size]
        elif op == "replace" and data:
            data[min(pos, len(data) - 1)] = token[0]
        else:
            data = data[:pos]
    path = tmp_path / "mutated.csv"
    path.write_bytes(bytes(data))
    try:
        load(path)
    except DataFileError as err:
        report = str(err)
        assert report.startswith(f"{path}: ") and "Arrow" not in report and "straddl" not in report
        assert all(line.isprintable() for line in report.splitlines())
