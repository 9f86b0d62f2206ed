"""Text inside a figure: its fixed phrases in both languages, and lines wrapped, joined and cut to a width.

Widths are measured with `theme.text_width`; a line may fill FIT of the width it is given.
"""

from __future__ import annotations

import functools

from ..catalogs import section
from . import theme

TEXT = section("chart")  # {key: {lang: text}}

FIT = 0.97  # share of the measured width text may fill (the browser's font may run a little wider)


def wrap(text: str, px: float, size: float, bold: bool = False, first_px: float | None = None) -> list[str]:
    """Return `text` broken into lines at most `px` wide in font `size` (a longer word stays whole);
    the first line at most `first_px` wide if given."""
    return list(_wrap(text, px, size, bold, first_px))


@functools.lru_cache(maxsize=32768)
def _wrap(text: str, px: float, size: float, bold: bool, first_px: float | None) -> tuple[str, ...]:
    """Return the lines of `wrap`, computed once per text and width (the labels recur in every redraw)."""
    lines: list[str] = []
    for word in text.split():
        limit = first_px if first_px is not None and len(lines) == 1 else px
        if lines and theme.text_width(lines[-1] + " " + word, size, bold) <= limit * FIT:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines) or ("",)


def wrap_balanced(text: str, px: float, size: float) -> list[str]:
    """Return `text` in as few lines as `wrap` needs at `px`, with the lines as even as possible."""
    return list(_wrap_balanced(text, px, size))


@functools.lru_cache(maxsize=16384)
def _wrap_balanced(text: str, px: float, size: float) -> tuple[str, ...]:
    lines = wrap(text, px, size)
    if len(lines) == 1:
        return tuple(lines)
    low = px * 0.4
    while px - 4 > low and len(wrap(text, px - 4, size)) == len(lines):
        px -= 4
    return tuple(wrap(text, px, size))


def widest(lines: list[str], size: float, bold: bool = False) -> float:
    """Return the width in px of the widest of `lines` (0 for none)."""
    return max((theme.text_width(line, size, bold) for line in lines), default=0.0)


def truncate(text: str, px: float, size: float) -> str:
    """Return `text` cut at a word so that it and an ellipsis fit in `px`."""
    if theme.text_width(text, size) <= px * FIT:
        return text
    words = text.split(" ")
    while len(words) > 1 and theme.text_width(" ".join(words) + " …", size) > px * FIT:
        words.pop()
    return " ".join(words).rstrip(" ,·") + " …"


def shorten(phrase: str, chars: int = 12) -> str:
    """Return a filter phrase ('Sector: State, Region') at least `chars` shorter, cut between words.

    >>> shorten("Value: Higher quality, Higher efficiency")
    'Value: Higher quality …'
    """
    head, sep, rest = phrase.partition(": ")
    words = rest.removesuffix("…").split(" ")
    keep = len(" ".join(words)) - chars
    while len(words) > 1 and len(" ".join(words)) > keep:
        words.pop()
    return head + sep + " ".join(words).rstrip(" ,;…") + " …"


def join_lines(lines: list[str]) -> str:
    """Return lines made by `flow` as one line again."""
    out = ""
    for line in lines:
        out += (" " if out.endswith("·") else " · ") + line if out else line
    return out


def flow(parts: list[str], px: float, size: float) -> list[str]:
    """Return `parts` joined by ' · ' in lines at most `px` wide, breaking between parts if possible."""

    def fits(text: str) -> bool:
        return theme.text_width(text, size) <= px * FIT

    lines: list[str] = []
    for part in parts:
        if lines and fits(lines[-1] + " · " + part):
            lines[-1] += " · " + part
        elif fits(part):
            lines.append(part)
        else:  # a phrase longer than a line: fill the current line, wrap the rest
            words = part.split(" ")
            if lines:
                lines[-1] += " ·"
            else:
                lines.append(words.pop(0))
            for word in words:
                if fits(lines[-1] + " " + word):
                    lines[-1] += " " + word
                else:
                    lines.append(word)
    return lines
