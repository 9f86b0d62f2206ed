"""The known totals that tie the published values of one view together, as rows of a linear system.

A reader who sees every chart of a filter state knows, besides the values shown, how the bars' domains
and answers relate, and so sums that must hold between the published shares (each share times its
weighted base being a weighted count):

- declared by the specs: the bars of each series of a figure whose categories are all the answers of
  one question add up to 100 % (`partition`), and a total is the weighted mean of its parts (`total`);
- derived from the domains, so every view and breakdown is covered without a list per figure: each bar
  counts one item (a category of a question) over a set of fine cells. Bars counting the same item over
  domains that are linearly dependent as sets (the same domain in two figures, a domain that is the
  union of others, a union equal to another union) give Σ λ_b w_b p_b = 0 for every dependency
  Σ λ_b 1[D_b] = 0. Where a category is a code of an attribute of the fine cells (figure 1's answers,
  figure 3's groups), its answers are cell sets too, and dependencies between answers and bases give
  sums across questions (figure 1's technological answers add up to figure 3's technology groups).

`relations` writes each as a row of coefficients over the bars of the view; `dashboard.data.disclosure.
protect` uses them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .specs import SPECS

TOLERANCE = 1e-9
VIEW_MARK = "@"  # a bar's figure key in a view of several states: "<figure id>@<state>"


def spec_of(key: str):
    """Return the spec of a figure key ('fig4', or 'fig4@small' in a view of several states)."""
    return SPECS[key.split(VIEW_MARK, 1)[0]]


@dataclass(frozen=True)
class Domain:
    """What one bar counts and over which fine cells.

    `item`: the category's definition (variable, codes, counting "not asked" as no); `cells`: the fine
    cells of its domain (bool over the cells); `answered`: the cells holding respondents who answered the
    item; `coded`: for a category that is codes of a cell attribute, the cells with those codes and the
    cells where the attribute is answered, else None.
    """

    item: tuple
    cells: np.ndarray
    answered: np.ndarray
    coded: tuple[np.ndarray, np.ndarray] | None = None


def relations(keys: list[tuple[str, str, str]], weight: np.ndarray, domains: list[Domain]) -> np.ndarray:
    """Return the (relations x bars) coefficients of every known total among the bars `keys` (figure, series,
    category) of one view, `weight` being each bar's weighted base and `domains` what each counts (see the
    module)."""
    weight = np.nan_to_num(np.asarray(weight, dtype=float))
    rows = [*_declared(keys, weight), *_same_items(keys, domains, weight), *_coded(domains, weight)]
    out = np.zeros((len(rows), len(keys)))
    for k, row in enumerate(rows):
        for i, coef in row.items():
            out[k, i] = coef
    return out


def _row(terms) -> dict[int, float] | None:
    """Return {bar: coefficient} from (bar, multiplier, weighted base) terms, without the terms whose
    multiplier is negligible or whose base is empty, or None when fewer than two are left."""
    out = {int(i): float(lam * w) for i, lam, w in terms if abs(lam) > TOLERANCE and w > 0}
    return out if len(out) >= 2 else None


def _declared(keys: list[tuple[str, str, str]], weight: np.ndarray) -> list[dict[int, float]]:
    """Return the partitions and totals the figures' specs declare."""
    index = {k: i for i, k in enumerate(keys)}
    by_figure: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for fid, s, c in keys:
        by_figure[fid].append((s, c))
    rows = []
    for fid, bars in by_figure.items():
        spec = spec_of(fid)
        if spec.partition:
            for s in dict.fromkeys(s for s, _ in bars):
                rows.append(_row([(index[(fid, s, c)], 1.0, 1.0) for t, c in bars if t == s]))
        if spec.total:
            axis, code = spec.total
            for key in dict.fromkeys(c if axis == "series" else s for s, c in bars):
                members = [(s, c) for s, c in bars if (c if axis == "series" else s) == key]
                terms = []
                for s, c in members:
                    i = index[(fid, s, c)]
                    terms.append((i, 1.0 if (s if axis == "series" else c) == code else -1.0, weight[i]))
                rows.append(_row(terms))
    return [r for r in rows if r]


def _dependencies(matrix: np.ndarray) -> np.ndarray:
    """Return the column combinations that vanish, as the rows of the reduced row echelon form of their space:
    the same rows whatever basis the decomposition found, each with as few terms as the space allows.

    >>> _dependencies(np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])).tolist()
    [[1.0, -1.0, 0.0]]
    """
    if 0 < matrix.shape[1] <= 52:  # alike cells (rows of 0 and 1) constrain alike: one row each
        _, first = np.unique(matrix @ (2.0 ** np.arange(matrix.shape[1])), return_index=True)
        matrix = matrix[first]
    if matrix.shape[0] == 0:
        return np.eye(matrix.shape[1])
    _, sv, vt = np.linalg.svd(matrix)
    rank = int((sv > TOLERANCE * max(sv.max(initial=0.0), 1.0)).sum())
    return _echelon(vt[rank:])


def _echelon(rows: np.ndarray) -> np.ndarray:
    """Return the reduced row echelon form of `rows` (its nonzero rows), entries below TOLERANCE set to 0."""
    m = np.array(rows, dtype=float)
    r = 0
    for c in range(m.shape[1]):
        if r == m.shape[0]:
            break
        p = r + int(np.argmax(np.abs(m[r:, c])))
        if abs(m[p, c]) < 1e-7:
            continue
        m[[r, p]] = m[[p, r]]
        m[r] /= m[r, c]
        others = np.arange(m.shape[0]) != r
        m[others] -= np.outer(m[others, c], m[r])
        r += 1
    m[np.abs(m) < 1e-7] = 0.0
    return m[:r]


def _same_items(keys, domains: list[Domain], weight: np.ndarray) -> list[dict[int, float]]:
    """Return Σ λ_b w_b p_b = 0 for the bars of each item whose domains are linearly dependent. Bars of one item
    in one figure and category are its series, whose domains are disjoint (unless one is the figure's total):
    only items in several figures or categories, or with a total, can have dependent domains."""
    by_item: dict[tuple, list[int]] = defaultdict(list)
    for i, d in enumerate(domains):
        by_item[d.item].append(i)
    rows = []
    for bars in by_item.values():
        places = {(keys[i][0], keys[i][2]) for i in bars}
        if len(places) < 2 and not any(keys[i][1] == "all" and spec_of(keys[i][0]).series_total for i in bars):
            continue
        together = np.sum([domains[i].cells for i in bars], axis=0)
        if together.max(initial=0) <= 1:  # disjoint domains (a figure's series): independent
            continue
        live = np.logical_or.reduce([domains[i].cells & domains[i].answered for i in bars])
        matrix = np.array([domains[i].cells[live] for i in bars], dtype=float).T
        for lam in _dependencies(matrix):
            row = _row((i, lam[j], weight[i]) for j, i in enumerate(bars))
            if row:
                rows.append(row)
    return rows


def _coded(domains: list[Domain], weight: np.ndarray) -> list[dict[int, float]]:
    """Return the sums across questions among bars whose categories are codes of a cell attribute: every
    dependency between their answer sets and their bases (whose weights are known)."""
    bars = [i for i, d in enumerate(domains) if d.coded is not None]
    if len(bars) < 2:
        return []
    answers = np.array([domains[i].cells & domains[i].coded[0] & domains[i].answered for i in bars], dtype=float)
    bases = np.array([domains[i].cells & domains[i].coded[1] & domains[i].answered for i in bars], dtype=float)
    live = (answers.sum(axis=0) + bases.sum(axis=0)) > 0
    matrix = np.concatenate([answers[:, live], bases[:, live]]).T
    rows = []
    for lam in _dependencies(matrix):
        row = _row((i, lam[j], weight[i]) for j, i in enumerate(bars))
        if row:
            rows.append(row)
    return rows
