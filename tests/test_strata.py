"""Variance strata: a stratum of one respondent is collapsed with a neighbour; populations give the FPC."""

import numpy as np
import pandas as pd
import pytest

from dashboard.data import estimators
from dashboard.data.strata import variance_strata


def _frame(counts: dict[str, int], population: dict[str, float] | None = None) -> pd.DataFrame:
    """Return rows of round 2018-2019 with `counts` respondents per stratum 'sector.industry.size'."""
    rows = []
    for stratum, n in counts.items():
        sector, industry, size = stratum.split(".")
        for _ in range(n):
            rows.append({"round": "2018-2019", "sector": sector, "industry": industry, "size": size,
                         "stratum": stratum, "stratum_population": (population or {}).get(stratum, np.nan)})
    return pd.DataFrame(rows)


def test_a_stratum_of_one_is_merged_with_the_smallest_of_the_same_sector_and_size():
    df = _frame({"state.admin.small": 1, "state.education.small": 6, "state.other.small": 4,
                 "state.admin.large": 9}, {"state.admin.small": 10, "state.education.small": 30,
                                           "state.other.small": 20, "state.admin.large": 40})
    strata = variance_strata(df)
    merged = "2018-2019|state.admin.small+state.other.small"
    assert strata.collapsed == {"2018-2019|state.admin.small": merged, "2018-2019|state.other.small": merged}
    assert strata.sizes[merged] == 5 and strata.population[merged] == 30  # 10 + 20 workplaces
    assert strata.sizes["2018-2019|state.education.small"] == 6  # other strata are left alone
    assert strata.fpc


def test_without_a_peer_of_the_same_size_the_same_sector_is_used():
    df = _frame({"region.health.large": 1, "region.social.small": 3, "region.admin.medium": 8})
    strata = variance_strata(df)
    assert strata.collapsed["2018-2019|region.health.large"] == "2018-2019|region.health.large+region.social.small"
    assert not strata.fpc  # no stratum_population: no finite population correction


def test_collapsing_gives_the_single_respondent_a_share_of_the_variance():
    df = _frame({"state.admin.small": 1, "state.other.small": 5})
    y = pd.DataFrame({"x": [1.0, 0.0, 1.0, 0.0, 0.0, 1.0]})
    w = pd.Series([50.0, 2.0, 2.0, 2.0, 2.0, 2.0])
    group = pd.Series(["g"] * 6)
    naive = estimators.estimate(y, w, df["round"] + "|" + df["stratum"], group).iloc[0]
    strata = variance_strata(df)
    collapsed = estimators.estimate(y, w, strata.of_row, group).iloc[0]
    # alone, the heavy single respondent adds no variance; collapsed, its deviation counts
    assert collapsed["variance"] > 3 * naive["variance"]
    assert collapsed["share"] == pytest.approx(naive["share"])


def test_unknown_population_in_one_merged_stratum_means_unknown():
    df = _frame({"state.admin.small": 1, "state.other.small": 3}, {"state.admin.small": 10})
    strata = variance_strata(df)
    assert strata.population.isna().all() and not strata.fpc
