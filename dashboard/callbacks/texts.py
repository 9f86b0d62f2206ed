"""``translate``: language -> every static text, dropdown option and the method note."""

from __future__ import annotations

from dash import ALL, Input, Output, ctx, no_update

from ..data.dimensions import DIMENSIONS
from ..i18n import lang_or_default, t
from ..layout import about_body, dropdown_labels, filter_options, help_id, round_help
from ..page_text import TXT, text

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
        Input("lang", "value"),
        prevent_initial_call=True,  # the page is made in the language of its link
    )
    def translate(lang):
        """Return every static text of the page in the chosen language."""
        lang = lang_or_default(lang)
        texts = [_text(o, lang) for o in ctx.outputs_list[0]]
        options = filter_options(lang, rounds)
        return (texts, *[options[d.key] for d in DIMENSIONS], *[t("placeholder_" + d.key, lang) for d in DROPDOWNS],
                *[dropdown_labels(lang, d.key) for d in DROPDOWNS], about_body(lang, fpc), round_help(lang, rounds))
