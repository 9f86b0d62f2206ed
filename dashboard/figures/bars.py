"""The marks of a figure: bar traces with their intervals and value labels, the Nordic chart's published
values and ranges, and the notes drawn where a suppressed bar would be.

Traces are plain dicts in plotly's figure format (``"type": "bar"`` or ``"scatter"``), appended to a
list: no plotly objects are built here.

Flagged bars (an interval wider than 30 points) are hatched; bars the filter does not highlight are
dimmed. Every bar carries ``customdata`` = [series code, category code] and a hover text.
"""

from __future__ import annotations

import math

from . import theme
from .numbers import Row
from .placement import Bar
from .specs import FigureSpec
from .tables import REASONS, series_label
from .text import TEXT, wrap


def _hover(row: Row, cat_label: str, series_text: str | None, lang: str) -> str:
    """Return the hover text of one bar: share and interval in whole percent, as published, n and effective n."""
    lines = [cat_label]
    if series_text:
        lines.append(series_text)
    lines.append(f"{TEXT['share'][lang]}: {theme.fmt_pct(row.share, lang)}")
    lines.append(f"{TEXT['interval'][lang]}: {theme.fmt_range(row.ci_low, row.ci_high, lang)}")
    n_eff = theme.fmt_number(float(row.n_eff), lang) if row.n_eff == row.n_eff else "-"
    lines.append(f"{TEXT['n'][lang].capitalize()}: {theme.fmt_number(int(row.n), lang)}"
                 f" · {TEXT['n_eff'][lang]}: {n_eff}")
    if bool(row.flagged):
        lines.append(TEXT["uncertain"][lang])
    return "<br>".join(lines)


SAYS_ITSELF = ("differencing", "complementary", "width_ge_30", "rel_width_gt_130")  # need no "Suppressed:"


def _suppressed_text(row: Row, lang: str) -> str:
    """Return 'Suppressed: fewer than 3 respondents' in `lang` ('Too uncertain: ...', 'Hidden so that ...' for
    the reasons that say themselves why the value is missing)."""
    reason = REASONS.get(str(row.reason), {}).get(lang, "")
    if str(row.reason) in SAYS_ITSELF:
        return reason[:1].upper() + reason[1:]
    return f"{TEXT['suppressed'][lang]}: {reason}" if reason else TEXT["suppressed"][lang]


def bar_marker(series_code: str, index: int, multi: bool, state: str, count: int | None = None) -> dict:
    """Return the marker of `count` bars of a series (one value each; None: single values, for a legend entry)
    in one highlight `state` ("plain", "highlighted" or "dimmed"): its colour (mixed with white when dimmed),
    an outline with 3:1 contrast against white (dark and thick when highlighted) and, in a chart of several
    series, the series' pattern in lines that stand out from the fill (`theme.hatch`). A breakdown's series
    'group|series' takes the group's colour (`index`: the group's place) and the figure's own series' pattern."""
    group, _, own = series_code.rpartition("|")
    base = theme.colour(group or own, index)
    fill = theme.lighten(base, theme.DIMMED_MIX) if state == "dimmed" else base
    edge = theme.outline(base)
    line_colour, line_width = theme.HIGHLIGHT_LINE if state == "highlighted" else (edge, theme.BAR_LINE_WIDTH)
    shape = theme.series_pattern(own, index) if multi else ""

    def each(value):
        return value if count is None else [value] * count

    # One colour, not one per bar: plotly.js draws the pattern of bars with colours per bar in their colour on
    # a transparent ground, whatever fgcolor and bgcolor say, and then the lines can vanish into the outline.
    return dict(
        color=fill,
        line=dict(color=each(line_colour), width=each(line_width)),
        pattern=dict(shape=each(shape), fgcolor=theme.hatch(fill), bgcolor=fill, fillmode="replace", size=7, solidity=0.3),
    )


def colour_places(series: list[str]) -> dict[str, int]:
    """Return each series' place in the palette: its own, or for a breakdown's 'group|series' its group's.

    >>> colour_places(["small|tech", "small|non_tech", "large|tech"])
    {'small|tech': 0, 'small|non_tech': 0, 'large|tech': 1}
    """
    groups = list(dict.fromkeys(s.rpartition("|")[0] or s for s in series))
    return {s: groups.index(s.rpartition("|")[0] or s) for s in series}


def bar_traces(traces: list[dict], spec: FigureSpec, bars: list[Bar], categories: dict[str, str],
               series: list[str], horizontal: bool, multi: bool, lang: str, sc: theme.Scale) -> None:
    """Append to `traces` one bar trace per series and highlight state, and the value labels beyond the
    intervals; returns None.

    When a filter highlights some bars, they get a dark outline and a bold label and the others a lighter
    colour: the highlight never rests on colour or opacity alone. Series differ by colour and pattern.
    """
    marks = [bool(b.row.highlighted) for b in bars]
    dim = any(marks) and not all(marks)
    groups: dict[tuple[str, str], list[Bar]] = {}
    for b in bars:
        groups.setdefault((b.series, _state(b, dim)), []).append(b)
    names = {b.series: b.row.series_label for b in bars}
    places = colour_places(series)
    for s in series:
        k = places[s]
        label = names.get(s) or series_label(spec, s, lang)
        for state in ("plain", "highlighted", "dimmed"):
            group = groups.get((s, state))
            if not group:
                continue
            # the chart carries values to one decimal, as the downloads do; labels round the exact value
            exact = [None if bool(b.row.suppressed) else float(b.row.share) for b in group]
            share = [None if v is None else round(v, 1) for v in exact]
            plus = [None if v is None else round(round(float(b.row.ci_high), 1) - v, 1)
                    for b, v in zip(group, share, strict=True)]
            minus = [None if v is None else round(v - round(float(b.row.ci_low), 1), 1)
                     for b, v in zip(group, share, strict=True)]
            error = dict(type="data", symmetric=False, array=plus, arrayminus=minus, thickness=1.3, width=4,
                         color=theme.ERROR_BAR_DIMMED if state == "dimmed" else theme.ERROR_BAR_COLOUR)
            common = dict(
                name=label, legendgroup=s, showlegend=False, width=[b.width for b in group],
                marker=bar_marker(s, k, multi, state, len(group)),
                customdata=[[b.series, b.category] for b in group],
                hovertext=[_hover(b.row, categories[b.category], label if multi else None, lang) for b in group],
                hovertemplate="%{hovertext}<extra></extra>",
            )
            pos = [b.pos for b in group]
            if horizontal:
                traces.append(dict(type="bar", y=pos, x=share, orientation="h", error_x=error, **common))
            else:
                traces.append(dict(type="bar", x=pos, y=share, error_y=error, **common))
            _value_labels(traces, group, exact, horizontal, state == "highlighted", lang, s, sc)


def _state(bar: Bar, dim: bool) -> str:
    """Return a bar's highlight state: "plain" when nothing is highlighted, else "highlighted" or "dimmed"."""
    if not dim:
        return "plain"
    return "highlighted" if bool(bar.row.highlighted) else "dimmed"


LEGEND_PLACE = -1000.0  # where a legend entry's one bar of 0 stands: far outside the axis range, never seen


def legend_traces(traces: list[dict], series: list[str], names: list[str], horizontal: bool) -> None:
    """Append one legend entry per series, drawn with the series' colour, outline and pattern; returns None.

    Each entry is a bar of length 0 outside the plot area: plotly.js draws a legend swatch's pattern
    from the trace's first point, and a trace without one gets a plain swatch.
    """
    places = colour_places(series)
    for s, name in zip(series, names, strict=True):
        xy = dict(x=[0], y=[LEGEND_PLACE], orientation="h") if horizontal else dict(x=[LEGEND_PLACE], y=[0])
        traces.append(dict(type="bar", **xy, name=name, legendgroup=s, showlegend=True,
                           marker=bar_marker(s, places[s], True, "plain"), hoverinfo="skip"))


def _value_labels(traces: list[dict], group: list[Bar], share: list, horizontal: bool, bold: bool, lang: str,
                  series: str, sc: theme.Scale) -> None:
    """Append a text trace of the rounded values ('34 %') just beyond each bar's interval, in bold when the bars
    are highlighted and with a dagger when one is flagged; returns None."""
    ends, pos, text = [], [], []
    for b, v in zip(group, share, strict=True):
        if v is None:
            continue
        high = float(b.row.ci_high)
        ends.append(round(high if not math.isnan(high) else v, 1))
        pos.append(b.pos)
        value = theme.fmt_pct(v, lang) + (theme.FLAG_MARK if bool(b.row.flagged) else "")
        text.append(("\u2002" if horizontal else "") + value)
    if not text:
        return
    # bold by the font, not by <b>: plotly.js draws markup with style attributes, which the page's policy refuses
    font = dict(size=sc.label, color=theme.TEXT_COLOUR, weight="bold" if bold else "normal")
    xy = dict(x=ends, y=pos, textposition="middle right") if horizontal else dict(
        x=pos, y=ends, textposition="top center")
    traces.append(dict(type="scatter", mode="text", text=text, textfont=font, hoverinfo="skip", showlegend=False,
                       cliponaxis=False, name="labels", legendgroup=series, **xy))


def range_traces(traces: list[dict], bars: list[Bar], categories: dict[str, str], lang: str, sc: theme.Scale,
                 horizontal: bool = False) -> None:
    """Append the Nordic chart's traces to `traces`: an exact value as a bar from 0, a published range as a
    floating bar; returns None."""
    exact = [b for b in bars if b.row.share == b.row.share]  # not NaN
    ranges = [b for b in bars if b.row.share != b.row.share and b.row.ci_low == b.row.ci_low]
    textfont = dict(size=sc.label, color=theme.TEXT_COLOUR)

    def xy(pos: list[float], length: list[float]) -> dict:
        return dict(y=pos, x=length, orientation="h") if horizontal else dict(x=pos, y=length)

    if exact:
        traces.append(dict(type="bar",
            **xy([b.pos for b in exact], [float(b.row.share) for b in exact]), width=[b.width for b in exact],
            marker=dict(color=theme.PRIMARY), name=TEXT["published"][lang], showlegend=False,
            customdata=[[b.series, b.category] for b in exact],
            text=[theme.fmt_pct(float(b.row.share), lang) for b in exact], textposition="outside",
            textfont=dict(textfont), cliponaxis=False, constraintext="none",
            hovertext=[f"{categories[b.category]}<br>{TEXT['published'][lang]}: "
                       f"{theme.fmt_pct(float(b.row.share), lang)}" for b in exact],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    if ranges:
        low = [float(b.row.ci_low) for b in ranges]
        high = [float(b.row.ci_high) for b in ranges]
        labels = [theme.fmt_range(lo, hi, lang) for lo, hi in zip(low, high, strict=True)]
        traces.append(dict(type="bar",
            **xy([b.pos for b in ranges], [hi - lo for lo, hi in zip(low, high, strict=True)]), base=low,
            width=[b.width for b in ranges], name=TEXT["published_range"][lang], showlegend=False,
            marker=dict(color=theme.lighten(theme.PRIMARY, 0.55), line=dict(color=theme.PRIMARY, width=1.5)),
            customdata=[[b.series, b.category] for b in ranges], text=labels, textposition="outside",
            textfont=dict(textfont), cliponaxis=False, constraintext="none",
            hovertext=[f"{categories[b.category]}<br>{TEXT['published_range'][lang]}: {t}"
                       for b, t in zip(ranges, labels, strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
        ))


def suppressed_annotation(bar: Bar, lang: str, horizontal: bool, bar_px: float, sc: theme.Scale) -> dict:
    """Return the grey note drawn where a suppressed bar would be."""
    text = _suppressed_text(bar.row, lang)
    common = dict(showarrow=False, font=dict(size=sc.footer, color=theme.SUPPRESSED_COLOUR),
                  hovertext=f"n = {theme.fmt_number(int(bar.row.n), lang)}", name="suppressed")
    if horizontal:
        return dict(x=0, y=bar.pos, xref="x", yref="y", xanchor="left", yanchor="middle", xshift=4, text=text,
                    **common)
    if bar_px >= 80:  # room to write it across the bar's place, in a few lines
        head, _, reason = text.partition(": ")
        lines = [head + (":" if reason else "")] + (wrap(reason, max(bar_px * 1.3, 90), sc.footer) if reason else [])
        return dict(x=bar.pos, y=0, xref="x", yref="y", xanchor="center", yanchor="bottom", yshift=6,
                    text="<br>".join(lines), **common)
    return dict(x=bar.pos, y=0, xref="x", yref="y", xanchor="center", yanchor="bottom", yshift=6, textangle=-90,
                text=text, **common)

