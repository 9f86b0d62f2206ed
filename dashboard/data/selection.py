"""Calibrated assignment: pick which rows answer "yes" so a weighted share hits a target.

The synthetic generator ranks the rows of a cell by a latent score (so joint structure follows the
latent factors) and takes the top of the ranking until the weighted share equals the target, then
swaps rows at the boundary of the ranking to close the last fraction of a point, optionally while
keeping an exact unweighted count.
"""

from __future__ import annotations

import numpy as np

TOLERANCE = 0.0004  # a weighted share within 0.04 percentage points of its target
_POOL = 60  # rows on each side of the boundary that may be swapped


def select_weighted(score: np.ndarray, weight: np.ndarray, target: float, count: int | None = None) -> np.ndarray:
    """Return a boolean mask choosing high-score rows whose weighted share is closest to `target`.

    With `count`, exactly that many rows are chosen and only the weighted share is tuned.
    """
    n = len(score)
    chosen = np.zeros(n, dtype=bool)
    if n == 0:
        return chosen
    total = weight.sum()
    goal = float(np.clip(target, 0.0, 1.0)) * total
    order = np.argsort(-score, kind="stable")
    if count is None:
        cum = np.concatenate([[0.0], np.cumsum(weight[order])])
        k = int(np.argmin(np.abs(cum - goal)))
    else:
        k = int(count)
    chosen[order[:k]] = True
    for _ in range(400):
        gap = goal - weight[chosen].sum()
        if abs(gap) <= TOLERANCE * total:
            break
        inside = np.flatnonzero(chosen)
        outside = np.flatnonzero(~chosen)
        inside = inside[np.argsort(score[inside], kind="stable")[:_POOL]]
        outside = outside[np.argsort(-score[outside], kind="stable")[:_POOL]]
        best, move = abs(gap), None
        if inside.size and outside.size:
            gain = weight[outside][None, :] - weight[inside][:, None]
            i, j = np.unravel_index(np.argmin(np.abs(gap - gain)), gain.shape)
            if abs(gap - gain[i, j]) < best - 1e-12:
                best, move = abs(gap - gain[i, j]), ("swap", inside[i], outside[j])
        if count is None:
            if outside.size:
                j = outside[np.argmin(np.abs(gap - weight[outside]))]
                if abs(gap - weight[j]) < best - 1e-12:
                    best, move = abs(gap - weight[j]), ("add", None, j)
            if inside.size:
                i = inside[np.argmin(np.abs(gap + weight[inside]))]
                if abs(gap + weight[i]) < best - 1e-12:
                    best, move = abs(gap + weight[i]), ("drop", i, None)
        if move is None:
            break
        _, i, j = move
        if i is not None:
            chosen[i] = False
        if j is not None:
            chosen[j] = True
    return chosen


def assign_categories(
    score: np.ndarray, weight: np.ndarray, shares: dict[str, float], rest: str
) -> np.ndarray:
    """Return a code per row: codes in `shares` order take the highest remaining scores in turn.

    `shares` are weighted shares (0-1) of the whole cell; rows left over get `rest`.
    """
    out = np.full(len(score), rest, dtype=object)
    free = np.ones(len(score), dtype=bool)
    total = weight.sum()
    for code, share in shares.items():
        idx = np.flatnonzero(free)
        if idx.size == 0:
            break
        left = weight[idx].sum()
        pick = select_weighted(score[idx], weight[idx], share * total / left if left else 0.0)
        out[idx[pick]] = code
        free[idx[pick]] = False
    return out


def largest_remainder(expected: np.ndarray, total: int) -> np.ndarray:
    """Return integers close to `expected` that add up to `total`."""
    expected = np.asarray(expected, dtype=float)
    raw = expected / expected.sum() * total
    out = np.floor(raw).astype(int)
    rest = total - out.sum()
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


def fit_cell_shares(
    cell_weight: np.ndarray, factors: list[np.ndarray], targets: list[dict[int, float]], iterations: int = 200
) -> np.ndarray:
    """Return a share per cell, logit-additive in the factors, matching the weighted margin targets.

    cell_weight: weight of each cell; factors: for each factor the level index of each cell;
    targets: for each factor, {level: target share}; levels without a target are left free.
    """
    effects = [np.zeros(int(f.max()) + 1) for f in factors]
    for _ in range(iterations):
        for f, eff, tgt in zip(factors, effects, targets):
            for level, goal in tgt.items():
                p = _expit(sum(e[g] for e, g in zip(effects, factors)))
                m = f == level
                cur = np.average(p[m], weights=cell_weight[m])
                eff[level] += _logit(goal) - _logit(cur)
    return _expit(sum(e[g] for e, g in zip(effects, factors)))


def _logit(p):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))
