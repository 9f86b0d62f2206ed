"""The callback requests one filter change sends, built from the app's own /_dash-dependencies.

A filter change in the browser posts two callbacks at once: ``write_url`` (the link)
and ``update_figures`` (all 16 figures).
`filter_change` returns both bodies, as the browser sends them, for a control state.
"""

from __future__ import annotations

import random

from dashboard.data.dimensions import DIMENSIONS

CONTROLS = {**{d.control_id: d.key for d in DIMENSIONS}, "lang": "lang"}
DESKTOP = {"wide": 1200, "half": 560}  # the chart widths the page measures on a 1440 px screen
DEFAULT_STATE = {**{d.key: [] if d.multiple else d.default for d in DIMENSIONS}, "lang": "da"}


def split_outputs(output: str) -> list[dict]:
    """Return [{id, property}] of a callback output string ('..a.b...c.d..' or 'a.b'; the '@hash'
    suffix of a duplicate output is kept)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in parts]


def find(deps: list[dict], output_fragment: str) -> dict:
    """Return the one server callback (not a clientside one) whose output string contains `output_fragment`."""
    (dep,) = [d for d in deps if output_fragment in d["output"] and not d.get("clientside_function")]
    return dep


def server_callbacks(deps: list[dict]) -> tuple[dict, dict]:
    """Return the dependencies of the two server callbacks a filter change posts: the one that writes
    the URL (``write_url``) and the one that takes the chart widths (``update_figures``)."""
    served = [d for d in deps if not d.get("clientside_function")]
    (url,) = [d for d in served if "url.search" in d["output"]]
    (figures,) = [d for d in served if any(i["id"] == "chart-width" for i in d["inputs"])]
    return url, figures


def body(dep: dict, values: dict, changed: list[str]) -> dict:
    """Return the POST body of callback `dep` with {(id, property): value} for its inputs and states."""
    def filled(items):
        return [dict(i, value=values.get((i["id"], i["property"]))) for i in items]

    outputs = split_outputs(dep["output"])
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": filled(dep["inputs"]), "changedPropIds": changed, "state": filled(dep.get("state", []))}


def control_values(state: dict, search: str = "", widths: dict | None = None) -> dict:
    """Return {(id, property): value} of the page for a control state, its URL query and chart widths."""
    values = {(cid, "value"): state[key] for cid, key in CONTROLS.items()}
    values[("by", "value")] = state.get("by")  # the breakdown (None: none)
    values |= {("url", "search"): search, ("url-problems", "data"): {"link": search, "problems": []},
               ("chart-width", "data"): widths or DESKTOP}
    return values


def filter_change(deps: list[dict], state: dict, search: str = "", widths: dict | None = None) -> list[tuple[str, dict]]:
    """Return [(name, body)] of the callbacks a change of the sector filter to `state` posts, in order."""
    values = control_values(state, search, widths)
    changed = ["filter-sector.value"]
    url, figures = server_callbacks(deps)
    return [("write_url", body(url, values, changed)), ("update_figures", body(figures, values, changed))]


def random_state(rng: random.Random) -> dict:
    """Return random control values, as a user clicking around would set them."""
    state = {}
    for d in DIMENSIONS:  # a nested control offers the codes found under its parent's choice
        codes = d.under(tuple(state[d.within[0]])) if d.within else d.codes
        state[d.key] = sorted(rng.sample(codes, rng.randint(0, 2))) if d.multiple else rng.choice(codes)
    return {**state, "lang": rng.choice(("da", "en"))}


def distinct_states(count: int, seed: int) -> list[dict]:
    """Return `count` different random control states (so that no response is served from a cache)."""
    rng, seen, out = random.Random(seed), set(), []
    while len(out) < count:
        state = random_state(rng)
        key = repr(sorted(state.items()))
        if key not in seen:
            seen.add(key)
            out.append(state)
    return out
