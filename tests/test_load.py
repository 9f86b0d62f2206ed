"""Tests for dashboard.data.load: reading, validating and typing data files."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.data import codebook as cb  # noqa: E402
from dashboard.data.load import (  # noqa: E402
    MAX_PER_RULE,
    ROW_INDEX,
    DataFileError,
    Violation,
    coerce,
    load,
    read_table,
    validate,
)

MALFORMED = Path(__file__).resolve().parent / "malformed"
SYNTHETIC = ROOT / "data" / "barometer_synthetic.csv"


def _corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", MALFORMED / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _corpus_module()
N_COLUMNS = len(cb.REQUIRED_COLUMNS)

# file -> (row, column, text the violation's message must contain); row/column None = whole file/column
EXPECTED = {
    "missing_column.csv": (None, "curiosity", "required column is missing"),
    "misspelt_column.csv": (None, "wieght", "did you mean 'weight'?"),
    "duplicate_column.csv": (1, "weight", "appears 2 times in the header"),
    "unknown_sector_code.csv": (4, "sector", "allowed: state, region, municipality"),
    "wrong_case_code.csv": (3, "sector", "codes are lower-case: use 'state'"),
    "unknown_round.csv": (10, "round", "allowed: 2018-2019, 2015-2016"),
    "negative_weight.csv": (7, "weight", "weight must be a number > 0"),
    "zero_weight.csv": (5, "weight", "weight must be a number > 0"),
    "empty_weight.csv": (6, "weight", "weight is empty"),
    "non_numeric_weight.csv": (2, "weight", "weight must be a number > 0"),
    "infinite_weight.csv": (3, "weight", "weight must be a finite number > 0"),
    "decimal_comma_in_comma_file.csv": (2, "weight", "a decimal comma is accepted only in ';'-separated files"),
    "semicolon_negative_weight.csv": (3, "weight", "weight must be a number > 0"),
    "duplicate_id.csv": (6, "id", "also used in row 3"),
    "empty_id.csv": (8, "id", "id is empty"),
    "empty_innovated.csv": (6, "innovated", "innovated is empty; every row needs it (true or false)"),
    "empty_tech_role.csv": (4, "tech_role", "later questions are routed by it"),
    "invalid_bool.csv": (2, "core_task", "allowed: true, false, 1, 0"),
    "tech_new_not_asked.csv": (4, "tech_new", "tech_new answered but tech_role is 'minor': asked only of "
                                              "technological innovators (tech_role solution/important)"),
    "value_for_non_innovator.csv": (6, "value_quality", "answered but innovated is false: asked only of innovators"),
    "answer_in_old_round.csv": (9, "curiosity", "answered in round 2015-2016, but it was asked only in 2018-2019"),
    "wrong_tech_group.csv": (3, "tech_group", "tech_group must be 'known_tech'"),
    "stratum_mismatch.csv": (3, "stratum", "stratum must be 'state.admin.large'"),
    "industry_not_in_sector.csv": (6, "industry", "allowed for state: admin, education, other"),
    "partner_without_collab.csv": (5, "collab_any", "collab_any is false but partner_private is true"),
    "spread_without_spread_any.csv": (5, "spread_any", "spread_any is false but spread_website is true"),
    "latin1_encoding.csv": (4, "id", "save it as UTF-8"),
    "ragged_row.csv": (8, None, f"the row has {N_COLUMNS + 1} fields but the header has {N_COLUMNS}"),
    "blank_line_bad_size.csv": (5, "size", "allowed: small, medium, large"),
    "empty_file.csv": (None, None, "no data rows"),
    "header_only.csv": (None, None, "no data rows"),
    "bad_sector.parquet": (3, "sector", "allowed: state, region, municipality"),
    "truncated.parquet": (None, None, "not a readable Parquet file"),
    "cr_line_ends.csv": (7, "weight", "weight must be a number > 0"),
    "unclosed_quote.csv": (4, None, 'because a quote (") opened on line 4 is not closed'),
    "binary_junk.csv": (None, None, "the file holds binary data, not CSV text"),
    "gzip_compressed.csv": (None, None, "the file is gzip-compressed"),
    "nested_types.parquet": (None, "sector", "the column has type list<element: string>"),
    "nul_in_id.csv": (4, "id", "the id holds the control character '\\x00' (U+0000)"),
    "newline_in_id.csv": (3, "id", "the id holds the control character '\\n' (U+000A)"),
    "control_char_in_id.csv": (5, "id", "the id holds the control character '\\x1b' (U+001B)"),
    "formula_id.csv": (6, "id", "the id begins with '='"),
    "long_id.csv": (2, "id", "the id is 65 characters long"),
}
# Every file holds one fault and should yield one problem, except where the fault has several faces.
PROBLEM_COUNT = {"missing_column.csv": 2, "misspelt_column.csv": 3}  # + the list of expected columns


def write_csv(path: Path, rows=None, sep=",", encoding="utf-8") -> Path:
    """Write rows (default: the valid fixture) as CSV and return the path."""
    path.write_text(corpus.to_csv(corpus.base_rows() if rows is None else rows, sep=sep), encoding=encoding)
    return path


@pytest.fixture
def valid_csv(tmp_path) -> Path:
    """A small valid file: both rounds, tech innovators, other innovators, non-innovators."""
    return write_csv(tmp_path / "valid.csv")


# --------------------------------------------------------------------------------------------------
# Valid data
# --------------------------------------------------------------------------------------------------
def test_valid_fixture_loads_with_codebook_types(valid_csv):
    df = load(valid_csv)
    assert list(df.columns) == list(cb.COLUMNS)
    assert len(df) == 10
    assert isinstance(df.index, pd.RangeIndex)
    for var in cb.VARIABLES:
        dtype = df[var.name].dtype
        if var.kind in ("code", "round"):
            assert isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == list(var.codes), var.name
        elif var.kind == "bool":
            assert dtype == "boolean", var.name
        elif var.kind in ("weight", "count"):
            assert dtype == np.float64
        else:
            assert dtype == "string", var.name
    assert df["weight"].tolist() == [5.25, 12.5, 3.0, 7.75, 20.0, 2.5, 1.0, 4.5, 10.0, 1.25]
    assert df["stratum_population"].isna().all()  # the optional column is absent: no finite population correction
    assert df["tech_group"].iloc[:7].tolist() == ["new_tech", "known_tech", "non_tech", "non_tech", np.nan, np.nan,
                                                  "known_tech"]
    assert df["round"].value_counts()[["2018-2019", "2015-2016"]].tolist() == [7, 3]


def test_read_table_keeps_strings_and_spreadsheet_row_numbers(valid_csv):
    raw = read_table(valid_csv)
    assert raw.index.name == ROW_INDEX
    assert raw.index.tolist() == list(range(2, 12))
    assert raw.loc[9, "curiosity"] == ""  # 2015-2016 row: not asked, empty string, not NA
    assert raw.loc[2, "weight"] == "5.25"
    assert validate(raw, valid_csv) == []


def test_coerce_gives_na_not_false_for_unasked_questions(valid_csv):
    df = load(valid_csv).set_index("id")
    assert df.loc["r18-005", "type_product"] is pd.NA  # non-innovator: innovator question not asked
    assert pd.isna(df.loc["r18-003", "tech_new"])  # tech_role minor: not a technological innovation
    assert pd.isna(df.loc["r15-001", "curiosity"])  # 2015-2016: not asked in that round
    assert pd.isna(df.loc["r18-004", "novelty"])  # item non-response where asked
    assert df.loc["r18-004", ["collab_any", "spread_any"]].tolist() == [False, False]  # asked, answered no
    assert int(df["type_product"].isna().sum()) == 5  # 2 non-innovators + 3 rows of 2015-2016
    assert int((~df["type_product"]).sum()) == 5


def test_coerce_of_typed_frame_is_identity(valid_csv):
    df = load(valid_csv)
    assert validate(df) == []
    pd.testing.assert_frame_equal(coerce(df), df)


def test_semicolon_bom_decimal_comma_equals_comma_version(tmp_path, valid_csv):
    rows = corpus.base_rows()
    for row in rows:
        row["weight"] = row["weight"].replace(".", ",")
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + corpus.to_csv(rows, sep=";").replace("\n", "\r\n").encode())
    assert read_table(path).columns[0] == "id"  # BOM stripped from the first column name
    pd.testing.assert_frame_equal(load(path), load(valid_csv))


def test_parquet_round_trip_equals(tmp_path, valid_csv):
    df = load(valid_csv)
    path = tmp_path / "data.parquet"
    df.to_parquet(path)
    pd.testing.assert_frame_equal(load(path), df)


def test_parquet_of_raw_strings_equals_csv(tmp_path, valid_csv):
    path = tmp_path / "raw.parquet"
    read_table(valid_csv).reset_index(drop=True).to_parquet(path)
    pd.testing.assert_frame_equal(load(path), load(valid_csv))


def test_bool_spellings_are_accepted(tmp_path, valid_csv):
    rows = corpus.base_rows()
    spellings = {"true": ["True", "1", "TRUE"], "false": ["False", "0", "FALSE"]}
    for k, row in enumerate(rows):
        for name in cb.BOOL_COLUMNS:
            if row[name] in spellings:
                row[name] = spellings[row[name]][k % 3]
    pd.testing.assert_frame_equal(load(write_csv(tmp_path / "spelt.csv", rows)), load(valid_csv))


@pytest.mark.parametrize("gap", [["", "," * (N_COLUMNS - 1)], ["   ", ""]], ids=["separators", "spaces"])
def test_blank_lines_are_skipped_and_counted(tmp_path, valid_csv, gap):
    lines = corpus.to_csv(corpus.base_rows()).splitlines()
    lines[3:3] = gap  # lines 4 and 5: empty, only separators (as Excel writes them) or only spaces
    path = tmp_path / "gaps.csv"
    path.write_text("\r\n".join(lines) + "\r\n\r\n", encoding="utf-8")
    assert read_table(path).index.tolist() == [2, 3, 6, 7, 8, 9, 10, 11, 12, 13]
    pd.testing.assert_frame_equal(load(path), load(valid_csv))


def test_row_numbers_count_lines_of_multiline_quoted_cells(tmp_path):
    rows = corpus.base_rows()
    rows[1]["id"] = "r18-002\nsecond line"  # quoted cell spanning two lines (line 3-4)
    rows[3]["weight"] = "-2"  # data row 4: line 5 without the break, line 6 with it
    with pytest.raises(DataFileError) as err:
        load(write_csv(tmp_path / "quoted.csv", rows))
    # the id is refused (no line breaks in ids), and the weight's row counts both lines of it
    assert [(v.row, v.column) for v in err.value.violations] == [(3, "id"), (6, "weight")]


def test_trailing_empty_unnamed_column_is_dropped(tmp_path, valid_csv):
    lines = corpus.to_csv(corpus.base_rows()).splitlines()
    path = tmp_path / "trailing.csv"
    path.write_text("\n".join(line + ";" for line in lines).replace(",", ";") + "\n", encoding="utf-8")
    pd.testing.assert_frame_equal(load(path), load(valid_csv))


# --------------------------------------------------------------------------------------------------
# The malformed corpus
# --------------------------------------------------------------------------------------------------
def test_corpus_is_fully_covered():
    files = {p.name for p in MALFORMED.iterdir() if p.suffix in (".csv", ".parquet")}
    assert files == set(EXPECTED) == set(corpus.CORPUS)
    readme = (MALFORMED / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in EXPECTED)


def test_corpus_base_is_valid(tmp_path):
    assert validate(read_table(write_csv(tmp_path / "base.csv"))) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_is_refused(name):
    row, column, text = EXPECTED[name]
    with pytest.raises(DataFileError) as err:
        load(MALFORMED / name)
    assert err.value.path == str(MALFORMED / name)
    hits = [v for v in err.value.violations if v.row == row and v.column == column and text in v.message]
    assert len(hits) == 1, str(err.value)
    lines = str(err.value).splitlines()
    assert lines[0] == f"{MALFORMED / name}: {PROBLEM_COUNT.get(name, 1)} problem(s); the file was refused"
    expected_line = [name, *([f"row {row}"] if row else []), *([f"column {column}"] if column else []), text]
    assert any(all(part in line for part in expected_line) for line in lines[1:]), str(err.value)


# --------------------------------------------------------------------------------------------------
# Validation behaviour
# --------------------------------------------------------------------------------------------------
def test_validate_collects_every_violation_not_just_the_first(tmp_path):
    rows = corpus.base_rows()
    rows[0]["weight"] = "-1"  # line 2
    rows[2]["sector"] = "State"  # line 4
    rows[4]["value_quality"] = "true"  # line 6: non-innovator
    rows[9]["innovated"] = "yes"  # line 11
    found = validate(read_table(write_csv(tmp_path / "many.csv", rows)), "many.csv")
    assert [(v.row, v.column) for v in found] == [(2, "weight"), (4, "sector"), (6, "value_quality"),
                                                 (11, "innovated")]
    assert all(v.path == "many.csv" for v in found)


def test_validate_in_memory_frame_reports_one_based_positions():
    frame = pd.DataFrame(corpus.base_rows())
    frame.loc[2, "weight"] = "0"
    assert [(v.row, v.column, v.value) for v in validate(frame)] == [(3, "weight", "0")]


def test_violations_per_rule_are_capped_but_counted(tmp_path):
    base = corpus.base_rows()
    rows = [dict(base[k % len(base)], id=f"id-{k}", weight="-1") for k in range(MAX_PER_RULE + 200)]
    with pytest.raises(DataFileError) as err:
        load(write_csv(tmp_path / "big.csv", rows))
    listed = [v for v in err.value.violations if v.count == 1]
    summary = [v for v in err.value.violations if v.count > 1]
    assert len(listed) == MAX_PER_RULE and [v.count for v in summary] == [200]
    assert err.value.problem_count == MAX_PER_RULE + 200
    assert str(err.value).startswith(f"{tmp_path / 'big.csv'}: {MAX_PER_RULE + 200} problem(s); the file was refused")


def test_unasked_answer_with_unknown_routing_is_not_reported_twice(tmp_path):
    rows = corpus.base_rows()
    rows[2]["innovated"] = ""  # line 4: an innovator row whose routing is now unknown
    with pytest.raises(DataFileError) as err:
        load(write_csv(tmp_path / "routing.csv", rows))
    assert [(v.row, v.column) for v in err.value.violations] == [(4, "innovated")]


def test_repeated_column_in_frame_is_reported():
    frame = pd.DataFrame(corpus.base_rows())
    frame = pd.concat([frame, frame[["weight"]]], axis=1)
    assert [(v.row, v.column) for v in validate(frame)] == [(None, "weight")]
    with pytest.raises(ValueError, match="missing or repeated: weight"):
        coerce(frame)


def test_object_and_numeric_columns_validate_like_strings():
    frame = pd.DataFrame(corpus.base_rows()).astype(object)
    frame["weight"] = frame["weight"].astype(float)
    frame["innovated"] = frame["innovated"].map({"true": 1, "false": 0})
    assert validate(frame) == []
    assert coerce(frame)["innovated"].tolist() == [True] * 4 + [False] * 2 + [True, True, False, True]


def test_missing_required_column_lists_expected_columns(tmp_path):
    rows = corpus.base_rows()
    path = tmp_path / "short.csv"
    path.write_text(corpus.to_csv(rows, [c for c in cb.REQUIRED_COLUMNS if c not in ("weight", "stratum")]), encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load(path)
    missing = sorted(v.column for v in err.value.violations if v.message == "required column is missing")
    assert missing == ["stratum", "weight"]
    assert "expected columns (in any order): " + ", ".join(cb.REQUIRED_COLUMNS) in str(err.value)


# --------------------------------------------------------------------------------------------------
# Reporting and refused files
# --------------------------------------------------------------------------------------------------
def test_violation_str():
    v = Violation("data/data.csv", 7, "weight", "-2", "weight must be a number > 0")
    assert str(v) == "data.csv, row 7, column weight: value '-2' — weight must be a number > 0"
    assert str(Violation("data.csv", None, None, None, "no data rows")) == "data.csv: no data rows"


def test_error_report_is_capped_at_fifty_lines():
    violations = [Violation("x.csv", k + 2, "weight", "-1", "weight must be a number > 0") for k in range(60)]
    lines = str(DataFileError("x.csv", violations)).splitlines()
    assert lines[0] == "x.csv: 60 problem(s); the file was refused"
    assert len(lines) == 52 and lines[-1] == "  ... and 10 more"
    assert isinstance(DataFileError("x.csv", violations), ValueError)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        load(tmp_path / "nowhere.csv")


def test_excel_workbook_is_refused(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(60))
    with pytest.raises(DataFileError, match="Excel workbook, not a CSV file"):
        read_table(path)


def test_utf16_file_is_refused(tmp_path):
    path = write_csv(tmp_path / "unicode.csv", encoding="utf-16")
    with pytest.raises(DataFileError, match="UTF-16"):
        read_table(path)


@pytest.mark.skipif(not SYNTHETIC.exists(), reason="the shipped synthetic data file is not generated yet")
def test_shipped_synthetic_file_loads():
    assert len(load(SYNTHETIC)) == 4634
