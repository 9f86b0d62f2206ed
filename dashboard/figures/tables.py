"""The numbers behind each figure for a filter: one tidy table, shared by the CLI, the charts and
the data downloads."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..data import codebook as cb
from ..data import estimators
from ..data.cube import Cells, Cube
from ..data.filters import Filter
from .specs import BY_ID, NORDIC, FigureSpec

COLUMNS = ["figure", "series", "category", "share", "ci_low", "ci_high", "n", "n_eff", "suppressed",
           "reason", "flagged", "highlighted", "p_value", "significant", "series_label", "category_label"]
SERIES_ORDER = {
    "tech_split": list(cb.TECH_SPLIT_CODES),
    "tech_group": list(cb.TECH_GROUP_CODES),
    "sector": list(cb.SECTORS),
    "round": list(reversed(cb.ROUNDS)),
    "tech_new": ["new", "known"],
}
REASONS = {
    "no_respondents": {"da": "ingen svar i dette udvalg", "en": "no respondents in this selection"},
    "n_lt_3": {"da": "færre end 3 svar", "en": "fewer than 3 respondents"},
    "cell_lt_3": {"da": "tallet hviler på færre end 3 svar", "en": "the value rests on fewer than 3 respondents"},
    "neff_lt_30": {"da": "effektivt n under 30", "en": "effective n below 30"},
    "published_range": {"da": "kun offentliggjort som interval", "en": "published only as a range"},
}
_TECH_OF = {  # filter code -> (tech_role codes, tech_group codes, tech_split codes) it selects
    **{c: ((c,), ("new_tech", "known_tech"), ("tech",)) for c in cb.TECH_ROLES},
    **{c: ((c,), ("non_tech",), ("non_tech",)) for c in ("minor", "none", "dont_know")},
    "new_tech": (cb.TECH_ROLES, ("new_tech",), ("tech",)),
    "known_tech": (cb.TECH_ROLES, ("known_tech",), ("tech",)),
    "non_tech": (("minor", "none", "dont_know"), ("non_tech",), ("non_tech",)),
}


def indicators(spec: FigureSpec, df: pd.DataFrame) -> pd.DataFrame:
    """Return one 0/1/NaN column per category of `spec` (NaN: not asked or outside the category)."""
    out = {}
    for cat in spec.categories:
        columns = cat.variable.split("|")
        answered = df[columns].notna().all(axis=1)
        if cat.codes == ("true",):
            y = df[columns].fillna(False).astype(bool).any(axis=1)
            answered |= y  # one "yes" settles "any of", even if another item is unanswered
        else:
            y = df[cat.variable].astype("object").isin(cat.codes)
        if cat.na_false:  # not asked (a workplace without innovation) counts as "no"
            answered |= ~df["innovated"].fillna(False).astype(bool)
        for column, codes in cat.within:
            answered &= df[column].astype("object").isin(codes)
        out[cat.code] = y.astype(float).where(answered)
    return pd.DataFrame(out, index=df.index)


def _series(spec: FigureSpec, cells: pd.DataFrame) -> pd.Series | None:
    """Return the series label of each cell ('' = in no series), or None for a single series."""
    if spec.series is None:
        return None
    if spec.series == "tech_split":
        split = np.where(cells["tech_role"].isin(cb.TECH_ROLES), "tech", "non_tech")
        return pd.Series(np.where(cells["innovated"], split, ""), index=cells.index)
    return cells[spec.series].where(cells[spec.series].isin(SERIES_ORDER[spec.series]), "")


def _base(spec: FigureSpec, cells: pd.DataFrame) -> pd.Series:
    """Return the cells in the figure's base."""
    if spec.base == "innovators":
        return cells["innovated"].astype(bool)
    if spec.base == "tech_innovators":
        return cells["tech_role"].isin(cb.TECH_ROLES)
    return pd.Series(True, index=cells.index)


def _highlighted(spec: FigureSpec, filt: Filter, table: pd.DataFrame) -> np.ndarray:
    """Return True for the bars the filters on the figure's own variables select."""
    marks = np.zeros(len(table), dtype=bool)
    for key in spec.highlight:
        codes = getattr(filt, key) if key != "round" else filt.active().get("round", ())
        if not codes:
            continue
        if key == "tech_role":
            roles, groups, splits = (set().union(*x) for x in zip(*(_TECH_OF[c] for c in codes)))
            wanted = roles | groups | splits
            where = table["series"] if spec.series in ("tech_split", "tech_group") else table["category"]
            wanted |= {"new"} if "new_tech" in groups else set()
            wanted |= {"known"} if "known_tech" in groups else set()
            where = table["series"] if spec.series == "tech_new" else where
        elif key == "value":
            wanted, where = {"value_" + v for v in codes}, table["category"]
        else:  # sector or round: a series of the figure, else categories named after it
            wanted = set(codes)
            where = table["series"] if spec.series == key else table["category"]
        marks |= where.isin(wanted).to_numpy()
    return marks


class FigureData:
    """The microdata with one precomputed cube per figure, built on first use."""

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self._cells: Cells | None = None
        self._cubes: dict[str, Cube] = {}

    def cube(self, spec: FigureSpec) -> Cube:
        """Return the figure's cube, building it once."""
        if spec.id not in self._cubes:
            if self._cells is None:
                self._cells = Cells.of(self.df)
            self._cubes[spec.id] = Cube.build(self.df, indicators(spec, self.df), self._cells)
        return self._cubes[spec.id]

    def table(self, figure: str | FigureSpec, filt: Filter = Filter(), lang: str = "da") -> pd.DataFrame:
        """Return the numbers behind a figure for a filter, shares in percent (COLUMNS).

        Suppressed cells have no share or interval, only the reason.
        """
        spec = BY_ID[figure] if isinstance(figure, str) else figure
        if spec.id == "nordic":
            return nordic_table(lang)
        cube = self.cube(spec)
        cells = cube.cells
        keys = [k for k in spec.filters if k != "round"]
        if spec.series != "round":
            keys.append("round")
            filt_rows = replace(filt, round=cb.CURRENT_ROUND)
        else:
            filt_rows = filt
        series = _series(spec, cells)
        order = SERIES_ORDER.get(spec.series, ["all"])
        est, sums = cube.estimate(filt_rows, keys, _base(spec, cells), series, order)
        if spec.series_total:
            total, _ = cube.estimate(filt_rows, keys, _base(spec, cells), None, ["all"])
            est = pd.concat([total, est], ignore_index=True)
        table = self._tidy(spec, est, lang)
        table["highlighted"] = _highlighted(spec, filt, table)
        return self._tests(spec, table, sums, cube)

    def _tidy(self, spec: FigureSpec, est: pd.DataFrame, lang: str) -> pd.DataFrame:
        pct = est[["share", "ci_low", "ci_high"]].astype(float) * 100
        pct = pct.where(~est["suppressed"].astype(bool), axis=0)
        labels = {c.code: c.text(lang) for c in spec.categories}
        return pd.DataFrame({
            "figure": spec.id, "series": est["group"].astype(str), "category": est["category"].astype(str),
            "share": pct["share"].round(4), "ci_low": pct["ci_low"].round(4), "ci_high": pct["ci_high"].round(4),
            "n": est["n"].astype(int), "n_eff": est["n_eff"].astype(float).round(1),
            "suppressed": est["suppressed"].astype(bool), "reason": est["reason"].fillna(""),
            "flagged": est["flagged"].astype(bool),
            "series_label": [series_label(spec, g, lang) for g in est["group"].astype(str)],
            "category_label": est["category"].astype(str).map(labels),
        })

    def _tests(self, spec: FigureSpec, table: pd.DataFrame, sums: pd.DataFrame, cube: Cube) -> pd.DataFrame:
        table["p_value"], table["significant"] = np.nan, pd.array([pd.NA] * len(table), dtype="boolean")
        groups = [g for g in SERIES_ORDER.get(spec.series, []) if g in set(sums["group"].astype(str))]
        if spec.compare and len(groups) >= 2:
            if spec.compare == "pair":
                test = estimators.difference_test(sums, cube.stratum_sizes, groups[0], groups[1])
            else:
                test = estimators.equality_test(sums, cube.stratum_sizes, groups)
            by_cat = test.set_index(test["category"].astype(str))
            hidden = table[table["series"].isin(groups) & table["suppressed"]]["category"].unique()
            p_value = table["category"].map(by_cat["p_value"]).astype(float).round(6)
            table["p_value"] = p_value.where(~table["category"].isin(hidden))  # no test on hidden values
            sig = table["category"].map(by_cat["significant"]).where(~table["category"].isin(hidden))
            table["significant"] = pd.array(sig.where(sig.notna(), None), dtype="boolean")
        return table[COLUMNS]


def series_label(spec: FigureSpec, code: str, lang: str) -> str:
    """Return the label of a series code."""
    if code == "all":
        return {"da": "Alle", "en": "All"}[lang]
    names = {"tech_split": "TECH_SPLIT_LABELS", "tech_group": "TECH_GROUP_LABELS", "sector": "SECTOR_LABELS",
             "tech_new": "TECH_NEW_LABELS"}
    if spec.series in names:
        return getattr(cb, names[spec.series])[code][lang]
    return code


def nordic_table(lang: str = "da") -> pd.DataFrame:
    """Return the published Nordic aggregates; ranges have bounds but no single share."""
    rows = []
    for code, da, en, low, high in NORDIC:
        exact = low == high
        rows.append({"figure": "nordic", "series": "all", "category": code, "share": low if exact else np.nan,
                     "ci_low": low, "ci_high": high, "n": 0, "n_eff": np.nan, "suppressed": False,
                     "reason": "" if exact else "published_range", "flagged": False, "highlighted": False,
                     "p_value": np.nan, "significant": pd.NA, "series_label": series_label(BY_ID["nordic"], "all", lang),
                     "category_label": da if lang == "da" else en})
    table = pd.DataFrame(rows)
    table["significant"] = table["significant"].astype("boolean")
    return table[COLUMNS]
