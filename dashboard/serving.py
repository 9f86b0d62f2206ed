"""How the app is served: response compression, static caching and the background job manager."""

from __future__ import annotations


def background_manager():
    """Return the manager of Dash background callbacks (None: run callbacks in the request)."""
    return None


def register_serving(app) -> None:
    """Set up compression and caching headers on `app`'s server; returns None."""
