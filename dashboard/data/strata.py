"""The variance strata of a data set: the design strata of each round, with a stratum of one respondent
collapsed into a neighbour, and their population counts N_h for the finite population correction.

A stratum with a single respondent has no within-stratum variance to estimate (n_h - 1 = 0), so its
contribution would silently be zero. As survey practice does (collapsed strata), it is merged with the
smallest other stratum of the same round, sector and size; failing that, of the same round and sector.
The merged stratum's population is the sum of the two, and it is unknown when either is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Strata:
    """Each row's variance stratum, and per variance stratum its respondents n_h and population N_h."""

    of_row: pd.Series  # variance stratum of each row ("round|stratum" or "round|a+b" when collapsed)
    sizes: pd.Series  # n_h per variance stratum
    population: pd.Series  # N_h per variance stratum, NaN where unknown
    collapsed: dict[str, str]  # design stratum key -> the variance stratum it was merged into

    @property
    def fpc(self) -> bool:
        """True when every stratum's population is known, so variances carry the finite population correction."""
        return bool(len(self.population)) and bool(self.population.notna().all())


def design_key(df: pd.DataFrame) -> pd.Series:
    """Return the design stratum of each row: round and stratum (the rounds are separate samples)."""
    return df["round"].astype(str) + "|" + df["stratum"].astype(str)


def variance_strata(df: pd.DataFrame) -> Strata:
    """Return the variance strata of `df` (design strata, strata of one respondent collapsed)."""
    key = design_key(df)
    population = (df["stratum_population"].astype(float) if "stratum_population" in df
                  else pd.Series(np.nan, index=df.index))
    info = pd.DataFrame({"key": key, "round": df["round"].astype(str), "sector": df["sector"].astype(str),
                         "size": df["size"].astype(str), "population": population})
    per = info.groupby("key", sort=True).agg(round=("round", "first"), sector=("sector", "first"),
                                            size=("size", "first"), n=("key", "size"),
                                            population=("population", "first"))
    merged = {k: k for k in per.index}
    for key_h in per.index[per["n"] == 1]:
        row = per.loc[key_h]
        same = per[(per["round"] == row["round"]) & (per["sector"] == row["sector"]) & (per.index != key_h)]
        peers = same[same["size"] == row["size"]]
        peers = peers if len(peers) else same
        if not len(peers):
            continue  # the only stratum of its sector in its round: nothing to merge with
        partner = peers.sort_values(["n"], kind="stable").index[0]
        target = merged[partner]
        for k, v in merged.items():  # everything merged into key_h follows it
            if v in (key_h, target):
                merged[k] = target
    names = {}
    for target in set(merged.values()):
        members = sorted(k for k, v in merged.items() if v == target)
        names[target] = members[0] if len(members) == 1 else \
            members[0].split("|")[0] + "|" + "+".join(m.split("|", 1)[1] for m in members)
    to_stratum = {k: names[v] for k, v in merged.items()}
    of_row = key.map(to_stratum)
    per["stratum"] = per.index.map(to_stratum)
    sizes = per.groupby("stratum")["n"].sum()
    pops = per.groupby("stratum")["population"].sum(min_count=1).where(
        per.groupby("stratum")["population"].apply(lambda s: s.notna().all()))
    collapsed = {k: v for k, v in to_stratum.items() if v != k}
    return Strata(of_row, sizes, pops, collapsed)


def stratum_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Return per round and design stratum (sorted) its respondents ("rows"), the sum of their weights
    ("weights") and the stratum's population N_h ("population", NaN where unknown): what `barometer validate`
    shows, so a person can see a stratum that lost rows.

    >>> frame = pd.DataFrame({"round": ["r", "r", "r"], "stratum": ["b", "a", "b"], "weight": [2.0, 1.0, 2.0],
    ...                       "stratum_population": [4, 1, 4]})
    >>> stratum_rows(frame).to_dict("records")[1]
    {'round': 'r', 'stratum': 'b', 'rows': 2, 'weights': 4.0, 'population': 4.0}
    """
    population = (df["stratum_population"].astype(float) if "stratum_population" in df
                  else pd.Series(np.nan, index=df.index))
    info = pd.DataFrame({"round": df["round"].astype(str), "stratum": df["stratum"].astype(str),
                         "weight": df["weight"].astype(float), "population": population})
    return (info.groupby(["round", "stratum"], sort=True)
            .agg(rows=("weight", "size"), weights=("weight", "sum"), population=("population", "first"))
            .reset_index())
