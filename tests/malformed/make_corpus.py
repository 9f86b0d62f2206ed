"""Write the malformed-file corpus: each file is the valid base with one fault injected.

Run once from the project root (`python tests/malformed/make_corpus.py`); the files and README.md
are kept in the repository. tests/test_load.py also uses `base_rows` as its valid fixture.

Line numbers below are as in the file: header = line 1, first data row = line 2.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.data import codebook as cb  # noqa: E402

Row = dict[str, str]

# Answers of a current-round innovator; routing blanks what is not asked.
_INNOVATOR = {
    "curiosity": "agree_partly",
    "type_product": "false", "type_service": "true", "type_process": "true", "type_communication": "false",
    "novelty": "adapted", "started_by_new_tech": "false", "core_task": "true",
    "value_quality": "true", "value_efficiency": "true", "value_employee_satisfaction": "false",
    "value_citizen_involvement": "false", "value_political_goals": "false",
    "citizens_initiated": "false", "citizens_promoted": "true", "citizens_collaborated": "false",
    "employees_initiated": "true", "employees_role": "promoted",
    "collab_any": "true", **dict.fromkeys(cb.PARTNER_COLUMNS, "false"), "partner_own_org": "true",
    "spread_any": "true", "spread_network": "true", "spread_internal": "false", "spread_website": "false",
}


def make_row(id_: str, round_: str, sector: str, industry: str, size: str, weight: str, innovated: str,
             **answers: str) -> Row:
    """Return one consistent row: routing applied, stratum and tech_group derived."""
    row = dict.fromkeys(cb.REQUIRED_COLUMNS, "")
    row.update(id=id_, round=round_, sector=sector, industry=industry, size=size,
               stratum=f"{sector}.{industry}.{size}", weight=weight, innovated=innovated)
    if round_ == cb.CURRENT_ROUND:
        row.update(_INNOVATOR if innovated == "true" else {"curiosity": "agree_partly"})
        if innovated == "true":
            row["tech_group"] = cb.derive_tech_group(answers.get("tech_role"), answers.get("tech_new") or None)
    row.update(answers)
    return row


def base_rows() -> list[Row]:
    """The valid base: both rounds, innovators, technological innovators, non-innovators (10 rows)."""
    cur, old = cb.CURRENT_ROUND, "2015-2016"
    none = dict.fromkeys(cb.PARTNER_COLUMNS, "false") | dict.fromkeys(cb.SPREAD, "false")
    return [
        make_row("r18-001", cur, "municipality", "daycare", "small", "5.25", "true",
                 tech_role="solution", tech_new="new", technology="tablets"),                  # line 2
        make_row("r18-002", cur, "state", "admin", "large", "12.5", "true",
                 tech_role="important", tech_new="known", technology="self_service",
                 partner_private="true", spread_website="true"),                               # line 3
        make_row("r18-003", cur, "region", "health", "medium", "3", "true", tech_role="minor"),  # line 4
        make_row("r18-004", cur, "municipality", "eldercare", "medium", "7.75", "true", tech_role="none",
                 novelty="", collab_any="false", spread_any="false", **none),                  # line 5
        make_row("r18-005", cur, "state", "education", "small", "20", "false",
                 curiosity="agree_fully"),                                                     # line 6
        make_row("r18-006", cur, "region", "social", "large", "2.5", "false", curiosity=""),   # line 7
        make_row("r18-007", cur, "municipality", "admin", "large", "1", "true",
                 tech_role="important", tech_new="dont_know", technology="other"),             # line 8
        make_row("r15-001", old, "municipality", "daycare", "medium", "4.5", "true"),          # line 9
        make_row("r15-002", old, "state", "other", "small", "10", "false"),                    # line 10
        make_row("r15-003", old, "region", "health", "large", "1.25", "true"),                 # line 11
    ]


def to_csv(rows: list[Row], columns: list[str] | None = None, sep: str = ",") -> str:
    """Return rows as CSV text with the given header (default: the codebook's columns)."""
    columns = list(cb.REQUIRED_COLUMNS) if columns is None else columns
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buf.getvalue()


def _edit(line: int, **cells: str) -> Callable[[], bytes]:
    """A file whose data row on `line` has `cells` changed."""
    def build() -> bytes:
        rows = base_rows()
        rows[line - 2].update(cells)
        return to_csv(rows).encode()
    return build


def _rename(old: str, new: str | None) -> Callable[[], bytes]:
    """A file whose column `old` is renamed to `new` (None: dropped)."""
    def build() -> bytes:
        rows = base_rows()
        columns = [new if c == old else c for c in cb.REQUIRED_COLUMNS if not (c == old and new is None)]
        for row in rows:
            row[new] = row[old]
        return to_csv(rows, columns).encode()
    return build


def _latin1() -> bytes:
    rows = base_rows()
    rows[2]["id"] = "r18-003-Århus"
    return to_csv(rows).encode("latin-1")


def _ragged() -> bytes:
    lines = to_csv(base_rows()).split("\n")
    lines[7] += ",extra"  # line 8
    return "\n".join(lines).encode()


def _duplicate_column() -> bytes:
    rows = base_rows()
    return to_csv(rows, [*cb.REQUIRED_COLUMNS, "weight"]).encode()


def _blank_line() -> bytes:
    rows = base_rows()
    rows[2]["size"] = "huge"  # data row 3: line 4, line 5 after the blank line
    lines = to_csv(rows).split("\n")
    lines.insert(3, "")
    return "\n".join(lines).encode()


def _semicolon_bad_weight() -> bytes:
    rows = base_rows()
    for row in rows:
        row["weight"] = row["weight"].replace(".", ",")
    rows[1]["weight"] = "-1,5"  # line 3
    return b"\xef\xbb\xbf" + to_csv(rows, sep=";").encode()


def _parquet(rows: list[Row]) -> bytes:
    buf = io.BytesIO()
    pd.DataFrame(rows, columns=list(cb.REQUIRED_COLUMNS)).to_parquet(buf, index=False)
    return buf.getvalue()


def _parquet_bad_code() -> bytes:
    rows = base_rows()
    rows[2]["sector"] = "county"  # data row 3
    return _parquet(rows)


def _parquet_truncated() -> bytes:
    data = _parquet(base_rows())
    return data[: len(data) // 2]


def _cr_line_ends() -> bytes:
    rows = base_rows()
    rows[5]["weight"] = "-2"  # line 7
    return to_csv(rows).replace("\n", "\r").encode()


def _unclosed_quote() -> bytes:
    lines = to_csv(base_rows()).split("\n")
    lines[3] = lines[3].replace("r18-003", '"r18-003', 1)  # line 4: the quote is never closed
    return "\n".join(lines).encode()


def _binary_junk() -> bytes:
    return random.Random(11).randbytes(4096)


def _gzip_compressed() -> bytes:
    return gzip.compress(to_csv(base_rows()).encode(), mtime=0)


def _parquet_nested() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(base_rows())
    table = table.set_column(table.schema.get_field_index("sector"), "sector",
                             pa.array([[row["sector"]] for row in base_rows()]))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


# file name -> (what is wrong, how to build it)
CORPUS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "missing_column.csv": ("column curiosity is missing", _rename("curiosity", None)),
    "misspelt_column.csv": ("column weight is spelt 'wieght'", _rename("weight", "wieght")),
    "duplicate_column.csv": ("column weight appears twice in the header", _duplicate_column),
    "unknown_sector_code.csv": ("line 4: sector 'county' is not a code", _edit(4, sector="county",
                                                                             stratum="county.health.medium")),
    "wrong_case_code.csv": ("line 3: sector 'State' (codes are lower-case)", _edit(3, sector="State")),
    "unknown_round.csv": ("line 10: round '2019-2020' is not a round", _edit(10, round="2019-2020")),
    "negative_weight.csv": ("line 7: weight -2", _edit(7, weight="-2")),
    "zero_weight.csv": ("line 5: weight 0", _edit(5, weight="0")),
    "empty_weight.csv": ("line 6: weight empty", _edit(6, weight="")),
    "non_numeric_weight.csv": ("line 2: weight 'five'", _edit(2, weight="five")),
    "infinite_weight.csv": ("line 3: weight 'inf'", _edit(3, weight="inf")),
    "decimal_comma_in_comma_file.csv": ("line 2: weight '5,25' (decimal comma) in a comma-separated file",
                                        _edit(2, weight="5,25")),
    "semicolon_negative_weight.csv": ("';'-separated with BOM and decimal commas; line 3: weight '-1,5'",
                                      _semicolon_bad_weight),
    "duplicate_id.csv": ("line 6: id r18-002 already used on line 3", _edit(6, id="r18-002")),
    "empty_id.csv": ("line 8: id empty", _edit(8, id="")),
    "empty_innovated.csv": ("line 6: innovated empty", _edit(6, innovated="")),
    "empty_tech_role.csv": ("line 4: tech_role empty for an innovator", _edit(4, tech_role="")),
    "invalid_bool.csv": ("line 2: core_task 'yes' is not a true/false value", _edit(2, core_task="yes")),
    "tech_new_not_asked.csv": ("line 4: tech_new answered though tech_role is 'minor'", _edit(4, tech_new="new")),
    "value_for_non_innovator.csv": ("line 6: value_quality answered by a non-innovator",
                                    _edit(6, value_quality="true")),
    "answer_in_old_round.csv": ("line 9: curiosity answered in round 2015-2016 (asked only in 2018-2019)",
                                _edit(9, curiosity="agree_fully")),
    "wrong_tech_group.csv": ("line 3: tech_group 'new_tech' but tech_role important + tech_new known",
                             _edit(3, tech_group="new_tech")),
    "stratum_mismatch.csv": ("line 3: stratum 'state.admin.small' for a large workplace",
                             _edit(3, stratum="state.admin.small")),
    "industry_not_in_sector.csv": ("line 6: industry daycare in sector state",
                                   _edit(6, industry="daycare", stratum="state.daycare.small")),
    "partner_without_collab.csv": ("line 5: partner_private true but collab_any false",
                                   _edit(5, partner_private="true")),
    "spread_without_spread_any.csv": ("line 5: spread_website true but spread_any false",
                                      _edit(5, spread_website="true")),
    "latin1_encoding.csv": ("saved as Latin-1: line 4 has 'Å' in id, not valid UTF-8", _latin1),
    "ragged_row.csv": ("line 8 has one field more than the header", _ragged),
    "blank_line_bad_size.csv": ("a blank line 4; line 5: size 'huge' (row numbers count the blank line)",
                                _blank_line),
    "empty_file.csv": ("0 bytes", lambda: b""),
    "header_only.csv": ("header line and no data rows", lambda: to_csv([]).encode()),
    "bad_sector.parquet": ("Parquet; data row 3: sector 'county'", _parquet_bad_code),
    "truncated.parquet": ("Parquet file cut off halfway", _parquet_truncated),
    "cr_line_ends.csv": ("old Mac line ends (CR only); line 7: weight -2", _cr_line_ends),
    "unclosed_quote.csv": ("line 4 opens a quote that is never closed", _unclosed_quote),
    "binary_junk.csv": ("4 KB of random bytes", _binary_junk),
    "gzip_compressed.csv": ("the valid base, gzip-compressed", _gzip_compressed),
    "nested_types.parquet": ("Parquet; column sector holds lists of codes", _parquet_nested),
    "nul_in_id.csv": ("line 4: id holds a NUL byte", _edit(4, id="r18\x00003")),
    "newline_in_id.csv": ("line 3: id holds a line break (a quoted cell over lines 3-4)",
                          _edit(3, id="r18-002\nsecond")),
    "control_char_in_id.csv": ("line 5: id holds an escape character (ESC)", _edit(5, id="r18-004\x1b[31m")),
    "formula_id.csv": ("line 6: id '=1+1' (a spreadsheet formula)", _edit(6, id="=1+1")),
    "long_id.csv": ("line 2: id of 65 characters (at most 64)", _edit(2, id="r" * 65)),
}


def main() -> None:
    for name, (_, build) in CORPUS.items():
        (HERE / name).write_bytes(build())
    lines = ["# Malformed data files", "",
             "Each file is the valid base of `make_corpus.py` with one fault; `tests/test_load.py` checks that",
             "`load()` refuses each and names the row and column. Regenerate with",
             "`python tests/malformed/make_corpus.py`. Lines count as in a spreadsheet (header = line 1).",
             "`tests/test_hostile_files.py` runs the hostile ones (from `cr_line_ends.csv` on) through",
             "`barometer validate` and `barometer serve --data`, and makes the large and special files itself:",
             "a 200 KB cell, a line longer than the CSV parser's block, a file over the size limit, a Parquet",
             "file that unpacks too large, named pipes, /dev/zero, directories and symbolic links.", "",
             "| file | what is wrong |", "|---|---|"]
    lines += [f"| `{name}` | {what} |" for name, (what, _) in CORPUS.items()]
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
