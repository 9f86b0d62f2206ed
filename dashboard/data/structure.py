"""Joint-structure diagnostics of a microdata file, as a survey statistician would examine it.

- `heterogeneity`: for every calibrated item, Pearson's chi-square of homogeneity across the strata
  inside each of its calibration cells (summed over cells), with df and a p-value. A survey whose
  strata differ only by chance gives chi2/df near 1; modelled size and sub-sector effects raise it a
  little; a calibration step that picks rows by weight or stratum raises it far beyond.
- `against_the_odds`: strata whose respondents all answer yes (or all no) although the cell rate
  makes that improbable (binomial probability below `ALPHA`).
- `phi_matrix`: the association (phi coefficient, pairwise complete) of the innovators' yes/no items.
- `weight_summary` and `item_nonresponse`: the weights per round and the share of unanswered items.

All figures are unweighted counts over the 2018-2019 respondents (weights are near constant within a
stratum, so within-stratum comparisons need none); the frame is one as `load` returns it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import codebook as cb

ALPHA = 0.001  # a stratum all-yes or all-no with binomial probability below this is "against the odds"
ROUND = cb.CURRENT_ROUND
SECTOR_GROUP = ("sector", "tech_group")


@dataclass(frozen=True)
class Item:
    """One calibrated yes/no indicator: `column` is `codes` (any of), asked of `base`, calibrated within `cells`."""

    name: str
    column: str
    codes: tuple[str, ...] = ("true",)
    base: str = cb.INNOVATORS
    cells: tuple[str, ...] = SECTOR_GROUP


_BOOL_ITEMS = ("started_by_new_tech", "core_task", *cb.VALUE_COLUMNS, *cb.CITIZENS, "employees_initiated",
               "collab_any", *cb.PARTNER_COLUMNS, "spread_any", *cb.SPREAD, *cb.TYPES)
ITEMS: tuple[Item, ...] = (
    Item("innovated", "innovated", base=cb.ALL, cells=("sector",)),
    Item("curiosity_agree", "curiosity", ("agree_fully", "agree_partly"), cb.ALL, ("sector",)),
    Item("curiosity_fully", "curiosity", ("agree_fully",), cb.ALL, ("sector",)),
    Item("tech", "tech_role", cb.TECH_ROLES, cells=("sector", "fully_curious")),
    Item("tech_solution", "tech_role", ("solution",), cb.TECH_INNOVATORS, ("sector",)),
    Item("tech_new", "tech_new", ("new",), cb.TECH_INNOVATORS, ("sector",)),
    *(Item(c, c) for c in _BOOL_ITEMS),
    Item("novelty_first", "novelty", ("first",)),
    Item("novelty_copied", "novelty", ("copied",)),
    Item("employees_promoted", "employees_role", ("promoted",)),
    Item("employees_hindered", "employees_role", ("hindered",)),
)
PHI_ITEMS = ("tech", "new_tech", *_BOOL_ITEMS)


def _text(series: pd.Series) -> pd.Series:
    """Return the column as strings: codes as is, bools as 'true'/'false', NA as ''."""
    if series.dtype == "boolean" or series.dtype == bool:
        return series.map({True: "true", False: "false"}).astype("object").fillna("")
    return series.astype("object").where(series.notna(), "").astype(str)


def _current(df: pd.DataFrame) -> pd.DataFrame:
    """Return the 2018-2019 rows as strings, with the helper columns the items need."""
    rows = df[df["round"].astype(str) == ROUND]
    out = pd.DataFrame({c: _text(rows[c]) for c in rows.columns if c not in ("weight", "stratum_population")},
                       index=rows.index)
    out["fully_curious"] = np.where(out["curiosity"] == "agree_fully", "fully", "other")
    return out


def _base(df: pd.DataFrame, base: str) -> pd.Series:
    """Return the rows in a routing base."""
    if base == cb.ALL:
        return pd.Series(True, index=df.index)
    innovators = df["innovated"] == "true"
    return innovators & df["tech_role"].isin(cb.TECH_ROLES) if base == cb.TECH_INNOVATORS else innovators


def indicator(df: pd.DataFrame, item: Item) -> pd.Series:
    """Return 1.0 / 0.0 for the rows of the item's base that answered, NaN elsewhere."""
    answered = _base(df, item.base) & (df[item.column] != "")
    return df[item.column].isin(item.codes).astype(float).where(answered)


def _tables(df: pd.DataFrame, item: Item) -> pd.DataFrame:
    """Return n and yes per (cell, stratum) for the answering rows."""
    y = indicator(df, item)
    keep = y.notna()
    cell = df.loc[keep, item.cells[0]]
    for column in item.cells[1:]:
        cell = cell + "|" + df.loc[keep, column]
    frame = pd.DataFrame({"cell": cell, "stratum": df.loc[keep, "stratum"], "y": y[keep]})
    return frame.groupby(["cell", "stratum"], sort=True)["y"].agg(n="size", yes="sum").reset_index()


def heterogeneity(data: pd.DataFrame, items=ITEMS) -> pd.DataFrame:
    """Return per item: cells, chi2, df, chi2/df and p of stratum homogeneity within the calibration cells."""
    df, rows = _current(data), []
    for item in items:
        t = _tables(df, item)
        chi2, dof = 0.0, 0
        for _, g in t.groupby("cell"):
            n, yes = g["n"].to_numpy(float), g["yes"].to_numpy(float)
            p = yes.sum() / n.sum()
            if len(g) < 2 or p in (0.0, 1.0):
                continue
            expected_yes = n * p
            chi2 += float((((yes - expected_yes) ** 2) / (expected_yes * (1 - p))).sum())
            dof += len(g) - 1
        ratio = chi2 / dof if dof else np.nan
        p_value = float(stats.chi2.sf(chi2, dof)) if dof else np.nan
        rows.append({"item": item.name, "cells": " x ".join(item.cells), "chi2": chi2, "df": dof,
                     "ratio": ratio, "p_value": p_value})
    return pd.DataFrame(rows)


def against_the_odds(data: pd.DataFrame, items=ITEMS, alpha: float = ALPHA) -> pd.DataFrame:
    """Return the strata answering all yes or all no with binomial probability below `alpha` given the cell rate."""
    df, rows = _current(data), []
    for item in items:
        t = _tables(df, item)
        rate = t.groupby("cell")["yes"].transform("sum") / t.groupby("cell")["n"].transform("sum")
        all_yes, all_no = t["yes"] == t["n"], t["yes"] == 0
        prob = np.where(all_yes, rate ** t["n"], np.where(all_no, (1 - rate) ** t["n"], 1.0))
        t = t.assign(cell_rate=rate, probability=prob)
        hits = t[(t["probability"] < alpha) & (rate > 0) & (rate < 1)]
        for _, r in hits.iterrows():
            rows.append({"item": item.name, "cell": r["cell"], "stratum": r["stratum"], "n": int(r["n"]),
                         "yes": int(r["yes"]), "cell_rate": float(r["cell_rate"]), "probability": float(r["probability"])})
    return pd.DataFrame(rows, columns=["item", "cell", "stratum", "n", "yes", "cell_rate", "probability"])


def phi_matrix(data: pd.DataFrame, names=PHI_ITEMS) -> pd.DataFrame:
    """Return the phi coefficients (pairwise complete cases) of the innovators' yes/no items."""
    df = _current(data)
    innovators = df[df["innovated"] == "true"]
    cols = {}
    for name in names:
        if name == "tech":
            cols[name] = innovators["tech_role"].isin(cb.TECH_ROLES).astype(float)
        elif name == "new_tech":
            cols[name] = (innovators["tech_group"] == "new_tech").astype(float)
        else:
            cols[name] = innovators[name].map({"true": 1.0, "false": 0.0})
    return pd.DataFrame(cols).corr(min_periods=30)


def strongest(phi: pd.DataFrame) -> pd.DataFrame:
    """Return per item the other item it is most strongly associated with, and that phi."""
    values = phi.to_numpy(copy=True)
    np.fill_diagonal(values, np.nan)
    frame = pd.DataFrame(np.abs(values), index=phi.index, columns=phi.columns)
    partner = frame.idxmax(axis=1)
    return pd.DataFrame({"partner": partner, "phi": [phi.loc[i, p] for i, p in partner.items()]})


def weight_summary(data: pd.DataFrame) -> pd.DataFrame:
    """Return per round: rows, weight total, min, max, and the largest within-stratum ratio max/min."""
    by = data.groupby([data["round"].astype(str), data["stratum"].astype(str)])["weight"]
    spread = (by.max() / by.min()).groupby(level=0).max()
    w = data.groupby(data["round"].astype(str))["weight"]
    return pd.DataFrame({"rows": w.size(), "total": w.sum(), "min": w.min(), "max": w.max(),
                         "max_within_stratum_ratio": spread})


def item_nonresponse(data: pd.DataFrame) -> pd.Series:
    """Return per question column the unweighted share left unanswered where it was asked (2018-2019)."""
    df = _current(data)
    out = {}
    for var in cb.VARIABLES:
        if var.asked_of == cb.ALL and var.name != "curiosity":
            continue
        base = _base(df, var.asked_of)
        out[var.name] = float((df.loc[base, var.name] == "").mean())
    return pd.Series(out, name="unanswered")
