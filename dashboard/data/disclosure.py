"""Complementary suppression: which further values to hide so that no hidden value can be worked out.

Published values are tied by linear relations that a reader can know: the bars of a figure that
partition its base add up to 100 %, a total is the weighted mean of its groups (the weights can be
derived from other published figures), the same domain can appear in two figures. Each relation is
a row of coefficients over the values of one view. A hidden value can be worked out exactly when it
is determined by the relations once the shown values are known: when its unit vector lies in the
row space of the relations restricted to the hidden values. `protect` hides further values, the
smallest first, until no hidden value is determined.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TOLERANCE = 1e-9  # relative singular value below which a direction counts as zero


def determined(relations: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Return, per value, True when it is hidden and the relations and the shown values determine it.

    `relations` is (relations x values); `hidden` a bool mask over the values.

    >>> rel = np.array([[1.0, 1.0, 1.0]])  # three shares adding up to 100 %
    >>> determined(rel, np.array([True, False, False])).tolist()
    [True, False, False]
    >>> determined(rel, np.array([True, True, False])).tolist()
    [False, False, False]
    """
    out = np.zeros(len(hidden), dtype=bool)
    idx = np.flatnonzero(hidden)
    if not len(idx) or not len(relations):
        return out
    sub = relations[:, idx]
    sub = sub[np.abs(sub).sum(axis=1) > 0]
    if not len(sub):
        return out
    scale = np.abs(sub).max(axis=1, keepdims=True)
    _, sv, vt = np.linalg.svd(sub / scale)
    rank = int((sv > TOLERANCE * max(sv.max(), 1.0)).sum())
    null = vt[rank:].T  # basis of the directions the relations leave free
    free = np.abs(null).sum(axis=1) > 1e-7 if null.size else np.zeros(len(idx), dtype=bool)
    out[idx] = ~free
    return out


def _tied(linked: np.ndarray, value: int) -> np.ndarray:
    """Return the values that share a relation with `value`, directly or through other values (bool mask)."""
    seen = np.zeros(linked.shape[1], dtype=bool)
    seen[value] = True
    while True:
        grown = linked[linked[:, seen].any(axis=1)].any(axis=0) | seen
        if (grown == seen).all():
            return seen
        seen = grown


def protect(relations: np.ndarray, hidden: Sequence[bool], cost: Sequence[float],
            fixed: Sequence[bool] | None = None) -> np.ndarray:
    """Return the values hidden to protect the hidden ones (a bool mask, the given hidden ones excluded).

    While some hidden value is determined, hide the shown value of least `cost` among those tied to it
    through the relations (directly or through other values), preferring one that leaves it undetermined.
    A hidden value tied to no shown value is determined by what the relations know without any published
    value (a share that is 100 % by definition, a ratio of bases): hiding more cannot change that, so it
    is passed over and the others are still protected. A `fixed` value is published elsewhere as it is: it is
    never hidden, and a hidden value that only hiding fixed values would protect is passed over too (what
    they determine is published with them).

    >>> rel = np.array([[1.0, 1.0, 1.0, 1.0]])
    >>> protect(rel, [False, True, False, False], cost=[5.0, 1.0, 2.0, 9.0]).tolist()
    [False, False, True, False]
    >>> rel = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 1.0]])  # the first is known without a shown value
    >>> protect(rel, [True, True, False, False], cost=[1.0, 1.0, 2.0, 9.0]).tolist()
    [False, False, True, False]
    """
    hidden = np.asarray(hidden, dtype=bool).copy()
    cost = np.asarray(cost, dtype=float)
    fixed = np.zeros(len(hidden), dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    extra = np.zeros(len(hidden), dtype=bool)
    linked = np.abs(relations) > 0
    futile: set[int] = set()
    while True:
        open_ = determined(relations, hidden)
        for target in (t for t in np.flatnonzero(open_) if t not in futile):
            candidates = np.flatnonzero(_tied(linked, target) & ~hidden & ~fixed)
            if len(candidates) and fixed.any():
                trial = hidden.copy()
                trial[candidates] = True
                if determined(relations, trial)[target]:  # the fixed values alone determine it
                    futile.add(target)
                    continue
            if len(candidates):
                break
        else:  # nothing determined, or only what no published value determines
            return extra
        order = candidates[np.argsort(cost[candidates], kind="stable")]
        choice = order[0]
        for c in order:
            trial = hidden.copy()
            trial[c] = True
            if not determined(relations, trial)[target]:
                choice = c
                break
        hidden[choice] = extra[choice] = True
