"""Served data = validated data: the checksum file that catches a truncated file, `validate`'s rows per round
and stratum, the watch that notices a changed file, the reload that keeps the old data when the new file fails,
and the export refused to a page made from other data."""

import logging
import shutil
import time

import pytest

from dashboard.cli import main
from dashboard.data import integrity
from dashboard.data.load import DataFileError, load
from dashboard.data.shipped import DEFAULT_DATA
from dashboard.reload import EXTENSION, DataSource, Watch, reload_app, source_of

CUT = 4171  # lines of the shipped file kept by a cut at a line boundary: 90 % of its rows


def cut(source, target, lines: int = CUT) -> None:
    """Write the first `lines` lines of `source` to `target`: a file cut short where a row ends."""
    with open(source, encoding="utf-8") as src, open(target, "w", encoding="utf-8") as out:
        for number, line in enumerate(src):
            if number >= lines:
                break
            out.write(line)


def run(*args, capsys) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_shipped_file_carries_a_checksum_it_matches():
    side = integrity.sidecar(DEFAULT_DATA)
    assert side.read_text().split() == [integrity.digest(DEFAULT_DATA.read_bytes()), DEFAULT_DATA.name]
    assert load(DEFAULT_DATA).attrs["sha256"] == integrity.expected(str(DEFAULT_DATA), DEFAULT_DATA)


def test_a_file_cut_at_a_line_boundary_is_refused_by_its_checksum(tmp_path, capsys):
    """The issue's fault: 90 % of the rows passed `validate` and `serve` and moved a published total."""
    data = tmp_path / "survey.csv"
    cut(DEFAULT_DATA, data)
    shutil.copy(integrity.sidecar(DEFAULT_DATA), integrity.sidecar(data))
    with pytest.raises(DataFileError) as refused:
        load(data)
    message = str(refused.value)
    assert "survey.csv: the file does not match its checksum file survey.csv.sha256" in message
    assert "cut short" in message and "barometer validate survey.csv --checksum" in message
    code, out, err = run("validate", str(data), capsys=capsys)
    assert code == 1 and out == "" and "does not match its checksum file" in err


def test_validate_shows_rows_per_round_and_stratum_so_a_cut_shows(tmp_path, capsys):
    code, out, _ = run("validate", str(DEFAULT_DATA), capsys=capsys)
    assert code == 0
    assert "matches barometer_synthetic.csv.sha256" in out
    lines = out.splitlines()
    assert any(line.split() == ["2018-2019", "(all)", "2,271", "15,000.0", "15,000"] for line in lines)
    assert any(line.split() == ["2015-2016", "municipality.admin.large", "53", "300.0", "300"] for line in lines)
    assert "do not sum to N_h" not in out

    data = tmp_path / "survey.csv"
    cut(DEFAULT_DATA, data)  # no checksum file: valid, but the table shows what is missing
    code, out, _ = run("validate", str(data), capsys=capsys)
    assert code == 0 and "valid, 4,170 rows" in out and "no checksum file (survey.csv.sha256)" in out
    assert any(line.split() == ["2015-2016", "municipality.admin.large", "43", "242.8", "300"] for line in out.splitlines())
    assert "note: in 33 of 66 strata the weights do not sum to N_h" in out


def test_validate_checksum_writes_a_sidecar_that_later_reads_check(tmp_path, capsys):
    data = tmp_path / "survey.csv"
    shutil.copy(DEFAULT_DATA, data)
    code, out, _ = run("validate", str(data), "--checksum", capsys=capsys)
    assert code == 0 and "written to survey.csv.sha256" in out
    assert integrity.sidecar(data).read_text() == f"{integrity.digest(data.read_bytes())}  survey.csv\n"
    with data.open("a", encoding="utf-8") as out_file:  # one more (valid) row, after the checksum was written
        out_file.write(DEFAULT_DATA.read_text(encoding="utf-8").splitlines()[-1].replace("r16-02363", "r16-09999") + "\n")
    with pytest.raises(DataFileError, match="does not match its checksum file"):
        load(data)
    code, out, _ = run("validate", str(data), "--checksum", capsys=capsys)  # the change is intended: a new one
    assert code == 0 and "written to survey.csv.sha256 (it gave " in out
    assert len(load(data)) == 4635


def test_validate_checksum_replaces_a_checksum_file_that_holds_none(tmp_path, capsys):
    data = tmp_path / "survey.csv"
    shutil.copy(DEFAULT_DATA, data)
    integrity.sidecar(data).write_text("garbage\n")
    code, out, err = run("validate", str(data), "--checksum", capsys=capsys)
    assert code == 0 and err == "" and "written to survey.csv.sha256 (it gave no checksum before)" in out
    assert load(data).attrs["sha256"] == integrity.expected(str(data), data)


@pytest.mark.parametrize("content", ["", "not a checksum\n", "abc  survey.csv\n"])
def test_a_checksum_file_without_a_checksum_is_refused_naming_it(tmp_path, content):
    data = tmp_path / "survey.csv"
    shutil.copy(DEFAULT_DATA, data)
    integrity.sidecar(data).write_text(content)
    with pytest.raises(DataFileError, match=r"its checksum file survey.csv.sha256 holds no SHA-256"):
        load(data)


def test_a_changed_file_is_logged_once_within_seconds_and_once_when_it_is_back(tmp_path, caplog):
    data = tmp_path / "survey.csv"
    shutil.copy(DEFAULT_DATA, data)
    frame = load(data)
    source = source_of(frame, "f" * 16)
    assert source.path == data and source.rows == 4634 and source.sha256 == integrity.digest(data.read_bytes())
    watch = Watch(source, "Send SIGHUP to load it.", seconds=0.1)
    original = data.read_bytes()
    with caplog.at_level(logging.INFO, logger="dashboard.reload"):
        watch.start()
        try:
            time.sleep(0.3)
            assert not caplog.records  # nothing changed: nothing said
            cut(DEFAULT_DATA, data)
            started = time.monotonic()
            while not caplog.records and time.monotonic() - started < 5:
                time.sleep(0.05)
            assert time.monotonic() - started < 2
            time.sleep(0.5)  # several more looks: no more lines
            changed = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(caplog.records) == 1 and len(changed) == 1
            text = changed[0].getMessage()
            assert f"data file {data} changed on disk" in text and "still serving the data validated at start" in text
            assert "4,634 rows" in text and "Send SIGHUP to load it." in text
            data.write_bytes(original)
            import os
            os.utime(data, ns=(source.seen[1], source.seen[1]))  # as it was: same size, time and file
            time.sleep(0.5)
        finally:
            watch.stopped.set()
            watch.join()
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.INFO]
    assert "is again as it was when validated" in caplog.records[1].getMessage()


class _Server:
    def __init__(self, source):
        self.extensions = {EXTENSION: source}


def test_a_reload_keeps_the_data_it_has_when_the_new_file_fails(caplog):
    old = _Server(DataSource(DEFAULT_DATA, "a" * 64, "1" * 16, 4634, None))
    new = _Server(DataSource(DEFAULT_DATA, "b" * 64, "2" * 16, 4170, None))

    def failing():
        raise DataFileError("survey.csv", [])

    with caplog.at_level(logging.INFO, logger="dashboard.reload"):
        assert reload_app(old, failing) is old
        assert reload_app(old, lambda: new) is new
    failed, loaded = caplog.records
    assert failed.levelno == logging.ERROR and "the data file was not loaded, still serving" in failed.getMessage()
    assert "fingerprint 1111111111111111" in failed.getMessage()
    assert loaded.levelno == logging.WARNING and "now serving" in loaded.getMessage()
    assert "4,170 rows" in loaded.getMessage() and "(was 1111111111111111)" in loaded.getMessage()


def test_a_reload_of_an_unchanged_file_keeps_the_app_it_has(tmp_path, caplog):
    data = tmp_path / "survey.csv"
    shutil.copy(DEFAULT_DATA, data)
    frame = load(data)
    old = _Server(source_of(frame, "1" * 16))

    def build():
        raise AssertionError("an unchanged file is not built again")

    with caplog.at_level(logging.INFO, logger="dashboard.reload"):
        assert reload_app(old, build) is old
    assert [r.getMessage() for r in caplog.records] == [f"reload: the data file is unchanged ({data}: 4,634 rows, "
                                                        f"fingerprint 1111111111111111, SHA-256 674440e5c9433868…)"]


def test_an_app_a_reload_replaced_can_be_collected_with_its_data(synth_data):
    """Dash keeps every app's background callbacks in lists of its own; a reload drops the old app's (jobs.forget),
    or each reload would keep another copy of the data in the server."""
    import gc
    import weakref

    from dashboard.app import create_app
    from dashboard.figures.tables import FigureData
    from dashboard.jobs import forget

    before = {id(o) for o in gc.get_objects() if isinstance(o, FigureData)}
    old = create_app(synth_data.copy(), chromium=None)
    data = weakref.ref(next(o for o in gc.get_objects() if isinstance(o, FigureData) and id(o) not in before))
    create_app(synth_data, chromium=None)
    forget(old.server)
    del old
    gc.collect()
    assert data() is None
