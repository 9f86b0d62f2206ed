"""Precomputed sums per fine cell, so any filter is answered without touching the microdata.

A cell is one combination of the attributes the dimensions of the registry and the figures' bases
and series look at (round, sector, innovation status, technology role and group, values created).
Every estimator sum is additive over cells, so a filtered estimate is a sum over the selected cells:
its cost depends on the number of cells, not on the number of respondents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import estimators
from .codebook import BY_NAME
from .dimensions import DIMENSIONS
from .filters import Filter
from .strata import Strata, design_key, variance_strata

FIGURE_ATTRIBUTES = ("innovated", "tech_role", "tech_group", "tech_new")  # what the figures' bases and series read
ATTRIBUTES = tuple(dict.fromkeys((*(c for d in DIMENSIONS for c in d.columns), *FIGURE_ATTRIBUTES)))
CODED_ATTRIBUTES = tuple(c for c in ATTRIBUTES if BY_NAME[c].kind != "bool")  # the attributes held as codes


stratum_key = design_key  # the design stratum of each row: round and stratum


def attributes(df: pd.DataFrame) -> pd.DataFrame:
    """Return the per-row cell attributes: codes as strings ('' for NA), flags as bools."""
    out = pd.DataFrame(index=df.index)
    for column in ATTRIBUTES:
        values = df[column]
        if column not in CODED_ATTRIBUTES:
            out[column] = values.fillna(False).astype(bool)
        else:
            out[column] = values.astype("object").where(values.notna(), "").astype(str)
    return out


@dataclass(frozen=True)
class Cells:
    """The fine cells of a data set: each row's cell number, the cells' attributes, the variance strata."""

    row_cell: pd.Series
    attrs: pd.DataFrame
    strata: Strata

    @property
    def stratum(self) -> pd.Series:
        """Return each row's variance stratum."""
        return self.strata.of_row

    @classmethod
    def of(cls, df: pd.DataFrame) -> Cells:
        """Return the cells of `df` (computed once per data set, shared by all figures)."""
        attrs = attributes(df)
        cell_id, uniques = pd.factorize(pd.MultiIndex.from_frame(attrs))
        return cls(pd.Series(cell_id, index=df.index), pd.DataFrame(list(uniques), columns=attrs.columns),
                   variance_strata(df))


@dataclass(frozen=True)
class Cube:
    """Sums per (cell, stratum, category) for one set of indicators."""

    cells: pd.DataFrame  # one row per cell: its attributes
    sums: pd.DataFrame  # cell, stratum, category, n, sw, swy, sw2, sw2y, ny
    stratum_sizes: pd.Series  # n_h per variance stratum
    stratum_population: pd.Series  # N_h per variance stratum (NaN: unknown, no finite population correction)
    categories: tuple[str, ...]

    @classmethod
    def build(cls, df: pd.DataFrame, indicators: pd.DataFrame, cells: Cells | None = None) -> Cube:
        """Return the cube of `indicators` (0/1/NaN columns aligned with `df`)."""
        cells = cells or Cells.of(df)
        sums = estimators.cell_sums(indicators, df["weight"], cells.stratum, cells.row_cell)
        sums = sums.rename(columns={"group": "cell"})
        sums["cell"] = sums["cell"].astype(int)
        return cls(cells.attrs, sums, cells.strata.sizes, cells.strata.population, tuple(indicators.columns))

    def select(self, cell_mask: pd.Series, series: pd.Series | None) -> pd.DataFrame:
        """Return sums per (stratum, group, category) over the selected cells, grouped by `series`.

        `cell_mask` and `series` are indexed like `cells`; series NA or '' leaves a cell out.
        """
        keep = np.flatnonzero(cell_mask.to_numpy())
        group = pd.Series("all", index=self.cells.index) if series is None else series
        sums = self.sums[self.sums["cell"].isin(keep)].copy()
        sums["group"] = group.reindex(sums["cell"].to_numpy()).to_numpy()
        sums = sums[sums["group"].notna() & (sums["group"] != "")]
        columns = ["stratum", "group", "category", *estimators.SUM_COLUMNS]
        return sums[columns].groupby(["stratum", "group", "category"], observed=True, sort=False,
                                     as_index=False).sum()

    def estimate(self, filt: Filter, keys, base: pd.Series, series: pd.Series | None,
                 order: list[str] | None = None) -> pd.DataFrame:
        """Return estimates per (group, category) for the cells in `base` passing the filter `keys`."""
        mask = base & filt.mask(self.cells, keys)
        sums = self.select(mask, series)
        groups = order or (["all"] if series is None else list(pd.unique(series[series != ""])))
        sums["group"] = pd.Categorical(sums["group"], categories=groups)
        sums["category"] = pd.Categorical(sums["category"].astype(str), categories=list(self.categories))
        return estimators.estimate_from_sums(sums, self.stratum_sizes, stratum_population=self.stratum_population), sums
