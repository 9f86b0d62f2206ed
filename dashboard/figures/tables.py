"""The numbers behind each figure for a filter: one tidy table, shared by the CLI, the charts and
the data downloads."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

import numpy as np
import pandas as pd

from ..data import codebook as cb
from ..data import disclosure, estimators
from ..data.cube import Cells, Cube
from ..data.filters import Filter
from .differencing import cell_counts, small_differences, wider_states
from .relations import cell_frame, relations
from .specs import BY_ID, FIGURES, NORDIC, FigureSpec

COLUMNS = ["figure", "series", "category", "share", "ci_low", "ci_high", "n", "n_eff", "suppressed",
           "reason", "flagged", "highlighted", "p_value", "significant", "series_label", "category_label",
           "reason_label"]
SERIES_ORDER = {
    "tech_split": list(cb.TECH_SPLIT_CODES),
    "tech_group": list(cb.TECH_GROUP_CODES),
    "sector": list(cb.SECTORS),
    "round": list(reversed(cb.ROUNDS)),
    "tech_new": ["new", "known"],
}
REASONS = {  # why a value is hidden (or, for the Nordic chart, shown as a range)
    "no_respondents": {"da": "ingen svar i dette udvalg", "en": "no respondents in this selection"},
    "n_lt_3": {"da": "færre end 3 svar", "en": "fewer than 3 respondents"},
    "cell_lt_3": {"da": "tallet hviler på færre end 3 svar", "en": "the value rests on fewer than 3 respondents"},
    "neff_lt_30": {"da": "effektivt n under 30", "en": "effective n below 30"},
    "width_ge_30": {"da": "for usikkert: intervallet er mindst 30 point bredt",
                    "en": "too uncertain: the interval is 30 points wide or more"},
    "rel_width_gt_130": {"da": "for usikkert: intervallet er bredere end 130 % af andelen",
                         "en": "too uncertain: the interval is wider than 130 % of the share"},
    "differencing": {"da": "skjult, så det ikke kan regnes ud ved at sammenligne med et bredere udvalg",
                     "en": "hidden so that it cannot be worked out by comparing with a wider selection"},
    "complementary": {"da": "skjult, så en anden skjult værdi ikke kan regnes ud",
                      "en": "hidden so that another hidden value cannot be worked out"},
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
    """The microdata with one precomputed cube per figure, built on first use, and the protected
    estimates of every figure per filter state (the last `STATES_KEPT` states are kept)."""

    STATES_KEPT = 256

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self._cells: Cells | None = None
        self._cubes: dict[str, Cube] = {}
        self._counts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._states: OrderedDict[Filter, dict[str, pd.DataFrame]] = OrderedDict()

    @property
    def cells(self) -> Cells:
        """Return the fine cells of the data, computed once."""
        if self._cells is None:
            self._cells = Cells.of(self.df)
        return self._cells

    @property
    def fpc(self) -> bool:
        """True when the data give every stratum's population, so variances carry the finite population correction."""
        return self.cells.strata.fpc

    def cube(self, spec: FigureSpec) -> Cube:
        """Return the figure's cube, building it once."""
        if spec.id not in self._cubes:
            self._cubes[spec.id] = Cube.build(self.df, indicators(spec, self.df), self.cells)
        return self._cubes[spec.id]

    def table(self, figure: str | FigureSpec, filt: Filter = Filter(), lang: str = "da") -> pd.DataFrame:
        """Return the numbers behind a figure for a filter, shares in percent (COLUMNS), at full precision.

        Hidden cells have no share, interval or effective n, only the reason. `published` rounds the
        table as every download and the command line give it.
        """
        spec = BY_ID[figure] if isinstance(figure, str) else figure
        if spec.id == "nordic":
            return nordic_table(lang)
        raw = self.estimates(filt)[spec.id]
        table = _labelled(spec, raw, lang)
        table["highlighted"] = _highlighted(spec, filt, table)
        return table[COLUMNS]

    def estimates(self, filt: Filter = Filter()) -> dict[str, pd.DataFrame]:
        """Return every figure's estimates for `filt` (shares as proportions), after the presentation rules,
        the differencing rule and complementary suppression, with the tests between groups.

        Columns: series, category, share, ci_low, ci_high, se, n, n_yes, n_eff, df, weight_sum, suppressed,
        reason, flagged, p_value, significant.
        """
        if filt in self._states:
            self._states.move_to_end(filt)
            return self._states[filt]
        specs = [s for s in FIGURES if s.id != "nordic"]
        raw, sums = {}, {}
        for spec in specs:
            raw[spec.id], sums[spec.id] = self._primary(spec, filt)
            for series, category in self._differencing(spec, filt):
                _hide(raw[spec.id], (raw[spec.id]["series"] == series) & (raw[spec.id]["category"] == category),
                      "differencing")
        cells = cell_frame(raw)
        hidden = cells["suppressed"].to_numpy(dtype=bool)
        cost = np.nan_to_num(cells["share"].to_numpy(dtype=float), nan=0.0) + 1e-6 * cells["n"].to_numpy(dtype=float)
        extra = disclosure.protect(relations(cells, filt), hidden, cost)
        start = 0
        for spec in specs:
            table = raw[spec.id]
            _hide(table, pd.Series(extra[start:start + len(table)], index=table.index), "complementary")
            start += len(table)
            raw[spec.id] = self._tests(spec, table, sums[spec.id])
        self._states[filt] = raw
        if len(self._states) > self.STATES_KEPT:
            self._states.popitem(last=False)
        return raw

    def _keys(self, spec: FigureSpec, filt: Filter) -> tuple[list[str], Filter]:
        """Return the filter keys that restrict the figure's rows, and the filter its rows are selected by."""
        keys = [k for k in spec.filters if k != "round"]
        if spec.series == "round":
            return keys, filt
        return [*keys, "round"], replace(filt, round=cb.CURRENT_ROUND)

    def _primary(self, spec: FigureSpec, filt: Filter) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return the figure's estimates with the presentation rules applied, and the sums behind them."""
        cube = self.cube(spec)
        cells = cube.cells
        keys, filt_rows = self._keys(spec, filt)
        series = _series(spec, cells)
        order = SERIES_ORDER.get(spec.series, ["all"])
        est, sums = cube.estimate(filt_rows, keys, _base(spec, cells), series, order)
        if spec.series_total:
            total, _ = cube.estimate(filt_rows, keys, _base(spec, cells), None, ["all"])
            est = pd.concat([total, est], ignore_index=True)
        out = est[["share", "ci_low", "ci_high", "se", "n", "n_yes", "n_eff", "df", "weight_sum", "suppressed", "reason",
                   "flagged"]].copy()
        out.insert(0, "category", est["category"].astype(str))
        out.insert(0, "series", est["group"].astype(str))
        out["suppressed"] = out["suppressed"].astype(bool)
        return out.reset_index(drop=True), sums

    def _differencing(self, spec: FigureSpec, filt: Filter) -> set[tuple[str, str]]:
        """Return the figure's cells that a wider selection would reveal by difference (see `differencing`)."""
        keys, filt_rows = self._keys(spec, filt)
        wider = wider_states(filt_rows, [k for k in keys if k != "round"])
        if not wider:
            return set()
        cube = self.cube(spec)
        if spec.id not in self._counts:
            self._counts[spec.id] = cell_counts(cube.sums, len(cube.cells), list(cube.categories))
        base = _base(spec, cube.cells)
        series = _series(spec, cube.cells)
        codes = np.full(len(cube.cells), "all", dtype=object) if series is None else series.to_numpy(dtype=object)
        wanted = SERIES_ORDER.get(spec.series, ["all"])
        narrow = (base & filt_rows.mask(cube.cells, keys)).to_numpy()
        masks = [(base & w.mask(cube.cells, keys)).to_numpy() for w in wider]
        found = small_differences(*self._counts[spec.id], narrow, masks, codes, wanted, list(cube.categories))
        if spec.series_total:
            found |= {("all", c) for _, c in small_differences(*self._counts[spec.id], narrow, masks,
                                                                np.full(len(codes), "all", dtype=object), ["all"],
                                                                list(cube.categories))}
        return found

    def _tests(self, spec: FigureSpec, table: pd.DataFrame, sums: pd.DataFrame) -> pd.DataFrame:
        """Return `table` with p_value and significant: the design-based test between the figure's groups per
        category, left out where a compared value is hidden."""
        table = table.copy()
        table["p_value"], table["significant"] = np.nan, pd.array([pd.NA] * len(table), dtype="boolean")
        groups = [g for g in SERIES_ORDER.get(spec.series, []) if g in set(sums["group"].astype(str))]
        if spec.compare and len(groups) >= 2:
            cube = self.cube(spec)
            population = cube.stratum_population
            if spec.compare == "pair":
                test = estimators.difference_test(sums, cube.stratum_sizes, groups[0], groups[1],
                                                  stratum_population=population)
            else:
                test = estimators.equality_test(sums, cube.stratum_sizes, groups, stratum_population=population)
            by_cat = test.set_index(test["category"].astype(str))
            hidden = table[table["series"].isin(groups) & table["suppressed"]]["category"].unique()
            p_value = table["category"].map(by_cat["p_value"]).astype(float)
            table["p_value"] = p_value.where(~table["category"].isin(hidden))  # no test on hidden values
            sig = table["category"].map(by_cat["significant"]).where(~table["category"].isin(hidden))
            table["significant"] = pd.array(sig.where(sig.notna(), None), dtype="boolean")
        return table


def _hide(table: pd.DataFrame, where: pd.Series, reason: str) -> None:
    """Mark the shown cells of `table` in `where` as hidden for `reason`, in place; returns None."""
    new = where.to_numpy(dtype=bool) & ~table["suppressed"].to_numpy(dtype=bool)
    table.loc[new, "suppressed"] = True
    table.loc[new, "reason"] = reason
    table.loc[new, "flagged"] = False


def _labelled(spec: FigureSpec, raw: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return a figure's estimates in percent, hidden cells blanked, with the labels in `lang`."""
    hidden = raw["suppressed"].to_numpy(dtype=bool)
    pct = (raw[["share", "ci_low", "ci_high"]].astype(float) * 100).where(~raw["suppressed"].astype(bool), axis=0)
    labels = {c.code: c.text(lang) for c in spec.categories}
    reason = raw["reason"].fillna("").astype(str)
    return pd.DataFrame({
        "figure": spec.id, "series": raw["series"], "category": raw["category"],
        "share": pct["share"], "ci_low": pct["ci_low"], "ci_high": pct["ci_high"],
        "n": raw["n"].astype(int), "n_eff": raw["n_eff"].astype(float).where(~hidden),
        "suppressed": hidden, "reason": reason, "flagged": raw["flagged"].astype(bool),
        "p_value": raw["p_value"].astype(float), "significant": raw["significant"],
        "series_label": [series_label(spec, g, lang) for g in raw["series"]],
        "category_label": raw["category"].map(labels),
        "reason_label": [REASONS[r][lang] if r else "" for r in reason],
    })


def format_p(p: float, lang: str = "en") -> str:
    """Return a p-value as published: '< 0.001' below one in a thousand, else three decimals ('' for none).

    >>> format_p(0.00002), format_p(0.0123), format_p(0.0123, "da"), format_p(float("nan"))
    ('< 0.001', '0.012', '0,012', '')
    """
    if p is None or p != p:
        return ""
    text = "< 0.001" if p < 0.001 else f"{p:.3f}"
    return text.replace(".", ",") if lang == "da" else text


def published(table: pd.DataFrame) -> pd.DataFrame:
    """Return a figure table as downloads and the command line publish it: shares and intervals to one
    decimal, the effective n to a whole number, p-values as text ('< 0.001')."""
    out = table.copy()
    for column in ("share", "ci_low", "ci_high"):
        out[column] = out[column].astype(float).round(1)
    out["n_eff"] = out["n_eff"].astype(float).round(0).astype("Int64")
    out["p_value"] = [format_p(p) for p in out["p_value"].astype(float)]
    return out


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
                     "category_label": da if lang == "da" else en,
                     "reason_label": "" if exact else REASONS["published_range"][lang]})
    table = pd.DataFrame(rows)
    table["significant"] = table["significant"].astype("boolean")
    return table[COLUMNS]
