"""The look of every figure: colours, fonts, the base layout, export size and number formats.

One colour-blind-safe palette (Okabe-Ito) and one fixed mapping from codes to colours, so a
category has the same colour in every chart. Plain constants and small pure functions; no Dash.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import plotly.graph_objects as go

from ..catalogs import LOCALES

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
PRIMARY = OKABE_ITO["blue"]  # single-series charts
NEUTRAL = "#8A9BB0"  # grey-blue: non-technological innovations in every chart
EARLIER = "#A3A3A3"  # neutral grey: the earlier round, shown for comparison

SERIES_COLOURS: dict[str, str] = {
    "all": PRIMARY,
    # technology: warm colours for the technological groups, the neutral for the rest
    "tech": OKABE_ITO["orange"],
    "new_tech": OKABE_ITO["vermillion"],
    "known_tech": OKABE_ITO["orange"],
    "non_tech": NEUTRAL,
    "new": OKABE_ITO["vermillion"],  # technology new to the workplace = new_tech
    "known": OKABE_ITO["orange"],  # known technology = known_tech
    # sectors
    "state": OKABE_ITO["bluish_green"],
    "region": OKABE_ITO["reddish_purple"],
    "municipality": OKABE_ITO["sky_blue"],
    # rounds: the current round is what every single-series chart shows, so it gets the primary colour
    "2018-2019": PRIMARY,
    "2015-2016": EARLIER,
}
EXTRA_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"],
                 OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"], OKABE_ITO["black"])

# Text
# Quoted: an unquoted "Source Sans 3" is invalid CSS (a name part starting with a digit), which breaks
# plotly's text measurement and truncates legend entries.
FONT_FAMILY = "'Source Sans 3', 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif"
TEXT_COLOUR = "#1F2328"
MUTED_COLOUR = "#5B6270"  # subtitle, axis titles
FOOTER_COLOUR = "#5F6673"  # 5.9:1 on white
SUPPRESSED_COLOUR = "#5F6673"  # the note where a hidden bar would be
TITLE_SIZE = 20
SUBTITLE_SIZE = 13.5
BASE_SIZE = 13.5  # tick labels, legend
LABEL_SIZE = 13  # value labels on bars
FOOTER_SIZE = 11.5
HOVER_SIZE = 13

# Lines
GRID_COLOUR = "#E6E8EB"
AXIS_COLOUR = "#9AA0A6"
ERROR_BAR_COLOUR = "#2B2F36"
ERROR_BAR_DIMMED = "#6B7280"  # 4.8:1: the interval of a bar the filter does not highlight
DIMMED_MIX = 0.62  # a bar the filter does not highlight: its colour mixed with this much white
HIGHLIGHT_LINE = (TEXT_COLOUR, 2.5)  # a highlighted bar: a dark outline (and a bold value label)
BAR_LINE_WIDTH = 1.0  # every other bar: an outline in its colour darkened to 3:1 against white
SERIES_PATTERNS = ("", "/", ".", "x")  # series told apart without colour: solid, hatched, dotted, crossed
# The pattern of each series code: the group a chart is about stays solid, the comparison groups are patterned.
PATTERN_OF = {"all": "", "tech": "", "non_tech": "/", "new_tech": "", "known_tech": "/", "new": "", "known": "/",
              "2018-2019": "", "2015-2016": "/", "state": "/", "region": ".", "municipality": "x"}
FLAG_MARK = "\u2020"  # dagger after the value label of a flagged bar (fewer than 8 degrees of freedom)
MIN_GRAPHIC_CONTRAST = 3.0  # WCAG 1.4.11: bars against the background

# Sizes in px at the full (export) width; `scale(width)` gives them, and the line heights, for any width
PAD = 24  # whitespace around the figure's content
DESIGN_WIDTH = 1200  # the width (px) a figure built without a width is laid out for: the export's
MIN_WIDTH = 300  # narrowest width a figure is laid out for
# The widths the page asks figures for: a chart's width is rounded down to one of these, so resizing
# the window redraws the charts only when it crosses one.
WIDTH_BUCKETS = (320, 360, 400, 480, 520, 560, 640, 768, 900, 1000, 1200)

# Export (the modebar camera and static images)
EXPORT_FORMAT = "png"
EXPORT_WIDTH = 1200
EXPORT_HEIGHT = 700
EXPORT_SCALE = 2

NUMBER_SEPARATORS = {lang: loc.decimal + loc.group for lang, loc in LOCALES.items()}  # plotly layout.separators


def colour(code: str, index: int = 0) -> str:
    """Return the fixed colour of a series code; unknown codes take the palette in order.

    >>> colour("non_tech") == colour("non_tech")
    True
    """
    return SERIES_COLOURS.get(code, EXTRA_COLOURS[index % len(EXTRA_COLOURS)])


def luminance(hex_colour: str) -> float:
    """Return the WCAG relative luminance of '#rrggbb'."""
    h = hex_colour.lstrip("#")
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str = "#FFFFFF") -> float:
    """Return the WCAG contrast ratio of two colours ('#rrggbb').

    >>> round(contrast("#000000"), 1), round(contrast("#0072B2"), 2)
    (21.0, 5.19)
    """
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken(hex_colour: str, amount: float) -> str:
    """Return `hex_colour` mixed with black (amount 0: unchanged, 1: black) as '#rrggbb'."""
    h = hex_colour.lstrip("#")
    return "#" + "".join(f"{round(int(h[i:i + 2], 16) * (1 - amount)):02x}" for i in (0, 2, 4))


@functools.lru_cache(maxsize=256)
def outline(hex_colour: str, ratio: float = MIN_GRAPHIC_CONTRAST) -> str:
    """Return the colour itself if it has `ratio` contrast against white, else it darkened just enough.

    >>> outline("#0072B2") == "#0072B2", round(contrast(outline("#E69F00")), 1) >= 3.0
    (True, True)
    """
    step = 0.0
    while contrast(darken(hex_colour, step)) < ratio and step < 1:
        step += 0.02
    return hex_colour if step == 0 else darken(hex_colour, step)


def series_pattern(code: str, index: int = 0) -> str:
    """Return the fill pattern of a series in a chart with several series: fixed per code (as colours are),
    else by position.

    >>> series_pattern("tech"), series_pattern("non_tech"), series_pattern("other", 2)
    ('', '/', '.')
    """
    return PATTERN_OF.get(code, SERIES_PATTERNS[index % len(SERIES_PATTERNS)])


@functools.lru_cache(maxsize=256)
def hatch(fill: str) -> str:
    """Return the colour of a pattern's lines on a bar of colour `fill`: white or the fill darkened by 60 %,
    whichever stands out more from the fill (the lines are what tells a patterned series from a solid one).

    >>> hatch("#0072B2"), hatch("#E69F00"), round(contrast(hatch("#8A9BB0"), "#8A9BB0"), 1) >= 3.0
    ('#FFFFFF', '#5c4000', True)
    """
    return max(("#FFFFFF", darken(fill, 0.6)), key=lambda c: contrast(c, fill))


@functools.lru_cache(maxsize=256)
def lighten(hex_colour: str, amount: float = 0.55) -> str:
    """Return `hex_colour` mixed with white (amount 0: unchanged, 1: white) as '#rrggbb'."""
    h = hex_colour.lstrip("#")
    rgb = [int(h[i:i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def fmt_number(value: float, lang: str = "da", decimals: int = 0) -> str:
    """Return a number with the marks of the language's Babel locale: '1.877' / '34,3' in Danish, '1,877' /
    '34.3' in English (rounded as Python rounds, so the page, the files and the command line agree).

    >>> fmt_number(1877.0, "da"), fmt_number(34.29, "da", 1), fmt_number(34.29, "en", 1)
    ('1.877', '34,3', '34.3')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return LOCALES[lang].number(value, decimals)


def fmt_pct(value: float, lang: str = "da", decimals: int = 0) -> str:
    """Return a percentage in the catalog's form (a space before the sign in Danish and English, as ISO 80000 writes it).

    >>> fmt_pct(34.29, "da", 1), fmt_pct(34.29, "en"), fmt_pct(34.29, "en", 1)
    ('34,3 %', '34 %', '34.3 %')
    """
    return LOCALES[lang].percent(fmt_number(value, lang, decimals))


def fmt_range(low: float, high: float, lang: str = "da", decimals: int = 0) -> str:
    """Return an interval as 'low-high %' ('31,7-37,0 %' in Danish with one decimal)."""
    return LOCALES[lang].percent(f"{fmt_number(low, lang, decimals)}-{fmt_number(high, lang, decimals)}")


# Advance widths (1/1000 em) of Helvetica / Arial / Liberation Sans, the fallbacks of FONT_FAMILY and
# the widest of its families: text measured with them fits whichever family the browser picks.
_GLYPHS = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333, ")": 333,
    "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278, "<": 584, "=": 584,
    ">": 584, "?": 556, "@": 1015, "[": 278, "]": 278, "_": 556, "|": 260, "~": 584,
    "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722, "I": 278, "J": 500,
    "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778, "R": 722, "S": 667, "T": 611,
    "U": 722, "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556, "i": 222, "j": 222,
    "k": 500, "l": 222, "m": 833, "n": 556, "o": 556, "p": 556, "q": 556, "r": 333, "s": 500, "t": 278,
    "u": 556, "v": 500, "w": 722, "x": 500, "y": 500, "z": 500,
    "æ": 889, "ø": 611, "å": 556, "Æ": 1000, "Ø": 778, "Å": 667, "é": 556, "ö": 556, "ü": 556,
    "»": 556, "«": 556, "·": 278, "–": 556, "—": 1000, "…": 1000, "\u2002": 500, "\u00a0": 278,
}
_DEFAULT_GLYPH = 556
# every character of the Basic Multilingual Plane -> its width (1/1000 em), so a width is summed in C
_BMP_WIDTHS = [_GLYPHS.get(chr(c), 1000 if c > 0x2E7F else _DEFAULT_GLYPH) for c in range(0x10000)]
BOLD_FACTOR = 1.1  # semibold and bold text runs this much wider


@functools.lru_cache(maxsize=65536)
def text_width(text: str, size: float = BASE_SIZE, bold: bool = False) -> float:
    """Return the width in px of one line of text in the figure font at `size`.

    >>> round(text_width("100 %", 10))
    28
    """
    try:
        em = sum(map(_BMP_WIDTHS.__getitem__, map(ord, text))) / 1000
    except IndexError:  # a character beyond the BMP (an emoji): as wide as an em
        em = sum(_BMP_WIDTHS[ord(c)] if ord(c) < 0x10000 else 1000 for c in text) / 1000
    return em * size * (BOLD_FACTOR if bold else 1.0)


@dataclass(frozen=True)
class Scale:
    """Font sizes, line heights and padding (px) of a figure laid out for `width` px."""

    width: float
    pad: float
    title: float
    subtitle: float
    base: float
    label: float
    footer: float
    title_line: float
    subtitle_line: float
    tick_line: float
    footer_line: float
    plot_height: float  # height of a vertical chart's plot area

    @property
    def phone(self) -> bool:
        """True for a layout narrower than a small tablet."""
        return self.width < 600


def bucket(width: float | None) -> int | None:
    """Return `width` rounded down to one of WIDTH_BUCKETS (None stays None).

    >>> bucket(390), bucket(1440), bucket(100), bucket(None)
    (360, 1200, 320, None)
    """
    if width is None:
        return None
    fitting = [b for b in WIDTH_BUCKETS if b <= width]
    return fitting[-1] if fitting else WIDTH_BUCKETS[0]


@functools.lru_cache(maxsize=64)
def scale(width: float | None = None) -> Scale:
    """Return the sizes for a figure `width` px wide (None: the export width).

    Fonts and padding shrink linearly from their full size at 900 px to their smallest at 360 px.
    """
    w = float(DESIGN_WIDTH if width is None else min(max(width, MIN_WIDTH), DESIGN_WIDTH))
    t = min(max((w - 360) / (900 - 360), 0.0), 1.0)

    def mix(small: float, large: float) -> float:
        return round(small + (large - small) * t, 2)

    title, subtitle, base, footer = mix(17, TITLE_SIZE), mix(12.5, SUBTITLE_SIZE), mix(12.5, BASE_SIZE), \
        mix(11, FOOTER_SIZE)
    return Scale(
        width=w, pad=mix(12, PAD), title=title, subtitle=subtitle, base=base, label=mix(12.5, LABEL_SIZE),
        footer=footer, title_line=round(title * 1.35, 2), subtitle_line=round(subtitle * 1.41, 2),
        tick_line=round(base * 1.26, 2), footer_line=round(footer * 1.3, 2),
        plot_height=round(min(max(150 + 0.25 * w, 240), 400)),
    )


def base_template() -> go.layout.Template:
    """Return the base layout: white, light horizontal gridlines, no frame, no chart junk."""
    axis = dict(
        showline=False, zeroline=False, ticks="", showgrid=False, gridcolor=GRID_COLOUR, gridwidth=1,
        tickfont=dict(size=BASE_SIZE, color=TEXT_COLOUR), title=dict(font=dict(size=BASE_SIZE, color=MUTED_COLOUR)),
        fixedrange=True, automargin=False,
    )
    return go.layout.Template(
        layout=go.Layout(
            font=dict(family=FONT_FAMILY, size=BASE_SIZE, color=TEXT_COLOUR),
            paper_bgcolor="white", plot_bgcolor="white",
            colorway=list(EXTRA_COLOURS),
            title=dict(font=dict(size=TITLE_SIZE, color=TEXT_COLOUR)),
            xaxis=axis, yaxis=axis,
            legend=dict(font=dict(size=BASE_SIZE, color=TEXT_COLOUR), bgcolor="rgba(0,0,0,0)", borderwidth=0),
            hoverlabel=dict(bgcolor="white", bordercolor="#C9CDD2",
                            font=dict(family=FONT_FAMILY, size=HOVER_SIZE, color=TEXT_COLOUR), align="left"),
            hovermode="closest", dragmode=False, showlegend=False, bargap=0.25,
            modebar=dict(bgcolor="rgba(255,255,255,0)", color=MUTED_COLOUR, activecolor=TEXT_COLOUR),
        )
    )


TEMPLATE = base_template()
TEMPLATE_JSON = TEMPLATE.to_plotly_json()  # the template as a dict, for figures built as dicts
