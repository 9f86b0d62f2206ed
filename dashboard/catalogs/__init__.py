"""The texts of the dashboard: one catalog per language, ``<code>.toml`` in this folder.

A catalog's ``[locale]`` table holds what the language needs besides words: its name on the language
switch, the HTML ``lang``, the Babel locale whose number symbols the figures use, the plotly.js locale
and the words of plotly's toolbar, the CSV dialect of its downloads and the form of a percentage. Every
other table holds texts, read here by their dotted path ("page.reset", "code.sector.state",
"figure.fig4.title"); a text may hold ``{fields}`` filled by the code.

A catalog is a data file keyed by id rather than a gettext ``.po`` file keyed by its Danish text: a
corrected Danish wording leaves the other languages' texts in place, the locale data sit beside the
words they go with, and Python reads TOML with no compile step (``.mo``) between an edit and the page.

The first language (Danish) is the default and the reference: every other catalog holds exactly its
keys, with the same fields; a catalog that does not is refused with its file and the keys named.
Catalogs in the folders named by ``BAROMETER_CATALOGS`` (separated by ``os.pathsep``) join those here.

>>> text("code.sector.state", "en"), texts("page.reset")["da"]
('State', 'Nulstil')
>>> section("base")["innovators"]["en"]
'innovative workplaces'
>>> LOCALES["da"].number(1877.25, 1), LOCALES["en"].number(1877.25, 1), LOCALES["da"].percent("34,3")
('1.877,2', '1,877.2', '34,3 %')
"""

from __future__ import annotations

import functools
import os
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale as BabelLocale
from babel.numbers import get_decimal_symbol, get_group_symbol

HERE = Path(__file__).parent
DEFAULT_LANG = "da"


class CatalogError(ValueError):
    """A catalog that cannot be used: its file and what is wrong."""


@dataclass(frozen=True)
class Locale:
    """A language's data besides its words (see the module)."""

    code: str
    name: str
    short: str
    html: str
    babel: str
    plotly: str
    csv_separator: str
    csv_bom: bool
    percent_format: str
    plotly_dictionary: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def decimal(self) -> str:
        """Return the decimal mark of the Babel locale (',' in Danish), looked up once."""
        return get_decimal_symbol(self.babel)

    @functools.cached_property
    def group(self) -> str:
        """Return the thousands mark of the Babel locale ('.' in Danish), looked up once."""
        return get_group_symbol(self.babel)

    @functools.cached_property
    def _marks(self) -> dict[int, str]:
        """Return the table that turns Python's '1,877.2' into the locale's marks."""
        return str.maketrans({",": self.group, ".": self.decimal})

    def number(self, value: float, decimals: int = 0) -> str:
        """Return `value` rounded to `decimals` with the locale's marks (Python's rounding, the same as the files')."""
        return f"{value:,.{decimals}f}".translate(self._marks)

    def percent(self, number: str) -> str:
        """Return a formatted number as a percentage in the locale's form ('34,3 %')."""
        return self.percent_format.format(number=number)


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    """Return the texts of a TOML table by dotted path."""
    flat = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def _fields(text: str) -> set[str]:
    """Return the names of the {fields} in a text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _read(path: Path) -> tuple[Locale, dict[str, str]]:
    """Return a catalog file's locale and texts, or raise CatalogError naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise CatalogError(f"{path}: {err}") from None
    raw = data.pop("locale", None)
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: no [locale] table")
    try:
        locale = Locale(code=path.stem, **raw)
        BabelLocale.parse(locale.babel)
    except (TypeError, ValueError) as err:
        raise CatalogError(f"{path}: [locale]: {err}") from None
    texts = _flatten(data)
    wrong = [k for k, v in texts.items() if not isinstance(v, str)]
    if wrong:
        raise CatalogError(f"{path}: not a text: {', '.join(wrong)}")
    return locale, texts


def _check(path: Path, texts: dict[str, str], reference: dict[str, str]) -> None:
    """Raise CatalogError unless a catalog has exactly the reference's keys with the same fields."""
    missing = sorted(set(reference) - set(texts))
    extra = sorted(set(texts) - set(reference))
    fields = sorted(k for k in set(texts) & set(reference) if _fields(texts[k]) != _fields(reference[k]))
    problems = [f"{what}: {', '.join(keys)}" for what, keys in
                (("missing", missing), ("not in da.toml", extra), ("other {fields} than da.toml", fields)) if keys]
    if problems:
        raise CatalogError(f"{path}: " + "; ".join(problems))


def catalog_paths() -> list[Path]:
    """Return the catalog files: this folder's, the default first, then those of BAROMETER_CATALOGS."""
    paths = sorted(HERE.glob("*.toml"), key=lambda p: (p.stem != DEFAULT_LANG, p.stem))
    for folder in filter(None, os.environ.get("BAROMETER_CATALOGS", "").split(os.pathsep)):
        paths += sorted(Path(folder).glob("*.toml"))
    return paths


def load(paths: list[Path]) -> tuple[dict[str, Locale], dict[str, dict[str, str]]]:
    """Return {lang: Locale} and {lang: {key: text}} of the catalogs, checked against the first."""
    locales, catalogs = {}, {}
    for path in paths:
        locale, texts = _read(path)
        if catalogs:
            _check(path, texts, catalogs[DEFAULT_LANG])
        locales[locale.code], catalogs[locale.code] = locale, texts
    return locales, catalogs


LOCALES, CATALOGS = load(catalog_paths())
LANGS: tuple[str, ...] = tuple(LOCALES)
KEYS: tuple[str, ...] = tuple(CATALOGS[DEFAULT_LANG])
_BY_KEY: dict[str, dict[str, str]] = {k: {lang: CATALOGS[lang][k] for lang in LANGS} for k in KEYS}


def text(key: str, lang: str = DEFAULT_LANG, /, **fields) -> str:
    """Return the text `key` in `lang`, its {fields} filled with `fields`."""
    value = CATALOGS[lang][key]
    return value.format(**fields) if fields else value


def texts(key: str) -> dict[str, str]:
    """Return the text `key` in every language, {lang: text}."""
    return _BY_KEY[key]


def section(prefix: str) -> dict[str, dict[str, str]]:
    """Return every text under a dotted prefix, {key after the prefix: {lang: text}}."""
    start = prefix + "."
    return {k[len(start):]: v for k, v in _BY_KEY.items() if k.startswith(start)}
