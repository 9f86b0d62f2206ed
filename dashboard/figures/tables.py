"""The numbers behind each figure for a filter: one tidy table, shared by the CLI, the charts and
the data downloads."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict

import numpy as np
import pandas as pd

from ..data import codebook as cb
from ..data.cube import Cells, Cube
from ..data.fastcube import finish
from ..data.filters import CellMasks, Filter
from .numbers import FigureNumbers, Row, frame_of, rows_of
from .specs import BY_ID, FIGURES, NORDIC, FigureSpec
from .state import FigureSetup, add_tests, numbers, protect, select

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


def _highlighted(spec: FigureSpec, filt: Filter, series: list[str], category: list[str]) -> np.ndarray:
    """Return True for the bars (given by series and category codes) the filters on the figure's own variables select."""
    marks = np.zeros(len(series), dtype=bool)
    for key in spec.highlight:
        codes = getattr(filt, key) if key != "round" else filt.active().get("round", ())
        if not codes:
            continue
        if key == "tech_role":
            roles, groups, splits = (set().union(*x) for x in zip(*(_TECH_OF[c] for c in codes)))
            wanted = roles | groups | splits
            where = series if spec.series in ("tech_split", "tech_group") else category
            wanted |= {"new"} if "new_tech" in groups else set()
            wanted |= {"known"} if "known_tech" in groups else set()
            where = series if spec.series == "tech_new" else where
        elif key == "value":
            wanted, where = {"value_" + v for v in codes}, category
        else:  # sector or round: a series of the figure, else categories named after it
            wanted = set(codes)
            where = series if spec.series == key else category
        marks |= np.array([w in wanted for w in where], dtype=bool)
    return marks


class FigureData:
    """The microdata, with what each figure needs precomputed on first use (its cube and arrays), and the
    protected numbers of every figure per filter state (the last `STATES_KEPT` states are kept)."""

    STATES_KEPT = 512

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self._cells: Cells | None = None
        self._masks: CellMasks | None = None
        self._cubes: dict[str, Cube] = {}
        self._setups: dict[str, FigureSetup] = {}
        self._states: OrderedDict[Filter, dict[str, FigureNumbers]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def cells(self) -> Cells:
        """Return the fine cells of the data, computed once."""
        if self._cells is None:
            self._cells = Cells.of(self.df)
        return self._cells

    @property
    def masks(self) -> CellMasks:
        """Return the filter masks over the fine cells, computed once."""
        if self._masks is None:
            self._masks = CellMasks(self.cells.attrs)
        return self._masks

    @property
    def fpc(self) -> bool:
        """True when the data give every stratum's population, so variances carry the finite population correction."""
        return self.cells.strata.fpc

    def cube(self, spec: FigureSpec) -> Cube:
        """Return the figure's cube, building it once."""
        if spec.id not in self._cubes:
            self._cubes[spec.id] = Cube.build(self.df, indicators(spec, self.df), self.cells)
        return self._cubes[spec.id]

    def setup(self, spec: FigureSpec) -> FigureSetup:
        """Return what the figure needs to be estimated for any filter, building it once."""
        if spec.id not in self._setups:
            cube = self.cube(spec)
            self._setups[spec.id] = FigureSetup.of(spec, cube, _base(spec, cube.cells), _series(spec, cube.cells),
                                                   SERIES_ORDER.get(spec.series, ["all"]))
        return self._setups[spec.id]

    def prepare(self) -> None:
        """Build every figure's arrays now (the app does at start, so no request waits for them); returns None."""
        for spec in FIGURES:
            if spec.id != "nordic":
                self.setup(spec)

    def estimates(self, filt: Filter = Filter()) -> dict[str, FigureNumbers]:
        """Return every figure's numbers for `filt` (shares as proportions), after the presentation rules,
        the differencing rule and complementary suppression, with the tests between groups."""
        with self._lock:
            if filt in self._states:
                self._states.move_to_end(filt)
                return self._states[filt]
        setups = [self.setup(spec) for spec in FIGURES if spec.id != "nordic"]
        selections = [select(st, self.masks, filt) for st in setups]
        estimated = iter(finish([part for sel in selections for part in sel.parts]))  # every interval at once
        state, series = {}, {}
        for st, sel in zip(setups, selections, strict=True):
            parts = [next(estimated) for _ in sel.parts]
            state[st.spec.id], series[st.spec.id] = numbers(st, self.masks, sel, parts), parts[-1]
        protect(state, filt)
        for fid, nums in state.items():
            add_tests(self._setups[fid], nums, series[fid])
        with self._lock:
            self._states[filt] = state
            if len(self._states) > self.STATES_KEPT:
                self._states.popitem(last=False)
        return state

    def rows(self, figure: str | FigureSpec, filt: Filter = Filter(), lang: str = "da") -> list[Row]:
        """Return the bars of a figure for a filter as the page draws them: shares in percent at full
        precision (NaN where hidden), labels in `lang`, which bars the filter highlights."""
        spec = BY_ID[figure] if isinstance(figure, str) else figure
        if spec.id == "nordic":
            return list(_nordic_rows(lang))
        nums = self.estimates(filt)[spec.id]
        labels = _category_labels(spec.id, lang)
        marked = _highlighted(spec, filt, nums.series, nums.category)
        out = []
        for i in range(len(nums)):
            hidden = bool(nums.suppressed[i])
            reason = nums.reason[i] or ""
            share, low, high = ((np.nan, np.nan, np.nan) if hidden else
                                (100 * nums.share[i], 100 * nums.ci_low[i], 100 * nums.ci_high[i]))
            out.append(Row(spec.id, nums.series[i], nums.category[i], float(share), float(low), float(high),
                           int(nums.n[i]), np.nan if hidden else float(nums.n_eff[i]), hidden, reason,
                           bool(nums.flagged[i]), bool(marked[i]), float(nums.p_value[i]), nums.significant[i],
                           series_label(spec, nums.series[i], lang), labels[nums.category[i]],
                           REASONS[reason][lang] if reason else ""))
        return out

    def table(self, figure: str | FigureSpec, filt: Filter = Filter(), lang: str = "da") -> pd.DataFrame:
        """Return the numbers behind a figure for a filter, shares in percent (COLUMNS), at full precision.

        Hidden cells have no share, interval or effective n, only the reason. `published` rounds the
        table as every download and the command line give it.
        """
        spec = BY_ID[figure] if isinstance(figure, str) else figure
        if spec.id == "nordic":
            return nordic_table(lang)
        return frame_of(self.rows(spec, filt, lang))[COLUMNS]


@functools.lru_cache(maxsize=4)
def _nordic_rows(lang: str) -> tuple[Row, ...]:
    """Return the Nordic chart's bars in `lang` (published values: the same for every filter)."""
    return tuple(rows_of(nordic_table(lang)))


@functools.lru_cache(maxsize=64)
def _category_labels(figure: str, lang: str) -> dict[str, str]:
    """Return {category code: label} of a figure in `lang`."""
    return {c.code: c.text(lang) for c in BY_ID[figure].categories}


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
