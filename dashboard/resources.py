"""Where the program's own files are: the shipped data (`data_dir`) and the page assets (`assets_dir`).

The repository's top-level `data/` and `assets/` are the source of truth. Building a wheel copies
them into the package as `dashboard/_files/data` and `dashboard/_files/assets` (see setup.py), so an
installed program finds them with `importlib.resources`, from any directory. A checkout or an
editable install has no `_files` folder and reads the top-level folders directly.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGED = "_files"  # folder inside the package that a built wheel holds the files in
FOLDERS = ("data", "assets")  # the repository's top-level folders copied into it


def _root() -> Path:
    """Return the folder holding `data/` and `assets/`: the package's copy, else the checkout."""
    packaged = resources.files(__package__) / PACKAGED
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """Return the folder of the shipped data (the synthetic microdata, its provenance, published numbers)."""
    return _root() / "data"


def assets_dir() -> Path:
    """Return the folder of the page's assets (CSS and scripts served with the page), a real folder for Dash."""
    return _root() / "assets"
