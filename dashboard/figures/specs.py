"""One spec per figure, as data. Adding a figure is adding a spec to FIGURES."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..data import codebook as cb
from ..data.dimensions import KEYS

SOURCE_003 = {
    "da": "Kilde: Center for Offentlig Innovation, Innovationsbarometeret: teknologi i offentlig innovation (2018-2019)",
    "en": "Source: Center for Offentlig Innovation, Innovation Barometer: technology in public innovation (2018-2019)",
}
SOURCE_000 = {
    "da": "Kilde: Danmarks Statistik, »Fire af fem offentlige arbejdssteder er innovative«",
    "en": "Source: Statistics Denmark, 'Four out of five public workplaces are innovative'",
}
REFERENCE_000 = {"da": "Danmarks Statistik: tal fra udgivelsens tekst",
                 "en": "Statistics Denmark: numbers from the release's text"}


BASES = {
    "all": {"da": "alle arbejdspladser", "en": "all workplaces"},
    "innovators": {"da": "innovative arbejdspladser", "en": "innovative workplaces"},
    "tech_innovators": {"da": "teknologiske innovationer", "en": "technological innovations"},
}
SECTIONS = {
    "overview": {"da": "Overblik", "en": "Overview"},
    "technology": {"da": "Teknologiens rolle", "en": "The role of technology"},
    "value": {"da": "Værdi", "en": "Value created"},
    "people": {"da": "Borgere og medarbejdere", "en": "Citizens and employees"},
    "collaboration": {"da": "Samarbejde", "en": "Collaboration"},
    "spreading": {"da": "Spredning og nyhedsgrad", "en": "Spreading and novelty"},
    "nordic": {"da": "Norden", "en": "The Nordic countries"},
}
# How "don't know" enters the technology groups, as the publication counts it (003, notes to figures 1 and 3).
NOTE_TECH_GROUP = {
    "da": "Kendt teknologi omfatter svaret »ved ikke« om teknologien er ny; ikke-teknologiske omfatter »mindre del«, "
          "»slet ikke« og »ved ikke« om teknologiens rolle, som i publikationen",
    "en": "Known technology includes 'don't know' on whether the technology is new; non-technological includes "
          "'minor part', 'no part' and 'don't know' on the role of technology, as in the publication",
}
NOTE_TECH_SPLIT = {
    "da": "Ikke-teknologiske innovationer omfatter »mindre del«, »slet ikke« og »ved ikke« om teknologiens rolle, "
          "som i publikationen",
    "en": "Non-technological innovations include 'minor part', 'no part' and 'don't know' on the role of technology, "
          "as in the publication",
}
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
    label: dict[str, str] | None = None

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
    title: dict[str, str]
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

    def where(self, lang: str) -> str:
        """Return where the figure stands in its source publication ('Figur 8 i COI-publikationen')."""
        if self.number is not None:
            return {"da": f"Figur {self.number} i COI-publikationen", "en": f"Figure {self.number} in the COI publication"}[lang]
        return self.reference.get(lang, "")

    def source_line(self, lang: str) -> str:
        """Return the figure's source with its number in the publication ('Kilde: …, figur 8')."""
        if self.number is None:
            return self.source[lang]
        return self.source[lang] + {"da": ", figur ", "en": ", figure "}[lang] + str(self.number)

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
        {"da": "Andel innovative arbejdspladser efter sektor, 2015-2016 og 2018-2019",
         "en": "Share of innovative workplaces by sector, 2015-2016 and 2018-2019"},
        "all",
        (Category("total", "innovated", label={"da": "Hele den offentlige sektor", "en": "Whole public sector"}),
         *(Category(s, "innovated", within=(("sector", (s,)),), label=cb.SECTOR_LABELS[s]) for s in cb.SECTORS)),
        SOURCE_000, series="round", chart="grouped", ignores=("tech_role", "value"), highlight=("sector", "round"),
        compare="pair", total=("category", "total"), question=cb.BY_NAME["innovated"].question,
        reference=REFERENCE_000,
    ),
    FigureSpec(
        "dst-types", "overview",
        {"da": "Andel arbejdspladser med innovation, efter innovationstype",
         "en": "Share of workplaces with innovation, by type of innovation"},
        "all", _flags(cb.TYPES, na_false=True), SOURCE_000, chart="hbar", ignores=("tech_role", "value"),
        illustrative=True, question=cb.BY_NAME["type_process"].question,
        reference={"da": "Danmarks Statistik: figuren om innovationstyper (Statistikbanken OIN01)",
                   "en": "Statistics Denmark: the figure of innovation types (Statbank OIN01)"},
    ),
    FigureSpec(
        "fig1", "technology",
        {"da": "En ud af tre innovationer er teknologiske", "en": "One in three innovations is technological"},
        "innovators", _codes_of("tech_role"), SOURCE_003, chart="bar", highlight=("tech_role",), partition=True,
        question=cb.BY_NAME["tech_role"].question,
        number=1,
    ),
    FigureSpec(
        "fig2", "technology",
        {"da": "Teknologier, der er nye eller kendte for arbejdspladsen",
         "en": "Technologies new or known to the workplace"},
        "tech_innovators", _codes_of("technology"), SOURCE_003, series="tech_new", chart="hbar",
        highlight=("tech_role",), partition=True, illustrative=True,
        question=cb.BY_NAME["technology"].question,
        number=2,
    ),
    FigureSpec(
        "fig3", "technology",
        {"da": "Innovationer med ny teknologi, kendt teknologi og uden teknologi",
         "en": "Innovations with new technology, known technology and no technology"},
        "innovators", _codes_of("tech_group"), SOURCE_003, chart="bar", highlight=("tech_role",), partition=True,
        note=NOTE_TECH_GROUP,
        question=cb.BY_NAME["tech_new"].question,
        number=3,
    ),
    FigureSpec(
        "fig7", "technology",
        {"da": "Vi er nysgerrige på nye teknologiske løsninger og muligheder",
         "en": "We are curious about new technological solutions and possibilities"},
        "all", _codes_of("curiosity"), SOURCE_003, chart="hbar", partition=True,
        question=cb.BY_NAME["curiosity"].question,
        number=7,
    ),
    FigureSpec(
        "fig4", "value",
        {"da": "Værdier skabt af teknologiske og ikke-teknologiske innovationer",
         "en": "Value created by technological and non-technological innovations"},
        "innovators", _flags(cb.VALUES), SOURCE_003, series="tech_split", chart="grouped",
        highlight=("value", "tech_role"), compare="pair", note=NOTE_TECH_SPLIT,
        question=cb.BY_NAME["value_quality"].question,
        number=4,
    ),
    FigureSpec(
        "dst-values-sector", "value",
        {"da": "Værdier skabt af den seneste innovation, efter sektor",
         "en": "Value created by the latest innovation, by sector"},
        "innovators", _flags(cb.VALUES), SOURCE_000, series="sector", series_total=True, chart="grouped",
        highlight=("value", "sector"), total=("series", "all"),
        question=cb.BY_NAME["value_quality"].question,
        reference=REFERENCE_000,
    ),
    FigureSpec(
        "fig5", "people",
        {"da": "Borgerne spiller en positiv rolle i godt halvdelen af de teknologiske innovationer",
         "en": "Citizens play a positive part in just over half of technological innovations"},
        "tech_innovators",
        (Category("citizens_any", "citizens_initiated|citizens_promoted|citizens_collaborated",
                  label={"da": "Borgerne spiller en positiv rolle (mindst én af de tre)",
                         "en": "Citizens play a positive part (at least one of the three)"}),
         *_flags(cb.CITIZENS)),
        SOURCE_003, chart="hbar", question=cb.BY_NAME["citizens_promoted"].question,
        number=5,
    ),
    FigureSpec(
        "fig6", "people",
        {"da": "Medarbejdernes medvirken fremmede eller hæmmede innovationen",
         "en": "Employees promoted or hindered the innovation"},
        "innovators", _codes_of("employees_role", ("promoted", "hindered")), SOURCE_003, series="tech_group",
        chart="grouped", highlight=("tech_role",), compare="all", note=NOTE_TECH_GROUP,
        question=cb.BY_NAME["employees_role"].question,
        number=6,
    ),
    FigureSpec(
        "fig8", "collaboration",
        {"da": "Samarbejdspartnere om teknologiske og ikke-teknologiske innovationer",
         "en": "Collaboration partners on technological and non-technological innovations"},
        "innovators", _flags(cb.PARTNERS), SOURCE_003, series="tech_split", chart="grouped",
        highlight=("tech_role",), compare="pair", note=NOTE_TECH_SPLIT,
        question=cb.BY_NAME["partner_private"].question,
        number=8,
    ),
    FigureSpec(
        "fig9", "collaboration",
        {"da": "Samarbejde med offentlige arbejdspladser i egen sektor",
         "en": "Collaboration with public workplaces in the same sector"},
        "innovators", _flags(("partner_same_sector",)), SOURCE_003, series="tech_group", chart="grouped",
        highlight=("tech_role",), compare="all", note=NOTE_TECH_GROUP,
        question=cb.BY_NAME["partner_same_sector"].question,
        number=9,
    ),
    FigureSpec(
        "fig10", "collaboration",
        {"da": "Samarbejde med private virksomheder", "en": "Collaboration with private companies"},
        "innovators", _flags(("partner_private",)), SOURCE_003, series="tech_group", chart="grouped",
        highlight=("tech_role",), compare="all", note=NOTE_TECH_GROUP,
        question=cb.BY_NAME["partner_private"].question,
        number=10,
    ),
    FigureSpec(
        "dst-novelty", "spreading",
        {"da": "Den seneste innovation: først, tilpasset eller kopieret",
         "en": "The latest innovation: first, adapted or copied"},
        "innovators", _codes_of("novelty"), SOURCE_000, chart="hbar", partition=True,
        question=cb.BY_NAME["novelty"].question,
        reference=REFERENCE_000,
    ),
    FigureSpec(
        "dst-spread", "spreading",
        {"da": "Kanaler brugt til at sprede innovationen", "en": "Channels used to spread the innovation"},
        "innovators", _flags(("spread_any", *cb.SPREAD)), SOURCE_000, chart="hbar",
        question=cb.BY_NAME["spread_any"].question,
        reference=REFERENCE_000,
    ),
    FigureSpec(
        "nordic", "nordic",
        {"da": "Andel innovative offentlige arbejdspladser i de nordiske lande",
         "en": "Share of innovative public workplaces in the Nordic countries"},
        "all", (), SOURCE_000, chart="range", ignores=EVERY,
        note={"da": "Offentliggjorte tal; Danmark, Norge, Island og Sverige er kun oplyst som et interval (77-81 %).",
              "en": "Published figures; Denmark, Norway, Iceland and Sweden are given only as a range (77-81 %)."},
        reference={"da": "Danmarks Statistik: figuren om de nordiske lande",
                   "en": "Statistics Denmark: the figure of the Nordic countries"},
    ),
)

BY_ID: dict[str, FigureSpec] = {f.id: f for f in FIGURES}
IDS: tuple[str, ...] = tuple(f.id for f in FIGURES)

NORDIC = (  # (country code, da, en, low, high): published aggregates, not microdata
    ("denmark", "Danmark", "Denmark", 77.0, 81.0),
    ("norway", "Norge", "Norway", 77.0, 81.0),
    ("iceland", "Island", "Iceland", 77.0, 81.0),
    ("sweden", "Sverige", "Sweden", 77.0, 81.0),
    ("finland", "Finland", "Finland", 95.0, 95.0),
)
