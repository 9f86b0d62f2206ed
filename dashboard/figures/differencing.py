"""Protection against the differencing attack: comparing a selection with a wider one.

Two filter states that differ by one code of one filter (``sector=state`` and ``sector=state,region``)
select nested domains; a reader who knows the groups' weights can subtract one figure from the other
and obtain the values of the difference, the respondents the wider selection adds. When those are
fewer than three, or fewer than three of them answer yes to a category, that difference would publish
a value resting on one or two workplaces. The narrower selection then hides the cell.

Hiding in the narrower selection is enough for every pair of nested selections within one filter, not
only for neighbours: the difference between a selection and any wider one is the union of the
one-code differences from the narrower selection, so if it rests on one or two respondents, so does
one of those, and the narrower selection hides the cell (see the README's disclosure section).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.estimators import MIN_N
from ..data.filters import ALLOWED, Filter, parse_filter


def wider_states(filt: Filter, keys) -> list[Filter]:
    """Return the filter states that add one code to one of the restricting filters `keys` of `filt`.

    A filter without codes selects everything and has no wider state.

    >>> [f.sector for f in wider_states(parse_filter(sector="state"), ["sector"])]
    [('state', 'region'), ('state', 'municipality')]
    """
    out = []
    for key in keys:
        codes = getattr(filt, key) if key != "round" else ()
        if not codes:
            continue
        for code in ALLOWED[key]:
            if code not in codes:
                query = {**filt.query(), key: ",".join((*codes, code))}
                out.append(parse_filter(**query))
    return out


def small_differences(counts_n: np.ndarray, counts_yes: np.ndarray, narrow: np.ndarray, wider: list[np.ndarray],
                      series: np.ndarray, series_codes: list[str], categories: list[str]) -> set[tuple[str, str]]:
    """Return the (series, category) cells whose difference from some wider selection rests on 1 or 2
    respondents (answering, or answering yes).

    `counts_n`, `counts_yes` are (cells x categories) respondent counts of the figure's fine cells;
    `narrow` and each of `wider` a bool mask over the fine cells (the base and filters applied);
    `series` each fine cell's series code ('' for none).
    """
    out: set[tuple[str, str]] = set()
    for mask in wider:
        diff = mask & ~narrow
        if not diff.any():
            continue
        for s in series_codes:
            rows = diff & (series == s)
            if not rows.any():
                continue
            n, yes = counts_n[rows].sum(axis=0), counts_yes[rows].sum(axis=0)
            bad = ((n > 0) & (n < MIN_N)) | ((yes > 0) & (yes < MIN_N))
            out.update((s, categories[j]) for j in np.flatnonzero(bad))
    return out


def cell_counts(sums: pd.DataFrame, n_cells: int, categories: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return (answering, answering yes) respondent counts per (fine cell, category) from a cube's sums."""
    cat = pd.Categorical(sums["category"].astype(str), categories=categories).codes
    n = np.zeros((n_cells, len(categories)))
    yes = np.zeros((n_cells, len(categories)))
    np.add.at(n, (sums["cell"].to_numpy(), cat), sums["n"].to_numpy(dtype=float))
    np.add.at(yes, (sums["cell"].to_numpy(), cat), sums["ny"].to_numpy(dtype=float))
    return n, yes
