"""Memoized callback responses, keyed by what determines them (filter, language, width)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ResponseCache:
    """A cache of computed responses; this one keeps nothing."""

    def get_or_set(self, key: str, compute: Callable[[], T]) -> T:
        """Return the cached value of `key`, or compute, store and return it."""
        return compute()


def response_cache(server) -> ResponseCache:
    """Return the response cache of a Flask `server`."""
    return ResponseCache()
