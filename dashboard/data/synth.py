"""Synthetic microdata calibrated to the published figures.

Three latent traits per workplace (drive to innovate, affinity for technology, orientation towards
citizens) shape every answer, so joint distributions are plausible and not just the margins. Within
each calibration cell (sector, technology group, ...) the rows with the highest latent score plus
logistic noise answer "yes" until the weighted share equals the target in `calibration`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import calibration as cal
from .codebook import COLUMNS, ROUNDS, TECH_ROLES, derive_tech_group
from .design import strata
from .selection import assign_categories, fit_cell_shares, largest_remainder, select_weighted

SIZE_ORDER = {"small": -1.0, "medium": 0.0, "large": 1.0}


class _Round:
    """Rows of one survey round being filled in, with their weights and latent traits."""

    def __init__(self, round_: str, rng: np.random.Generator):
        table = strata(round_).rename(columns={"population": "stratum_population"})
        self.df = table.loc[table.index.repeat(table["respondents"]),
                            ["round", "sector", "industry", "size", "stratum", "weight",
                             "stratum_population"]].reset_index(drop=True)
        self.rng = rng
        self.w = self.df["weight"].to_numpy(float)
        n, size = len(self.df), self.df["size"].map(SIZE_ORDER).to_numpy(float)
        self.drive = rng.normal(size=n) + 0.4 * size
        self.techy = rng.normal(size=n) + 0.3 * size + np.where(self.df["sector"] == "state", 0.3, 0.0)
        self.citizen = rng.normal(size=n) - np.where(self.df["sector"] == "state", 0.6, 0.0)

    def noise(self, scale: float = 1.0) -> np.ndarray:
        return self.rng.logistic(scale=scale, size=len(self.df))

    def cells(self, mask: np.ndarray, key: pd.Series) -> dict[object, np.ndarray]:
        """Return {cell key: row indices} for the rows in `mask`."""
        sub = key[mask]
        return {k: np.flatnonzero(mask & (key == k).to_numpy()) for k in pd.unique(sub)}

    def flag(self, mask, key, targets, score, counts=None) -> np.ndarray:
        """Return a bool array: True for chosen rows of each cell, percent targets per cell key."""
        out = np.zeros(len(self.df), dtype=bool)
        for k, idx in self.cells(mask, key).items():
            count = None if counts is None else counts[k]
            out[idx[select_weighted(score[idx], self.w[idx], targets[k] / 100, count)]] = True
        return out

    def categories(self, mask, key, shares, score, rest) -> np.ndarray:
        """Return codes for the rows in `mask`, percent shares per cell key (None outside)."""
        out = np.full(len(self.df), None, dtype=object)
        for k, idx in self.cells(mask, key).items():
            frac = {c: v / 100 for c, v in shares[k].items()}
            out[idx] = assign_categories(score[idx], self.w[idx], frac, rest)
        return out

    def put(self, column: str, values: np.ndarray, mask: np.ndarray) -> None:
        """Store `values` where `mask` holds and NA elsewhere (question not asked)."""
        if values.dtype == bool:
            self.df[column] = pd.array(np.where(mask, values, False), dtype="boolean")
            self.df.loc[~mask, column] = pd.NA
        else:
            self.df[column] = pd.Series(np.where(mask, values, None), dtype="object")


def _counts(r: _Round, mask, key, shares: dict, total: int) -> dict:
    """Return exact unweighted counts per cell adding up to `total`, proportional to expectation."""
    cells = r.cells(mask, key)
    keys = list(cells)
    expected = np.array([shares[k] / 100 * len(cells[k]) for k in keys])
    return dict(zip(keys, largest_remainder(expected, total)))


def _curiosity(r: _Round, everyone: np.ndarray) -> None:
    sector = r.df["sector"]
    shares = {s: cal.CURIOSITY_RANDOM for s in sector.unique()}
    codes = r.categories(everyone, sector, shares, r.noise(), "ordered")
    ordered = codes == "ordered"
    scale = {}
    for s in sector.unique():
        m = (sector == s).to_numpy()
        scale[s] = r.w[m].sum() / r.w[m & ordered].sum()
    shares = {s: {c: v * scale[s] for c, v in cal.CURIOSITY_ORDERED.items()} for s in scale}
    codes[ordered] = r.categories(ordered, sector, shares, 1.5 * r.techy + r.noise(), "disagree_fully")[ordered]
    r.put("curiosity", codes, everyone)


def _technology(r: _Round, inn: np.ndarray) -> np.ndarray:
    df, sector = r.df, r.df["sector"]
    fully = (df["curiosity"] == "agree_fully").to_numpy()
    cell = sector + np.where(fully, "|fully", "|other")
    keys = list(pd.unique(cell[inn]))
    kw = np.array([r.w[inn & (cell == k).to_numpy()].sum() for k in keys])
    sectors = [k.split("|")[0] for k in keys]
    s_idx = np.array([list(cal.TECH_BY_SECTOR).index(s) for s in sectors])
    f_idx = np.array([1 if k.endswith("fully") else 0 for k in keys])
    share = fit_cell_shares(kw, [s_idx, f_idx],
                            [{i: v / 100 for i, v in enumerate(cal.TECH_BY_SECTOR.values())},
                             {1: cal.TECH_IF_FULLY_CURIOUS / 100}])
    targets = {k: 100 * p for k, p in zip(keys, share)}
    counts = _counts(r, inn, cell, targets, cal.TECH_INNOVATIONS)
    tech = r.flag(inn, cell, targets, r.techy + r.noise(0.8), counts)
    solution = r.flag(tech, sector, {s: 100 * cal.SOLUTION_OF_TECH for s in sector.unique()}, r.techy + r.noise())
    non = {s: {c: 100 * v for c, v in cal.NON_TECH_SPLIT.items()} for s in sector.unique()}
    role = r.categories(inn & ~tech, sector, non, r.techy + r.noise(), "dont_know")
    role[tech] = np.where(solution[tech], "solution", "important")
    r.put("tech_role", role, inn)
    random_dk = r.flag(tech, sector, {s: cal.TECH_NEW_OF_TECH["dont_know"] for s in sector.unique()}, r.noise())
    known = tech & ~random_dk
    scale = {s: r.w[tech & (sector == s).to_numpy()].sum() / r.w[known & (sector == s).to_numpy()].sum()
             for s in sector.unique()}
    new = r.flag(known, sector, {s: cal.TECH_NEW_OF_TECH["new"] * scale[s] for s in scale}, r.techy + r.noise())
    r.put("tech_new", np.where(new, "new", np.where(random_dk, "dont_know", "known")), tech)
    groups = [derive_tech_group(a, b) for a, b in zip(role, r.df["tech_new"])]
    r.put("tech_group", np.array(groups, dtype=object), inn)
    kinds = np.full(len(df), None, dtype=object)
    for which, probs in cal.TECHNOLOGY.items():
        rows = np.flatnonzero(tech & (new if which == "new" else ~new))
        codes = [*probs, "other"]
        p = np.array([*probs.values(), 5.0])
        kinds[rows] = r.rng.choice(codes, size=rows.size, p=p / p.sum())
    r.put("technology", kinds, tech)
    return tech


def _values(r: _Round, inn: np.ndarray, group: pd.Series) -> None:
    sector = r.df["sector"]
    cell = sector + "|" + group.fillna("")
    keys = list(pd.unique(cell[inn]))
    kw = np.array([r.w[inn & (cell == k).to_numpy()].sum() for k in keys])
    sectors, groups = zip(*(k.split("|") for k in keys))
    s_levels, g_levels = ["state", "region", "municipality"], ["new_tech", "known_tech", "non_tech"]
    s_idx = np.array([s_levels.index(s) for s in sectors])
    g_idx = np.array([g_levels.index(g) for g in groups])
    for column, (by_sector, by_group) in cal.VALUES.items():
        share = fit_cell_shares(kw, [s_idx, g_idx],
                                [{s_levels.index(s): v / 100 for s, v in by_sector.items()},
                                 {g_levels.index(g): v / 100 for g, v in by_group.items()}])
        lean = r.citizen if column == "value_citizen_involvement" else r.drive
        score = 0.8 * lean + r.noise()
        r.put(column, r.flag(inn, cell, {k: 100 * p for k, p in zip(keys, share)}, score), inn)


def _people(r: _Round, inn: np.ndarray, group: pd.Series, tech: np.ndarray) -> None:
    split = pd.Series(np.where(tech, "tech", "non_tech"), index=r.df.index)
    patterns = r.categories(inn, split, cal.CITIZEN_PATTERNS, 1.5 * r.citizen + r.noise(), "000")
    for pos, column in enumerate(("citizens_initiated", "citizens_promoted", "citizens_collaborated")):
        r.put(column, np.array([p is not None and p[pos] == "1" for p in patterns]), inn)
    started = r.flag(inn, group, cal.BY_TECH_GROUP["employees_initiated"], 0.5 * r.drive + r.noise())
    r.put("employees_initiated", started, inn)
    cell = group.fillna("") + np.where(started, "|initiated", "|not_initiated")
    shares = {f"{g}|initiated": cal.EMPLOYEES_ROLE["initiated"] for g in group[inn].unique()}
    role = r.categories(inn, cell, {**cal.EMPLOYEES_ROLE, **shares}, r.drive + r.noise(), "not_relevant")
    r.put("employees_role", role, inn)


def _collaboration(r: _Round, inn: np.ndarray, group: pd.Series) -> None:
    with_citizens = r.df["citizens_collaborated"].fillna(False).to_numpy(bool)
    score = r.drive + 0.5 * r.techy + r.noise() + 100.0 * with_citizens
    collab = r.flag(inn, group, cal.BY_TECH_GROUP["collab_any"], score)
    r.put("collab_any", collab, inn)
    r.put("partner_citizens", with_citizens, inn)
    has = {k: np.zeros(len(r.df), dtype=bool) for k in cal.PARTNERS}
    first = collab & ~with_citizens
    for g in group[inn].unique():
        m = first & (group == g).to_numpy()
        total = sum(t[g] for t in cal.PARTNERS.values())
        shares = {k: 100 * t[g] / total for k, t in cal.PARTNERS.items()}
        codes = r.categories(m, group, {g: shares}, r.noise(), "partner_foreign")
        for k in has:
            has[k] |= codes == k
    lean = {"partner_private": r.techy, "partner_foreign": r.techy, "partner_volunteer": r.citizen}
    for k, targets in cal.PARTNERS.items():
        for g, target in targets.items():
            m = (group == g).to_numpy() & inn
            cell_w, have = r.w[m].sum(), r.w[m & has[k]].sum()
            free = m & collab & ~has[k]
            need = max(target / 100 * cell_w - have, 0.0) / r.w[free].sum()
            score = 0.8 * lean.get(k, r.drive) + r.noise()
            has[k] |= r.flag(free, group, {g: 100 * need}, score)
        r.put(k, has[k], inn)


def _novelty_spread_types(r: _Round, inn: np.ndarray, group: pd.Series) -> None:
    sector = r.df["sector"]
    score = r.drive + 0.5 * r.techy + r.noise()
    r.put("novelty", r.categories(inn, group, cal.NOVELTY, score, "dont_know"), inn)
    everyone = pd.Series("all", index=r.df.index)
    spread = r.flag(inn, everyone, {"all": cal.SPREAD_ANY}, r.drive + r.noise())
    r.put("spread_any", spread, inn)
    scale = r.w[inn].sum() / r.w[spread].sum()
    for k, target in cal.SPREAD_CHANNELS.items():
        r.put(k, r.flag(spread, everyone, {"all": target * scale}, r.drive + r.noise()), inn)
    shares = {s: cal.TYPES for s in sector.unique()}
    types = {k: r.flag(inn, sector, {s: v[k] for s, v in shares.items()}, r.noise()) for k in cal.TYPES}
    none = inn & ~np.logical_or.reduce(list(types.values()))
    types["type_process"] |= none
    for k, v in types.items():
        r.put(k, v, inn)
    r.put("started_by_new_tech",
          r.flag(inn, group, cal.BY_TECH_GROUP["started_by_new_tech"], r.techy + r.noise()), inn)
    r.put("core_task", r.flag(inn, group, cal.BY_TECH_GROUP["core_task"], r.noise()), inn)


def _innovated(r: _Round, round_: str, counts: int | None) -> np.ndarray:
    sector = r.df["sector"]
    everyone = np.ones(len(r.df), dtype=bool)
    targets = cal.INNOVATED[round_]
    per_cell = None if counts is None else _counts(r, everyone, sector, targets, counts)
    inn = r.flag(everyone, sector, targets, r.drive + 0.4 * r.techy + r.noise(), per_cell)
    r.put("innovated", inn, everyone)
    return inn


def generate(seed: int = 2020) -> pd.DataFrame:
    """Return the synthetic microdata of both rounds, in the column order of the codebook."""
    rng = np.random.default_rng(seed)
    current = _Round(ROUNDS[0], rng)
    everyone = np.ones(len(current.df), dtype=bool)
    _curiosity(current, everyone)
    inn = _innovated(current, ROUNDS[0], cal.INNOVATORS)
    tech = _technology(current, inn)
    assert tech.sum() == cal.TECH_INNOVATIONS and set(current.df.loc[tech, "tech_role"]) <= set(TECH_ROLES)
    group = current.df["tech_group"]
    _values(current, inn, group)
    _people(current, inn, group, tech)
    _collaboration(current, inn, group)
    _novelty_spread_types(current, inn, group)
    earlier = _Round(ROUNDS[1], rng)
    _innovated(earlier, ROUNDS[1], None)
    parts = []
    for r, prefix in ((current, "r19"), (earlier, "r16")):
        df = r.df.iloc[rng.permutation(len(r.df))].reset_index(drop=True)
        df.insert(0, "id", [f"{prefix}-{i:05d}" for i in range(1, len(df) + 1)])
        parts.append(df)
    out = pd.concat(parts, ignore_index=True)
    for column in COLUMNS:
        if column not in out:
            out[column] = pd.NA
    return out[list(COLUMNS)]


def scale_up(df: pd.DataFrame, factor: int) -> pd.DataFrame:
    """Return `factor` copies of the rows with fresh ids and weights divided by `factor`.

    Shares and population totals are unchanged; only the row count grows (for load tests).
    """
    if factor == 1:
        return df
    copies = []
    for k in range(factor):
        part = df.copy()
        part["id"] = part["id"] + f"-{k:04d}"
        part["weight"] = part["weight"] / factor
        copies.append(part)
    return pd.concat(copies, ignore_index=True)


def to_csv_text(df: pd.DataFrame) -> str:
    """Return the CSV text of the data: codes as is, bools as true/false, NA as empty."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == "boolean":
            out[column] = out[column].map({True: "true", False: "false"}).astype("object")
    out["weight"] = out["weight"].map(lambda x: f"{x:.10g}")
    out["stratum_population"] = out["stratum_population"].map(lambda x: "" if pd.isna(x) else f"{x:.0f}")
    return out.to_csv(index=False, lineterminator="\n")


def write(df: pd.DataFrame, path: Path) -> None:
    """Write the data to `path` as CSV or, for a .parquet name, Parquet."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        path.write_text(to_csv_text(df), encoding="utf-8")
