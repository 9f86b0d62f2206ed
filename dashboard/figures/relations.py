"""The known totals that tie the published values of one view together, as rows of a linear system.

A reader who sees every chart of a filter state knows, besides the values shown:

- partitions: the bars of each series of a figure whose categories are all the answers of one
  question add up to 100 % (figures 1, 2, 3, 7 and the novelty figure);
- totals: a total is the weighted mean of its groups (the trend figure's "whole public sector"
  category, the "all" series of the values-by-sector figure), with weights a reader can derive from
  other published numbers;
- the same domain in two figures: figures 8, 9 and 10 share their filters, so figure 8's
  non-technological innovations are figure 9's (and 10's) and its technological ones the weighted mean
  of their new- and known-technology groups; figure 1's technological answers add up to figure 3's
  technology groups; without a technology filter, figure 4's two groups make up the sector series of
  the values-by-sector figure.

`relations` writes each as a row of coefficients over the cells of the view (one cell per bar), the
coefficients being the groups' weighted bases. `dashboard.data.disclosure.protect` uses them.
"""

from __future__ import annotations

import numpy as np

from ..data import codebook as cb
from ..data.filters import Filter
from .specs import BY_ID

# The technology filter's codes as sets of atoms: tech_role x (new or known technology).
_ATOMS = {
    "solution": {"solution.new", "solution.known"}, "important": {"important.new", "important.known"},
    "new_tech": {"solution.new", "important.new"}, "known_tech": {"solution.known", "important.known"},
    "minor": {"minor"}, "none": {"none"}, "dont_know": {"dont_know"}, "non_tech": {"minor", "none", "dont_know"},
}
_TECH_ATOMS = _ATOMS["solution"] | _ATOMS["important"]
_ALL_ATOMS = _TECH_ATOMS | _ATOMS["non_tech"]
SHARED_ITEMS = (("fig9", "partner_same_sector"), ("fig10", "partner_private"))  # fig8 item shown by tech group


def relations(keys: list[tuple[str, str, str]], weight: np.ndarray, filt: Filter) -> np.ndarray:
    """Return the (relations x cells) coefficients of every known total among the cells `keys` (figure,
    series, category) of one view, `weight` being each cell's weighted base (see the module)."""
    index = {k: i for i, k in enumerate(keys)}
    weight = np.nan_to_num(np.asarray(weight, dtype=float))
    rows: list[dict[int, float]] = []

    def add(terms: list[tuple[tuple[str, str, str], float]]) -> None:
        row = {index[k]: coef for k, coef in terms if k in index}
        if len(row) >= 2:
            rows.append(row)

    def w(key) -> float:
        return weight[index[key]] if key in index else 0.0

    by_figure: dict[str, list[tuple[str, str]]] = {}
    for fid, s, c in keys:
        by_figure.setdefault(fid, []).append((s, c))
    for fid, bars in by_figure.items():
        spec = BY_ID[fid]
        if spec.partition:
            for s in dict.fromkeys(s for s, _ in bars):
                add([((fid, s, c), 1.0) for t, c in bars if t == s])
        if spec.total:
            axis, code = spec.total
            for key in dict.fromkeys(c if axis == "series" else s for s, c in bars):
                members = [(s, c) for s, c in bars if (c if axis == "series" else s) == key]
                total = [(fid, s, c) for s, c in members if (s if axis == "series" else c) == code]
                parts = [(fid, s, c) for s, c in members if (s if axis == "series" else c) != code]
                add([(k, w(k)) for k in total] + [(k, -w(k)) for k in parts])
    for fid, item in SHARED_ITEMS:
        add([(("fig8", "non_tech", item), 1.0), ((fid, "non_tech", item), -1.0)])
        add([(("fig8", "tech", item), w(("fig8", "tech", item))),
             ((fid, "new_tech", item), -w((fid, "new_tech", item))),
             ((fid, "known_tech", item), -w((fid, "known_tech", item)))])
    add([(("fig1", "all", c), 1.0) for c in cb.TECH_ROLES] + [(("fig3", "all", g), -1.0) for g in ("new_tech", "known_tech")])
    add([(("fig1", "all", c), 1.0) for c in ("minor", "none", "dont_know")] + [(("fig3", "all", "non_tech"), -1.0)])
    groups = _fig4_groups(filt)
    for item in cb.VALUES if groups else ():
        sectors = filt.sector or cb.SECTORS
        add([(("dst-values-sector", s, item), w(("dst-values-sector", s, item))) for s in sectors]
            + [(("fig4", g, item), -w(("fig4", g, item))) for g in groups])
    out = np.zeros((len(rows), len(keys)))
    for k, row in enumerate(rows):
        for i, coef in row.items():
            out[k, i] = coef
    return out


def _fig4_groups(filt: Filter) -> tuple[str, ...]:
    """Return the groups of figure 4 that make up the values-by-sector figure's sector series under the
    technology filter (none when its domain is not a union of figure 4's groups)."""
    atoms = set().union(*(_ATOMS[c] for c in filt.tech_role)) if filt.tech_role else _ALL_ATOMS
    if atoms == _ALL_ATOMS:
        return ("tech", "non_tech")
    if atoms == _TECH_ATOMS:
        return ("tech",)
    if atoms == _ATOMS["non_tech"]:
        return ("non_tech",)
    return ()
