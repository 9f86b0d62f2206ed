"""The `barometer` command line, run as a user would."""

import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.data.shipped import DEFAULT_DATA

MALFORMED = Path(__file__).parent / "malformed"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_table_fig4_prints_the_report_value_shares():
    code, out, _ = run("table", "fig4")
    assert code == 0
    table = pd.read_csv(io.StringIO(out)).set_index(["series", "category"])
    assert {"figure", "share", "ci_low", "ci_high", "n", "suppressed"} <= set(table.columns) | {"series", "category"}
    assert round(table.loc[("non_tech", "value_quality"), "share"]) == 72
    assert round(table.loc[("non_tech", "value_employee_satisfaction"), "share"]) == 51
    assert round(table.loc[("tech", "value_employee_satisfaction"), "share"]) == 40
    assert round(table.loc[("non_tech", "value_efficiency"), "share"]) == 35
    assert 43 <= table.loc[("tech", "value_efficiency"), "share"] < 50  # "næsten halvdelen"
    assert 700 <= table.loc[("tech", "value_quality"), "n"] <= 733  # the 733 technological innovators who answered


def test_table_sector_filter_changes_shares_and_n():
    _, whole, _ = run("table", "fig4")
    _, state, _ = run("table", "fig4", "--sector", "state")
    a, b = pd.read_csv(io.StringIO(whole)), pd.read_csv(io.StringIO(state))
    assert (b["n"] < a["n"]).all()
    assert (a["share"] - b["share"]).abs().max() > 5


def test_table_json_format():
    code, out, _ = run("table", "fig1", "--sector", "state", "--format", "json", "--lang", "en")
    rows = json.loads(out)
    assert code == 0 and rows[0]["category"] == "solution"
    assert round(rows[0]["share"] + rows[1]["share"]) == 52  # 52 % of state innovations are technological
    assert rows[0]["category_label"].startswith("The innovation is itself")


@pytest.mark.parametrize("args,needle", [
    (("table", "fig99"), "unknown figure 'fig99'; did you mean fig9?"),
    (("table", "figure8"), "unknown figure 'figure8'; did you mean fig8?"),
    (("table", "Fig8"), "unknown figure 'Fig8'; did you mean fig8?"),
    (("table", "xyz"), "allowed: dst-sector-trend, dst-types, fig1"),
    (("table", "fig1", "--sector", "stat"), "allowed: state, region, municipality"),
    (("table", "fig1", "--value", "speed"), "allowed: quality, efficiency"),
    (("table", "fig1", "--round", "2020-2021"), "allowed: 2018-2019, 2015-2016"),
])
def test_unknown_figure_or_code_exits_nonzero_with_one_line(args, needle):
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_validate_accepts_the_shipped_file():
    code, out, _ = run("validate", str(DEFAULT_DATA))
    assert code == 0 and "valid, 4,634 rows" in out


@pytest.mark.parametrize("name,needle", [
    ("negative_weight.csv", "column weight"),
    ("unknown_sector_code.csv", "column sector"),
    ("tech_new_not_asked.csv", "column tech_new"),
])
def test_validate_refuses_bad_file_naming_row_and_column(name, needle):
    code, _, err = run("validate", str(MALFORMED / name))
    assert code == 1
    assert "refused" in err and "row " in err and needle in err


def test_synth_is_deterministic_and_scales(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("synth", "--seed", "11", "--out", str(a), "--scale", "2")[0] == 0
    assert run("synth", "--seed", "11", "--out", str(b), "--scale", "2")[0] == 0
    assert a.read_bytes() == b.read_bytes()
    assert len(pd.read_csv(a)) == 2 * 4634


def test_console_script_entry_point():
    result = subprocess.run([sys.executable, "-m", "dashboard.cli", "table", "nordic"], capture_output=True, text=True)
    assert result.returncode == 0 and "finland" in result.stdout


def test_validate_says_how_a_stratum_with_one_respondent_is_treated(tmp_path):
    from dashboard.data.synth import generate, write

    df = generate(3)
    one = df["stratum"] == "state.admin.small"
    keep = df.index[~one | (one & (df.index == df.index[one & (df["round"] == "2018-2019")][0]))]
    df = df.loc[keep]
    df = df[~((df["stratum"] == "state.admin.small") & (df["round"] == "2015-2016"))]
    path = tmp_path / "one.csv"
    write(df, path)
    code, out, _ = run("validate", str(path))
    assert code == 0
    assert "note: stratum state.admin.small has one respondent in 2018-2019; its variance is estimated together " \
           "with state.admin.small + state.education.small (collapsed strata)" in out
