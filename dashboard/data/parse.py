"""Parse the cells of a raw frame against the codebook, and type them (`coerce`).

`parse_all` turns each codebook column into a `Column`: per-row masks of empty and invalid cells,
the parsed values (code index, true/false, weight, text index) and the message for an invalid
cell. Validation (`rules`) checks these; `coerce` and `typed` build the typed frame from them.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.data import codebook as cb

__all__ = ["Column", "coerce", "parse_all", "typed"]


# Parsing cells (shared by validate and coerce)
# --------------------------------------------------------------------------------------------------
@dataclass
class Column:
    """One parsed column: per-row masks and values, and the canonical texts of factor columns."""

    var: cb.Variable
    raw: pd.Series
    empty: np.ndarray  # bool: cell empty (NA or blank)
    bad: np.ndarray  # bool: cell filled but not an allowed value
    value: np.ndarray  # code index (code/round), 1/0/-1 (bool), float (weight), text index (id/text)
    texts: pd.Index  # canonical (stripped) texts, indexed by value for code, id and text columns
    problem: Callable[[int], str]  # message for a bad cell, by row position

    def cell(self, i: int) -> str | None:
        """Return the raw cell at row position i as text, None when empty."""
        v = self.raw.iat[i]
        return None if pd.isna(v) or str(v).strip() == "" else str(v)


def _as_text(value) -> str:
    """Return a non-string cell value as the text a CSV file would hold (true/false, 3 not 3.0)."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _factor(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Return (text index per row, -1 when empty; canonical stripped texts), whatever the dtype.

    The distinct values are factorised first and only they are turned into text, vectorised, so
    a column of a million distinct ids costs about as much as one of three codes.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    uniques = pd.Index(uniques)
    if isinstance(uniques.dtype, pd.StringDtype):
        texts = uniques.str.strip()
    elif uniques.dtype == object and pd.api.types.infer_dtype(uniques, skipna=True) == "string":
        texts = uniques.astype("str").str.strip()
    elif pd.api.types.is_integer_dtype(uniques.dtype):
        texts = uniques.astype("str")
    else:  # bool, float, categorical, object: text per distinct value
        texts = pd.Index([_as_text(u) for u in np.asarray(uniques, dtype=object)], dtype="str")
    remap, canonical = pd.factorize(texts, use_na_sentinel=True)
    remap = np.append(remap, -1)  # code -1 (empty) stays -1
    if "" in canonical:
        remap[remap == canonical.get_loc("")] = -1
    return remap[codes], canonical


def _code_problem(var: cb.Variable, text: str) -> str:
    """Return the message for an invalid code `text` in `var`, with a hint when one is close."""
    allowed = ", ".join(var.codes)
    if text.lower() in var.codes:
        hint = f" (codes are lower-case: use '{text.lower()}')"
    elif var.kind == "round":
        hint = ""
    else:
        close = difflib.get_close_matches(text.lower(), var.codes, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
    what = "round" if var.kind == "round" else f"{var.name} code"
    return f"not a valid {what}{hint}; allowed: {allowed}"


def _parse(var: cb.Variable, raw: pd.Series, decimal_comma: bool) -> Column:
    """Return the parsed column of `raw` as variable `var`."""
    n = len(raw)
    if var.kind == "weight":
        return _parse_weight(var, raw, decimal_comma)
    if var.kind == "count":
        return _parse_count(var, raw)
    index, texts = _factor(raw)
    empty = index < 0
    if var.kind in ("code", "round"):
        lut = pd.Index(var.codes, dtype="str").get_indexer(texts)

        def problem(i: int) -> str:
            return _code_problem(var, texts[index[i]])
    elif var.kind == "bool":
        spelled = ("true", "1", "false", "0")
        lut = np.array([1, 1, 0, 0, -1])[pd.Index(spelled, dtype="str").get_indexer(texts.str.lower())]

        def problem(i: int) -> str:
            return (f"not a valid true/false value; allowed: true, false, 1, 0 (any case), or empty where {var.name} "
                    "was not asked")
    else:  # id, text: any text is allowed
        return Column(var, raw, empty, np.zeros(n, dtype=bool), index, texts, lambda i: "")
    lut = np.append(lut, -1)  # an empty cell (index -1) has no value
    value = lut[index]
    bad = ~empty & (value < 0)
    return Column(var, raw, empty, bad, value, texts, problem)


def _parse_weight(var: cb.Variable, raw: pd.Series, decimal_comma: bool) -> Column:
    """Return the parsed weight column: a float per row, NaN where empty or invalid."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        number = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        empty = np.isnan(number)
        not_number = np.zeros(len(raw), dtype=bool)
    else:
        text = raw.astype("string").str.strip()
        empty = (text.isna() | (text == "")).to_numpy(dtype=bool)
        if decimal_comma:
            text = text.str.replace(",", ".", regex=False)
        number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        not_number = ~empty & np.isnan(number)
    finite = np.isfinite(number)
    not_finite = ~empty & ~not_number & ~finite
    with np.errstate(invalid="ignore"):
        bad = not_number | not_finite | (finite & (number <= 0))
    number = np.where(bad, np.nan, number)

    def problem(i: int) -> str:
        if not_number[i] and "," in str(raw.iat[i]) and not decimal_comma:
            return ("weight must be a number > 0 with '.' as decimal mark (a decimal comma is accepted only in "
                    "';'-separated files)")
        return "weight must be a finite number > 0" if not_finite[i] else "weight must be a number > 0"

    return Column(var, raw, empty, bad, number, pd.Index([], dtype="str"), problem)


def _parse_count(var: cb.Variable, raw: pd.Series) -> Column:
    """Return the parsed column of a whole number >= 1 per row (float, NaN where empty or invalid)."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        number = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        empty = np.isnan(number)
    else:
        text = raw.astype("string").str.strip()
        empty = (text.isna() | (text == "")).to_numpy(dtype=bool)
        number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~empty & ~(np.isfinite(number) & (number >= 1) & (np.floor(number) == number))
    number = np.where(bad | empty, np.nan, number)
    return Column(var, raw, empty, bad, number, pd.Index([], dtype="str"),
                  lambda i: f"{var.name} must be a whole number of at least 1 (workplaces in the stratum)")


def parse_all(df: pd.DataFrame) -> dict[str, Column]:
    """Return the parsed codebook columns present once in `df` (a repeated column is reported, not parsed)."""
    decimal_comma = df.attrs.get("separator") == ";"
    counts = Counter(str(c) for c in df.columns)
    return {v.name: _parse(v, df[v.name], decimal_comma) for v in cb.VARIABLES if counts[v.name] == 1}


def coerce(df: pd.DataFrame) -> pd.DataFrame:
    """Return the typed frame of the codebook's columns (in codebook order) with a fresh RangeIndex.

    Code and round columns become Categoricals whose categories are the codebook's codes in
    codebook order; bool columns pandas "boolean" (NA where not asked or not answered); weight and
    stratum_population float64 (an optional column the file lacks is all NaN); id and stratum
    "string". Cells that are not valid become NA: call `validate` (or use `load`) first.
    """
    columns = parse_all(df)
    missing = [c for c in cb.REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"cannot coerce: column(s) missing or repeated: {', '.join(missing)}")
    return typed(columns, len(df))


def typed(columns: dict[str, Column], n: int) -> pd.DataFrame:
    """Return the typed frame of `n` rows built from all the codebook's parsed columns (see `coerce`)."""
    out = {}
    for var in cb.VARIABLES:
        col = columns.get(var.name)
        if col is None and var.optional:
            out[var.name] = np.full(n, np.nan)
        elif var.kind in ("code", "round"):
            out[var.name] = pd.Categorical.from_codes(col.value, categories=pd.Index(list(var.codes), dtype="str"))
        elif var.kind == "bool":
            out[var.name] = pd.arrays.BooleanArray(col.value == 1, col.value < 0)
        elif var.kind in ("weight", "count"):
            out[var.name] = col.value.astype(np.float64)
        else:
            out[var.name] = col.texts.array.take(col.value, allow_fill=True).astype("string")
    return pd.DataFrame(out, index=pd.RangeIndex(n))
