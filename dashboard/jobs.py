"""Background jobs: the manager that runs Dash background callbacks (the "Download all" export)."""

from __future__ import annotations


def background_manager():
    """Return the manager of Dash background callbacks (None: run callbacks in the request)."""
    return None
