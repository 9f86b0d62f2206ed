"""Synthetic microdata calibrated to the published figures.

Rows and weights come from the sampling design (`design`, `weighting`). Every answer is a logistic
model of the workplace's latent traits, size and sub-sector (`latent`): a row answers yes when its
score (linear predictor plus a logistic draw) is above its calibration cell's threshold, placed so
the weighted share of the cell equals the target in `calibration` among those who answered
(`selection.top_share`). Two fitted parameters give the exact published counts: the size effect on
innovating (1,877 innovators) and on technological innovation (733). Multi-item questions share a
block factor; where the publication gives the share answering any item (collaboration, citizens'
role) its loading is fitted per cell so that share holds too. Item nonresponse follows
`latent.NONRESPONSE`; shares are calibrated over the rows that answered.

`generate(seed, trace=...)` fills `trace` with each calibrated item's score, cell and rows, so tests
can check that the chosen rows are always the top of their cell.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from . import calibration as cal
from . import latent
from .codebook import COLUMNS, ROUNDS, TECH_ROLES, derive_tech_group
from .design import strata
from .questions import collaboration, people, spread_novelty, types_core_values
from .selection import fit_cell_shares, fix_count, flag_cells, ordered_codes, solve, top_share
from .weighting import respondents

_DESIGN = ["round", "sector", "industry", "size", "stratum", "weight", "stratum_population"]


class Round:
    """Rows of one survey round being filled in: weights, latent terms, answers so far."""

    def __init__(self, round_: str, seed: int, trace: dict | None = None):
        self.round, self.seed, self.trace = round_, seed, trace
        rows = respondents(strata(round_), self.rng("weights"))
        self.df = rows.rename(columns={"population": "stratum_population"})[_DESIGN].copy()
        self.w = self.df["weight"].to_numpy(float)
        self.terms = {**latent.traits(self.df, self.rng("traits")),
                      "size": self.df["size"].map(latent.SIZE_STEP).to_numpy(float)}
        small = (self.df["size"] == "small").to_numpy(float)
        self.missing = {q: latent.unanswered(rate, small, self.terms["drive"], self.rng(f"missing:{q}"))
                        for q, (rate, _) in latent.NONRESPONSE.items()}
        self.fitted: dict[str, float] = {}

    def rng(self, name: str) -> np.random.Generator:
        """Return the random stream `name` of this round (streams do not depend on each other)."""
        return np.random.default_rng([self.seed, ROUNDS.index(self.round), zlib.crc32(name.encode())])

    def answered(self, asked: np.ndarray, question: str) -> np.ndarray:
        """Return the rows in `asked` that answer `question`."""
        return asked & ~self.missing[question] if question in self.missing else asked

    def score(self, item: str, extra: dict | None = None, shared: np.ndarray | None = None) -> np.ndarray:
        """Return the item's linear predictor plus its own logistic draw."""
        terms = {**self.terms, "shared": shared if shared is not None else np.zeros(len(self.df))}
        for column in self.df.columns[len(_DESIGN):]:
            if self.df[column].dtype == "boolean":
                terms[column] = self.df[column].fillna(False).to_numpy(float)
        return latent.predictor(item, terms, self.df, extra) + self.rng(f"noise:{item}").logistic(size=len(self.df))

    def shared(self, block: str) -> np.ndarray:
        """Return the block factor of a multi-item question."""
        return self.rng(f"shared:{block}").standard_normal(len(self.df))

    def cells(self, mask: np.ndarray, key) -> dict[object, np.ndarray]:
        """Return {cell key: row indices} for the rows in `mask`."""
        key = np.asarray(key, dtype=object)
        return {k: np.flatnonzero(mask & (key == k)) for k in pd.unique(key[mask])}

    def flag(self, item: str, mask, key, targets: dict, score: np.ndarray) -> np.ndarray:
        """Return the top rows of each cell reaching its target share (percent); record the trace."""
        out = flag_cells(score, self.w, self.cells(mask, key), {k: v / 100 for k, v in targets.items()})
        self.record(item, score, key, mask)
        return out

    def record(self, item: str, score, key, mask) -> None:
        """Keep an item's score, cells and calibrated rows in the trace (when tracing)."""
        if self.trace is not None:
            self.trace[(self.round, item)] = (score, np.asarray(key, dtype=object), mask.copy())

    def categories(self, item: str, mask, key, shares: dict, score, rest: str, asides=()) -> np.ndarray:
        """Return codes for the rows in `mask` (None elsewhere), percent `shares` per cell key.

        `asides` are (code, score, {cell: percent}) taken first, each by its own ranking; the other
        rows are cut into bands of `shares` by `score`, the rest getting `rest`.
        """
        out = np.full(len(self.df), None, dtype=object)
        for k, idx in self.cells(mask, key).items():
            total, free = self.w[idx].sum(), idx
            for code, aside_score, share in asides:
                pick = top_share(aside_score[free], self.w[free], share[k] / 100 * total / self.w[free].sum())
                out[free[pick]] = code
                free = free[~pick]
            left = self.w[free].sum()
            out[free] = ordered_codes(score[free], self.w[free], {c: v / 100 * total / left for c, v in shares[k].items()},
                                      rest)
        self.record(item, score, key, mask)
        return out

    def put(self, column: str, values: np.ndarray, asked: np.ndarray, question: str | None = None) -> None:
        """Store `values` where asked and answered, NA elsewhere."""
        keep = self.answered(asked, question or column)
        if values.dtype == bool:
            self.df[column] = pd.array(np.where(keep, values, False), dtype="boolean")
            self.df.loc[~keep, column] = pd.NA
        else:
            self.df[column] = pd.Series(np.where(keep, values, None), dtype="object")


def with_count(r: Round, item: str, mask, key, targets: dict, count: int | None, size: float = 0.0) -> np.ndarray:
    """Return the item's answers; with `count`, its size effect is fitted so exactly `count` rows say yes,
    else it is `size`."""
    base = r.score(item)
    cells = r.cells(mask, key)

    def draw(b):
        return flag_cells(base + b * r.terms["size"], r.w, cells, {k: v / 100 for k, v in targets.items()})

    b = size if count is None else solve(lambda x: float(draw(x).sum()), count, -1.5, 2.5)
    out = draw(b) if count is None else fix_count(draw(b), base + b * r.terms["size"], r.w, cells, count)
    r.fitted[f"{item}_size"] = b
    r.record(item, base + b * r.terms["size"], key, mask)
    return out


def _curiosity(r: Round) -> None:
    everyone = np.ones(len(r.df), dtype=bool)
    asked = r.answered(everyone, "curiosity")
    key = np.full(len(r.df), "all", dtype=object)
    asides = [("not_relevant", r.score("curiosity_not_relevant"), {"all": cal.CURIOSITY_RANDOM["not_relevant"]}),
              ("dont_know", r.score("curiosity_dont_know"), {"all": cal.CURIOSITY_RANDOM["dont_know"]})]
    codes = r.categories("curiosity", asked, key, {"all": cal.CURIOSITY_ORDERED}, r.score("curiosity"),
                         "disagree_fully", asides)
    r.put("curiosity", codes, everyone)


def _innovated(r: Round, count: int | None, size: float = 0.0) -> np.ndarray:
    everyone = np.ones(len(r.df), dtype=bool)
    inn = with_count(r, "innovated", everyone, r.df["sector"], cal.INNOVATED[r.round], count, size)
    r.put("innovated", inn, everyone)
    return inn


def _tech_cells(r: Round, inn: np.ndarray) -> tuple[np.ndarray, dict]:
    """Return the cell key (sector x curiosity) and its target shares of technological innovation."""
    curiosity = r.df["curiosity"].astype("object")
    level = np.where(curiosity == "agree_fully", "fully", np.where(curiosity.isna(), "na", "other"))
    key = (r.df["sector"].astype(str) + "|" + level).to_numpy(dtype=object)
    keys = list(pd.unique(key[inn]))
    kw = np.array([r.w[inn & (key == k)].sum() for k in keys])
    sectors, levels = list(cal.TECH_BY_SECTOR), ["other", "fully", "na"]
    share = fit_cell_shares(kw, [np.array([sectors.index(k.split("|")[0]) for k in keys]),
                                 np.array([levels.index(k.split("|")[1]) for k in keys])],
                            [{i: v / 100 for i, v in enumerate(cal.TECH_BY_SECTOR.values())},
                             {1: cal.TECH_IF_FULLY_CURIOUS / 100}])
    return key, {k: 100 * p for k, p in zip(keys, share)}


def _technology(r: Round, inn: np.ndarray) -> np.ndarray:
    key, targets = _tech_cells(r, inn)
    tech = with_count(r, "tech", inn, key, targets, cal.TECH_INNOVATIONS)
    everyone = np.full(len(r.df), "all", dtype=object)
    solution = r.flag("tech_solution", tech, everyone, {"all": 100 * cal.SOLUTION_OF_TECH}, r.score("tech_solution"))
    non = {"all": {"minor": 100 * cal.NON_TECH_SPLIT["minor"]}}
    dont_know = {"all": 100 * (1 - sum(cal.NON_TECH_SPLIT.values()))}
    role = r.categories("tech_minor", inn & ~tech, everyone, non, r.score("tech_minor"), "none",
                        [("dont_know", r.score("tech_role_dont_know"), dont_know)])
    role[tech] = np.where(solution[tech], "solution", "important")
    r.put("tech_role", role, inn)
    new = r.categories("tech_new", tech, everyone, {"all": {"new": cal.TECH_NEW_OF_TECH["new"]}}, r.score("tech_new"),
                       "known", [("dont_know", r.score("tech_new_dont_know"), {"all": cal.TECH_NEW_OF_TECH["dont_know"]})])
    r.put("tech_new", new, tech)
    r.put("tech_group", np.array([derive_tech_group(a, b) for a, b in zip(role, new)], dtype=object), inn)
    kinds = np.full(len(r.df), None, dtype=object)
    draw = r.rng("technology")
    for which, probs in cal.TECHNOLOGY.items():
        rows = np.flatnonzero(tech & ((new == "new") if which == "new" else (new != "new")))
        p = np.array([*probs.values(), 5.0])
        kinds[rows] = draw.choice([*probs, "other"], size=rows.size, p=p / p.sum())
    r.put("technology", kinds, tech)
    return tech


def generate(seed: int = 2020, trace: dict | None = None) -> pd.DataFrame:
    """Return the synthetic microdata of both rounds, in the column order of the codebook.

    With `trace` (a dict), fill it with {(round, item): (score, cell key, calibrated rows)}, arrays in
    the order of that round's rows in the result.
    """
    current = Round(ROUNDS[0], seed, trace)
    _curiosity(current)
    inn = _innovated(current, cal.INNOVATORS)
    tech = _technology(current, inn)
    assert tech.sum() == cal.TECH_INNOVATIONS and set(current.df.loc[tech, "tech_role"]) <= set(TECH_ROLES)
    group = current.df["tech_group"].astype("object").fillna("").to_numpy(dtype=object)
    types_core_values(current, inn, group)
    people(current, inn, group, tech)
    collaboration(current, inn, group)
    spread_novelty(current, inn, group)
    earlier = Round(ROUNDS[1], seed, trace)
    _innovated(earlier, None, current.fitted["innovated_size"])
    parts = []
    for r, prefix in ((current, "r19"), (earlier, "r16")):
        order = r.rng("order").permutation(len(r.df))
        for (round_, item), (score, key, mask) in list((trace or {}).items()):
            if round_ == r.round:
                trace[(round_, item)] = (score[order], key[order], mask[order])
        df = r.df.iloc[order].reset_index(drop=True)
        df.insert(0, "id", [f"{prefix}-{i:05d}" for i in range(1, len(df) + 1)])
        parts.append(df)
    out = pd.concat(parts, ignore_index=True)
    for column in COLUMNS:
        if column not in out:
            out[column] = pd.NA
    return out[list(COLUMNS)]


def scale_up(df: pd.DataFrame, factor: int) -> pd.DataFrame:
    """Return `factor` copies of the rows with fresh ids, weights divided by `factor` and each
    stratum_population multiplied by it.

    Shares and weighted totals are unchanged and so is each stratum's sampling fraction n_h / N_h
    (hence the finite population correction); only the row count grows (for load tests).
    """
    if factor == 1:
        return df
    copies = []
    for k in range(factor):
        part = df.copy()
        part["id"] = part["id"] + f"-{k:04d}"
        part["weight"] = part["weight"] / factor
        if "stratum_population" in part:
            part["stratum_population"] = part["stratum_population"] * factor
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
