"""``translate``: language -> every static text, dropdown option and the method note."""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, no_update

from ..data.dimensions import BY_KEY, DIMENSIONS
from ..data.filters import FilterError, parse_filter
from ..i18n import lang_or_default, t
from ..layout import about_body, by_options, dropdown_labels, filter_options, help_id, nested_options, round_help
from ..page_text import TXT, text
from .common import FILTER_STATES, control_values, strict_filter

DROPDOWNS = tuple(d for d in DIMENSIONS if d.control == "dropdown")


def _text(item, lang: str):
    """Return the text of one txt output in `lang`; an unknown key (a crafted request) is left alone."""
    component_id = item.get("id") if isinstance(item, dict) else None
    key = component_id.get("key") if isinstance(component_id, dict) else None
    if not isinstance(key, str):
        return no_update
    try:
        return text(key, lang)
    except KeyError:
        return no_update


def register_texts(app, fpc: bool = True, rounds: dict[str, tuple[str, ...]] | None = None) -> None:
    """Register ``translate``; `fpc`: whether the method note says the finite population correction applies,
    `rounds`: the rounds of the data and the figures each has."""

    @app.callback(
        Output({"type": TXT, "key": ALL}, "children"),
        *[Output(d.control_id, "options") for d in DIMENSIONS],
        *[Output(d.control_id, "placeholder") for d in DROPDOWNS],
        *[Output(d.control_id, "labels") for d in DROPDOWNS],
        Output("about-body", "children"),
        Output(help_id("round"), "children"),
        Output("by", "options"),
        Output("by", "placeholder"),
        Input("lang", "value"),
        FILTER_STATES,
        prevent_initial_call=True,  # the page is made in the language of its link
    )
    def translate(lang, controls):
        """Return every static text of the page in the chosen language."""
        lang = lang_or_default(lang)
        texts = [_text(o, lang) for o in ctx.outputs_list[0]]
        options = filter_options(lang, rounds, strict_filter(control_values(controls), lang)[0])
        return (texts, *[options[d.key] for d in DIMENSIONS], *[t("placeholder_" + d.key, lang) for d in DROPDOWNS],
                *[dropdown_labels(lang, d.key) for d in DROPDOWNS], about_body(lang, fpc), round_help(lang, rounds),
                by_options(lang), t("by_none", lang))

    for dim in DIMENSIONS:
        if dim.within:
            _register_nesting(app, dim)


def _register_nesting(app, dim) -> None:
    """Register ``narrow``: a changed parent control gives a nested control the options found under the chosen
    parent codes and takes out of its value the codes no longer found there."""
    parent = BY_KEY[dim.within[0]]

    @app.callback(
        Output(dim.control_id, "options", allow_duplicate=True),
        Output(dim.control_id, "value", allow_duplicate=True),
        Input(parent.control_id, "value"),
        State(dim.control_id, "value"),
        State("lang", "value"),
        prevent_initial_call=True,
    )
    def narrow(parent_value, value, lang):
        """Return the nested control's options under the chosen parent codes, and its value without the codes not
        found there (no update when it has none)."""
        lang = lang_or_default(lang)
        try:
            parents = parse_filter(**{parent.key: control_values({parent.key: parent_value})[parent.key]}).codes(
                parent.key)
        except FilterError:
            parents = ()
        found = dim.under(parents)
        kept = [c for c in value if c in found] if isinstance(value, list) else []
        return nested_options(dim, parents, lang), (kept if kept != value else no_update)

    narrow.__name__ = f"narrow_{dim.key}"
