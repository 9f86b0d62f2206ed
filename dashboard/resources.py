"""Where the program's own files are: the page assets (CSS and scripts served with the page)."""

from __future__ import annotations

from pathlib import Path


def assets_dir() -> Path:
    """Return the folder of the page's assets."""
    return Path(__file__).resolve().parents[1] / "assets"
