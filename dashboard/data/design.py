"""Sampling design of the synthetic data: strata, population counts, respondents and weights.

The population counts are this project's documented assumption, not a Danmarks Statistik table:
15,000 public workplaces with three or more employees, split by sector and sub-sector so that the
sector mix reproduces the published sector shares (see data/PROVENANCE.md). The survey's gross
sample of 4,573 workplaces and the 2,271 respondents (50 % response) are published figures.
"""

from __future__ import annotations

import pandas as pd

from .codebook import SECTOR_INDUSTRIES, SIZES
from .selection import largest_remainder

POPULATION_TOTAL = 15_000
GROSS_SAMPLE = 4_573  # DST: "en stikprøve på 4.573 offentlige arbejdssteder"

# Workplaces with 3+ employees by sector, sub-sector and size (small 3-9, medium 10-49, large 50+).
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

# Respondents by sector and round; large workplaces are over-represented (factor per size).
RESPONDENTS = {
    "2018-2019": {"state": 620, "region": 440, "municipality": 1211},  # 2,271 in all
    "2015-2016": {"state": 640, "region": 460, "municipality": 1263},  # 2,363 in all
}
SIZE_SAMPLING_FACTOR = {"small": 0.6, "medium": 1.0, "large": 1.6}


def stratum_code(sector: str, industry: str, size: str) -> str:
    """Return the stratum code, e.g. "state.admin.small"."""
    return f"{sector}.{industry}.{size}"


def strata(round_: str = "2018-2019") -> pd.DataFrame:
    """Return one row per stratum: sector, industry, size, stratum, population, respondents, weight.

    Weights are design weights population / respondents, so they add up to POPULATION_TOTAL.
    """
    rows = []
    for sector, industries in POPULATION.items():
        assert tuple(industries) == SECTOR_INDUSTRIES[sector]
        for industry, counts in industries.items():
            for size, count in zip(SIZES, counts):
                rows.append((sector, industry, size, stratum_code(sector, industry, size), count))
    table = pd.DataFrame(rows, columns=["sector", "industry", "size", "stratum", "population"])
    table["respondents"] = 0
    for sector, n in RESPONDENTS[round_].items():
        part = table["sector"] == sector
        drive = table.loc[part, "population"] * table.loc[part, "size"].map(SIZE_SAMPLING_FACTOR)
        table.loc[part, "respondents"] = largest_remainder(drive.to_numpy(), n)
    table["weight"] = table["population"] / table["respondents"]
    table.insert(0, "round", round_)
    return table
