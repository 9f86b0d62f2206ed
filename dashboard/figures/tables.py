"""The numbers behind each figure for a filter: one tidy table, shared by the CLI, the charts and
the data downloads."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict

import numpy as np
import pandas as pd

from ..catalogs import CATALOGS, LOCALES, section
from ..data import codebook as cb
from ..data.cube import Cells, Cube
from ..data.fastcube import finish
from ..data.filters import CellMasks, Filter
from .numbers import FigureNumbers, Row, frame_of, rows_of
from .scope import SERIES_CODES, Scope, scope, variables
from .specs import BY_ID, FIGURES, NORDIC, SPECS, FigureSpec
from .state import FigureSetup, add_tests, domains, numbers, protect, select

COLUMNS = ["figure", "series", "category", "share", "ci_low", "ci_high", "n", "n_eff", "suppressed",
           "reason", "flagged", "highlighted", "p_value", "significant", "series_label", "category_label",
           "reason_label", "round"]
SERIES_ORDER = {kind: list(codes) for kind, codes in SERIES_CODES.items()}
REASONS = section("reason")  # why a value is hidden (or, for the Nordic chart, shown as a range)


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


def _row_base(spec: FigureSpec, df: pd.DataFrame) -> pd.Series:
    """Return the rows in the figure's base."""
    innovators = df["innovated"].fillna(False).astype(bool)
    if spec.base == "innovators":
        return innovators
    if spec.base == "tech_innovators":
        return innovators & df["tech_role"].astype("object").isin(cb.TECH_ROLES)
    return pd.Series(True, index=df.index)


def _base(spec: FigureSpec, cells: pd.DataFrame) -> pd.Series:
    """Return the cells in the figure's base."""
    if spec.base == "innovators":
        return cells["innovated"].astype(bool)
    if spec.base == "tech_innovators":
        return cells["tech_role"].isin(cb.TECH_ROLES)
    return pd.Series(True, index=cells.index)


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
        self._rounds: dict[str, tuple[str, ...]] = {}
        self._cell_codes: dict[tuple, np.ndarray] = {}
        self._scopes: dict[tuple, Scope] = {}
        self._states: OrderedDict[Filter, tuple] = OrderedDict()  # `_protected` per filter state
        self._views: OrderedDict[tuple, dict] = OrderedDict()  # views of several states (`view`)
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

    def cell_codes(self, column: str, codes: tuple[str, ...] | None) -> np.ndarray:
        """Return the fine cells whose attribute `column` holds one of `codes` (None: any answer), found once."""
        key = (column, codes)
        if key not in self._cell_codes:
            values = self.cells.attrs[column]
            self._cell_codes[key] = ((values != "") if codes is None else values.isin(codes)).to_numpy()
        return self._cell_codes[key]

    def rounds(self, figure: str | FigureSpec) -> tuple[str, ...]:
        """Return the rounds, newest first, in which the data answer every question of a figure (in its base),
        found from the data once."""
        spec = SPECS[figure] if isinstance(figure, str) else figure
        if spec.id not in self._rounds:
            if not spec.categories:
                self._rounds[spec.id] = ()
            else:
                base = _row_base(spec, self.df).to_numpy()[:, None]
                answers = self.df[list(variables(spec))].notna() & base
                held = answers.groupby(self.df["round"].astype(str).to_numpy()).any().all(axis=1)
                self._rounds[spec.id] = tuple(r for r in cb.ROUNDS if bool(held.get(r, False)))
        return self._rounds[spec.id]

    def data_rounds(self) -> tuple[str, ...]:
        """Return the rounds the data hold, newest first."""
        held = set(self.df["round"].astype(str).unique())
        return tuple(r for r in cb.ROUNDS if r in held)

    def round_figures(self, round_: str) -> tuple[str, ...]:
        """Return the ids of the figures whose questions the data answer in `round_`."""
        return tuple(spec.id for spec in FIGURES if round_ in self.rounds(spec))

    def scope(self, figure: str | FigureSpec, filt: Filter = Filter()) -> Scope:
        """Return how `filt` applies to a figure over these data (see `scope.scope`), found once per state."""
        spec = SPECS[figure] if isinstance(figure, str) else figure
        key = (spec.id, filt)
        found = self._scopes.get(key)
        if found is None:
            if len(self._scopes) >= 16 * self.STATES_KEPT:
                self._scopes.clear()
            found = self._scopes[key] = scope(spec, filt, self.rounds(spec))
        return found

    def prepare(self) -> None:
        """Build the arrays of every figure and question now (the app does at start, so no request waits for
        them); returns None."""
        for spec in SPECS.values():
            if spec.id != "nordic":
                self.setup(spec)

    def estimates(self, filt: Filter = Filter()) -> dict[str, FigureNumbers]:
        """Return every figure's numbers for `filt` (shares as proportions), after the presentation rules,
        the differencing rule and complementary suppression, with the tests between groups."""
        return self._protected(filt)[0]

    def view(self, key: tuple, compute):
        """Return the numbers of a view of several states (a breakdown, an explorer view) kept under `key`, or
        `compute()` them, keep them (the last STATES_KEPT // 8 views) and return them."""
        with self._lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
        found = compute()
        with self._lock:
            self._views[key] = found
            if len(self._views) > self.STATES_KEPT // 8:
                self._views.popitem(last=False)
        return found

    def protected(self, filt: Filter) -> tuple[dict[str, FigureNumbers], dict[str, list], dict[str, object]]:
        """Return every figure's numbers for `filt` as `estimates` gives them but without the tests, as copies
        the caller may change, with what each bar counts and the estimates by series (as `computed`)."""
        state, bars, series = self._protected(filt)
        return {fid: nums.untested() for fid, nums in state.items()}, bars, series

    def _protected(self, filt: Filter) -> tuple[dict[str, FigureNumbers], dict[str, list], dict[str, object]]:
        """Return `filt`'s tested numbers (`estimates`), domains and estimates by series, computed once and kept."""
        with self._lock:
            if filt in self._states:
                self._states.move_to_end(filt)
                return self._states[filt]
        state, bars, series = self.computed(filt)
        protect(state, bars)
        for fid, nums in state.items():
            add_tests(self._setups[fid], nums, series[fid])
        with self._lock:
            self._states[filt] = state, bars, series
            if len(self._states) > self.STATES_KEPT:
                self._states.popitem(last=False)
        return state, bars, series

    def computed(self, filt: Filter, specs: tuple[FigureSpec, ...] = FIGURES,
                 ) -> tuple[dict[str, FigureNumbers], dict[str, list], dict[str, object]]:
        """Return the numbers of every figure (of `specs`: the report's by default) for `filt` after the
        presentation and differencing rules, before complementary suppression and the tests (fresh, not
        kept), with what each bar counts (`domains`) and each figure's estimates by series (for the tests)."""
        setups = [self.setup(spec) for spec in specs if spec.id != "nordic"]
        selections = [select(st, self.masks, self.scope(st.spec, filt)) for st in setups]
        estimated = iter(finish([part for sel in selections for part in sel.parts]))  # every interval at once
        state, series, bars = {}, {}, {}
        for st, sel in zip(setups, selections, strict=True):
            parts = [next(estimated) for _ in sel.parts]
            fid = st.spec.id
            state[fid], series[fid] = numbers(st, self.masks, sel, parts), parts[-1]
            bars[fid] = domains(st, sel, state[fid], self.cell_codes)
        return state, bars, series

    def rows(self, figure: str | FigureSpec, filt: Filter = Filter(), lang: str = "da",
             nums: FigureNumbers | None = None) -> list[Row]:
        """Return the bars of a figure for a filter as the page draws them: shares in percent at full
        precision (NaN where hidden), labels in `lang`, which bars the filter highlights; `nums`: the
        figure's numbers when not the filter state's own (a breakdown's)."""
        spec = SPECS[figure] if isinstance(figure, str) else figure
        if spec.id == "nordic":
            return list(_nordic_rows(lang))
        nums = self.estimates(filt)[spec.id] if nums is None else nums
        labels = _category_labels(spec.id, lang)
        sc = self.scope(spec, filt)
        out = []
        for i in range(len(nums)):
            hidden = bool(nums.suppressed[i])
            reason = nums.reason[i] or ""
            share, low, high = ((np.nan, np.nan, np.nan) if hidden else
                                (100 * nums.share[i], 100 * nums.ci_low[i], 100 * nums.ci_high[i]))
            out.append(Row(spec.id, nums.series[i], nums.category[i], float(share), float(low), float(high),
                           int(nums.n[i]), np.nan if hidden else float(nums.n_eff[i]), hidden, reason,
                           bool(nums.flagged[i]), sc.highlighted(nums.series[i], nums.category[i]),
                           float(nums.p_value[i]), nums.significant[i], series_label(spec, nums.series[i], lang),
                           labels[nums.category[i]], reason_label(reason, lang, nums.revealed_by[i], sc.restrict)))
        return out

    def table(self, figure: str | FigureSpec, filt: Filter = Filter(), lang: str = "da",
              nums: FigureNumbers | None = None) -> pd.DataFrame:
        """Return the numbers behind a figure for a filter, shares in percent (COLUMNS), at full precision.

        Hidden cells have no share, interval or effective n, only the reason. `published` rounds the
        table as every download and the command line give it.
        """
        spec = SPECS[figure] if isinstance(figure, str) else figure
        if spec.id == "nordic":
            return nordic_table(lang)
        out = frame_of(self.rows(spec, filt, lang, nums))
        out["round"] = out["series"] if spec.series == "round" else self.scope(spec, filt).round
        return out[COLUMNS]


@functools.lru_cache(maxsize=4)
def _nordic_rows(lang: str) -> tuple[Row, ...]:
    """Return the Nordic chart's bars in `lang` (published values: the same for every filter)."""
    return tuple(rows_of(nordic_table(lang)))


@functools.lru_cache(maxsize=64)
def _category_labels(figure: str, lang: str) -> dict[str, str]:
    """Return {category code: label} of a figure in `lang`."""
    return {c.code: c.text(lang) for c in SPECS[figure].categories}


def reason_label(reason: str, lang: str, revealed_by: Filter | None = None, keys=()) -> str:
    """Return why a value is hidden in words ('' for none); a value hidden by the differencing rule names the
    selection (its filters among `keys`) that would reveal it.

    >>> reason_label("differencing", "en", Filter(sector=("state", "region")), ("sector",))
    'hidden so that it cannot be worked out by comparing with the selection Sector: State, Region'
    """
    if not reason:
        return ""
    if reason == "differencing" and revealed_by is not None:
        phrases = revealed_by.describe(lang, keys=tuple(keys))
        selection = "; ".join(phrases) or REASONS["everything"][lang]
        return REASONS["differencing_with"][lang].format(selection=selection)
    return REASONS[reason][lang]


def format_p(p: float, lang: str = "en") -> str:
    """Return a p-value as published: '< 0.001' below one in a thousand, else three decimals ('' for none).

    >>> format_p(0.00002), format_p(0.0123), format_p(0.0123, "da"), format_p(float("nan"))
    ('< 0.001', '0.012', '0,012', '')
    """
    if p is None or p != p:
        return ""
    text = "< 0.001" if p < 0.001 else f"{p:.3f}"
    return text.replace(".", LOCALES[lang].decimal)


def published(table: pd.DataFrame) -> pd.DataFrame:
    """Return a figure table as downloads and the command line publish it: shares and intervals to one
    decimal, the effective n to a whole number, p-values as text ('< 0.001') and, beside them, as numbers
    to three significant digits (`p_value_numeric`)."""
    out = table.copy()
    for column in ("share", "ci_low", "ci_high"):
        out[column] = out[column].astype(float).round(1)
    out["n_eff"] = out["n_eff"].astype(float).round(0).astype("Int64")
    p = out["p_value"].astype(float)
    out["p_value"] = [format_p(v) for v in p]
    out.insert(out.columns.get_loc("p_value") + 1, "p_value_numeric", [significant_digits(v) for v in p])
    if "p_groups" in out:  # a breakdown's test across its groups
        out["p_groups"] = [significant_digits(v) for v in out["p_groups"].astype(float)]
    return out


def significant_digits(value: float, digits: int = 3) -> float:
    """Return `value` rounded to `digits` significant digits (NaN stays NaN).

    >>> significant_digits(0.0123456), significant_digits(2.0456e-05), significant_digits(0.5)
    (0.0123, 2.05e-05, 0.5)
    """
    if value != value or value == 0:
        return value
    return float(f"{value:.{digits}g}")


def series_label(spec: FigureSpec, code: str, lang: str) -> str:
    """Return the label of a series code."""
    if code == "all":
        return CATALOGS[lang]["code.series.all"]
    if spec.series in ("tech_split", "tech_group", "sector", "tech_new"):
        return CATALOGS[lang][f"code.{spec.series}.{code}"]
    return code


def nordic_table(lang: str = "da") -> pd.DataFrame:
    """Return the published Nordic aggregates; ranges have bounds but no single share."""
    rows = []
    for code, low, high in NORDIC:
        exact = low == high
        rows.append({"figure": "nordic", "series": "all", "category": code, "share": low if exact else np.nan,
                     "ci_low": low, "ci_high": high, "n": 0, "n_eff": np.nan, "suppressed": False,
                     "reason": "" if exact else "published_range", "flagged": False, "highlighted": False,
                     "p_value": np.nan, "significant": pd.NA, "series_label": series_label(BY_ID["nordic"], "all", lang),
                     "category_label": CATALOGS[lang][f"code.nordic.{code}"],
                     "reason_label": "" if exact else REASONS["published_range"][lang]})
    table = pd.DataFrame(rows).assign(round=cb.CURRENT_ROUND)
    table["significant"] = table["significant"].astype("boolean")
    return table[COLUMNS]
