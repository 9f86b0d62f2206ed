"""Calibrated answers: turn latent scores into yes/no or ordered codes that hit weighted targets.

Every item of the synthetic data is a logistic model: a row answers yes when its linear predictor
plus a logistic draw, its score, exceeds the cell's threshold. `top_share` places that threshold so
the weighted share of the cell equals the target (to within one row): it solves the cell's intercept
for the realised draws. The chosen rows are always the highest scores of their cell, so no row with a
lower score answers yes while a higher one answers no (no rank-order inversions), and the weights
play no part in who is chosen beyond where the threshold falls.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def top_share(score: np.ndarray, weight: np.ndarray, target: float) -> np.ndarray:
    """Return a mask of the highest-score rows whose weighted share is closest to `target` (0-1)."""
    chosen = np.zeros(len(score), dtype=bool)
    if len(score) == 0:
        return chosen
    order = np.argsort(-score, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(weight[order])])
    k = int(np.argmin(np.abs(cum - float(np.clip(target, 0.0, 1.0)) * cum[-1])))
    chosen[order[:k]] = True
    return chosen


def flag_cells(score: np.ndarray, weight: np.ndarray, cells: dict, targets: dict) -> np.ndarray:
    """Return a mask: in each cell {key: row indices} the top rows reaching the cell's target share."""
    out = np.zeros(len(score), dtype=bool)
    for key, idx in cells.items():
        out[idx[top_share(score[idx], weight[idx], targets[key])]] = True
    return out


def ordered_codes(score: np.ndarray, weight: np.ndarray, shares: dict[str, float], rest: str) -> np.ndarray:
    """Return a code per row: the ranking by score is cut into bands, `shares` in order from the top.

    `shares` are weighted shares (0-1) of all the rows given; the rows below the last band get `rest`.
    """
    out = np.full(len(score), rest, dtype=object)
    order = np.argsort(-score, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(weight[order])])
    start, total = 0, 0.0
    for code, share in shares.items():
        total += share
        stop = max(start, int(np.argmin(np.abs(cum - min(total, 1.0) * cum[-1]))))
        out[order[start:stop]] = code
        start = stop
    return out


def fix_count(chosen: np.ndarray, score: np.ndarray, weight: np.ndarray, cells: dict, count: int) -> np.ndarray:
    """Return `chosen` with exactly `count` rows, moving cell thresholds one row at a time.

    Each step takes the next row below (or drops the last row above) a cell's threshold, in the cell
    where that row's weight changes the cell's weighted share least; chosen rows stay each cell's top.
    """
    chosen = chosen.copy()
    while chosen.sum() != count:
        add = chosen.sum() < count
        best, pick = np.inf, None
        for idx in cells.values():
            pool = idx[~chosen[idx]] if add else idx[chosen[idx]]
            if pool.size == 0:
                continue
            row = pool[np.argmax(score[pool])] if add else pool[np.argmin(score[pool])]
            cost = weight[row] / weight[idx].sum()
            if cost < best:
                best, pick = cost, row
        if pick is None:
            raise ValueError("no row left to move")
        chosen[pick] = add
    return chosen


def refine_margins(chosen: np.ndarray, score: np.ndarray, weight: np.ndarray, cells: dict,
                   margins: list[tuple[list, float]], steps: int = 100) -> np.ndarray:
    """Return `chosen` with cell thresholds moved row by row while that brings margins closer to target.

    `margins` are (cell keys, target share 0-1): the weighted share over those cells. Each step takes
    the one move (next row in, or last row out, of one cell) that most reduces the squared error;
    chosen rows stay each cell's top scores.
    """
    chosen = chosen.copy()
    keys = list(cells)
    total = {k: weight[cells[k]].sum() for k in keys}
    inside = {k: weight[cells[k]][chosen[cells[k]]].sum() for k in keys}

    def error(yes):
        return sum((sum(yes[k] for k in ks) / sum(total[k] for k in ks) - t) ** 2 for ks, t in margins)

    for _ in range(steps):
        best, move = error(inside), None
        for k in keys:
            idx = cells[k]
            for add in (True, False):
                pool = idx[~chosen[idx]] if add else idx[chosen[idx]]
                if pool.size == 0:
                    continue
                row = pool[np.argmax(score[pool])] if add else pool[np.argmin(score[pool])]
                trial = {**inside, k: inside[k] + (weight[row] if add else -weight[row])}
                if error(trial) < best - 1e-15:
                    best, move = error(trial), (k, row, add)
        if move is None:
            break
        k, row, add = move
        chosen[row] = add
        inside[k] += weight[row] if add else -weight[row]
    return chosen


def solve(fn: Callable[[float], float], goal: float, low: float, high: float, steps: int = 40) -> float:
    """Return x in [low, high] where the increasing step function `fn` comes closest to `goal` (bisection)."""
    best_x, best_gap = low, np.inf
    for _ in range(steps):
        mid = (low + high) / 2
        value = fn(mid)
        if abs(value - goal) < best_gap:
            best_x, best_gap = mid, abs(value - goal)
        if value == goal:
            break
        low, high = (mid, high) if value < goal else (low, mid)
    return best_x


def closest(fn: Callable[[float], float], goal: float, grid: np.ndarray) -> float:
    """Return the first x of `grid` where `fn` comes closest to `goal` (for step functions that need not be monotone)."""
    values = np.array([fn(x) for x in grid])
    return float(grid[int(np.argmin(np.abs(values - goal)))])


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
                p = expit(sum(e[g] for e, g in zip(effects, factors)))
                m = f == level
                cur = np.average(p[m], weights=cell_weight[m])
                eff[level] += logit(goal) - logit(cur)
    return expit(sum(e[g] for e, g in zip(effects, factors)))


def logit(p):
    """Return log(p / (1 - p)), p clipped away from 0 and 1."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def expit(x):
    """Return 1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + np.exp(-x))
