"""The link and the filter controls: ``sync_url`` (URL <-> filters and language) and ``reset_filters``.

URL and controls are synced in one callback because Dash forbids circular chains across callbacks.
A changed URL (first load, back/forward) sets the controls; a changed control writes the URL query.
Values in a link that are not allowed are dropped and named in a notice.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from ..data.filters import ALLOWED, FILTER_KEYS, Filter, FilterError, parse_filter, parse_lenient
from ..i18n import DEFAULT_LANG, LANGS, lang_or_default, t
from ..layout import FILTER_IDS
from .common import FILTER_INPUTS, FILTER_OUTPUTS, _controls, _items, control_values, problem

logger = logging.getLogger(__name__)


def url_state(search) -> tuple[Filter, str, list[str]]:
    """Return the Filter, language and problems of a URL query string ('?sector=state&lang=en')."""
    query = search if isinstance(search, str) else ""
    params = {k: ",".join(v) for k, v in parse_qs(query.lstrip("?"), keep_blank_values=False).items()}
    raw_lang = params.get("lang")
    lang = raw_lang if raw_lang in LANGS else DEFAULT_LANG
    problems = [p for k in FILTER_KEYS if (p := problem(k, params.get(k), lang, in_url=True)) is not None]
    known = {}  # each key's allowed codes; a key with too many or several rounds is dropped below
    for key in FILTER_KEYS:
        if key in params:
            known[key] = ",".join(c for c in _items(params[key]) if c in ALLOWED[key])
    filt, _ = parse_lenient(known)
    if raw_lang is not None and raw_lang not in LANGS:
        problems.append(t("notice_lang", lang, value=repr(raw_lang[:40])))
    return filt, lang, problems


def url_search(filt: Filter, lang: str) -> str:
    """Return the URL query of a filter and language: non-default keys only, lang only when 'en'."""
    query = filt.query()
    if lang != DEFAULT_LANG:
        query["lang"] = lang
    return "?" + urlencode(query, safe=",") if query else ""


# A changed link goes to the server only when it differs from the link of the controls as they are:
# so the link Dash reports when the page mounts, and the links sync_url writes itself, cost no round trip.
# It is handed on with set_props (not as this callback's output), so Dash does not wait for sync_url
# before computing the figures when the page loads.
LINK_CHANGED_JS = """function (search, current) {
    search = search || '';
    if (search !== (current || '')) {
        window.dash_clientside.set_props('url-recheck', {title: Date.now() + '|' + search});
    }
    return search;
}"""


def register_url_sync(app) -> None:
    """Register ``sync_url`` and the browser-side check of a changed link.

    The layout is made for the link the page is opened with (see `dashboard.app`: the controls, language
    and notice of its query), and ``url-current`` holds the link of the controls as they are. A link that
    differs from it (back and forward, or a link the layout did not see) is handed to ``sync_url`` through
    the title of the hidden ``url-recheck`` ("<time>|<link>": a prop that, unlike a store's data, is not set
    when the page mounts); the figures are thus computed at once on load, without a round trip through
    ``sync_url``.
    """
    app.clientside_callback(LINK_CHANGED_JS, Output("url-seen", "data"), Input("url", "search"),
                            State("url-current", "data"))

    @app.callback(
        *FILTER_OUTPUTS,
        Output("lang", "value"),
        Output("url", "search"),
        Output("url-problems", "data"),
        Output("url-current", "data"),
        Input("url-recheck", "title"),
        *FILTER_INPUTS,
        Input("lang", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def sync_url(changed, sector, tech_role, value, round_, lang, search):
        """Set the controls from a changed link, or write the link from changed controls."""
        if ctx.triggered_id in (None, "url-recheck"):
            link = changed.split("|", 1)[1] if isinstance(changed, str) and "|" in changed else search
            try:
                filt, url_lang, problems = url_state(link)
            except Exception:
                logger.exception("cannot read the link %r", link)
                filt, url_lang, problems = Filter(), DEFAULT_LANG, [t("notice_error", DEFAULT_LANG)]
            return *_controls(filt), url_lang, no_update, problems, link if isinstance(link, str) else ""
        lang = lang_or_default(lang)
        raw = control_values(sector, tech_role, value, round_)
        try:
            filt = parse_filter(**raw)
        except FilterError:
            filt, _ = parse_lenient({k: v for k, v in raw.items() if _items(v) is not None})
        new_search = url_search(filt, lang)
        headings = isinstance(tech_role, list) and len(raw["tech_role"]) != len(tech_role)
        return (no_update, raw["tech_role"] if headings else no_update, no_update, no_update, no_update,
                no_update if (search or "") == new_search else new_search, [], new_search)


def register_reset(app) -> None:
    """Register ``reset_filters``."""

    @app.callback(
        *[Output(FILTER_IDS[k], "value", allow_duplicate=True) for k in FILTER_KEYS],
        Input("reset", "n_clicks"),
        prevent_initial_call=True,
    )
    def reset_filters(n_clicks):
        """Return the default filter."""
        if not n_clicks:
            raise PreventUpdate
        return _controls(Filter())
