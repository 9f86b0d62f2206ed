"""The link and the filter controls: ``read_url`` (a changed link sets the filters and language),
``write_url`` (changed controls write the link) and ``reset_filters``.

The two directions are two callbacks, so that a filter change computes the figures at once: Dash holds
back a callback whose inputs another pending callback writes, and ``write_url`` writes nothing the
figures read. The chain link -> controls -> link is no cycle for Dash: a changed link reaches
``read_url`` through ``set_props`` in the browser. Values in a link that are not allowed are dropped
and named in a notice.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlencode

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from ..data.dimensions import BY_KEY, BY_KEYS, DIMENSIONS
from ..data.filters import (
    FILTER_KEYS,
    MAX_CODES,
    Filter,
    FilterError,
    match_code,
    outside,
    parse_filter,
    parse_lenient,
)
from ..i18n import DEFAULT_LANG, LANGS, lang_or_default, t
from ..layout import GROUP_PREFIX
from .common import (
    BY_CONTROL,
    FILTER_OUTPUTS,
    MAX_NOTICES,
    VIEW_INPUTS,
    _controls,
    _items,
    chosen_by,
    control_values,
)

logger = logging.getLogger(__name__)


SILENT = ("utm_", "fbclid", "gclid", "mc_")  # what sites and newsletters add to shared links: left alone


def url_state(search) -> tuple[Filter, str, list[str], str | None]:
    """Return the Filter, language, problems and breakdown (None: none) of a URL query string
    ('?sector=state&by=size&lang=en').

    A code in another case or a label in either language ('Region', 'kommune') is read as its code and the
    notice says so; anything else that is not a code, a key the dashboard does not know, too many codes or two
    rounds is ignored and named.

    >>> url_state("?sector=kommune,foo&lang=en")[0].sector
    ('municipality',)
    >>> url_state("?sector=kommune,foo&lang=en")[2][0]
    "In the link, Sector 'kommune' is read as Municipality (municipality)."
    """
    query = search if isinstance(search, str) else ""
    params = {k: ",".join(v) for k, v in parse_qs(query.lstrip("?"), keep_blank_values=False).items()}
    raw_lang = params.get("lang")
    lang = raw_lang if raw_lang in LANGS else (raw_lang.strip().lower() if isinstance(raw_lang, str)
                                                and raw_lang.strip().lower() in LANGS else DEFAULT_LANG)
    problems: list[str] = []
    known = {}
    for dim in DIMENSIONS:
        key = dim.key
        if key not in params:
            continue
        name = dim.name(lang)
        items = _items(params[key]) or []
        if len(items) > MAX_CODES:
            problems.append(t("notice_url_too_many", lang, key=name, count=len(items), limit=MAX_CODES))
            continue
        codes = []
        for item in items:
            code = item if item in dim.codes else match_code(key, item)
            if code is None:
                problems.append(t("notice_url_unknown", lang, key=name, values=repr(item[:40]),
                                  allowed=", ".join(dim.codes)))
                continue
            if code != item:
                problems.append(t("notice_url_read_as", lang, key=name, value=repr(item[:40]),
                                  label=dim.label(code, lang), code=code))
            codes.append(code)
        if not dim.multiple and len(set(codes)) > 1:
            problems.append(t("notice_url_one", lang, key=name, allowed=", ".join(dim.codes)))
            continue
        known[key] = ",".join(dict.fromkeys(codes))
    known, out = outside(known)
    for key, codes in out.items():
        dim, parent = BY_KEY[key], BY_KEY[BY_KEY[key].within[0]]
        parents = getattr(parse_filter(**{parent.key: known.get(parent.key)}), parent.key)
        problems.append(t("notice_url_outside", lang, key=dim.name(lang), parent=parent.name(lang),
                          values=", ".join(dim.label(c, lang) for c in codes),
                          parents=", ".join(parent.label(c, lang) for c in parents),
                          allowed=", ".join(dim.label(c, lang) for c in dim.under(parents))))
    filt = parse_filter(**known)
    if raw_lang is not None and raw_lang != lang:
        key = "notice_url_lang_read_as" if raw_lang.strip().lower() == lang else "notice_url_lang"
        problems.append(t(key, lang, value=repr(raw_lang[:40]), lang=lang, allowed=", ".join(LANGS)))
    by = params.get("by")
    if by is not None and by not in BY_KEYS:
        problems.append(t("notice_url_by", lang, value=repr(by[:40]), allowed=", ".join(BY_KEYS)))
        by = None
    unknown = [k for k in params if k not in (*FILTER_KEYS, "by", "lang") and not k.startswith(SILENT)]
    if unknown:
        problems.append(t("notice_url_unknown_key", lang, keys=", ".join(repr(k[:40]) for k in unknown[:3]),
                          allowed=", ".join((*FILTER_KEYS, "by", "lang"))))
    return filt, lang, problems[:MAX_NOTICES], by


def link_store(link: str, filt: Filter, lang: str, problems: list[str], by: str | None = None) -> dict:
    """Return the ``url-problems`` store of a link: the link, its problems and the link of what the page shows."""
    return {"link": link, "problems": list(problems), "canonical": url_search(filt, lang, by)}


def _link_of(search) -> str:
    """Return the link of what a query string means (its filters, language and breakdown, as `url_search`)."""
    filt, lang, _, by = url_state(search)
    return url_search(filt, lang, by)


def link_problems(store, filt: Filter, lang: str, by: str | None = None) -> list[str]:
    """Return the problems of the link in the ``url-problems`` store ({"link", "problems"}) while the
    controls still show what that link means, else none: a filter changed since is no longer the link's."""
    if not isinstance(store, dict) or not isinstance(store.get("problems"), list):
        return []
    try:
        same = _link_of(store.get("link")) == url_search(filt, lang, by)
    except Exception:
        same = False
    return [m for m in store["problems"] if isinstance(m, str)][:MAX_NOTICES] if same else []


def url_search(filt: Filter, lang: str, by: str | None = None) -> str:
    """Return the URL query of a filter, breakdown and language: non-default keys only, lang only when not the
    default."""
    query = filt.query()
    if by:
        query["by"] = by
    if lang != DEFAULT_LANG:
        query["lang"] = lang
    return "?" + urlencode(query, safe=",") if query else ""


# A changed link goes to the server only when it differs from the link of the controls as they are:
# so the link Dash reports when the page mounts, and the links write_url writes itself, cost no round trip.
# It is handed on with set_props (not as an output), which keeps the chain link -> controls -> link
# free of cycles, and lets the figures be computed on load without waiting for the link.
LINK_CHANGED_JS = """function (search, current) {
    search = search || '';
    if (search !== (current || '')) {
        window.dash_clientside.set_props('url-recheck', {title: Date.now() + '|' + search});
    }
    return search;
}"""

# The technology dropdown's "select all" picks its group headings too: they are taken out at once.
STRIP_HEADINGS_JS = """function (value) {
    if (!Array.isArray(value)) return window.dash_clientside.no_update;
    const kept = value.filter((c) => !String(c).startsWith(PREFIX));
    return kept.length === value.length ? window.dash_clientside.no_update : kept;
}"""


# A link with values the dashboard corrected or ignored is replaced in the address bar (not in the history) by
# the link of what the page shows, keeping the place in the page it points at.
FIX_LINK_JS = """function (store) {
    if (!store || typeof store.canonical !== 'string' || store.link !== window.location.search) {
        return window.dash_clientside.no_update;
    }
    if (store.canonical !== window.location.search) {
        window.history.replaceState(window.history.state, '',
                                    window.location.pathname + store.canonical + window.location.hash);
    }
    return store.canonical;
}"""


def register_url_sync(app) -> None:
    """Register ``read_url``, ``write_url`` and the browser-side checks of a changed link and of the
    technology dropdown's headings.

    The layout is made for the link the page is opened with (see `dashboard.app`: the controls, language
    and notice of its query), and ``url-current`` holds the link of the controls as they are. A link that
    differs from it (back and forward, or a link the layout did not see) is handed to ``read_url`` through
    the title of the hidden ``url-recheck`` ("<time>|<link>": a prop that, unlike a store's data, is not set
    when the page mounts).
    """
    app.clientside_callback(LINK_CHANGED_JS, Output("url-seen", "data"), Input("url", "search"),
                            State("url-current", "data"))
    app.clientside_callback(FIX_LINK_JS, Output("url-fixed", "data"), Input("url-problems", "data"))
    for dim in DIMENSIONS:
        if dim.groups or dim.within:
            app.clientside_callback(STRIP_HEADINGS_JS.replace("PREFIX", json.dumps(GROUP_PREFIX)),
                                    Output(dim.control_id, "value", allow_duplicate=True),
                                    Input(dim.control_id, "value"), prevent_initial_call=True)

    @app.callback(
        *FILTER_OUTPUTS,
        Output(BY_CONTROL, "value"),
        Output("lang", "value"),
        Output("url-problems", "data"),
        Output("url-current", "data"),
        Input("url-recheck", "title"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def read_url(changed, search):
        """Return the controls, breakdown, language, problems and link of a changed link."""
        link = changed.split("|", 1)[1] if isinstance(changed, str) and "|" in changed else search
        try:
            filt, url_lang, problems, by = url_state(link)
        except Exception:
            logger.exception("cannot read the link %r", link)
            filt, url_lang, problems, by = Filter(), DEFAULT_LANG, [t("notice_error", DEFAULT_LANG)], None
        link = link if isinstance(link, str) else ""
        return *_controls(filt), by, url_lang, link_store(link, filt, url_lang, problems, by), link

    @app.callback(
        Output("url", "search"),
        Output("url-current", "data", allow_duplicate=True),
        VIEW_INPUTS,
        Input("lang", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def write_url(controls, lang, search):
        """Return the link of the controls (and it as the current link), or no update when the link shown
        already means the same (as after ``read_url`` set the controls from it)."""
        lang = lang_or_default(lang)
        raw = control_values(controls)
        try:
            filt = parse_filter(**raw)
        except FilterError:
            filt, _ = parse_lenient({k: v for k, v in raw.items() if _items(v) is not None})
        new_search = url_search(filt, lang, chosen_by(controls, lang)[0])
        try:
            shown = _link_of(search)
        except Exception:
            shown = None
        if shown == new_search:
            raise PreventUpdate
        return new_search, new_search


def register_reset(app) -> None:
    """Register ``reset_filters``."""

    @app.callback(
        *[Output(d.control_id, "value", allow_duplicate=True) for d in DIMENSIONS],
        Output(BY_CONTROL, "value", allow_duplicate=True),
        Input("reset", "n_clicks"),
        prevent_initial_call=True,
    )
    def reset_filters(n_clicks):
        """Return the default filter and no breakdown."""
        if not n_clicks:
            raise PreventUpdate
        return *_controls(Filter()), None
