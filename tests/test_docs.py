"""The README documents what the project offers; a feature without documentation fails here."""

from pathlib import Path

from dashboard.cli import parser
from dashboard.data.filters import ALLOWED
from dashboard.figures.specs import IDS

ROOT = Path(__file__).resolve().parents[1]  # the checkout

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented():
    commands = parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"barometer {name}" in README, name


def test_every_figure_id_and_filter_code_is_documented():
    for figure in IDS:
        assert f"`{figure}`" in README, figure
    for key, codes in ALLOWED.items():
        for code in codes:
            assert f"`{code}`" in README, (key, code)


def test_ci_runs_the_readme_test_command():
    command = "bash scripts/test.sh"
    assert command in README.split("\n\n")[4]
    assert "barometer serve" in README.split("\n\n")[2]
    assert command in (ROOT / ".ci" / "run").read_text()
