"""The names of every file the dashboard hands out: ASCII, naming the figure, the filters that shape it, the
language where texts are inside, and ending in "-synthetic" when the numbers come from the synthetic data.

>>> from dashboard.data.filters import Filter
>>> zip_name(Filter(sector=("state", "region")), "da", "a4", True)
'innovationsbarometer_sector-state-region_da_a4-synthetic.zip'
>>> workbook_name(Filter(), "en", False)
'innovationsbarometer_all_en.xlsx'
"""

from __future__ import annotations

from ..data.filters import Filter
from ..figures.build import png_filename

SYNTHETIC = "-synthetic"


def slug(filt: Filter) -> str:
    """Return the active filters of a state as a file-name part ('sector-state_value-quality', or 'all')."""
    return "_".join(f"{k}-{'-'.join(v)}" for k, v in filt.active().items()) or "all"


def figure_stem(spec, filt, synthetic: bool, by: str | None = None) -> str:
    """Return the name, without extension, of a figure's image or numbers ('fig1_sector-state-synthetic';
    in a view broken down by size 'fig1_sector-state_by-size-synthetic')."""
    return png_filename(spec, filt) + (f"_by-{by}" if by else "") + (SYNTHETIC if synthetic else "")


def view_slug(filt: Filter, by: str | None = None) -> str:
    """Return the filters and the breakdown as a file-name part ('size-small_by-sector')."""
    return slug(filt) + (f"_by-{by}" if by else "")


def workbook_name(filt: Filter, lang: str, synthetic: bool, by: str | None = None) -> str:
    """Return the name of the workbook of every figure's numbers."""
    return f"innovationsbarometer_{view_slug(filt, by)}_{lang}{SYNTHETIC if synthetic else ''}.xlsx"


def zip_name(filt: Filter, lang: str, preset: str | None, synthetic: bool, by: str | None = None) -> str:
    """Return the name of the ZIP of every figure ('data' in place of the size when it holds numbers only)."""
    return f"innovationsbarometer_{view_slug(filt, by)}_{lang}_{preset or 'data'}{SYNTHETIC if synthetic else ''}.zip"
