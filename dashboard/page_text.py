"""The page's translatable texts.

Every translatable text sits in a component whose id is ``{"type": "txt", "key": KEY}``; `text`
resolves KEY in a language, so one callback can retranslate the whole page. Keys are an i18n key
("reset"), or "section:<section>", "title:<figure>", "question:<figure>", "note:<figure>",
"where:<figure>" (its place in the source publication) or "filter:<key>" (a filter's name); a suffix
"@<anything>" only makes a repeated key unique.
"""

from __future__ import annotations

from dash import html

from .data.dimensions import BY_KEY
from .figures.specs import BY_ID, SECTIONS
from .i18n import t

TXT = "txt"


def text(key: str, lang: str) -> str:
    """Return the text behind a txt key in `lang`."""
    key = key.split("@", 1)[0]
    kind, _, name = key.partition(":")
    if not name:
        return t(key, lang)
    if kind == "section":
        return SECTIONS[name][lang]
    if kind == "filter":
        return BY_KEY[name].name(lang)
    spec = BY_ID[name]
    if kind == "title":
        return spec.title[lang]
    if kind == "question":
        return spec.question.get(lang, "")
    if kind == "note":
        return spec.note.get(lang, "")
    if kind == "where":
        return spec.where(lang)
    raise KeyError(key)


def txt(key: str, lang: str, tag=html.Span, **kwargs):
    """Return a component showing the text of `key`, retranslated when the language changes."""
    return tag(text(key, lang), id={"type": TXT, "key": key}, **kwargs)
