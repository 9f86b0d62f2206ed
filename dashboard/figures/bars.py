"""The marks of a figure: bar traces with their intervals and value labels, the Nordic chart's published
values and ranges, and the notes drawn where a suppressed bar would be.

Traces are plain dicts in plotly's figure format (``"type": "bar"`` or ``"scatter"``), appended to a
list: no plotly objects are built here.

Flagged bars (an interval wider than 30 points) are hatched; bars the filter does not highlight are
dimmed. Every bar carries ``customdata`` = [series code, category code] and a hover text.
"""

from __future__ import annotations

import math

import pandas as pd

from . import theme
from .placement import Bar
from .specs import FigureSpec
from .tables import REASONS, series_label
from .text import TEXT, wrap


def _hover(row: pd.Series, cat_label: str, series_text: str | None, lang: str) -> str:
    """Return the hover text of one bar: share to one decimal, interval, n and effective n."""
    lines = [f"<b>{cat_label}</b>"]
    if series_text:
        lines.append(series_text)
    lines.append(f"{TEXT['share'][lang]}: {theme.fmt_pct(row['share'], lang, 1)}")
    lines.append(f"{TEXT['interval'][lang]}: {theme.fmt_range(row['ci_low'], row['ci_high'], lang, 1)}")
    n_eff = theme.fmt_number(float(row["n_eff"]), lang) if pd.notna(row["n_eff"]) else "-"
    lines.append(f"{TEXT['n'][lang].capitalize()}: {theme.fmt_number(int(row['n']), lang)}"
                 f" · {TEXT['n_eff'][lang]}: {n_eff}")
    if bool(row["flagged"]):
        lines.append(f"<i>{TEXT['uncertain'][lang]}</i>")
    return "<br>".join(lines)


def _suppressed_text(row: pd.Series, lang: str) -> str:
    """Return 'Suppressed: fewer than 3 respondents' in `lang`."""
    reason = REASONS.get(str(row["reason"]), {}).get(lang, "")
    return f"{TEXT['suppressed'][lang]}: {reason}" if reason else TEXT["suppressed"][lang]


def bar_traces(traces: list[dict], spec: FigureSpec, bars: list[Bar], categories: dict[str, str],
               series: list[str], horizontal: bool, multi: bool, lang: str, sc: theme.Scale) -> None:
    """Append to `traces` one bar trace per series and highlight state, and the value labels beyond the
    intervals; returns None."""
    dim = any(bool(b.row["highlighted"]) for b in bars)
    for k, s in enumerate(series):
        base = theme.colour(s, k)
        label = series_label(spec, s, lang)
        for dimmed in (False, True):
            group = [b for b in bars if b.series == s and (dim and not bool(b.row["highlighted"])) == dimmed]
            if not group:
                continue
            opacity = theme.DIMMED_OPACITY if dimmed else 1.0
            share = [None if bool(b.row["suppressed"]) else float(b.row["share"]) for b in group]
            plus = [None if v is None else float(b.row["ci_high"]) - v for b, v in zip(group, share, strict=True)]
            minus = [None if v is None else v - float(b.row["ci_low"]) for b, v in zip(group, share, strict=True)]
            flagged = [bool(b.row["flagged"]) and not bool(b.row["suppressed"]) for b in group]
            error = dict(type="data", symmetric=False, array=plus, arrayminus=minus, thickness=1.3, width=4,
                         color=theme.ERROR_BAR_DIMMED if dimmed else theme.ERROR_BAR_COLOUR)
            pos = [b.pos for b in group]
            fill = [theme.lighten(base, 0.6) if f else base for f in flagged]
            # The hatching replaces the fill ("replace" mode, background per bar): plotly derives an
            # "overlay" pattern's defaults from the marker colour, which must then be a single colour.
            marker = dict(
                color=fill,
                opacity=[opacity] * len(group),
                line=dict(color=[base if f else "rgba(0,0,0,0)" for f in flagged],
                          width=[1.2 if f else 0 for f in flagged]),
                pattern=dict(shape=[theme.FLAGGED_PATTERN if f else "" for f in flagged], fgcolor=base,
                             bgcolor=fill, fillmode="replace", size=7, solidity=0.35),
            )
            common = dict(
                name=label, legendgroup=s, showlegend=False, width=[b.width for b in group], marker=marker,
                customdata=[[b.series, b.category] for b in group],
                hovertext=[_hover(b.row, categories[b.category], label if multi else None, lang) for b in group],
                hovertemplate="%{hovertext}<extra></extra>",
            )
            if horizontal:
                traces.append(dict(type="bar", y=pos, x=share, orientation="h", error_x=error, **common))
            else:
                traces.append(dict(type="bar", x=pos, y=share, error_y=error, **common))
            _value_labels(traces, group, share, horizontal, dimmed, lang, s, sc)


def _value_labels(traces: list[dict], group: list[Bar], share: list, horizontal: bool, dimmed: bool, lang: str,
                  series: str, sc: theme.Scale) -> None:
    """Append a text trace of the rounded values ('34 %') just beyond each bar's interval; returns None."""
    ends, pos, text = [], [], []
    for b, v in zip(group, share, strict=True):
        if v is None:
            continue
        high = float(b.row["ci_high"])
        ends.append(high if not math.isnan(high) else v)
        pos.append(b.pos)
        text.append(("\u2002" if horizontal else "") + theme.fmt_pct(v, lang))
    if not text:
        return
    font = dict(size=sc.label, color=theme.lighten(theme.TEXT_COLOUR, 0.6) if dimmed else theme.TEXT_COLOUR)
    xy = dict(x=ends, y=pos, textposition="middle right") if horizontal else dict(
        x=pos, y=ends, textposition="top center")
    traces.append(dict(type="scatter", mode="text", text=text, textfont=font, hoverinfo="skip", showlegend=False,
                       cliponaxis=False, name="labels", legendgroup=series, **xy))


def range_traces(traces: list[dict], bars: list[Bar], categories: dict[str, str], lang: str, sc: theme.Scale,
                 horizontal: bool = False) -> None:
    """Append the Nordic chart's traces to `traces`: an exact value as a bar from 0, a published range as a
    floating bar; returns None."""
    exact = [b for b in bars if pd.notna(b.row["share"])]
    ranges = [b for b in bars if pd.isna(b.row["share"]) and pd.notna(b.row["ci_low"])]
    textfont = dict(size=sc.label, color=theme.TEXT_COLOUR)

    def xy(pos: list[float], length: list[float]) -> dict:
        return dict(y=pos, x=length, orientation="h") if horizontal else dict(x=pos, y=length)

    if exact:
        traces.append(dict(type="bar",
            **xy([b.pos for b in exact], [float(b.row["share"]) for b in exact]), width=[b.width for b in exact],
            marker=dict(color=theme.PRIMARY), name=TEXT["published"][lang], showlegend=False,
            customdata=[[b.series, b.category] for b in exact],
            text=[theme.fmt_pct(float(b.row["share"]), lang) for b in exact], textposition="outside",
            textfont=dict(textfont), cliponaxis=False, constraintext="none",
            hovertext=[f"<b>{categories[b.category]}</b><br>{TEXT['published'][lang]}: "
                       f"{theme.fmt_pct(float(b.row['share']), lang)}" for b in exact],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    if ranges:
        low = [float(b.row["ci_low"]) for b in ranges]
        high = [float(b.row["ci_high"]) for b in ranges]
        labels = [theme.fmt_range(lo, hi, lang) for lo, hi in zip(low, high, strict=True)]
        traces.append(dict(type="bar",
            **xy([b.pos for b in ranges], [hi - lo for lo, hi in zip(low, high, strict=True)]), base=low,
            width=[b.width for b in ranges], name=TEXT["published_range"][lang], showlegend=False,
            marker=dict(color=theme.lighten(theme.PRIMARY, 0.55), line=dict(color=theme.PRIMARY, width=1.5)),
            customdata=[[b.series, b.category] for b in ranges], text=labels, textposition="outside",
            textfont=dict(textfont), cliponaxis=False, constraintext="none",
            hovertext=[f"<b>{categories[b.category]}</b><br>{TEXT['published_range'][lang]}: {t}"
                       for b, t in zip(ranges, labels, strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
        ))


def suppressed_annotation(bar: Bar, lang: str, horizontal: bool, bar_px: float, sc: theme.Scale) -> dict:
    """Return the grey note drawn where a suppressed bar would be."""
    text = _suppressed_text(bar.row, lang)
    common = dict(showarrow=False, font=dict(size=sc.footer, color=theme.SUPPRESSED_COLOUR),
                  hovertext=f"n = {theme.fmt_number(int(bar.row['n']), lang)}", name="suppressed")
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

