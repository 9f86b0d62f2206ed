"""Server-side rendering of plotly figures to PNG/SVG with kaleido and the system Chromium."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import plotly.graph_objects as go

from ..catalogs import texts

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = texts("export.install_hint")


class ExportUnavailable(RuntimeError):
    """Chromium is missing, so images cannot be rendered on the server; the message says how to fix it."""


def find_chromium() -> str | None:
    """Return the path of a Chromium/Chrome executable ($BROWSER_PATH first), or None."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium(lang: str = "en") -> str:
    """Return the Chromium path or raise ExportUnavailable with the install hint in `lang`."""
    path = find_chromium()
    if path is None:
        raise ExportUnavailable(INSTALL_HINT[lang])
    return path


def render(jobs: list[tuple[go.Figure, Path, dict]], lang: str = "en", progress=None) -> None:
    """Write every (figure, path, options) job in one browser session; options: format, width, height, scale.

    `progress(done, total)`, when given, is called after each job.
    """
    path = require_chromium(lang)
    asyncio.run(_render(jobs, path, progress))


async def _render(jobs, browser_path: str, progress=None) -> None:
    import kaleido

    specs = [{"fig": fig, "path": str(target), "opts": opts} for fig, target, opts in jobs]
    async with kaleido.Kaleido(n=2, path=browser_path, mathjax=False, timeout=120) as k:
        if progress is None:
            await k.write_fig_from_object(specs, cancel_on_error=True)
            return
        done = 0

        async def one(spec):  # the same session renders them two at a time; each says when it is done
            nonlocal done
            await k.write_fig_from_object([spec], cancel_on_error=True)
            done += 1
            progress(done, len(specs))

        await asyncio.gather(*(one(spec) for spec in specs))
