"""The look of every figure: colours, fonts, the base layout, export size and number formats.

One colour-blind-safe palette (Okabe-Ito) and one fixed mapping from codes to colours, so a
category has the same colour in every chart. Plain constants and small pure functions; no Dash.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

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
FOOTER_COLOUR = "#6B7280"
SUPPRESSED_COLOUR = "#7A7F87"
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
ERROR_BAR_DIMMED = "rgba(43, 47, 54, 0.3)"
DIMMED_OPACITY = 0.3  # bars not highlighted when a filter highlights some
FLAGGED_PATTERN = "/"  # hatched: interval wider than 30 points

# Sizes in px
PAD = 24  # whitespace around the figure's content
TITLE_LINE = 27
SUBTITLE_LINE = 19
LEGEND_ROW = 26
TICK_LINE = 17
FOOTER_LINE = 15.5
CHAR_WIDTH = 0.53  # average glyph width of the sans family, as a share of the font size
DESIGN_WIDTH = 1000  # the narrowest width (px) text is wrapped for; the export is wider
SCREEN_HEIGHT = 640  # on-screen height; the width follows the page (autosize)

# Export (the modebar camera and static images)
EXPORT_FORMAT = "png"
EXPORT_WIDTH = 1200
EXPORT_HEIGHT = 700
EXPORT_SCALE = 2

NUMBER_SEPARATORS = {"da": ",.", "en": ".,"}  # plotly layout.separators: decimal, then thousands


def colour(code: str, index: int = 0) -> str:
    """Return the fixed colour of a series code; unknown codes take the palette in order.

    >>> colour("non_tech") == colour("non_tech")
    True
    """
    return SERIES_COLOURS.get(code, EXTRA_COLOURS[index % len(EXTRA_COLOURS)])


def lighten(hex_colour: str, amount: float = 0.55) -> str:
    """Return `hex_colour` mixed with white (amount 0: unchanged, 1: white) as '#rrggbb'."""
    h = hex_colour.lstrip("#")
    rgb = [int(h[i:i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def fmt_number(value: float, lang: str = "da", decimals: int = 0) -> str:
    """Return a number with the language's separators: '1.877' / '34,3' in Danish, '1,877' / '34.3' in English.

    >>> fmt_number(1877.0, "da"), fmt_number(34.29, "da", 1), fmt_number(34.29, "en", 1)
    ('1.877', '34,3', '34.3')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_pct(value: float, lang: str = "da", decimals: int = 0) -> str:
    """Return a percentage with a space before the sign, as both languages' style guides write it.

    >>> fmt_pct(34.29, "da", 1), fmt_pct(34.29, "en"), fmt_pct(34.29, "en", 1)
    ('34,3 %', '34 %', '34.3 %')
    """
    return f"{fmt_number(value, lang, decimals)} %"


def fmt_range(low: float, high: float, lang: str = "da", decimals: int = 0) -> str:
    """Return an interval as 'low-high %' ('31,7-37,0 %' in Danish with one decimal)."""
    return f"{fmt_number(low, lang, decimals)}-{fmt_number(high, lang, decimals)} %"


def text_width(text: str, size: float = BASE_SIZE) -> float:
    """Return the approximate width in px of one line of text."""
    return len(text) * size * CHAR_WIDTH


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
        )
    )


TEMPLATE = base_template()
