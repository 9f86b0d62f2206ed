"""The command line's answers to what users got wrong: a round a figure has no data for, help that lists what
may be given, and every failure to read or write as one line with an exit code, never a traceback."""

import io
import os
import resource
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.test_cli import run


def barometer(*args, env=None, limit_file_bytes=None, stdout=subprocess.PIPE, timeout=120):
    """Run `barometer` in a process of its own; return (exit code, stdout, stderr)."""
    def limit():
        if limit_file_bytes is not None:  # a disk that fills up: writes beyond this size fail
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    result = subprocess.run([sys.executable, "-m", "dashboard.cli", *args], stdout=stdout, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})}, preexec_fn=limit, timeout=timeout)
    return result.returncode, result.stdout or "", result.stderr


def one_line(err: str) -> str:
    assert "Traceback" not in err and "Exception" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --------------------------------------------------------------------------------------------------
# Rounds and technology groups: what is printed is for what was asked
# --------------------------------------------------------------------------------------------------
def test_a_round_the_figure_has_no_data_for_is_refused_naming_the_figures_that_have_it():
    """The issue's example: `table fig4 --round 2015-2016` printed the 2018-2019 rows with a note on stderr."""
    code, out, err = run("table", "fig4", "--round", "2015-2016")
    assert code == 2 and out == ""
    assert one_line(err) == ("barometer: round 2015-2016: the data hold no answers to the questions of fig4 in that "
                             "round; figures with round 2015-2016: dst-sector-trend")
    code, out, _ = run("table", "dst-sector-trend", "--round", "2015-2016")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and set(table["round"]) == {"2015-2016", "2018-2019"}  # each row says its round
    assert set(table.loc[table["highlighted"], "round"]) == {"2015-2016"}
    _, out, _ = run("table", "fig4")
    assert set(pd.read_csv(io.StringIO(out))["round"]) == {"2018-2019"}


def test_figure_8_for_new_and_for_known_technology_differs():
    """`table fig8 --tech-role new_tech` and `known_tech` printed the same rows (all technological innovations)."""
    _, new, _ = run("table", "fig8", "--sector", "state", "--tech-role", "new_tech")
    _, known, _ = run("table", "fig8", "--sector", "state", "--tech-role", "known_tech")
    new, known = pd.read_csv(io.StringIO(new)), pd.read_csv(io.StringIO(known))
    assert set(new["n"]) == {72} and set(known["n"]) == {197}
    assert new.set_index("category").loc["partner_private", "share"] == 32.3  # as figure 10 gives it
    assert not new["highlighted"].any()


# --------------------------------------------------------------------------------------------------
# Help
# --------------------------------------------------------------------------------------------------
def test_help_lists_the_figures_and_what_each_filter_takes(capsys):
    from dashboard.figures.specs import IDS

    for command in ("table", "export"):
        with pytest.raises(SystemExit):
            run(command, "--help")
    code, out, _ = barometer("table", "--help")
    assert code == 0 and all(fid in out for fid in IDS)
    code, out, _ = barometer("export", "--help")
    flat = " ".join(out.split())
    for needle in ("--sector SECTOR comma-separated: state, region, municipality", "--figures FIGURES",
                   "--round ROUND one of: 2018-2019, 2015-2016", "Role of technology (figure 1): solution, important"):
        assert needle in flat, needle


def test_export_writes_the_figures_it_is_given(tmp_path):
    code, out, err = run("export", "--out", str(tmp_path / "two"), "--figures", "fig1,fig8", "--formats", "csv,xlsx",
                         "--lang", "en")
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "two").iterdir())
    assert names == ["README.txt", "fig1_all-synthetic.csv", "fig8_all-synthetic.csv",
                     "innovationsbarometer_all_en-synthetic.xlsx"]
    assert list(pd.read_excel(tmp_path / "two" / names[-1], sheet_name=None)) == ["metadata", "fig1", "fig8", "columns"]
    code, _, err = run("export", "--out", str(tmp_path / "x"), "--figures", "fig1,Fig8")
    assert code == 2 and "did you mean fig8?" in one_line(err)
    code, _, err = run("export", "--out", str(tmp_path / "y"), "--round", "2015-2016", "--formats", "csv")
    assert code == 2 and "figures with round 2015-2016: dst-sector-trend; choose them with --figures" in one_line(err)


# --------------------------------------------------------------------------------------------------
# Every error path: one line and an exit code
# --------------------------------------------------------------------------------------------------
def test_every_error_path_is_one_line_and_an_exit_code(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    cases = [
        (("export", "--out", str(a_file), "--formats", "csv"), {}, None, 2, "this is a file, not a folder"),
        (("export", "--out", str(a_file / "sub"), "--formats", "csv"), {}, None, 2, "is a file, not a folder"),
        (("export", "--out", str(tmp_path / "full"), "--formats", "csv,xlsx"), {}, 4096, 1,
         "cannot write: the file is too large to write here"),
        (("export", "--out", str(tmp_path / "p"), "--preset", "poster"), {}, None, 2, "invalid choice: 'poster'"),
        (("export", "--out", str(tmp_path / "f"), "--figures", "fig99"), {}, None, 2, "did you mean fig9?"),
        (("export", "--out", str(tmp_path / "c"), "--formats", "png", "--figures", "fig1"),
         {"BROWSER_PATH": str(tmp_path / "no-chromium")}, None, 1, "sudo apt-get install chromium"),
        (("synth", "--out", str(tmp_path / "synth.csv")), {}, 4096, 1, "cannot write"),
        (("tabel", "fig1"), {}, None, 2, "invalid choice: 'tabel'"),
        (("table", "fig1", "--format", "xml"), {}, None, 2, "invalid choice: 'xml'"),
    ]
    for args, env, limit, expected, needle in cases:
        code, _, err = barometer(*args, env=env, limit_file_bytes=limit)
        assert code == expected, (args, code, err)
        assert needle in one_line(err), (args, err)


def test_output_to_a_full_device_or_a_closed_pipe_is_one_line():
    with open("/dev/full", "w") as full:
        code, _, err = barometer("table", "fig1", stdout=full)
    assert code == 1 and one_line(err) == "barometer: table: cannot write: no space left on the device"
    reader = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "table", "fig2", "--format", "json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.read(10)
    reader.stdout.close()  # the reader goes away, as `| head -c 10` does
    err = reader.stderr.read().decode()
    assert reader.wait(timeout=60) in (0, 1) and "Traceback" not in err and "BrokenPipe" not in err


# --------------------------------------------------------------------------------------------------
# validate on the dashboard's own exports
# --------------------------------------------------------------------------------------------------
def test_validate_recognises_the_dashboard_s_exports(tmp_path):
    """The issue's example: `validate` on the fig8 CSV, the XLSX or the ZIP listed 62 missing columns."""
    assert run("export", "--out", str(tmp_path / "e"), "--formats", "csv,xlsx", "--figures", "fig8,fig1")[0] == 0
    files = sorted((tmp_path / "e").iterdir())
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in files:
            z.write(path, path.name)
    expected = {".csv": "this is a figure's numbers as the dashboard exports them",
                ".xlsx": "this is the workbook of figures the dashboard exports",
                ".zip": "this is the ZIP of every figure the dashboard exports"}
    for path in [*(p for p in files if p.suffix in (".csv", ".xlsx")), archive]:
        code, out, err = run("validate", str(path))
        lines = err.strip().splitlines()
        assert code == 1 and out == "" and len(lines) == 2, err  # the summary and the one problem
        assert expected[Path(path).suffix] in lines[1] and "one row per workplace with the columns id, round" in lines[1]
