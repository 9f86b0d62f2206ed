"""How the app is served: response compression and caching headers."""

from __future__ import annotations


def register_serving(app) -> None:
    """Set up compression and caching headers on `app`'s server; returns None."""
