"""``translate``: language -> every static text, dropdown option and the method note."""

from __future__ import annotations

from dash import ALL, Input, Output, ctx, no_update

from ..data.filters import FILTER_KEYS
from ..i18n import lang_or_default, t
from ..layout import FILTER_IDS, about_body, dropdown_labels, filter_options, help_id, round_help
from ..page_text import TXT, text

DROPDOWNS = ("sector", "tech_role", "value")


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
        *[Output(FILTER_IDS[k], "options") for k in FILTER_KEYS],
        *[Output(FILTER_IDS[k], "placeholder") for k in DROPDOWNS],
        *[Output(FILTER_IDS[k], "labels") for k in DROPDOWNS],
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
        return (texts, *[options[k] for k in FILTER_KEYS], *[t("placeholder_" + k, lang) for k in DROPDOWNS],
                *[dropdown_labels(lang, k) for k in DROPDOWNS], about_body(lang, fpc), round_help(lang, rounds))
