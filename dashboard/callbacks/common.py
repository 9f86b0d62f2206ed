"""Untrusted callback input made safe: raw control values into a Filter, problems into readable notices.

Shared by every server-side callback module; nothing here registers a callback.
"""

from __future__ import annotations

from dash import Input, Output, State, html

from ..data.dimensions import BY_KEY, BY_KEYS, DIMENSIONS
from ..data.filters import FILTER_KEYS, MAX_CODES, Filter, FilterError, outside, parse_filter
from ..i18n import t
from ..layout import GROUP_PREFIX

# The controls' values reach a callback as one argument, a dict by dimension key (Dash's grouped inputs).
FILTER_INPUTS = {d.key: Input(d.control_id, "value") for d in DIMENSIONS}
FILTER_STATES = {d.key: State(d.control_id, "value") for d in DIMENSIONS}
FILTER_OUTPUTS = [Output(d.control_id, "value") for d in DIMENSIONS]
BY_CONTROL = "by"  # the "Break down by" control
VIEW_INPUTS = {**FILTER_INPUTS, "by": Input(BY_CONTROL, "value")}  # the filters and the breakdown
VIEW_STATES = {**FILTER_STATES, "by": State(BY_CONTROL, "value")}
MAX_NOTICES = 8
MAX_NOTICE_CHARS = 300


def _items(raw) -> list | None:
    """Return the codes in a raw filter value, or None when it is not text or a list."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [p.strip() for p in raw.split(",") if p.strip()]
    if isinstance(raw, (list, tuple)):
        return list(raw)
    return None


def _quoted(values) -> str:
    return ", ".join(repr(str(v)[:40]) for v in values[:3]) + (", ..." if len(values) > 3 else "")


def problem(key: str, raw, lang: str) -> str | None:
    """Return a readable message if `raw` (a control's value in a callback request) is not a valid value of
    filter `key`, else None. (A link's values are read by `url.url_state`.)

    Examples
    --------
    >>> problem("sector", ["region", "foo"], "en")
    "Unknown filter value: Sector 'foo'; allowed: state, region, municipality. The default filter is shown."
    >>> problem("value", ["quality"], "en") is None
    True
    """
    try:
        parse_filter(**{key: raw})
        return None
    except FilterError as exc:
        message = str(exc)
    except Exception as exc:  # a value no parser anticipated; say so rather than fail
        message = f"{key}: {type(exc).__name__}"
    items = _items(raw)
    dim = BY_KEY[key]
    name = dim.name(lang)
    if items is None:
        return t("notice_wrong_type", lang, key=name, type=type(raw).__name__)
    bad = [i for i in items if not isinstance(i, str) or i not in dim.codes]
    if len(items) > MAX_CODES:
        return t("notice_too_many", lang, key=name, count=len(items), limit=MAX_CODES)
    if bad:
        return t("notice_unknown", lang, key=name, values=_quoted(bad), allowed=", ".join(dim.codes))
    if not dim.multiple:
        return t("notice_one", lang, key=name, allowed=", ".join(dim.codes))
    return t("notice_other", lang, message=message[:MAX_NOTICE_CHARS])


def control_values(controls) -> dict:
    """Return the raw filter values of the controls (a dict by key, as the grouped inputs give them) by key,
    without the group headings of a dropdown (its "select all" picks them too); a key that is not a
    dimension's is left out.

    >>> control_values({"sector": ["state"], "tech_role": ["group:x", "solution"], "foo": 1})["tech_role"]
    ['solution']
    """
    controls = controls if isinstance(controls, dict) else {}
    out = {}
    for key in FILTER_KEYS:
        raw = controls.get(key)
        if isinstance(raw, list):
            raw = [c for c in raw if not (isinstance(c, str) and c.startswith(GROUP_PREFIX))]
        out[key] = raw
    return out


def chosen_by(controls, lang: str) -> tuple[str | None, list[str]]:
    """Return the breakdown the controls choose (None: none) and, for a value that is not a dimension's, the
    problem.

    >>> chosen_by({"by": "size"}, "en"), chosen_by({"by": "colour"}, "en")[1]
    (('size', []), ["Unknown breakdown 'colour'; possible: sector, industry, size, tech_role, round."])
    """
    raw = controls.get("by") if isinstance(controls, dict) else None
    if raw is None or raw == "":
        return None, []
    if isinstance(raw, str) and raw in BY_KEYS:
        return raw, []
    return None, [t("notice_by", lang, value=repr(str(raw)[:40]), allowed=", ".join(BY_KEYS))]


def strict_filter(raw: dict, lang: str) -> tuple[Filter, list[str]]:
    """Return the Filter of control values, or the default Filter and the problems if any is bad. A nested
    control's codes outside the chosen codes of its parent are left out (the page takes them out of the control
    as the parent changes: `callbacks.nesting`)."""
    try:
        return parse_filter(**outside(raw)[0]), []
    except FilterError:
        pass
    problems = [p for k in FILTER_KEYS if (p := problem(k, raw.get(k), lang)) is not None]
    return Filter(), problems or [t("notice_other", lang, message="filter")]


def _controls(filt: Filter) -> list:
    """Return the values of the controls, in the registry's order, that show `filt`."""
    return [list(choice) if isinstance(choice, tuple) else choice for _, choice in filt.items()]


def _notice(messages: list[str]):
    """Return (children, is_open) of the notice area for a list of messages."""
    if not messages:
        return None, False
    messages = [m[:MAX_NOTICE_CHARS] for m in messages[:MAX_NOTICES]]
    if len(messages) == 1:
        return messages[0], True
    return html.Ul([html.Li(m) for m in messages], className="notice-list"), True
