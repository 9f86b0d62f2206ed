"""The innovators' questions of the synthetic data, one function per group of questions.

Each function fills columns of a `synth.Round` from the latent model (`latent.LOADINGS`) and the
targets in `calibration`; see `synth` for how scores become calibrated answers.
"""

from __future__ import annotations

import numpy as np

from . import calibration as cal
from . import codebook as cb
from .selection import closest, fit_cell_shares, refine_margins, top_share

_SECTORS, _GROUPS = list(cb.SECTORS), list(cb.TECH_GROUP_CODES)
LAMBDA_GRID = np.linspace(0.0, 6.0, 241)  # loadings of a block factor tried in `any_of`


def any_of(r, items: list[str], mask, key, margins: dict, any_target: dict, block: str) -> dict[str, np.ndarray]:
    """Return {item: answers} for a multi-item question whose items and "any of them" both have targets.

    Every item is a threshold on its score plus lambda x the block factor; lambda, fitted per cell,
    sets how much the items overlap and so the share answering any of them.
    """
    shared = r.shared(block)
    base = {item: r.score(item) for item in items}
    out = {item: np.zeros(len(r.df), dtype=bool) for item in items}
    loading = np.zeros(len(r.df))
    for k, idx in r.cells(mask, key).items():
        w = r.w[idx]

        def draw(lam, idx=idx, w=w, k=k):
            return {item: top_share(base[item][idx] + lam * shared[idx], w, margins[item][k] / 100) for item in items}

        def share_any(lam, w=w, draw=draw):
            return w[np.logical_or.reduce(list(draw(lam).values()))].sum() / w.sum()

        lam = closest(share_any, any_target[k] / 100, LAMBDA_GRID)
        for item, chosen in draw(lam).items():
            out[item][idx[chosen]] = True
        loading[idx] = lam
        r.fitted[f"{block}_shared|{k}"] = lam
    for item in items:
        r.record(item, base[item] + loading * shared, key, mask)
    return out


def _types(r, inn: np.ndarray) -> None:
    """Innovation types: every innovator introduced at least one; a row with none takes its nearest type."""
    asked = r.answered(inn, "types")
    shared = r.shared("types")
    names = list(cal.TYPES)
    scores = {k: r.score(k, shared=shared) for k in names}
    total = r.w[asked].sum()
    forced = np.full(len(r.df), -1)
    for _ in range(50):
        flags, cut = {}, {}
        for j, k in enumerate(names):
            own = forced == j
            free = np.flatnonzero(asked & ~own)
            need = max(cal.TYPES[k] / 100 * total - r.w[own].sum(), 0.0) / r.w[free].sum()
            flags[k] = own.copy()
            flags[k][free[top_share(scores[k][free], r.w[free], need)]] = True
            chosen = flags[k] & ~own
            cut[k] = scores[k][chosen].min() if chosen.any() else np.inf
        none = asked & ~np.logical_or.reduce(list(flags.values()))
        if not none.any():
            break
        gaps = np.column_stack([scores[k] - cut[k] for k in names])
        forced[none] = np.argmax(gaps[none], axis=1)
    key = np.full(len(r.df), "all", dtype=object)
    for j, k in enumerate(names):
        r.record(k, scores[k], key, asked & (forced != j))
        r.put(k, flags[k], inn, "types")


def _values(r, inn: np.ndarray, group: np.ndarray) -> None:
    """Values created: margins by sector (000) and technology group (003 fig 4), logit-additive per cell."""
    answered = r.answered(inn, "values")
    sector = r.df["sector"].astype(str).to_numpy(dtype=object)
    key = sector + "|" + group
    keys = list(dict.fromkeys(key[answered]))
    kw = np.array([r.w[answered & (key == k)].sum() for k in keys])
    s_idx = np.array([_SECTORS.index(k.split("|")[0]) for k in keys])
    g_idx = np.array([_GROUPS.index(k.split("|")[1]) for k in keys])
    shared = r.shared("values")
    for column, (by_sector, by_group) in cal.VALUES.items():
        share = fit_cell_shares(kw, [s_idx, g_idx], [{_SECTORS.index(s): v / 100 for s, v in by_sector.items()},
                                                     {_GROUPS.index(g): v / 100 for g, v in by_group.items()}])
        targets = {k: 100 * p for k, p in zip(keys, share)}
        score = r.score(column, shared=shared)
        chosen = r.flag(column, answered, key, targets, score)
        margins = [([k for k in keys if k.startswith(f"{s}|")], v / 100) for s, v in by_sector.items()]
        margins += [([k for k in keys if k.endswith(f"|{g}")], v / 100) for g, v in by_group.items()]
        chosen = refine_margins(chosen, score, r.w, r.cells(answered, key), margins)
        r.put(column, chosen, inn, "values")


def types_core_values(r, inn: np.ndarray, group: np.ndarray) -> None:
    """Innovation types, core task, started by new technology and the values created."""
    _types(r, inn)
    for column in ("core_task", "started_by_new_tech"):
        asked = r.answered(inn, column)
        r.put(column, r.flag(column, asked, group, cal.BY_TECH_GROUP[column], r.score(column)), inn)
    _values(r, inn, group)


def people(r, inn: np.ndarray, group: np.ndarray, tech: np.ndarray) -> None:
    """Citizens' role (003 fig 5) and employees' part (003 fig 6)."""
    split = np.where(tech, "tech", "non_tech").astype(object)
    items = list(cb.CITIZENS)
    patterns = cal.CITIZEN_PATTERNS
    margins = {item: {s: sum(v for p, v in patterns[s].items() if p[pos] == "1") for s in patterns}
               for pos, item in enumerate(items)}
    answers = any_of(r, items, r.answered(inn, "citizens"), split, margins,
                     {s: sum(v.values()) for s, v in patterns.items()}, "citizens")
    for item in items:
        r.put(item, answers[item], inn, "citizens")
    asked = r.answered(inn, "employees_initiated")
    started = r.flag("employees_initiated", asked, group, cal.BY_TECH_GROUP["employees_initiated"],
                     r.score("employees_initiated"))
    r.put("employees_initiated", started, inn)
    initiated = r.df["employees_initiated"].fillna(False).to_numpy(bool)
    key = group + np.where(initiated, "|initiated", "|not_initiated")
    shares = {**cal.EMPLOYEES_ROLE, **{f"{g}|initiated": cal.EMPLOYEES_ROLE["initiated"] for g in _GROUPS}}
    ordered = {k: {"promoted": v["promoted"], "neither": v["neither"]} for k, v in shares.items()}
    asides = [("not_relevant", r.score("employees_not_relevant"), {k: 100 - sum(v.values()) for k, v in shares.items()}),
              ("dont_know", r.score("employees_dont_know"), {k: v["dont_know"] for k, v in shares.items()})]
    role = r.categories("employees_role", r.answered(inn, "employees_role"), key, ordered, r.score("employees_role"),
                        "hindered", asides)
    r.put("employees_role", role, inn)


def collaboration(r, inn: np.ndarray, group: np.ndarray) -> None:
    """Collaboration partners (003 figs 8-10); collab_any is true when any partner is."""
    items = list(cb.PARTNERS)
    margins = {**cal.PARTNERS, "partner_citizens": cal.PARTNER_CITIZENS}
    answered = r.answered(inn, "collaboration")
    answers = any_of(r, items, answered, group, margins, cal.BY_TECH_GROUP["collab_any"], "collaboration")
    for item in items:
        r.put(item, answers[item], inn, "collaboration")
    r.put("collab_any", np.logical_or.reduce(list(answers.values())), inn, "collaboration")


def spread_novelty(r, inn: np.ndarray, group: np.ndarray) -> None:
    """Spreading the innovation and its novelty (000)."""
    answered = r.answered(inn, "spread")
    everyone = np.full(len(r.df), "all", dtype=object)
    spread = r.flag("spread_any", answered, everyone, {"all": cal.SPREAD_ANY}, r.score("spread_any"))
    r.put("spread_any", spread, inn, "spread")
    scale = r.w[answered].sum() / r.w[spread].sum()
    shared = r.shared("spread")
    for k, target in cal.SPREAD_CHANNELS.items():
        r.put(k, r.flag(k, spread, everyone, {"all": target * scale}, r.score(k, shared=shared)), inn, "spread")
    dont_know = {g: 100 - sum(v.values()) for g, v in cal.NOVELTY.items()}
    ordered = {g: {"first": v["first"], "adapted": v["adapted"]} for g, v in cal.NOVELTY.items()}
    codes = r.categories("novelty", r.answered(inn, "novelty"), group, ordered, r.score("novelty"), "copied",
                         [("dont_know", r.score("novelty_dont_know"), dont_know)])
    r.put("novelty", codes, inn)
