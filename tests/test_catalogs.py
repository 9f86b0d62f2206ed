"""The text catalogs: every key in every language, every dimension, code, figure and reason named in each,
numbers in each locale's marks, a broken catalog refused by name; and a third, test-only catalog (a
pseudo-locale) that the whole page is rendered in, with no text left in another language."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from babel.numbers import get_decimal_symbol, get_group_symbol

from dashboard.catalogs import CATALOGS, HERE, KEYS, LANGS, LOCALES, CatalogError, _fields, load
from dashboard.data import codebook as cb
from dashboard.data.dimensions import DIMENSIONS
from dashboard.data.estimators import REASONS as PRIMARY_REASONS
from dashboard.figures import theme
from dashboard.figures.scope import SERIES_CODES
from dashboard.figures.specs import FIGURES, SECTIONS
from dashboard.figures.tables import REASONS, series_label
from dashboard.i18n import t
from tests.local_server import chromium, need_chromium

ROOT = Path(__file__).resolve().parents[1]
PSEUDO = "xa"  # the file stem, the code of the link (?lang=xa)
PSEUDO_HTML = "en-XA"  # the pseudo-locale's BCP 47 tag (as Android names it)


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalog_holds_every_key_with_the_same_fields(lang):
    assert set(CATALOGS[lang]) == set(KEYS)
    differ = [k for k in KEYS if _fields(CATALOGS[lang][k]) != _fields(CATALOGS["da"][k])]
    assert differ == []
    assert all(CATALOGS[lang][k].strip() for k in KEYS), "an empty text"


@pytest.mark.parametrize("lang", LANGS)
def test_every_dimension_code_variable_figure_and_reason_has_its_texts(lang):
    for dim in DIMENSIONS:
        assert dim.name(lang)
        assert all(dim.label(code, lang) for code in dim.codes), dim.key
    for var in cb.VARIABLES:
        assert var.label[lang]
        assert all(var.code_labels[c][lang] for c in var.code_labels), var.name
        assert var.question_key == "" or var.question[lang], var.name
    for spec in FIGURES:
        assert spec.title[lang] and spec.source_line(lang) and spec.where(lang), spec.id
        assert all(c.text(lang) for c in spec.categories), spec.id
        assert spec.section in SECTIONS and SECTIONS[spec.section][lang]
    for kind, codes in SERIES_CODES.items():
        spec = next((s for s in FIGURES if s.series == kind), None)
        if spec is not None:
            assert all(series_label(spec, c, lang) for c in codes), kind
    assert set(PRIMARY_REASONS) | {"differencing", "differencing_with", "complementary"} <= set(REASONS)
    assert all(REASONS[r][lang] for r in REASONS)


def test_numbers_take_the_marks_of_the_babel_locale():
    for lang, locale in LOCALES.items():
        assert (locale.decimal, locale.group) == (get_decimal_symbol(locale.babel), get_group_symbol(locale.babel))
        assert theme.NUMBER_SEPARATORS[lang] == locale.decimal + locale.group
    assert (theme.fmt_number(18771.25, "da", 1), theme.fmt_pct(34.25, "da", 1)) == ("18.771,2", "34,2 %")
    assert (theme.fmt_number(18771.25, "en", 1), theme.fmt_range(3.04, 7.5, "en", 1)) == ("18,771.2", "3.0-7.5 %")


def _catalog(tmp_path: Path, name: str, drop: str | None = None, change: tuple[str, str] | None = None) -> Path:
    """Return a copy of the English catalog as `name`.toml, without the key `drop` or with one text changed."""
    text = (HERE / "en.toml").read_text(encoding="utf-8")
    if drop:
        section, key = drop.rsplit(".", 1)
        text = re.sub(rf"(?m)^{re.escape(key)} = .*\n", "", text.replace(f"[{section}]\n", f"[{section}]\n", 1), count=1)
    if change:
        key, value = change
        text = re.sub(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {json.dumps(value)}", text, count=1)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_catalog_without_a_key_or_with_other_fields_is_refused_naming_file_and_key(tmp_path):
    with pytest.raises(CatalogError, match=r"de\.toml: missing: page\.reset"):
        load([HERE / "da.toml", _catalog(tmp_path, "de", drop="page.reset")])
    with pytest.raises(CatalogError, match=r"fr\.toml: other \{fields\} than da\.toml: page\.export_progress"):
        load([HERE / "da.toml", _catalog(tmp_path, "fr", change=("export_progress", "Figure {done} of {all}"))])
    broken = tmp_path / "nl.toml"
    broken.write_text('[locale]\nname = "Nederlands"\n[page\n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"nl\.toml: .*line 3"):
        load([HERE / "da.toml", broken])


# ---- the pseudo-locale ------------------------------------------------------------------------------------

ACCENTS = str.maketrans("aeiouycnsAEIOUYCNS", "áéíöüýçñšÁÉÍÖÜÝÇÑŠ")


def pseudo(text: str) -> str:
    """Return `text` with its letters accented and marked ⟦…⟧, its {fields} and %-signs kept."""
    parts = re.split(r"(\{[a-z_]+\})", text)
    return "⟦" + "".join(p if p.startswith("{") else p.translate(ACCENTS) for p in parts) + "⟧"


def write_pseudo_catalog(folder: Path) -> Path:
    """Write the pseudo-locale's catalog, made from the English one, into `folder`; return the folder."""
    data = tomllib.loads((HERE / "en.toml").read_text(encoding="utf-8"))
    locale = data.pop("locale")
    words = {k: pseudo(v) for k, v in locale.pop("plotly_dictionary").items()}
    locale.update(name="Pseudo", short="XA", html=PSEUDO_HTML, babel="fr_FR", plotly="en", csv_separator=";")
    lines = ["[locale]", *(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in locale.items()),
             "[locale.plotly_dictionary]", *(f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in words.items())]

    def table(prefix: str, node: dict) -> None:
        texts = {k: v for k, v in node.items() if isinstance(v, str)}
        if texts:
            lines.append(f"[{prefix}]")
            lines.extend(f"{json.dumps(k)} = {json.dumps(pseudo(v), ensure_ascii=False)}" for k, v in texts.items())
        for k, v in node.items():
            if isinstance(v, dict):
                table(f"{prefix}.{json.dumps(k)}" if prefix else json.dumps(k), v)

    table("", data)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{PSEUDO}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_the_pseudo_catalog_loads_as_a_third_language(tmp_path):
    folder = write_pseudo_catalog(tmp_path)
    code = ("from dashboard.catalogs import LANGS, LOCALES; from dashboard.figures.theme import fmt_pct; "
            "from dashboard.i18n import t; print(LANGS, LOCALES['xa'].html, repr(fmt_pct(1234.5, 'xa', 1)), t('reset', 'xa'))")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "BAROMETER_CATALOGS": str(folder)},
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "('da', 'en', 'xa') en-XA '1\\u202f234,5 %' ⟦Réšét⟧"
    assert t("reset", "en") == "Reset"  # this process has the shipped catalogs only


# Words that stay as they are in any language: formats, and the languages' names on the switch (each in its own).
UNTRANSLATED = {"XLSX", "Dansk", "English", "Pseudo"}


@pytest.mark.browser
def test_the_page_rendered_in_the_pseudo_locale_has_no_text_of_another_language(tmp_path):
    need_chromium()
    from tests.test_cli_serve import serving

    folder = write_pseudo_catalog(tmp_path / "catalogs")
    with serving(tmp_path, env={"BAROMETER_CATALOGS": str(folder)}) as (_, url, _log), chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        response = page.goto(f"{url}/?lang={PSEUDO}&sector=municipality&size=small")
        assert f'<html lang="{PSEUDO_HTML}">' in response.text()
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 16 && "
                               "!document.querySelector('[data-dash-is-loading]')", timeout=60000)
        assert page.evaluate("document.documentElement.lang") == PSEUDO_HTML
        assert page.locator("#lang input").count() == len(LANGS) + 1
        text = page.evaluate("document.body.innerText")
        svg = page.evaluate("[...document.querySelectorAll('.main-svg text')].map(t => t.textContent).join('\\n')")
        page.screenshot(path=str(tmp_path / "pseudo.png"), full_page=True)
        separators = page.evaluate("document.querySelector('.js-plotly-plot')._fullLayout.separators")
        names = page.evaluate("[...document.querySelectorAll('#lang [lang]')].map(e => e.lang + ':' + e.textContent)")
    words = set(re.findall(r"(?<![\w\u00c0-\u024f])[A-Za-z]{4,}(?![\w\u00c0-\u024f])", text + "\n" + svg))
    assert words - UNTRANSLATED == set(), "texts not from the catalog"
    assert names == ["da:Dansk", "en:English", f"{PSEUDO_HTML}:Pseudo"]  # each language named in its own (WCAG 3.1.2)
    assert text.count("⟦") > 200 and svg.count("⟦") > 100
    assert separators == ",\u202f"  # the charts' numbers in the marks of the locale's Babel locale (fr_FR)
