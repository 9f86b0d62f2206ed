"""The Dash application: `create_app(data=None)` builds one app over one data set.

Whether the server can render images (the "Download all" button's PNG and SVG) is decided when the
app is created: `images.find_chromium()`, or the `chromium` keyword. Without Chromium the button
offers the numbers only (CSV and XLSX) and says how to install it.

Importing this module reads no data. For gunicorn (`dashboard.app:server`) the module attribute
`server` is built on first access, from the file `data_path()` names.

Examples
--------
>>> from dashboard.app import create_app
>>> from dashboard.data.synth import generate
>>> app = create_app(generate())  # doctest: +SKIP
>>> app.run(port=8050)  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import logging
import os
import re
from urllib.parse import urlsplit

import pandas as pd
from dash import Dash
from flask import has_request_context, jsonify, request
from plotly.io.json import to_json_plotly
from threadpoolctl import threadpool_limits

from . import jobs
from .api import register_api
from .cache import data_fingerprint, response_cache
from .callbacks import register_callbacks
from .callbacks.url import url_search, url_state
from .error_page import register as register_error_page
from .export import images
from .figures.tables import FigureData
from .guard import register_guard
from .i18n import DEFAULT_LANG, LOCALES, t
from .jobs import background_manager
from .layout import build_layout
from .reload import EXTENSION as DATA_EXTENSION
from .reload import source_of
from .resources import assets_dir
from .security import register_security
from .serving import register_serving

logger = logging.getLogger(__name__)

INDEX = """<!DOCTYPE html>
<html lang="da">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""


# Scripts Dash puts in every page that this page does without: @babel/polyfill (99 kB, 0.15 s of a cold
# load's main thread, filling in what every browser the page supports has; its one part Dash's and dash-
# bootstrap-components' code call, regeneratorRuntime, comes from assets/vendor/regenerator-runtime.js)
# and dash_table's loader (no DataTable on the page).
UNUSED_SCRIPTS = re.compile(r'<script src="[^"]*/(?:deps/polyfill@|dash_table/bundle\.)[^"]*"></script>\s*')


# The parts of dash-core-components that Dash loads only once the layout has been rendered (the chart and the
# filters' dropdowns): the page asks for them at once, beside its scripts.
EARLY_CHUNKS = ("dash/dcc/async-graph.js", "dash/dcc/async-dropdown.js")


LAYOUTS_KEPT = 64  # serialized layouts kept, one per link (query string), the ones asked for last


class PageDash(Dash):
    """Dash whose page leaves out the scripts in UNUSED_SCRIPTS and preloads EARLY_CHUNKS, and whose
    layout, with `layout_key` (returning what the layout depends on in a request), is serialized once
    per key (the LAYOUTS_KEPT used last)."""

    def __init__(self, *args, layout_key=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._layout_key = layout_key
        self._layout_json = functools.lru_cache(maxsize=LAYOUTS_KEPT)(lambda key: to_json_plotly(self.get_layout()))

    def serve_layout(self):
        """Return Dash's layout response, serialized once per `layout_key`."""
        if self._layout_key is None:
            return super().serve_layout()
        return self.backend.make_response(self._layout_json(self._layout_key()), mimetype="application/json")

    def interpolate_index(self, **kwargs):
        """Return the page, as Dash does, without the unused scripts and with the chunks preloaded."""
        kwargs["scripts"] = UNUSED_SCRIPTS.sub("", kwargs["scripts"])
        suites = f"{self.config.requests_pathname_prefix}_dash-component-suites/"
        kwargs["css"] += "".join(f'\n<link rel="preload" as="script" href="{suites}{chunk}">' for chunk in EARLY_CHUNKS)
        page = super().interpolate_index(**kwargs)
        lang = url_state(_link_query())[1]  # the language the link asks for, read as the layout reads it
        return page.replace(f'<html lang="{DEFAULT_LANG}">', f'<html lang="{LOCALES[lang].html}">', 1)


def _data(data, synthetic: bool | None) -> tuple[pd.DataFrame, bool]:
    """Return the microdata and whether they are the synthetic data.

    A path (or None: `data_path()`) is read with the validating loader; the shipped file counts as
    synthetic, any other file as real unless `synthetic` says otherwise. A DataFrame is taken as is
    and counts as synthetic unless `synthetic` is False or its ``attrs["synthetic"]`` is False.
    """
    if isinstance(data, pd.DataFrame):
        return data, data.attrs.get("synthetic", True) if synthetic is None else synthetic
    from .data.load import load
    from .data.shipped import data_path, is_shipped

    path = data_path(data)
    return load(path), is_shipped(path) if synthetic is None else synthetic


def _register_error_handlers(server) -> None:
    """Answer any unhandled server error with a short JSON message instead of a traceback."""

    @server.errorhandler(500)
    def internal_error(error):
        # Flask has already logged the original exception with its traceback.
        message = f"{t('server_error', 'da')} / {t('server_error', 'en')}"
        return jsonify(error=message, status=500), 500


def _link_query() -> str:
    """Return the query ('?sector=state') of the link the page was opened with: of the page itself, or, for
    Dash's layout request, of the page that asks (its Referer); '' outside a request."""
    if not has_request_context():
        return ""
    if request.path.endswith("_dash-layout"):
        referrer = urlsplit(request.referrer or "")
        return f"?{referrer.query}" if referrer.query else ""
    query = request.query_string.decode("utf-8", "replace")
    return f"?{query}" if query else ""


DETECT = "detect"  # create_app's default: look for Chromium when the app is created


def create_app(data: pd.DataFrame | str | os.PathLike | None = None, *, synthetic: bool | None = None,
               chromium: str | os.PathLike | None = DETECT) -> Dash:
    """Return the dashboard app over `data`: a DataFrame, a data file path, or None for `data_path()`.

    `chromium` is the browser that renders exported images: by default `images.find_chromium()`;
    None means there is none, so "Download all" offers the numbers only (CSV and XLSX).
    Raises `dashboard.data.load.DataFileError` when a file does not pass validation. The data it serves are
    described at ``app.server.extensions["barometer_data"]`` (`reload.DataSource`).
    """
    # numpy's BLAS on one thread in this process (and the workers forked from it): a request's matrices are
    # small, and the BLAS threads of requests running at once wait for each other (on a busy 2-core machine
    # the disclosure check's SVDs took 10 to 60 times as long with a thread per core).
    threadpool_limits(limits=1, user_api="blas")
    if isinstance(chromium, str) and chromium == DETECT:
        chromium = images.find_chromium()
    if chromium is None:
        logger.warning("%s", images.INSTALL_HINT["en"])
    frame, synthetic = _data(data, synthetic)
    source = source_of(frame, data_fingerprint(frame))
    logger.info("data %s", source.describe())
    figure_data = FigureData(frame)
    figure_data.prepare()  # every figure's arrays now, so no request waits for them (and preloaded workers share them)
    rounds = {r: figure_data.round_figures(r) for r in figure_data.data_rounds()}  # the figures each round has
    app = PageDash(
        __name__,
        title=t("title", DEFAULT_LANG),
        update_title=None,
        assets_folder=str(assets_dir()),
        background_callback_manager=background_manager(),
        index_string=INDEX,
        layout_key=_link_query,  # the page is a function of its link alone
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"},
                   {"name": "description", "content": t("intro", DEFAULT_LANG)}],
    )
    def page_layout():
        """Return the page for the link it is opened with (the query of the page the layout is asked for)."""
        search = _link_query()
        filt, lang, problems, by = url_state(search)
        return build_layout(lang, synthetic, images=chromium is not None, fpc=figure_data.fpc, filt=filt, by=by,
                            problems=tuple(problems), search=search, canonical=url_search(filt, lang, by),
                            rounds=rounds, fingerprint=source.fingerprint)

    app.layout = page_layout
    app.server.extensions[DATA_EXTENSION] = source
    app.server.extensions[jobs.MANAGER] = app._background_manager
    cache = response_cache(app.server, frame, synthetic=synthetic)
    register_callbacks(app, figure_data, synthetic, images=chromium is not None, cache=cache)
    register_api(app.server, figure_data, synthetic, source.fingerprint)
    _register_error_handlers(app.server)
    register_error_page(app.server)
    register_guard(app)
    register_serving(app)
    register_security(app)
    return app


def __getattr__(name: str):
    """Build `server` (for gunicorn) on first access, so that importing the module loads no data."""
    if name == "server":
        return create_app().server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
