"""Everything for one filter in one go: images, CSVs and the workbook, as files or one ZIP."""

from __future__ import annotations

import io
import math
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from ..catalogs import texts
from ..data.filters import Filter
from ..figures.breakdown import drawn, view_table
from ..figures.build import VALIDATE, figure_dict
from ..figures.specs import FIGURES, FigureSpec
from ..figures.tables import FigureData
from . import images
from .names import figure_stem, workbook_name
from .presets import DEFAULT_PRESET, DEFAULT_SCALE, FORMATS, PRESETS
from .sheets import (
    METADATA_COLUMNS,
    NONE,
    columns_sheet,
    download_table,
    metadata_row,
    readme_text,
    table_csv,
)
from .workbook import workbook_bytes


def workbook(data: FigureData, filt: Filter, lang: str, synthetic: bool, figures=FIGURES,
             tables: dict[str, pd.DataFrame] | None = None, when: str | None = None) -> bytes:
    """Return the XLSX workbook of the figures' numbers for `filt`: a metadata sheet (what each figure is, its
    filters, round, source and the data's nature), one sheet per figure and a sheet on what each column holds."""
    when = when or datetime.now(UTC).isoformat(timespec="seconds")
    tables = tables or {spec.id: data.table(spec, filt, lang) for spec in figures}
    meta = pd.DataFrame([metadata_row(s, tables[s.id], data.scope(s, filt), lang, when, synthetic) for s in figures],
                        columns=METADATA_COLUMNS)
    sheets = {s.id: download_table(tables[s.id], s, data.scope(s, filt), lang, synthetic) for s in figures}
    columns = next(iter(sheets.values())).columns
    return workbook_bytes(sheets, meta, columns_sheet(lang, columns))


def export_files(data: FigureData, filt: Filter = Filter(), *, lang: str = "da", formats=FORMATS,
                 preset: str = DEFAULT_PRESET, scale: float = DEFAULT_SCALE, synthetic: bool = True,
                 figures: tuple[FigureSpec, ...] = FIGURES, progress=None, by: str | None = None) -> dict[str, bytes]:
    """Return {file name: content} for every figure in the requested formats, plus the workbook and a README;
    `by`: the view's breakdown (each figure as `breakdown.view_table` gives it).

    PNG and SVG are rendered in one Chromium session; raises images.ExportUnavailable without Chromium.
    `progress(figures_done, figures)`, when given, is called as the figures' images are rendered.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format {', '.join(sorted(unknown))}; allowed: {', '.join(FORMATS)}")
    when = datetime.now(UTC).isoformat(timespec="seconds")
    tables = {spec.id: view_table(data, spec, filt, by, lang) for spec in figures}
    files: dict[str, bytes] = {}
    if "csv" in formats:
        for spec in figures:
            csv = table_csv(tables[spec.id], spec, data.scope(spec, filt), lang, synthetic)
            files[f"{figure_stem(spec, data.scope(spec, filt), synthetic, by)}.csv"] = csv.encode("utf-8")
    if "xlsx" in formats:
        files[workbook_name(filt, lang, synthetic, by)] = workbook(data, filt, lang, synthetic, figures, tables, when)
    kinds = [f for f in ("png", "svg") if f in formats]
    if kinds:
        files.update(_images(data, figures, filt, lang, kinds, preset, scale, synthetic, progress, by))
    columns = download_table(tables[figures[0].id], figures[0], filt, lang, synthetic).columns
    readme = readme_text(filters_summary(filt, lang), lang, when, synthetic, columns)
    files[README_NAME[lang]] = readme.encode("utf-8")
    return files


README_NAME = texts("export.readme_name")


def filters_summary(filt: Filter, lang: str) -> str:
    """Return the state's filters in words ('Sektor: Stat; Runde: 2015-2016', or 'ingen' / 'none')."""
    return "; ".join(filt.describe(lang)) or NONE[lang]


def export_figure(spec: FigureSpec, table, sc, lang: str, preset: str, synthetic: bool) -> dict:
    """Return a figure as every image of it is exported at the size `preset`: laid out for the preset's width, at
    its width and height (or the figure's own height where that is taller, so nothing is cut), as a dict."""
    size = PRESETS[preset]
    fig = figure_dict(spec, table, sc, lang, width=size.width, synthetic=synthetic)
    fig["layout"].update(width=size.width, height=max(size.height, math.ceil(fig["layout"].get("height") or 0)),
                         autosize=False)
    return fig


def _images(data, figures, filt, lang, kinds, preset, scale, synthetic, progress=None, by=None) -> dict[str, bytes]:
    """Return rendered images {name: bytes}, all figures and formats in one browser session, each figure drawn as
    the page draws it in the view (`breakdown.drawn`)."""
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for spec in figures:
            sc = data.scope(spec, filt)
            draw, rows, _ = drawn(data, spec, filt, by, lang)
            figure = export_figure(draw, rows, sc, lang, preset, synthetic)
            fig = go.Figure(data=figure["data"], layout=figure["layout"], _validate=VALIDATE)
            size = fig.layout
            for kind in kinds:
                target = Path(tmp) / f"{figure_stem(spec, sc, synthetic, by)}.{kind}"
                jobs.append((fig, target, {"format": kind, "width": size.width, "height": size.height,
                                           "scale": scale if kind == "png" else 1}))
        def per_figure(done, _):  # a figure is done when all its images are: never "0 of 16"
            if progress is not None and done % len(kinds) == 0:
                progress(done // len(kinds), len(figures))

        images.render(jobs, lang, per_figure)
        return {job[1].name: job[1].read_bytes() for job in jobs}


def write_files(files: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write the files into `out_dir` (created if needed) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in files.items():
        path = out_dir / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """Return one ZIP archive holding the files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
