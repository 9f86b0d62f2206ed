"""Where the shipped data live."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT / "data" / "barometer_synthetic.csv"
PUBLISHED = ROOT / "data" / "published"
DEFAULT_SEED = 2020


def data_path(path: str | os.PathLike | None = None) -> Path:
    """Return the data file to use: `path`, else $BAROMETER_DATA, else the shipped synthetic file."""
    return Path(path or os.environ.get("BAROMETER_DATA") or DEFAULT_DATA)


def is_shipped(path: str | os.PathLike | None = None) -> bool:
    """Return True when `data_path(path)` is the shipped synthetic file."""
    return data_path(path).resolve() == DEFAULT_DATA.resolve()
