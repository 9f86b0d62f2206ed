"""Everything for one filter in one go: images, CSVs and the workbook, as files or one ZIP."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from .. import __version__
from ..data.codebook import SYNTHETIC_LABEL
from ..data.filters import Filter
from ..figures.build import build_figure, data_label, png_filename
from ..figures.specs import BASES, FIGURES, FigureSpec
from ..figures.tables import FigureData, published
from . import images
from .presets import DEFAULT_PRESET, DEFAULT_SCALE, FORMATS, PRESETS
from .workbook import METADATA_COLUMNS, neutralised, sheet_name, workbook_bytes

MICRODATA_LABEL = {"da": "Mikrodata", "en": "Microdata"}


def data_note(spec: FigureSpec, lang: str, synthetic: bool) -> str:
    """Return the `note` of a figure's exported numbers: what they are.

    Published figures (the Nordic comparison) say so whatever the microdata; the others carry the
    synthetic-data label over the synthetic data and nothing over real microdata.
    """
    if spec.chart == "range":
        return data_label(spec, lang)
    return SYNTHETIC_LABEL[lang] if synthetic else ""


def table_csv(table: pd.DataFrame, spec: FigureSpec, lang: str, synthetic: bool) -> str:
    """Return the CSV of a figure's table: the columns of `barometer table`, then a `note` column.

    Every CSV export uses it: a figure's "Download data (CSV)", "Download all" and `barometer export`.
    The numbers are `published` (one decimal, p-values as text); text cells that a spreadsheet would
    read as a formula are `neutralised`.
    """
    out = published(table).assign(note=data_note(spec, lang, synthetic))
    return neutralised(out).to_csv(index=False, lineterminator="\n")


def _n_text(table: pd.DataFrame) -> str:
    """Return the unweighted n per series, e.g. '733 / 1144'."""
    per_series = table.groupby("series", sort=False)["n"].max()
    return " / ".join(str(int(n)) for n in per_series) if per_series.sum() else ""


def metadata_row(spec: FigureSpec, table: pd.DataFrame, filt: Filter, lang: str, when: str, synthetic: bool) -> dict:
    """Return the metadata sheet's row for one figure."""
    keys = spec.filters + spec.highlight
    not_applied = [k for k in spec.not_applied() if k in filt.active()]
    data = data_note(spec, lang, synthetic) or MICRODATA_LABEL[lang]
    return {
        "figure": spec.id, "sheet": sheet_name(spec.id), "title": spec.title[lang],
        "question": spec.question.get(lang, ""), "base": BASES[spec.base][lang], "n": _n_text(table),
        "filters": "; ".join(filt.describe(lang, keys)) or {"da": "ingen", "en": "none"}[lang],
        "not_applied": ", ".join(not_applied), "source": spec.source[lang], "data": data,
        "illustrative": spec.illustrative, "exported_at": when, "app_version": __version__,
    }


def export_files(data: FigureData, filt: Filter = Filter(), *, lang: str = "da", formats=FORMATS,
                 preset: str = DEFAULT_PRESET, scale: float = DEFAULT_SCALE, synthetic: bool = True,
                 figures: tuple[FigureSpec, ...] = FIGURES, progress=None) -> dict[str, bytes]:
    """Return {file name: content} for every figure in the requested formats, plus the workbook.

    PNG and SVG are rendered in one Chromium session; raises images.ExportUnavailable without Chromium.
    `progress(figures_done, figures)`, when given, is called as the figures' images are rendered.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format {', '.join(sorted(unknown))}; allowed: {', '.join(FORMATS)}")
    size = PRESETS[preset]
    when = datetime.now(UTC).isoformat(timespec="seconds")
    tables = {spec.id: data.table(spec, filt, lang) for spec in figures}
    files: dict[str, bytes] = {}
    if "csv" in formats:
        for spec in figures:
            csv = table_csv(tables[spec.id], spec, lang, synthetic)
            files[f"{png_filename(spec, filt)}.csv"] = csv.encode("utf-8")
    if "xlsx" in formats:
        meta = pd.DataFrame([metadata_row(s, tables[s.id], filt, lang, when, synthetic) for s in figures],
                            columns=METADATA_COLUMNS)
        files[f"barometer_{_filter_slug(filt)}.xlsx"] = workbook_bytes({k: published(t) for k, t in tables.items()}, meta)
    kinds = [f for f in ("png", "svg") if f in formats]
    if kinds:
        files.update(_images(figures, tables, filt, lang, kinds, size, scale, synthetic, progress))
    return files


def _filter_slug(filt: Filter) -> str:
    return "_".join(f"{k}-{'-'.join(v)}" for k, v in filt.active().items()) or "all"


def _images(figures, tables, filt, lang, kinds, size, scale, synthetic, progress=None) -> dict[str, bytes]:
    """Return rendered images {name: bytes}, all figures and formats in one browser session."""
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for spec in figures:
            fig = build_figure(spec, tables[spec.id], filt, lang, width=size.width, synthetic=synthetic)
            fig.update_layout(width=size.width, height=size.height, autosize=False)
            for kind in kinds:
                target = Path(tmp) / f"{png_filename(spec, filt)}.{kind}"
                jobs.append((fig, target, {"format": kind, "width": size.width, "height": size.height,
                                           "scale": scale if kind == "png" else 1}))
        per_figure = None if progress is None else (lambda done, _: progress(done // len(kinds), len(figures)))
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
