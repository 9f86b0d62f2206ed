"""The report's sections and the card of each figure: chart or table, summary, question and buttons, and
where each card stands (the full page width, or two a row)."""

from __future__ import annotations

from dash import dcc, html

from .figures.specs import FIGURES, SECTIONS, FigureSpec
from .page_text import txt

WIDE_CELLS = 10  # a chart with at least this many bars gets the full width of the page


def wide(spec: FigureSpec) -> bool:
    """Return True when a figure needs the full page width (many bars or long labels)."""
    series = {"tech_split": 2, "tech_group": 3, "sector": 3, "round": 2, "tech_new": 2}.get(spec.series, 1)
    series += 1 if spec.series_total else 0
    return len(spec.categories) * series >= WIDE_CELLS


def card_spans() -> dict[str, str]:
    """Return figure id -> "wide" (the full width of the page) or "half" (two cards a row on a wide screen).

    Within a section, figures that do not need the full width pair up in the report's order; one
    left without a partner (the next figure is wide, or the section ends) takes the full width.
    """
    spans: dict[str, str] = {}
    for key in SECTIONS:
        pending: list[str] = []
        for spec in (f for f in FIGURES if f.section == key):
            if wide(spec):
                spans.update({fid: "wide" for fid in pending})
                pending = []
                spans[spec.id] = "wide"
                continue
            pending.append(spec.id)
            if len(pending) == 2:
                spans.update({fid: "half" for fid in pending})
                pending = []
        spans.update({fid: "wide" for fid in pending})
    return spans


def card_pairs() -> list[tuple[str, str]]:
    """Return the figures shown side by side on a wide screen, as (left, right) pairs."""
    spans, pairs, left = card_spans(), [], None
    for spec in FIGURES:
        if spans[spec.id] != "half":
            continue
        if left is None:
            left = spec.id
        else:
            pairs.append((left, spec.id))
            left = None
    return pairs


def card_ids(figure: str) -> dict[str, str]:
    """Return the ids of a card's parts: its title, the chart's view, the slot its chart is put into (the
    chart's own id is `figure`), the summary under it, the table view and the store of its figure."""
    return {"title": f"{figure}-title", "chart": f"{figure}-chart", "slot": f"{figure}-slot",
            "summary": f"{figure}-summary", "table": f"{figure}-table", "data": f"{figure}-figure-data"}


def figure_card(spec: FigureSpec, lang: str, span: str | None = None):
    """Return the card of one figure: the chart (which draws its title) or its numbers as a table, a text
    summary tied to the chart, the question, and the buttons to show the table and download the CSV.

    `span` is "wide" or "half" (default: as `card_spans` places the figure). The chart's image is named
    by the title and described by the summary (assets/a11y.js gives the plot those references).
    """
    fid = spec.id
    ids = card_ids(fid)
    span = span or card_spans()[fid]
    meta = []
    if spec.question:
        meta.append(html.P([txt(f"question@{fid}", lang, className="meta-key"), ": ",
                            txt(f"question:{fid}", lang)], className="card-question"))
    chart = html.Div(
        # the slot gets the chart (a dcc.Graph with id `fid`) with its first figure (assets/charts.js);
        # until then it holds the chart's width and height
        [html.Div(html.Div(className="card-graph graph-slot"), id=ids["slot"]),
         dcc.Store(id=ids["data"])],  # the figure and config the server sent, drawn when in view
        id=ids["chart"], className="chart-view",
        **{"data-labelledby": ids["title"], "data-describedby": ids["summary"]},
    )
    view = html.Button([html.Span("\u25A6", className="btn-icon", **{"aria-hidden": "true"}),
                        txt(f"view_table@{fid}", lang, className="when-chart"),
                        txt(f"view_chart@{fid}", lang, className="when-table")],
                       id={"type": "view-toggle", "figure": fid}, n_clicks=0, type="button",
                       className="btn btn-view", **{"aria-controls": ids["table"]})
    downloads = [html.Button([html.Span("\u2193", className="btn-icon", **{"aria-hidden": "true"}),
                              txt(f"download_as@{fid}-{fmt}", lang, className="visually-hidden"), " ", label],
                             id={"type": f"{fmt}-btn", "figure": fid}, n_clicks=0, type="button",
                             className=f"btn btn-download btn-{fmt}")
                 for fmt, label in (("csv", "CSV"), ("xlsx", "XLSX"))]
    return html.Article(
        [txt(f"where:{fid}", lang, html.P, className="card-ref"),
         html.H3(txt(f"title:{fid}", lang), id=ids["title"], className="visually-hidden"),
         # shown while the card's redraw gets no answer and is tried again (assets/retry.js)
         txt(f"figure_stale@{fid}", lang, html.P, className="card-stale"),
         html.Div([chart, html.Div(id=ids["table"], className="table-view", tabIndex=0, role="region",
                                   **{"aria-labelledby": ids["title"]})],
                  id={"type": "card-body", "figure": fid}, className="card-body show-chart"),
         html.P(id=ids["summary"], className="card-summary"),
         html.Div(
             [html.Div(meta, className="card-meta"),
              html.Div([view, *downloads], className="card-actions"),
              *[dcc.Download(id={"type": f"download-{fmt}", "figure": fid}) for fmt in ("csv", "xlsx")]],
             className="card-foot",
         )],
        className=f"figure-card figure-card-{span}", id=f"card-{fid}", tabIndex=-1,
        **{"aria-labelledby": ids["title"]},
    )


def sections(lang: str):
    """Return one section per report chapter, in the report's order, with its figures."""
    out = []
    spans = card_spans()
    for number, key in enumerate(SECTIONS, start=1):
        specs = [f for f in FIGURES if f.section == key]
        if not specs:
            continue
        out.append(html.Section(
            [html.Div([html.Span(f"{number:02d}", className="section-number", **{"aria-hidden": "true"}),
                       txt(f"section:{key}", lang, html.H2, className="section-title")],
                      className="section-head"),
             html.Div([figure_card(s, lang, spans[s.id]) for s in specs], className="card-grid")],
            className="report-section", id=f"section-{key}",
        ))
    return out
