"""One spec per figure, as data. Adding a figure is adding a spec to FIGURES.

The question explorer draws each question of the questionnaire (`data.questionnaire`) through a spec made
from the question (`question_spec`, ids 'q-<question>'): the estimators, rules and relations read every
spec alike, and `SPECS` finds any of them by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..catalogs import CATALOGS, section, texts
from ..data import codebook as cb
from ..data.dimensions import DIMENSIONS, KEYS
from ..data.questionnaire import QUESTIONS, Question

SOURCE_003 = texts("source.coi")
SOURCE_000 = texts("source.dst")
REFERENCE_000 = texts("source.dst_reference")
BASES = {b: texts(f"base.{b}") for b in ("all", "innovators", "tech_innovators")}
SECTIONS = section("section")
# How "don't know" enters the technology groups, as the publication counts it (003, notes to figures 1 and 3).
NOTE_TECH_GROUP = texts("note.tech_group")
NOTE_TECH_SPLIT = texts("note.tech_split")
EVERY = KEYS  # a figure of published aggregates applies no dimension


@dataclass(frozen=True)
class Category:
    """One bar: rows where `variable` takes one of `codes` (bools: any of several variables true).

    `within` restricts the category to rows whose columns take the given codes (e.g. one sector);
    `na_false` counts a question not asked (NA) as "no" instead of leaving the row out.
    """

    code: str
    variable: str
    codes: tuple[str, ...] = ("true",)
    within: tuple[tuple[str, tuple[str, ...]], ...] = ()
    na_false: bool = False
    label: dict[str, str] | None = None  # its own label, when not the codebook's (texts of the catalogs)

    def text(self, lang: str) -> str:
        """Return the category's label in `lang`."""
        if self.label:
            return self.label[lang]
        if self.codes == ("true",):
            return cb.label(self.variable.split("|")[0], lang=lang)
        return cb.label(self.variable, self.codes[0], lang)


@dataclass(frozen=True)
class FigureSpec:
    """What a figure shows and how: the data behind it and its presentation, as plain data."""

    id: str
    section: str
    base: str
    categories: tuple[Category, ...]
    source: dict[str, str]
    series: Literal["tech_split", "tech_group", "sector", "round", "tech_new"] | None = None
    series_total: bool = False  # add a series over all rows
    chart: Literal["bar", "hbar", "grouped", "stacked", "range"] = "bar"
    ignores: tuple[str, ...] = ()  # dimensions the figure does not apply (every other one applies)
    highlight: tuple[str, ...] = ()  # dimensions of the figure's own groups: they highlight, not restrict
    compare: Literal["pair", "all"] | None = None  # "pair": tech vs non-tech test; "all": equality across series
    # Known totals (for complementary suppression): the bars of each series partition its base (add up to 100 %),
    # or one series or category is the weighted mean of the others (("series", "all"), ("category", "total")).
    partition: bool = False
    total: tuple[Literal["series", "category"], str] | None = None
    illustrative: bool = False
    note: dict[str, str] = field(default_factory=dict)
    question: dict[str, str] = field(default_factory=dict)
    number: int | None = None  # the figure's number in the COI publication
    reference: dict[str, str] = field(default_factory=dict)  # where a figure without a number comes from
    title_key: str = ""  # where its title stands in the catalogs, when not at figure.<id>.title

    @property
    def title(self) -> dict[str, str]:
        """Return the figure's title in every language (figure.<id>.title in the catalogs, or its title_key)."""
        return texts(self.title_key or f"figure.{self.id}.title")

    def where(self, lang: str) -> str:
        """Return where the figure stands in its source publication ('Figur 8 i COI-publikationen')."""
        if self.number is not None:
            return CATALOGS[lang]["figure_where.number"].format(number=self.number)
        return self.reference.get(lang, "")

    def source_line(self, lang: str) -> str:
        """Return the figure's source with its number in the publication ('Kilde: …, figur 8')."""
        if self.number is None:
            return self.source[lang]
        return CATALOGS[lang]["figure_where.source_number"].format(source=self.source[lang], number=self.number)

    def not_applied(self) -> tuple[str, ...]:
        """Return the dimensions this figure ignores, in the registry's order."""
        return tuple(k for k in KEYS if k in self.ignores)


def _codes_of(variable: str, codes: tuple[str, ...] | None = None, **kw) -> tuple[Category, ...]:
    """Return one category per code of a coded variable."""
    return tuple(Category(c, variable, (c,), **kw) for c in (codes or cb.BY_NAME[variable].codes))


def _flags(names, **kw) -> tuple[Category, ...]:
    """Return one category per bool variable, its code the variable name."""
    return tuple(Category(n, n, **kw) for n in names)


T = cb.TECH_ROLES

FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "dst-sector-trend", "overview",
        "all",
        (Category("total", "innovated", label=texts("figure.dst-sector-trend.category_total")),
         *(Category(s, "innovated", within=(("sector", (s,)),), label=cb.SECTOR_LABELS[s]) for s in cb.SECTORS)),
        SOURCE_000, series="round", chart="grouped", ignores=("tech_role", "value"), highlight=("sector", "round"),
        compare="pair", total=("category", "total"), question=cb.BY_NAME["innovated"].question,
        reference=REFERENCE_000,
    ),
    FigureSpec(
        "dst-types", "overview",
        "all", _flags(cb.TYPES, na_false=True), SOURCE_000, chart="hbar", ignores=("tech_role", "value"),
        illustrative=True, question=cb.BY_NAME["type_process"].question,
        reference=texts("figure.dst-types.reference"),
    ),
    FigureSpec(
        "fig1", "technology",
        "innovators", _codes_of("tech_role"), SOURCE_003, chart="bar", highlight=("tech_role",), partition=True,
        question=cb.BY_NAME["tech_role"].question,
        number=1,
    ),
    FigureSpec(
        "fig2", "technology",
        "tech_innovators", _codes_of("technology"), SOURCE_003, series="tech_new", chart="hbar",
        highlight=("tech_role",), partition=True, illustrative=True,
        question=cb.BY_NAME["technology"].question,
        number=2,
    ),
    FigureSpec(
        "fig3", "technology",
        "innovators", _codes_of("tech_group"), SOURCE_003, chart="bar", highlight=("tech_role",), partition=True,
        note=NOTE_TECH_GROUP,
        question=cb.BY_NAME["tech_new"].question,
        number=3,
    ),
    FigureSpec(
        "fig7", "technology",
        "all", _codes_of("curiosity"), SOURCE_003, chart="hbar", partition=True,
        question=cb.BY_NAME["curiosity"].question,
        number=7,
    ),
    FigureSpec(
        "fig4", "value",
        "innovators", _flags(cb.VALUES), SOURCE_003, series="tech_split", chart="grouped",
        highlight=("value", "tech_role"), compare="pair", note=NOTE_TECH_SPLIT,
        question=cb.BY_NAME["value_quality"].question,
        number=4,
    ),
    FigureSpec(
        "dst-values-sector", "value",
        "innovators", _flags(cb.VALUES), SOURCE_000, series="sector", series_total=True, chart="grouped",
        highlight=("value", "sector"), total=("series", "all"),
        question=cb.BY_NAME["value_quality"].question,
        reference=REFERENCE_000,
    ),
    FigureSpec(
        "fig5", "people",
        "tech_innovators",
        (Category("citizens_any", "citizens_initiated|citizens_promoted|citizens_collaborated",
                  label=texts("figure.fig5.category_citizens_any")),
         *_flags(cb.CITIZENS)),
        SOURCE_003, chart="hbar", question=cb.BY_NAME["citizens_promoted"].question,
        number=5,
    ),
    FigureSpec(
        "fig6", "people",
        "innovators", _codes_of("employees_role", ("promoted", "hindered")), SOURCE_003, series="tech_group",
        chart="grouped", highlight=("tech_role",), compare="all", note=NOTE_TECH_GROUP,
        question=cb.BY_NAME["employees_role"].question,
        number=6,
    ),
    FigureSpec(
        "fig8", "collaboration",
        "innovators", _flags(cb.PARTNERS), SOURCE_003, series="tech_split", chart="grouped",
        highlight=("tech_role",), compare="pair", note=NOTE_TECH_SPLIT,
        question=cb.BY_NAME["partner_private"].question,
        number=8,
    ),
    FigureSpec(
        "fig9", "collaboration",
        "innovators", _flags(("partner_same_sector",)), SOURCE_003, series="tech_group", chart="grouped",
        highlight=("tech_role",), compare="all", note=NOTE_TECH_GROUP,
        question=cb.BY_NAME["partner_same_sector"].question,
        number=9,
    ),
    FigureSpec(
        "fig10", "collaboration",
        "innovators", _flags(("partner_private",)), SOURCE_003, series="tech_group", chart="grouped",
        highlight=("tech_role",), compare="all", note=NOTE_TECH_GROUP,
        question=cb.BY_NAME["partner_private"].question,
        number=10,
    ),
    FigureSpec(
        "dst-novelty", "spreading",
        "innovators", _codes_of("novelty"), SOURCE_000, chart="hbar", partition=True,
        question=cb.BY_NAME["novelty"].question,
        reference=REFERENCE_000,
    ),
    FigureSpec(
        "dst-spread", "spreading",
        "innovators", _flags(("spread_any", *cb.SPREAD)), SOURCE_000, chart="hbar",
        question=cb.BY_NAME["spread_any"].question,
        reference=REFERENCE_000,
    ),
    FigureSpec(
        "nordic", "nordic",
        "all", (), SOURCE_000, chart="range", ignores=EVERY,
        note=texts("figure.nordic.note"), reference=texts("figure.nordic.reference"),
    ),
)

BY_ID: dict[str, FigureSpec] = {f.id: f for f in FIGURES}
IDS: tuple[str, ...] = tuple(f.id for f in FIGURES)
QUESTION_MARK = "q-"  # the id of a question's spec: "q-<question id>"


def question_spec(q: Question) -> FigureSpec:
    """Return the spec that draws a question: one bar per answer over who was asked it (a single-choice
    question's answers partition them), in its theme, titled with its short name; a dimension that selects
    by the question's own answers (the role of technology, the values) highlights its bars, as in the report.

    >>> QUESTION_SPECS["values"].highlight, QUESTION_SPECS["curiosity"].partition
    (('value',), True)
    """
    categories = _codes_of(q.variables[0]) if q.kind == "single" else _flags(q.variables)
    own = tuple(d.key for d in DIMENSIONS if set(d.columns) & set(q.variables))
    return FigureSpec(f"{QUESTION_MARK}{q.id}", q.theme, q.asked_of, categories, SOURCE_003, chart="hbar",
                      partition=q.kind == "single", highlight=own, question=q.wording,
                      title_key=f"question_title.{q.id}")


QUESTION_SPECS: dict[str, FigureSpec] = {q.id: question_spec(q) for q in QUESTIONS}  # by question id
SPECS: dict[str, FigureSpec] = {**BY_ID, **{s.id: s for s in QUESTION_SPECS.values()}}  # every spec, by spec id

NORDIC = (  # (country code, low, high): published aggregates, not microdata; names under code.nordic
    ("denmark", 77.0, 81.0),
    ("norway", 77.0, 81.0),
    ("iceland", 77.0, 81.0),
    ("sweden", 77.0, 81.0),
    ("finland", 95.0, 95.0),
)
