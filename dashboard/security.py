"""Security headers on every response."""

from __future__ import annotations


def register_security(app) -> None:
    """Add the security headers to every response of `app`'s server; returns None."""
