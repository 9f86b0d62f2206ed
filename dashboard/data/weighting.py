"""Nonresponse-adjusted weights of the synthetic respondents.

Each sampled workplace of a stratum (`design.strata`: gross sample m_h) is placed in one of the five
Danish regions, the register geography a survey office holds for its whole sample (`GEOGRAPHY`:
share of workplaces, logit effect on response; not shipped in the file). Exactly n_h of them answer,
those with the highest response propensity plus a logistic draw. The weight of a respondent is

1. the design weight N_h / m_h,
2. times the nonresponse adjustment of its response-homogeneity group (size x geography):
   the design weight of the group's gross sample over that of its respondents,
3. post-stratified to the stratum's population: scaled so the weights of each stratum add up to N_h.

So the weights of a round add up to its population, each stratum to its N_h (`stratum_population`),
and they vary within a stratum by the response of its geography group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .selection import logit

# Danish regions as register geography: share of public workplaces, logit effect on response.
GEOGRAPHY = {
    "hovedstaden": (0.30, -0.15),
    "midtjylland": (0.23, 0.10),
    "syddanmark": (0.21, 0.05),
    "sjaelland": (0.15, -0.05),
    "nordjylland": (0.11, 0.15),
}


def respondents(table: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return one row per respondent: the stratum's columns, its geography and its weight.

    `table` is `design.strata(round_)`; rows come stratum by stratum in the table's order.
    """
    names = list(GEOGRAPHY)
    shares = np.array([s for s, _ in GEOGRAPHY.values()])
    effect = np.array([e for _, e in GEOGRAPHY.values()])
    gross = table.loc[table.index.repeat(table["gross"])].reset_index(names="row")
    gross["geography"] = rng.choice(len(names), size=len(gross), p=shares / shares.sum())
    propensity = logit(gross["response_rate"].to_numpy()) + effect[gross["geography"]]
    gross["score"] = propensity + rng.logistic(size=len(gross))
    rank = gross.groupby("row")["score"].rank(ascending=False, method="first")
    gross["responded"] = rank <= gross["respondents"]
    group = [gross["size"], gross["geography"]]
    d = gross["design_weight"]
    adjust = d.groupby(group).transform("sum") / d.where(gross["responded"], 0.0).groupby(group).transform("sum")
    out = gross[gross["responded"]].copy()
    out["weight"] = out["design_weight"] * adjust[out.index]
    out["weight"] *= out["population"] / out.groupby("row")["weight"].transform("sum")
    out["geography"] = np.array(names)[out["geography"]]
    return out.drop(columns=["row", "score", "responded"]).reset_index(drop=True)
