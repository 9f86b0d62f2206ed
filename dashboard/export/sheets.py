"""A figure's numbers as every file publishes them: the rows (`download_table`), the CSV in the language's
dialect (`table_csv`), the workbook's metadata row and what each column holds, and the text file that
tells what a ZIP holds. No Dash import.

The Danish CSV is what Danish Excel opens as a table: fields separated by semicolons, decimal commas and
a byte-order mark, so that "Øget kvalitet" reads as written. The English CSV is comma-separated with
decimal points, as `barometer table` prints it. Both carry the state's filters and the data's nature in
columns of their own, so a file read without its name still says what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import __version__
from ..data.codebook import SYNTHETIC_LABEL
from ..figures.frame import data_label, filter_phrases, ignored_phrases, subtitle_base
from ..figures.scope import Scope, scope_of
from ..figures.specs import BASES, FigureSpec
from ..figures.tables import format_p, published
from .workbook import neutralised, sheet_name


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written: field separator, decimal mark and whether it starts with a byte-order mark."""

    sep: str
    decimal: str
    bom: bool


DIALECTS = {"da": Dialect(";", ",", True), "en": Dialect(",", ".", False)}
NONE = {"da": "ingen", "en": "none"}
MICRODATA_LABEL = {"da": "Mikrodata", "en": "Microdata"}

# What each column of a figure's numbers holds (the workbook's "columns" sheet and the ZIP's README).
COLUMN_NOTES: dict[str, dict[str, str]] = {
    "figure": {"da": "Figurens id (som i linket og kommandolinjen)", "en": "The figure's id (as in links and the command line)"},
    "series": {"da": "Gruppens kode (all: alle)", "en": "The group's code (all: everyone)"},
    "category": {"da": "Kategoriens kode", "en": "The category's code"},
    "share": {"da": "Vægtet andel i procent, én decimal; tom hvor tallet er skjult",
              "en": "Weighted share in percent, one decimal; empty where the value is hidden"},
    "ci_low": {"da": "Nedre grænse af 95 %-intervallet (Korn-Graubard), procent",
               "en": "Lower bound of the 95 % interval (Korn-Graubard), percent"},
    "ci_high": {"da": "Øvre grænse af 95 %-intervallet, procent", "en": "Upper bound of the 95 % interval, percent"},
    "n": {"da": "Uvægtet antal svar i grundlaget", "en": "Unweighted number of respondents in the base"},
    "n_eff": {"da": "Effektivt n: størrelsen af en simpel tilfældig stikprøve med samme præcision. Med "
                    "endelighedskorrektionen kan det være større end n, når en stor del af et stratum har svaret",
              "en": "Effective n: the size of a simple random sample with the same precision. With the finite "
                    "population correction it can exceed n, where a large part of a stratum answered"},
    "suppressed": {"da": "True: tallet er skjult (se reason)", "en": "True: the value is hidden (see reason)"},
    "reason": {"da": "Hvorfor tallet er skjult, som kode", "en": "Why the value is hidden, as a code"},
    "flagged": {"da": "True: færre end 8 frihedsgrader; læs med forsigtighed",
                "en": "True: fewer than 8 degrees of freedom; read with care"},
    "highlighted": {"da": "True: søjlen er den, filtret vælger", "en": "True: the bar is the one the filter chooses"},
    "p_value": {"da": "p-værdi for forskellen mellem grupperne, som tekst (»< 0.001« under en promille)",
                "en": "p-value of the difference between the groups, as text ('< 0.001' below one in a thousand)"},
    "p_value_numeric": {"da": "Samme p-værdi som tal, tre betydende cifre",
                        "en": "The same p-value as a number, three significant digits"},
    "significant": {"da": "True: forskellen er signifikant på 5 %-niveau",
                    "en": "True: the difference is significant at the 5 % level"},
    "series_label": {"da": "Gruppen i ord", "en": "The group in words"},
    "category_label": {"da": "Kategorien i ord", "en": "The category in words"},
    "reason_label": {"da": "Hvorfor tallet er skjult, i ord", "en": "Why the value is hidden, in words"},
    "round": {"da": "Den runde, tallet er for", "en": "The round the value is for"},
    "filters": {"da": "Filtrene, som figuren bruger dem", "en": "The filters, as the figure applies them"},
    "note": {"da": "Hvad tallene er (syntetiske data eller mikrodata)",
             "en": "What the numbers are (synthetic data or microdata)"},
}


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
    dialect = DIALECTS[lang]
    out = download_table(table, spec, scope_of(spec, filt), lang, synthetic)
    if dialect.decimal == ",":
        out["p_value"] = [format_p(p, lang) for p in out["p_value_numeric"]]
    text = neutralised(out).to_csv(index=False, lineterminator="\n", sep=dialect.sep, decimal=dialect.decimal)
    return ("\ufeff" if dialect.bom else "") + text


def _n_text(table: pd.DataFrame) -> str:
    """Return the unweighted n per series, e.g. '733 / 1144'."""
    per_series = table.groupby("series", sort=False)["n"].max()
    return " / ".join(str(int(n)) for n in per_series) if per_series.sum() else ""


METADATA_COLUMNS = ["figure", "sheet", "title", "where", "question", "base", "n", "round", "filters", "highlighted",
                    "not_applied", "language", "source", "data", "illustrative", "exported_at", "app_version"]
LANGUAGE_NAMES = {"da": "dansk", "en": "English"}


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
        "not_applied": " · ".join(ignored_phrases(spec, sc, lang)), "language": LANGUAGE_NAMES[lang],
        "source": spec.source_line(lang), "data": data_note(spec, lang, synthetic) or MICRODATA_LABEL[lang],
        "illustrative": spec.illustrative, "exported_at": when, "app_version": __version__,
    }


def columns_sheet(lang: str, columns) -> pd.DataFrame:
    """Return the workbook's sheet that says what each column of the figures' sheets holds."""
    heading = {"da": ("kolonne", "indhold"), "en": ("column", "meaning")}[lang]
    return pd.DataFrame([(c, COLUMN_NOTES[c][lang]) for c in columns if c in COLUMN_NOTES], columns=list(heading))


README = {
    "da": ("Innovationsbarometeret: alle figurer for ét udvalg\n\n"
           "Filtre: {filters}\nSprog: {language}\nHentet: {when}\nVersion: {version}\nData: {data}\n\n"
           "Filerne: en PNG- og en SVG-fil pr. figur (når serveren kan tegne billeder), tallene pr. figur som CSV "
           "(semikolon, decimalkomma, UTF-8 med BOM: åbner som tabel i dansk Excel) og alle tal i én XLSX-"
           "projektmappe med et ark om figurerne (metadata) og et om kolonnerne.\n\nKolonnerne:\n{columns}\n"),
    "en": ("Innovationsbarometeret: every figure for one selection\n\n"
           "Filters: {filters}\nLanguage: {language}\nDownloaded: {when}\nVersion: {version}\nData: {data}\n\n"
           "The files: a PNG and an SVG file per figure (when the server can render images), each figure's numbers "
           "as CSV (comma-separated, decimal points, UTF-8) and all the numbers in one XLSX workbook with a sheet "
           "on the figures (metadata) and one on the columns.\n\nThe columns:\n{columns}\n"),
}


def readme_text(filters: str, lang: str, when: str, synthetic: bool, columns) -> str:
    """Return the text file a ZIP of every figure carries: its filters, language, date, version, what the data
    are and what each column of the numbers holds."""
    data = SYNTHETIC_LABEL[lang] if synthetic else MICRODATA_LABEL[lang]
    notes = "\n".join(f"- {c}: {COLUMN_NOTES[c][lang]}" for c in columns if c in COLUMN_NOTES)
    return README[lang].format(filters=filters, language=LANGUAGE_NAMES[lang], when=when, version=__version__,
                               data=data, columns=notes)
