"""The shipped data, loaded once per test session (through the project's validating loader)."""

from functools import lru_cache

import pandas as pd

from dashboard.data.load import load
from dashboard.data.shipped import DEFAULT_DATA, PUBLISHED
from dashboard.figures.tables import FigureData


@lru_cache(maxsize=1)
def shipped() -> pd.DataFrame:
    return load(DEFAULT_DATA)


@lru_cache(maxsize=1)
def figure_data() -> FigureData:
    return FigureData(shipped())


def published(name: str = "numbers.csv") -> pd.DataFrame:
    return pd.read_csv(PUBLISHED / name, dtype=str, keep_default_na=False)
