"""Sampling design of the synthetic data: strata, population counts, gross sample and respondents.

The population counts are this project's documented assumption, not a Danmarks Statistik table:
15,000 public workplaces with three or more employees in 2018-2019, split by sector and sub-sector so
that the sector mix reproduces the published sector shares (see data/PROVENANCE.md); 2015-2016 has
its own counts (`POPULATION_CHANGE`). The gross sample of 4,573 workplaces and the 2,271 respondents
(50 % response) are published figures for 2018-2019; 2015-2016's 2,363 respondents are published,
its gross sample of 4,720 is assumed.

Design: the gross sample is allocated to sectors (`GROSS_SECTOR_SHARE`: state and regions are
sampled far more densely than municipalities), within a sector in proportion to population times
`SIZE_SAMPLING_FACTOR` (large workplaces oversampled), capped at the population (take-all strata).
Expected response follows `RESPONSE_LOGIT` (size and sector effects on the logit of a 50 % base
rate: small workplaces answer least); respondents per stratum are the expected numbers rounded to
the published total. Weights are made in `weighting`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codebook import ROUNDS, SECTOR_INDUSTRIES, SIZES
from .selection import expit, largest_remainder

# Workplaces with 3+ employees in 2018-2019 by sector, sub-sector and size (small 3-9, medium 10-49, large 50+).
POPULATION: dict[str, dict[str, tuple[int, int, int]]] = {
    "state": {"admin": (180, 220, 150), "education": (90, 160, 150), "other": (150, 160, 90)},
    "region": {"health": (120, 260, 250), "social": (110, 190, 40), "admin": (90, 130, 60)},
    "municipality": {
        "education": (250, 900, 1050),
        "daycare": (900, 2300, 200),
        "eldercare": (300, 1300, 700),
        "social": (900, 1300, 300),
        "admin": (800, 900, 300),
    },
}
POPULATION_TOTAL = 15_000  # 2018-2019
# 2015-2016 counts relative to 2018-2019, by sub-sector (more, smaller day-care and school units
# before later mergers; fewer elderly-care units); other sub-sectors unchanged.
POPULATION_CHANGE = {"2015-2016": {"daycare": 1.04, "education": 1.02, "eldercare": 0.98}}

GROSS_SAMPLE = 4_573  # DST: "en stikprøve på 4.573 offentlige arbejdssteder"
GROSS_SAMPLES = {"2018-2019": GROSS_SAMPLE, "2015-2016": 4_720}
RESPONDENTS = {"2018-2019": 2_271, "2015-2016": 2_363}
GROSS_SECTOR_SHARE = {"state": 0.27, "region": 0.195, "municipality": 0.535}
SIZE_SAMPLING_FACTOR = {"small": 0.6, "medium": 1.0, "large": 1.6}
# Response propensity: logit effects added to a 50 % base rate.
RESPONSE_LOGIT = {"small": -0.30, "medium": 0.0, "large": 0.25, "state": 0.05, "region": -0.10, "municipality": 0.0}


def stratum_code(sector: str, industry: str, size: str) -> str:
    """Return the stratum code, e.g. "state.admin.small"."""
    return f"{sector}.{industry}.{size}"


def population(round_: str = ROUNDS[0]) -> pd.DataFrame:
    """Return one row per stratum: sector, industry, size, stratum, population (N_h) in `round_`."""
    change = POPULATION_CHANGE.get(round_, {})
    rows = []
    for sector, industries in POPULATION.items():
        assert tuple(industries) == SECTOR_INDUSTRIES[sector]
        for industry, counts in industries.items():
            for size, count in zip(SIZES, counts):
                rows.append((sector, industry, size, stratum_code(sector, industry, size),
                             int(round(count * change.get(industry, 1.0)))))
    return pd.DataFrame(rows, columns=["sector", "industry", "size", "stratum", "population"])


def _allocate(total: int, measure: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Return integers adding up to `total`, proportional to `measure` but never above `cap`."""
    out = np.zeros(len(measure), dtype=int)
    free = np.ones(len(measure), dtype=bool)
    while True:
        share = np.where(free, measure, 0.0) * (total - out[~free].sum()) / measure[free].sum()
        over = free & (share >= cap)
        if not over.any():
            break
        out[over], free[over] = cap[over], False
    out[free] = largest_remainder(share[free], total - out[~free].sum())
    return out


def strata(round_: str = ROUNDS[0]) -> pd.DataFrame:
    """Return one row per stratum: sector, industry, size, stratum, population, gross, response_rate,
    respondents, design_weight (population / gross) for `round_`."""
    table = population(round_)
    table["gross"] = 0
    gross = largest_remainder(np.array(list(GROSS_SECTOR_SHARE.values())), GROSS_SAMPLES[round_])
    for sector, m in zip(GROSS_SECTOR_SHARE, gross):
        part = (table["sector"] == sector).to_numpy()
        measure = (table.loc[part, "population"] * table.loc[part, "size"].map(SIZE_SAMPLING_FACTOR)).to_numpy(float)
        table.loc[part, "gross"] = _allocate(int(m), measure, table.loc[part, "population"].to_numpy())
    logit = table["size"].map(RESPONSE_LOGIT) + table["sector"].map(RESPONSE_LOGIT)
    table["response_rate"] = expit(logit.to_numpy(float))
    table["respondents"] = largest_remainder((table["gross"] * table["response_rate"]).to_numpy(), RESPONDENTS[round_])
    assert (table["respondents"] <= table["gross"]).all() and (table["respondents"] >= 2).all()
    table["design_weight"] = table["population"] / table["gross"]
    table.insert(0, "round", round_)
    return table


def population_total(round_: str) -> int:
    """Return the number of workplaces the weights of `round_` add up to."""
    return int(population(round_)["population"].sum())
