"""A figure's numbers as every file publishes them: the rows (`download_table`), the CSV in the language's
dialect (`table_csv`), the workbook's metadata row and what each column holds, and the text file that
tells what a ZIP holds. No Dash import.

Each language's CSV dialect is its catalog's (`Locale`): the Danish CSV is what Danish Excel opens as a
table, fields separated by semicolons, decimal commas and a byte-order mark, so that "Øget kvalitet" reads
as written; the English CSV is comma-separated with decimal points, as `barometer table` prints it. Both
carry the state's filters and the data's nature in columns of their own, so a file read without its name
still says what it holds.
"""

from __future__ import annotations

import pandas as pd

from .. import __version__
from ..catalogs import CATALOGS, LOCALES, section, texts
from ..data.codebook import SYNTHETIC_LABEL
from ..figures.frame import data_label, filter_phrases, ignored_phrases, subtitle_base
from ..figures.scope import Scope, scope_of
from ..figures.specs import BASES, FigureSpec
from ..figures.tables import format_p, published
from .workbook import neutralised, sheet_name

NONE = texts("export.none")
MICRODATA_LABEL = texts("data.microdata")

# What each column of a figure's numbers holds (the workbook's "columns" sheet and the ZIP's README).
COLUMN_NOTES: dict[str, dict[str, str]] = section("column")


def data_note(spec: FigureSpec, lang: str, synthetic: bool) -> str:
    """Return the `note` of a figure's exported numbers: what they are.

    Published figures (the Nordic comparison) say so whatever the microdata; the others carry the
    synthetic-data label over the synthetic data and nothing over real microdata.
    """
    if spec.chart == "range":
        return data_label(spec, lang)
    return SYNTHETIC_LABEL[lang] if synthetic else ""


def filters_text(spec: FigureSpec, filt, lang: str) -> str:
    """Return the state's filters as the figure applies them, in one line ('ingen' / 'none' without any)."""
    return " · ".join(filter_phrases(spec, filt, lang) + ignored_phrases(spec, filt, lang)) or NONE[lang]


def download_table(table: pd.DataFrame, spec: FigureSpec, filt, lang: str, synthetic: bool) -> pd.DataFrame:
    """Return a figure's numbers as the files publish them: `published`, then the filters and the note."""
    return published(table).assign(filters=filters_text(spec, filt, lang), note=data_note(spec, lang, synthetic))


def table_csv(table: pd.DataFrame, spec: FigureSpec, filt, lang: str, synthetic: bool) -> str:
    """Return the CSV of a figure's table for the state `filt` (a Filter or the figure's Scope) in the dialect
    of `lang` (see the module): the columns of `barometer table`, then `filters` and `note`. Every CSV export
    uses it: a card's CSV, "Download all" and `barometer export`. Text cells that a spreadsheet would read as a
    formula are `neutralised`."""
    locale = LOCALES[lang]
    out = download_table(table, spec, scope_of(spec, filt), lang, synthetic)
    if locale.decimal != ".":
        out["p_value"] = [format_p(p, lang) for p in out["p_value_numeric"]]
    text = neutralised(out).to_csv(index=False, lineterminator="\n", sep=locale.csv_separator, decimal=locale.decimal)
    return ("\ufeff" if locale.csv_bom else "") + text


def _n_text(table: pd.DataFrame) -> str:
    """Return the unweighted n per series, e.g. '733 / 1144'."""
    per_series = table.groupby("series", sort=False)["n"].max()
    return " / ".join(str(int(n)) for n in per_series) if per_series.sum() else ""


METADATA_COLUMNS = ["figure", "sheet", "title", "where", "question", "base", "n", "round", "filters", "highlighted",
                    "not_applied", "language", "source", "data", "illustrative", "exported_at", "app_version"]


def metadata_row(spec: FigureSpec, table: pd.DataFrame, filt: Scope, lang: str, when: str, synthetic: bool) -> dict:
    """Return the metadata sheet's row for one figure in the state `filt` (its Scope)."""
    sc = scope_of(spec, filt)
    restricting = sc.filt.describe(lang, keys=sc.restrict)
    rounds = ", ".join(dict.fromkeys(table["round"].astype(str))) if "round" in table else sc.round
    return {
        "figure": spec.id, "sheet": sheet_name(spec.id), "title": spec.title[lang], "where": spec.where(lang),
        "question": spec.question.get(lang, ""), "base": BASES[subtitle_base(spec, sc)][lang], "n": _n_text(table),
        "round": rounds, "filters": "; ".join(restricting) or NONE[lang],
        "highlighted": "; ".join(sc.filt.describe(lang, keys=sc.highlight)),
        "not_applied": " · ".join(ignored_phrases(spec, sc, lang)), "language": CATALOGS[lang]["page.language"],
        "source": spec.source_line(lang), "data": data_note(spec, lang, synthetic) or MICRODATA_LABEL[lang],
        "illustrative": spec.illustrative, "exported_at": when, "app_version": __version__,
    }


def columns_sheet(lang: str, columns) -> pd.DataFrame:
    """Return the workbook's sheet that says what each column of the figures' sheets holds."""
    heading = [CATALOGS[lang]["export.column"], CATALOGS[lang]["export.meaning"]]
    return pd.DataFrame([(c, COLUMN_NOTES[c][lang]) for c in columns if c in COLUMN_NOTES], columns=heading)


README = texts("export.readme")


def readme_text(filters: str, lang: str, when: str, synthetic: bool, columns) -> str:
    """Return the text file a ZIP of every figure carries: its filters, language, date, version, what the data
    are and what each column of the numbers holds."""
    data = SYNTHETIC_LABEL[lang] if synthetic else MICRODATA_LABEL[lang]
    notes = "\n".join(f"- {c}: {COLUMN_NOTES[c][lang]}" for c in columns if c in COLUMN_NOTES)
    return README[lang].format(filters=filters, language=CATALOGS[lang]["page.language"], when=when, version=__version__,
                               data=data, columns=notes)
