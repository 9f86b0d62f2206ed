"""The fast path equals the pandas cube: every figure's estimates and tests, over many filter states, to 1e-12."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.data import significance
from dashboard.data.fastcube import FastCube, difference_test, equality_test
from dashboard.figures import tables
from dashboard.figures.specs import FIGURES
from tests.shipped import figure_data
from tests.test_snapshot import states

COLUMNS = ["share", "variance", "ci_low", "ci_high", "n", "n_eff", "df", "weight_sum"]


def _both(spec, filt):
    """Return (pandas estimates, fast estimates, pandas sums, order) of a figure for a filter."""
    fd = figure_data()
    cube = fd.cube(spec)
    keys, rows = fd.setup(spec).keys(fd.scope(spec, filt))
    cells = cube.cells
    series = tables._series(spec, cells)
    order = tables.SERIES_ORDER.get(spec.series, ["all"])
    base = tables._base(spec, cells)
    est, sums = cube.estimate(rows, keys, base, series, order)
    mask = (base & rows.mask(cells, keys)).to_numpy()
    codes = np.zeros(len(cells), dtype=np.int64) if series is None else \
        pd.Series(series).map({s: i for i, s in enumerate(order)}).fillna(-1).to_numpy(dtype=np.int64)
    fast = FastCube(cube).estimate(np.where(mask, codes, -1), len(order))
    return est, fast, sums, order, cube


@pytest.mark.parametrize("filt", states(24, seed=11), ids=lambda f: "&".join(f"{k}={v}" for k, v in f.query().items()) or "all")
def test_fast_estimates_equal_the_pandas_cube(filt):
    for spec in FIGURES:
        if spec.id == "nordic":
            continue
        est, fast, sums, order, cube = _both(spec, filt)
        for column in COLUMNS:
            got = getattr(fast, "variance" if column == "variance" else column).ravel()
            np.testing.assert_allclose(got, est[column].to_numpy(dtype=float), rtol=1e-12, atol=1e-12,
                                       equal_nan=True, err_msg=f"{spec.id} {column}")
        assert (fast.suppressed.ravel() == est["suppressed"].to_numpy()).all(), spec.id
        assert list(fast.reason.ravel()) == [r if isinstance(r, str) else None for r in est["reason"]], spec.id
        assert (fast.flagged.ravel() == est["flagged"].to_numpy()).all(), spec.id
        groups = [g for g in order if g in set(sums["group"].astype(str))]
        if spec.compare and len(groups) >= 2:
            a_h = FastCube(cube).covariance_terms()
            index = [order.index(g) for g in groups]
            if spec.compare == "pair":
                want = significance.difference_test(sums, cube.stratum_sizes, groups[0], groups[1],
                                                  stratum_population=cube.stratum_population)["p_value"]
                got = difference_test(fast, index[0], index[1], a_h)
            else:
                want = significance.equality_test(sums, cube.stratum_sizes, groups,
                                                stratum_population=cube.stratum_population)["p_value"]
                got = equality_test(fast, index, a_h)
            np.testing.assert_allclose(got, want.to_numpy(dtype=float), rtol=1e-10, atol=1e-12, equal_nan=True,
                                       err_msg=f"{spec.id} test")
