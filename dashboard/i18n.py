"""The words of the page around the figures, in the page's language, from the catalogs (`dashboard.catalogs`).

Labels of survey codes, figure titles and question wording are in the same catalogs under their own
tables (code., variable., figure., question.); this module reads the page's table, ``[page]``.

Examples
--------
>>> t("reset", "en")
'Reset'
>>> t("notice_url_unknown", "da", key="Sektor", values="'foo'", allowed="state, region, municipality")
"Linket: Sektor 'foo' findes ikke og er ignoreret; mulige værdier: state, region, municipality."
"""

from __future__ import annotations

from .catalogs import CATALOGS, DEFAULT_LANG, LANGS, LOCALES, section

__all__ = ["DEFAULT_LANG", "LANGS", "LOCALES", "TEXTS", "lang_or_default", "language_name", "t"]

TEXTS: dict[str, dict[str, str]] = section("page")


def lang_or_default(lang) -> str:
    """Return `lang` if it is a supported language code, else the default ('da')."""
    return lang if isinstance(lang, str) and lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, /, **fields) -> str:
    """Return the text `key` in `lang` (unknown languages fall back to Danish), formatted with `fields`."""
    text = CATALOGS[lang_or_default(lang)]["page." + key]
    return text.format(**fields) if fields else text


def language_name(named: str, lang: str = DEFAULT_LANG) -> str:
    """Return the language `named` as a sentence in `lang` names it (by its own name where `lang`'s catalog has none).

    >>> language_name("da", "en"), language_name("en", "en")
    ('Danish', 'English')
    """
    return CATALOGS[lang_or_default(lang)].get(f"language.{named}") or CATALOGS[named]["page.language"]
