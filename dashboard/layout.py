"""The page: header, filter bar, the report's sections (cards.py) and the method note. Pure functions
of the language; no data, no callbacks. Its texts are retranslatable (page_text.py).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from . import __version__
from .cards import sections
from .data.codebook import CURRENT_ROUND, ROUNDS
from .data.dimensions import BY_KEY, BY_KEYS, DIMENSIONS
from .data.filters import Filter
from .export.presets import DEFAULT_PRESET, PRESETS
from .figures.specs import BY_ID, FIGURES, SECTIONS
from .i18n import DEFAULT_LANG, LOCALES, t
from .page_text import txt

GROUP_PREFIX = "group:"  # values of the non-selectable group headings in a dropdown (the technology one)
FILTER_IDS = {d.key: d.control_id for d in DIMENSIONS}
CHART_WIDTH = "chart-width"  # the store the page writes the width available to a chart into
CHARTS_WAKE = "charts-wake"  # the store naming the charts the page wants drawn now (assets/charts.js)
FIGURES_STATE = "figures-state"  # what the last redraw showed, to announce what the next one changes


# --------------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------------
def filter_options(lang: str, rounds: dict[str, tuple[str, ...]] | None = None,
                   filt: Filter = Filter()) -> dict[str, list[dict]]:
    """Return the options of each filter control in `lang`, keyed by filter key, under the headings of its
    groups; the rounds are those of the data (`rounds`: {round: the figures it has}; None: every round of the
    codebook); a nested dimension offers the codes found under the codes `filt` chooses in its parent."""

    def opts(dim, codes):
        return [{"label": dim.label(c, lang), "value": c} for c in codes]

    def heading(name, label=None):
        return {"label": label or t(name, lang), "value": GROUP_PREFIX + name, "disabled": True}

    out = {}
    for dim in DIMENSIONS:
        codes = tuple(rounds) if dim.key == "round" and rounds is not None else dim.codes
        if dim.within:
            out[dim.key] = nested_options(dim, filt.codes(dim.within[0]), lang)
        elif dim.groups:
            out[dim.key] = [o for name, members in dim.groups
                            for o in (heading(name), *opts(dim, [c for c in members if c in codes]))]
        else:
            out[dim.key] = opts(dim, codes)
    return out


def nested_options(dim, parents: tuple[str, ...], lang: str) -> list[dict]:
    """Return the options of a nested dimension's control: the codes found under the chosen parent codes (none:
    all), under a heading per parent code, and those found under several of them under one heading, each
    naming where it is found.

    >>> [o["label"] for o in nested_options(BY_KEY["industry"], ("state", "region"), "en")][-3:]
    ['Social institutions', 'In several sectors', 'Administration (State, Region)']
    """
    parent = BY_KEY[dim.within[0]]
    shown = parents or parent.codes
    where = {c: [p for p in shown if c in dim.within[1].get(p, ())] for c in dim.under(parents)}
    out = []
    for p in shown:
        only = [c for c, found in where.items() if found == [p]]
        if only:
            out.append({"label": parent.label(p, lang), "value": f"{GROUP_PREFIX}{parent.key}:{p}", "disabled": True})
            out += [{"label": dim.label(c, lang), "value": c} for c in only]
    several = [c for c, found in where.items() if len(found) > 1]
    if several:
        out.append({"label": t(f"group_several_{parent.key}", lang), "value": f"{GROUP_PREFIX}several",
                    "disabled": True})
        out += [{"label": f"{dim.label(c, lang)} ({', '.join(parent.label(p, lang) for p in where[c])})", "value": c}
                for c in several]
    return out


def round_help(lang: str, rounds: dict[str, tuple[str, ...]] | None = None) -> str:
    """Return what the round control's help says: which figures each earlier round has answers for (from the
    data), so that nobody expects a round to change a figure it has no data for.

    >>> round_help("en", {"2018-2019": ("fig1",), "2015-2016": ("dst-sector-trend",)})
    "2015-2016: only 'Share of innovative workplaces by sector, 2015-2016 and 2018-2019'"
    """
    rounds = rounds if rounds is not None else {r: tuple(f.id for f in FIGURES) for r in ROUNDS}
    parts = []
    for r, figures in rounds.items():
        if r == CURRENT_ROUND:
            continue
        titles = [BY_ID[f].title[lang] for f in figures]
        if not titles:
            parts.append(t("round_none", lang, round=r))
        elif len(titles) == 1:
            parts.append(t("round_only", lang, round=r, title=titles[0]))
        else:
            parts.append(t("round_some", lang, round=r, count=len(titles), total=len(FIGURES)))
    return "; ".join(parts) or t("help_round", lang)


def dropdown_labels(lang: str, key: str | None = None) -> dict[str, str]:
    """Return the built-in texts of a multi-select dropdown in `lang`; the sector dropdown says, when a search
    finds nothing, that sub-sectors and sizes cannot be chosen yet."""
    keys = ("select_all", "deselect_all", "selected_count", "search", "clear_search", "clear_selection")
    out = {k: t("dd_" + k, lang) for k in keys}
    out["no_options_found"] = t("dd_no_options_sector" if key == "sector" else "dd_no_options", lang)
    return out


def label_id(key: str) -> str:
    """Return the id of a filter's visible label (the dropdowns' accessible names point at it)."""
    return f"{FILTER_IDS[key]}-label"


def help_id(key: str) -> str:
    """Return the id of a filter's help text (its controls' accessible description)."""
    return f"{FILTER_IDS[key]}-help"


def _field(key: str, control, lang: str, group: bool = False, help_text=None, hidden: bool = False):
    """Return a filter's label, control and help text (`help_text`, else the text of its help key); a radio
    `group` is a radiogroup named by the label. A `hidden` field is not shown (a control with one choice)."""
    label_key = f"filter:{key}"
    if group:
        label = html.Span(txt(label_key, lang), id=label_id(key), className="filter-label")
        control = html.Div(control, role="radiogroup", **{"aria-labelledby": label_id(key),
                                                          "aria-describedby": help_id(key)})
    else:
        label = html.Label(txt(label_key, lang), id=label_id(key), htmlFor=FILTER_IDS[key], className="filter-label")
    helper = (html.Small(help_text, id=help_id(key), className="filter-help") if help_text is not None
              else html.Small(txt("help_" + key, lang), id=help_id(key), className="filter-help"))
    return html.Div([label, control, helper], className=f"filter-field filter-field-{key.replace('_', '-')}",
                    hidden=hidden)


def radio_group(label_keys: tuple[str, ...], control, lang: str, group_id: str, visible: bool = False):
    """Return `control` (radio buttons) as a radiogroup named by the texts of `label_keys`; with `visible`
    the first is shown (the others stay for screen readers)."""
    label = [txt(key, lang, html.Span, className="export-label" if visible and k == 0 else "visually-hidden")
             for k, key in enumerate(label_keys)]
    return html.Div([html.Span(label, id=group_id), html.Div(control, role="radiogroup",
                                                             **{"aria-labelledby": group_id})],
                    className="radio-group")


PRESET_SHORT = {"slide": "16:9", "a4": "A4"}  # the part of a preset's name a phone shows


def preset_options(lang: str, images: bool = True) -> list[dict]:
    """Return the options of the export size choice in `lang`; a phone shows only the short part
    of each name (the rest is in spans that CSS hides). Disabled when images cannot be rendered."""
    out = []
    for name, preset in PRESETS.items():
        full, short = preset.label[lang], PRESET_SHORT.get(name, "")
        if short and short in full:
            before, after = full.split(short, 1)
            label = [html.Span(before, className="preset-long"), short, html.Span(after, className="preset-long")]
        else:
            label = full
        out.append({"label": label, "value": name, "disabled": not images})
    return out


def export_control(lang: str, images: bool = True):
    """Return the "Download all" control: the export size and the button, with its dcc.Download.

    Without Chromium on the server (`images` False) the size is disabled, the button fetches the
    numbers only (CSV and XLSX) and its tooltip and a marker say why and how to install Chromium.
    """
    button_key, tip_key = ("export_button", "export_tooltip") if images else ("export_button_numbers",
                                                                                "export_unavailable")
    button = html.Button(
        [html.Span("\u2193", className="btn-icon", **{"aria-hidden": "true"}),
         txt(button_key, lang, className="export-idle"),
         txt("export_busy", lang, className="export-busy"),
         html.Span("ZIP", className="export-zip", **{"aria-hidden": "true"})],
        id="export-all", n_clicks=0, type="button", className="btn btn-export",
        **{"aria-describedby": "export-all-description" if images else "export-hint-text"},
    )
    sizes = dbc.RadioItems(id="export-size", options=preset_options(lang, images), value=DEFAULT_PRESET,
                           inline=True, class_name="segmented segmented-small", input_class_name="segmented-input",
                           label_class_name="segmented-label", label_checked_class_name="checked")
    parts = [radio_group(("export_label", "export_size_label"), sizes, lang, "export-size-label", visible=True),
             button,
             html.Span(txt(f"{tip_key}@described", lang), id="export-all-description", className="visually-hidden"),
             dbc.Tooltip(txt(tip_key, lang), target="export-all", placement="bottom")]
    if not images:
        parts += [html.Span("!", id="export-hint", tabIndex=0, className="export-hint", role="note",
                            **{"aria-describedby": "export-hint-text"}),
                  html.Span(txt(f"{tip_key}@hidden", lang), id="export-hint-text", className="visually-hidden"),
                  dbc.Tooltip(txt(f"{tip_key}@hint", lang), target="export-hint", placement="bottom")]
    # what the export is doing (starting, queued, "7 of 16 figures", ready, refused), in the page's language;
    # a polite live region
    parts.append(html.Span(id="export-status", className="export-status", role="status"))
    parts.append(dcc.Store(id="export-progress", data=None))
    parts.append(dcc.Download(id="export-download"))
    return html.Div(parts, className="export-all" + ("" if images else " export-all-numbers"))


def by_options(lang: str) -> list[dict]:
    """Return the options of the "Break down by" control: the dimensions a figure can be broken down by.

    >>> [o["label"] for o in by_options("en")]
    ['Sector', 'Sub-sector', 'Size', 'Technology', 'Round']
    """
    return [{"label": BY_KEY[k].name(lang), "value": k} for k in BY_KEYS]


def by_field(lang: str, by: str | None):
    """Return the "Break down by" control with its label and help, laid out as a filter's."""
    return html.Div(
        [html.Label(txt("by_label", lang), id="by-label", htmlFor="by", className="filter-label"),
         dcc.Dropdown(id="by", options=by_options(lang), value=by, multi=False, clearable=True, searchable=False,
                      placeholder=t("by_none", lang), className="filter-dropdown"),
         html.Small(txt("help_by", lang), id="by-help", className="filter-help")],
        className="filter-field filter-field-by")


def filter_bar(lang: str, images: bool = True, filt: Filter = Filter(), rounds: dict[str, tuple[str, ...]] | None = None,
               by: str | None = None):
    """Return the sticky bar with the filter controls (set to `filt`), the breakdown (`by`), the reset button
    and the "Download all" control; the round control offers the rounds of the data (`rounds`) and says which figures each has,
    and is left out when the data hold one round."""
    options = filter_options(lang, rounds, filt)

    def control(dim):
        if dim.control == "radio":
            return dbc.RadioItems(
                id=dim.control_id, options=options[dim.key], value=getattr(filt, dim.key), inline=True,
                class_name="segmented", input_class_name="segmented-input", label_class_name="segmented-label",
                label_checked_class_name="checked")
        return dcc.Dropdown(id=dim.control_id, options=options[dim.key], value=list(getattr(filt, dim.key)),
                            multi=dim.multiple, placeholder=t("placeholder_" + dim.key, lang),
                            labels=dropdown_labels(lang, dim.key), searchable=True, closeOnSelect=False,
                            maxHeight=360, className="filter-dropdown")

    def field(dim):
        if dim.key == "round":  # its help says which figures each round of the data has
            return _field(dim.key, control(dim), lang, group=True, help_text=round_help(lang, rounds),
                          hidden=rounds is not None and len(rounds) < 2)
        return _field(dim.key, control(dim), lang, group=dim.control == "radio")

    grid = html.Div([*(field(dim) for dim in DIMENSIONS), by_field(lang, by),
                     html.Div(html.Button(txt("reset", lang), id="reset", n_clicks=0, type="button",
                                          className="btn btn-reset"), className="filter-actions")],
                    className="filter-grid",
                    style={"--dropdowns": sum(d.control == "dropdown" for d in DIMENSIONS)})
    return html.Section(
        html.Div(
            [html.Div([html.H2(txt("filters_heading", lang), id="filters-heading", className="filter-heading"),
                       html.Button([txt("filter_toggle", lang), html.Span(id="filter-count", className="filter-count")],
                                   id="filter-toggle", n_clicks=0, type="button",
                                   className="btn btn-toggle filter-toggle",
                                   **{"aria-controls": "filter-collapse", "aria-expanded": "false"}),
                       export_control(lang, images)],
                      className="filter-top"),
             dbc.Collapse(grid, id="filter-collapse", is_open=False, class_name="filter-collapse")],
            className="container",
        ),
        className="filter-bar", id="filters", **{"aria-labelledby": "filters-heading"},
    )


# --------------------------------------------------------------------------------------------------
# Header, sections, cards
# --------------------------------------------------------------------------------------------------
def header(lang: str, synthetic: bool = True):
    """Return the page header: title, intro, data badge, language switch and section links."""
    badge_key = "badge" if synthetic else "real_data"
    tip_key = "badge_tooltip" if synthetic else "real_data_tooltip"
    badge = html.A(txt(badge_key, lang), id="data-badge", href="#about",
                   className="data-badge" + (" data-badge-synthetic" if synthetic else ""),
                   **{"aria-describedby": "data-badge-description"})
    languages = [{"label": [html.Span(loc.short, **{"aria-hidden": "true"}),  # each named in its own language
                            html.Span(loc.name, className="visually-hidden", lang=loc.html)],
                  "value": code} for code, loc in LOCALES.items()]
    lang_switch = html.Div(
        radio_group(("lang_label",), dbc.RadioItems(
            id="lang", value=lang, inline=True, options=languages, class_name="segmented segmented-dark",
            input_class_name="segmented-input", label_class_name="segmented-label", label_checked_class_name="checked"),
            lang, "lang-label"),
        className="lang-switch",
    )
    nav = html.Nav(
        [html.Span(txt("nav_label", lang), id="section-nav-label", className="visually-hidden"),
         html.Ul([html.Li(html.A(txt(f"section:{key}@nav", lang), href=f"#section-{key}")) for key in SECTIONS])],
        className="section-nav", **{"aria-labelledby": "section-nav-label"},
    )
    return html.Header(
        [html.A(txt("skip_link", lang), href="#content", className="skip-link"),
         html.Div(
             [html.Div([html.Div([txt("subtitle", lang, html.P, className="eyebrow"),
                                  html.H1(t("title", lang).replace("sbarometer", "s\u00adbarometer"), className="site-title")]),
                        html.Div([badge, lang_switch], className="header-tools")],
                       className="header-top"),
              txt("intro", lang, html.P, className="intro"),
              html.Span(txt(f"{tip_key}@described", lang), id="data-badge-description", className="visually-hidden"),
              dbc.Tooltip(txt(tip_key, lang), target="data-badge", placement="bottom"),
              nav],
             className="container",
         )],
        className="site-header",
    )


def about_body(lang: str, fpc: bool = True) -> list:
    """Return the method note: survey, intervals (and whether the finite population correction applies),
    what is hidden and why, precision, synthetic data, real microdata, sources and the version."""
    def part(name, *extra):
        return html.Div([html.H3(t(f"about_{name}_h", lang)), html.P(t(f"about_{name}", lang)), *extra],
                        className="about-part")

    return [
        part("survey"),
        part("ci", html.P(t("about_fpc_on" if fpc else "about_fpc_off", lang), id="about-fpc")),
        part("suppression"),
        part("disclosure"),
        part("precision"),
        part("synthetic"),
        part("real", html.Pre(html.Code(t("about_real_cmd", lang)))),
        part("sources", html.P(t("about_version", lang, version=__version__), className="about-version")),
    ]


def about(lang: str, fpc: bool = True):
    """Return the collapsible 'About the data' panel."""
    return html.Section(
        html.Div(
            dbc.Accordion(
                dbc.AccordionItem(html.Div(about_body(lang, fpc), id="about-body", className="about-body"),
                                  title=txt("about_title", lang), item_id="about"),
                start_collapsed=True, id="about-accordion", class_name="about-accordion",
            ),
            className="container",
        ),
        id="about", className="about",
    )


def footer(lang: str):
    """Return the page footer."""
    return html.Footer(html.Div([txt("footer", lang), txt("about_sources@footer", lang)], className="container"),
                       className="site-footer")


DATA_FINGERPRINT = "data-fingerprint"  # the store naming the data the page was made from


def build_layout(lang: str = DEFAULT_LANG, synthetic: bool = True, images: bool = True, fpc: bool = True,
                 filt: Filter = Filter(), problems: tuple[str, ...] = (), search: str = "", canonical: str | None = None,
                 rounds: dict[str, tuple[str, ...]] | None = None, fingerprint: str | None = None,
                 by: str | None = None):
    """Return the whole page in `lang` with the filter controls set to `filt`: the state of the link
    (`search`, its `problems` named in the notice) the page was opened with. `synthetic` shows the
    synthetic-data badge, `images` False makes the "Download all" button offer the numbers only (no
    Chromium on the server), `fpc` says in the method note whether variances carry the finite
    population correction; `fingerprint` names the data the page is made from (a job for the page is
    refused by a process holding other data)."""
    return html.Div(
        [dcc.Location(id="url", refresh=False),
         dcc.Store(id="url-problems", data={"link": search, "problems": list(problems),  # see callbacks.url
                                            "canonical": canonical}),
         dcc.Store(id="url-fixed", data=None),
         dcc.Store(id=DATA_FINGERPRINT, data=fingerprint),
         dcc.Store(id="url-current", data=search),  # the link of the controls as they are (see callbacks.url)
         html.Span(id="url-recheck", hidden=True),  # a changed link, handed to read_url (see callbacks.url)
         dcc.Store(id="url-seen", data=None),
         dcc.Store(id="doc-lang", data=lang),
         dcc.Store(id=CHART_WIDTH, data=None),
         dcc.Store(id=CHARTS_WAKE, data=None),
         dcc.Store(id=FIGURES_STATE, data=None),
         *[dcc.Store(id=name, data=None) for name in ("camera-request", "camera-image", "camera-done")],
         header(lang, synthetic),
         filter_bar(lang, images, filt, rounds, by),
         html.Main(
             [html.Div(id="figures-status", role="status", className="visually-hidden"),
              txt("figures_stale", lang, className="figures-stale-text", hidden=True),  # for assets/retry.js
              html.Div(dbc.Alert(id="notice", is_open=False, color="warning", dismissable=True,
                                 class_name="notice"), className="container notice-wrap"),
              html.Div(sections(lang), className="container"),
              about(lang, fpc)],
             id="content",
         ),
         footer(lang)],
        className="page",
    )
