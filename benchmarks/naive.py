"""The naive dashboard a benchmark compares the project against: per request, a pandas filter and
groupby on the microdata and a plotly express chart for each of the 16 figures.

It is the shape of many Dash sample apps: the microdata in memory, one callback that filters,
aggregates and draws. It computes weighted shares and counts only (no intervals, tests or
suppression), so it does less statistics than the project, not more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html

from dashboard.catalogs import CATALOGS, DEFAULT_LANG, LANGS
from dashboard.data import codebook as cb
from dashboard.data.cube import attributes
from dashboard.data.dimensions import DIMENSIONS
from dashboard.data.filters import FILTER_KEYS, outside, parse_filter
from dashboard.figures.specs import FIGURES, NORDIC

IDS = [spec.id for spec in FIGURES]


def _series(spec, df: pd.DataFrame) -> pd.Series:
    """Return each row's series code ('all' for a figure with one series)."""
    if spec.series is None:
        return pd.Series("all", index=df.index)
    if spec.series == "tech_split":
        return pd.Series(np.where(df["tech_role"].isin(cb.TECH_ROLES), "tech", "non_tech"), index=df.index)
    return df[spec.series].astype("object")


def _base(spec, df: pd.DataFrame) -> pd.DataFrame:
    if spec.base == "innovators":
        return df[df["innovated"].fillna(False).astype(bool)]
    if spec.base == "tech_innovators":
        return df[df["tech_role"].isin(cb.TECH_ROLES)]
    return df


def _filtered(df: pd.DataFrame, filt, keys) -> pd.DataFrame:
    """Return the rows that pass the filters named in `keys` (each dimension's codes select rows as the
    registry declares)."""
    attrs = attributes(df)
    keep = np.ones(len(df), dtype=bool)
    for dim in DIMENSIONS:
        if dim.key in keys and getattr(filt, dim.key):
            keep &= np.logical_or.reduce([dim.selects(attrs, c) for c in filt.codes(dim.key)])
    return df[keep]


def _answers(spec, rows: pd.DataFrame) -> pd.DataFrame:
    """Return one 0/1/NaN column per bar of the figure (NaN: not asked)."""
    out = {}
    for cat in spec.categories:
        columns = cat.variable.split("|")
        if cat.codes == ("true",):
            y, answered = rows[columns].fillna(False).astype(bool).any(axis=1), rows[columns].notna().any(axis=1)
        else:
            y, answered = rows[cat.variable].astype("object").isin(cat.codes), rows[cat.variable].notna()
        if cat.na_false:
            answered |= ~rows["innovated"].fillna(False).astype(bool)
        for column, codes in cat.within:
            answered &= rows[column].astype("object").isin(codes)
        out[cat.code] = y.astype(float).where(answered)
    return pd.DataFrame(out, index=rows.index)


def figure(spec, df: pd.DataFrame, filt, lang: str):
    """Return the plotly express figure of one spec over the microdata for a filter."""
    if spec.id == "nordic":
        names = [CATALOGS[lang][f"code.nordic.{code}"] for code, *_ in NORDIC]
        return px.bar(x=[high for *_, high in NORDIC], y=names, orientation="h", title=spec.title[lang])
    keys = tuple(d.key for d in DIMENSIONS if d.key not in (*spec.ignores, *spec.highlight, "round")) \
        + (() if spec.series == "round" else ("round",))
    rows = _base(spec, _filtered(df, filt, keys))
    long = _answers(spec, rows).assign(series=_series(spec, rows), weight=rows["weight"]).melt(
        id_vars=["series", "weight"], var_name="category", value_name="y").dropna(subset=["y"])
    long["wy"] = long["weight"] * long["y"]
    sums = long.groupby(["series", "category"], as_index=False).agg(wy=("wy", "sum"), w=("weight", "sum"),
                                                                   n=("y", "size"))
    sums["share"] = 100 * sums["wy"] / sums["w"]
    horizontal = spec.chart == "hbar"
    fig = px.bar(sums, x="share" if horizontal else "category", y="category" if horizontal else "share",
                 color="series", barmode="group", orientation="h" if horizontal else "v", text="share",
                 hover_data=["n"], title=spec.title[lang])
    fig.update_traces(texttemplate="%{text:.0f} %")
    return fig


def build(df: pd.DataFrame, *values) -> list:
    """Return the 16 figures for the control values (the filters in the registry's order, then the language)."""
    *controls, lang = values
    filt = parse_filter(**outside(dict(zip(FILTER_KEYS, controls, strict=True)))[0])
    return [figure(spec, df, filt, lang if lang in LANGS else DEFAULT_LANG) for spec in FIGURES]


def create_naive_app(df: pd.DataFrame) -> Dash:
    """Return the naive app: one callback, the same inputs as the project's figures callback."""
    app = Dash(__name__)
    app.layout = html.Div([dcc.Dropdown(id=f"filter-{key.replace('_', '-')}", multi=True) for key in FILTER_KEYS]
                          + [dcc.Dropdown(id="lang"), *[dcc.Graph(id=i) for i in IDS]])
    app.callback([Output(i, "figure") for i in IDS],
                 [Input(f"filter-{key.replace('_', '-')}", "value") for key in FILTER_KEYS] + [Input("lang", "value")],
                 )(lambda *values: build(df, *values))
    return app
