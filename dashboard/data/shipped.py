"""Where the shipped data live (inside the installed package, or the checkout's data/ folder)."""

import os
from pathlib import Path

from dashboard.resources import data_dir

DEFAULT_DATA = data_dir() / "barometer_synthetic.csv"
PUBLISHED = data_dir() / "published"
DEFAULT_SEED = 2020


def data_path(path: str | os.PathLike | None = None) -> Path:
    """Return the data file to use: `path`, else $BAROMETER_DATA, else the shipped synthetic file."""
    return Path(path or os.environ.get("BAROMETER_DATA") or DEFAULT_DATA)


def is_shipped(path: str | os.PathLike | None = None) -> bool:
    """Return True when `data_path(path)` is the shipped synthetic file."""
    return data_path(path).resolve() == DEFAULT_DATA.resolve()
