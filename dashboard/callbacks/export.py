"""``export_all``: the "Download all" button -> one ZIP for the current filter: every figure as PNG
(preset size x 3) and SVG, the numbers as CSV and the XLSX workbook (`export.bundle`).

The export is a Dash background callback (`dashboard.jobs`): it runs in a job process or a Celery
worker at a lower CPU priority, so redraws stay fast, while the page polls for it. The button is
disabled and busy meanwhile, and the live region next to it says what happens: queued, packing,
ready, or refused because the machine already renders its limit of exports (`Exports`).
An identical request (same data, filter, language and size) is served from the store without
rendering again. Without Chromium on the server the ZIP holds the numbers only (CSV and XLSX).
A bad filter or an unknown size gives a notice and no download; a failure is logged and named.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time

from dash import Input, Output, State, dcc, no_update
from dash.exceptions import PreventUpdate

from .. import __version__, jobs
from ..cache import data_fingerprint
from ..data.dimensions import BY_KEY
from ..data.filters import Filter
from ..export import images as image_export
from ..export.bundle import export_files, zip_bytes
from ..export.names import zip_name
from ..export.presets import DEFAULT_SCALE, PRESETS
from ..figures.tables import FigureData
from ..i18n import LANGS, lang_or_default, language_name, t
from ..layout import DATA_FINGERPRINT, preset_options
from .common import FILTER_INPUTS, VIEW_STATES, _notice, chosen_by, control_values, strict_filter

logger = logging.getLogger(__name__)

SCALE = DEFAULT_SCALE
ALL_FORMATS = ("png", "svg", "csv", "xlsx")
NUMBER_FORMATS = ("csv", "xlsx")
BUTTON_CLASS = "btn btn-export"
POLL_MS = 500  # how often the page asks whether the export is done
RENDERS = "export:renders"  # counter in the store: exports rendered (not served from the store)

PROGRESS = "export-progress"  # what the export is doing, in every language: {"da": ..., "en": ..., "done": bool}

# The status says "starting" the moment the button is pressed.
STARTING_JS = """
function (n_clicks) { return TEXTS; }
""".replace("TEXTS", json.dumps({lang: t("export_starting", lang) for lang in LANGS}, ensure_ascii=False))

# The status is shown in the page's language, whichever language the export was asked for in.
SHOW_STATUS_JS = """
function (progress, lang) {
    if (!progress) return '';
    return progress[lang] || progress[DEFAULT] || '';
}
""".replace("DEFAULT", json.dumps(LANGS[0]))

# A finished export's message (ready, refused, failed) is about the filters it was asked with: it goes when the
# filters or the export size change. A running export keeps its status.
CLEAR_STATUS_JS = """
function () {
    const progress = arguments[arguments.length - 1];
    return progress && progress.done ? null : window.dash_clientside.no_update;
}
"""


def said(key: str, final: bool = False, **fields) -> dict:
    """Return a status of the export in every language (see PROGRESS), `final` when the export has ended; a field
    may be a callable of the language giving its text in that language."""
    return {"done": final, **{lang: t(key, lang, **{k: v(lang) if callable(v) else v for k, v in fields.items()})
                              for lang in LANGS}}


class QueueFull(RuntimeError):
    """The machine already renders its limit of exports and as many wait; nothing was rendered."""


def export_filename(filt: Filter, preset: str | None, lang: str = "da", synthetic: bool = False,
                    by: str | None = None) -> str:
    """Return the ZIP's file name: the active filters (or 'all'), the language, the preset ('data': numbers only)
    and '-synthetic' over the synthetic data.

    >>> export_filename(Filter(sector=("state", "region")), "a4", "en", True)
    'innovationsbarometer_sector-state-region_en_a4-synthetic.zip'
    """
    return zip_name(filt, lang, preset, synthetic, by)


def export_zip(data: FigureData, filt: Filter, lang: str, preset: str | None, synthetic: bool, progress=None,
               packing=None, by: str | None = None) -> bytes:
    """Return the ZIP of every figure for `filt`: images at `preset` x SCALE, or the numbers only (None);
    `progress(done, total)` hears of each figure rendered, `packing()` that the files are being packed."""
    if preset is None:
        files = export_files(data, filt, lang=lang, formats=NUMBER_FORMATS, synthetic=synthetic, by=by)
    else:
        files = export_files(data, filt, lang=lang, formats=ALL_FORMATS, preset=preset, scale=SCALE,
                             synthetic=synthetic, progress=progress, by=by)
    if packing is not None:
        packing()
    return zip_bytes(files)


def export_key(fingerprint: str, synthetic: bool, filt: Filter, lang: str, preset: str, by: str | None = None) -> str:
    """Return the store key of an image ZIP: the data, the app's version, the filter, language, size and breakdown."""
    request = json.dumps([fingerprint, synthetic, __version__, filt.active(), lang, preset, SCALE]
                         + ([by] if by else []), sort_keys=True, default=list)
    return "export:zip:" + hashlib.sha256(request.encode("utf-8")).hexdigest()


class Exports:
    """Renders the image ZIPs of one data set: at most `limit` at once per machine, as many again waiting
    for a slot, and each distinct request once (the ZIP is kept in the store for jobs.EXPORT_SECONDS)."""

    def __init__(self, data: FigureData, synthetic: bool, store, limit: int, fingerprint: str):
        self.data, self.synthetic, self.store, self.limit = data, synthetic, store, limit
        self.fingerprint = fingerprint
        self.places = jobs.machine_slots(store, "export-place", 2 * limit)  # rendering or waiting
        self.renders = jobs.machine_slots(store, "export-render", limit)

    def zip(self, filt: Filter, lang: str, preset: str, say=lambda key, **fields: None, by: str | None = None) -> bytes:
        """Return the image ZIP for the request, from the store or rendered now.

        `say(text_key, **fields)` is told "export_queued" while the export waits for a render slot,
        "export_progress" (done, total) as figures are drawn and "export_packing" when the files are packed.
        Raises QueueFull when every place is taken.
        """
        key = export_key(self.fingerprint, self.synthetic, filt, lang, preset, by)
        cached = self.store.get(key)
        if cached is not None:
            return cached
        place = self.places.take()
        if place is None:
            raise QueueFull(self.limit)
        with self.places.held(place):
            slot = self.renders.take()
            if slot is None:
                say("export_queued")
                slot = self.renders.wait(timeout=jobs.WAIT_SECONDS)
                if slot is None:
                    raise QueueFull(self.limit)
            with self.renders.held(slot):
                cached = self.store.get(key)  # rendered by an identical request while this one waited
                if cached is not None:
                    return cached
                started = time.perf_counter()
                with jobs.low_priority():
                    content = export_zip(self.data, filt, lang, preset, self.synthetic,
                                         progress=lambda done, total: say("export_progress", done=done, total=total),
                                         packing=lambda: say("export_packing"), by=by)
                self.store.set(key, content, expire=jobs.EXPORT_SECONDS)
                count = self.store.incr(RENDERS)
                logger.info("export rendered in %.1f s (%d so far): %s, %s, %s",
                            time.perf_counter() - started, count, filt.active(), lang, preset)
                return content


def register_export(app, data: FigureData, synthetic: bool, images: bool) -> None:
    """Register ``export_all`` (a background callback), its "queued" message and the translation of the
    size choice; `images` False: numbers only."""
    exports = Exports(data, synthetic, jobs.store(), jobs.export_limit(), data_fingerprint(data.df))
    logger.info("exports of data %s: at most %d rendering at once per machine", exports.fingerprint, exports.limit)

    def export_all(set_progress, n_clicks, preset, controls, page_data, lang):
        """Return the ZIP of every figure for the current filter, or a notice saying why there is none;
        and the status, in every language. A page made from other data than this process holds (`page_data`,
        its data fingerprint) gets no ZIP: it is told to reload."""
        if not n_clicks:
            raise PreventUpdate
        lang = lang_or_default(lang)
        if isinstance(page_data, str) and page_data != exports.fingerprint:
            logger.warning("export refused: the page was made from data %r, this process holds data %s (the data "
                           "file changed: reload the server, or restart the job workers)", page_data[:16],
                           exports.fingerprint)
            return no_update, *_notice([t("notice_export_data_changed", lang)]), said("export_data_changed", final=True)
        filt, problems = strict_filter(control_values(controls), lang)
        by, by_problems = chosen_by(controls, lang)
        problems += by_problems
        if problems:
            return no_update, *_notice([*problems, t("notice_export_filter", lang)]), None
        if not (isinstance(preset, str) and preset in PRESETS):
            return no_update, *_notice([t("notice_preset", lang, value=repr(str(preset)[:40]),
                                          allowed=", ".join(PRESETS))]), None

        def say(key, **fields):
            set_progress(said(key, **fields))

        say("export_starting")  # the job's first sign of life (jobs.beating sends the last one again)

        def ready():
            return said("export_ready", final=True, language=lambda page: language_name(lang, page),
                        filters=lambda page: "; ".join(filt.describe(page) + ([t("by_phrase", page, dimension=BY_KEY[by].name(
                            page))] if by else [])) or t("no_filters", page))

        messages = []
        try:
            if images:
                try:
                    content = exports.zip(filt, lang, preset, say, by)
                    return (dcc.send_bytes(content, export_filename(filt, preset, lang, synthetic, by)), no_update,
                            no_update, ready())
                except image_export.ExportUnavailable:  # Chromium went away since the app started
                    logger.warning("no Chromium for the export; sending the numbers only")
                    messages.append(t("notice_export_numbers", lang))
            content = export_zip(data, filt, lang, None, synthetic, by=by)
            notice = _notice(messages) if messages else (no_update, no_update)
            return dcc.send_bytes(content, export_filename(filt, None, lang, synthetic, by)), *notice, ready()
        except QueueFull:
            logger.warning("export refused: %d exports already render and wait on this machine", 2 * exports.limit)
            return no_update, no_update, no_update, said("export_queue_full", final=True, limit=exports.limit)
        except Exception:
            logger.exception("export of every figure failed for %r, preset %r", filt, preset)
            return no_update, *_notice([t("notice_export_error", lang)]), said("export_failed", final=True)

    def export_lost(error):
        """Return what the page shows when the export's job was lost twice (jobs._Jobs): no download, a notice
        and a status saying so, in the language the export was asked in; the button is free to try again."""
        args = jobs.lost_arguments(error)
        if args is None:
            logger.error("export failed outside the job: %s", error)
        lang = lang_or_default(args[-1] if args else None)
        return no_update, *_notice([t("notice_export_lost", lang)]), said("export_lost", final=True)

    app.callback(
        Output("export-download", "data"),
        Output("notice", "children", allow_duplicate=True),
        Output("notice", "is_open", allow_duplicate=True),
        Output(PROGRESS, "data", allow_duplicate=True),
        Input("export-all", "n_clicks"),
        State("export-size", "value"),
        VIEW_STATES,
        State(DATA_FINGERPRINT, "data"),
        State("lang", "value"),
        prevent_initial_call=True,
        background=True,
        on_error=export_lost,
        interval=POLL_MS,
        progress=[Output(PROGRESS, "data")],
        running=[(Output("export-all", "disabled"), True, False),
                 (Output("export-all", "className"), BUTTON_CLASS + " is-busy", BUTTON_CLASS)],
    )(export_all)

    app.clientside_callback(STARTING_JS, Output(PROGRESS, "data", allow_duplicate=True), Input("export-all", "n_clicks"),
                            prevent_initial_call=True)
    app.clientside_callback(SHOW_STATUS_JS, Output("export-status", "children"), Input(PROGRESS, "data"),
                            Input("lang", "value"))
    app.clientside_callback(CLEAR_STATUS_JS, Output(PROGRESS, "data", allow_duplicate=True), *FILTER_INPUTS.values(),
                            Input("export-size", "value"), State(PROGRESS, "data"), prevent_initial_call=True)

    @app.callback(
        Output("export-size", "options"),
        Input("lang", "value"),
        prevent_initial_call=True,
    )
    def translate_presets(lang):
        """Return the export size choice in the chosen language."""
        return preset_options(lang_or_default(lang), images)
