"""The latent model behind every synthetic answer: traits, their stratum effects, item loadings.

Each workplace has three latent traits, standard normal within its stratum and correlated
(`CORRELATION`): drive to innovate, affinity for technology ("techy") and orientation towards
citizens. Their means shift with size and sub-sector (`SHIFTS`, in standard deviations); these
shifts, the direct effects in `LOADINGS` and the calibration targets' own cells are the only sources
of differences between strata.

An item's score is its linear predictor plus a standard logistic draw: the sum over `LOADINGS[item]`
of coefficient x term, where a term is a trait, "size" (-1 small, 0 medium, +1 large), "shared" (a
block factor common to the items of one question, standard normal), "industry=<code>" (1 in that
sub-sector) or an earlier answer (1 for yes). `selection.top_share` turns scores into answers.
Coefficients are on the logit scale: 0.5 moves a 50 % share by about 12 points.

Item nonresponse (`NONRESPONSE`): each question is left unanswered with probability
expit(a + 0.4 small - 0.3 drive), `a` giving the rate stated; a multi-item question is unanswered as
a whole.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .selection import expit, logit

TRAITS = ("drive", "techy", "citizen")
CORRELATION = np.array([[1.0, 0.3, 0.2], [0.3, 1.0, 0.0], [0.2, 0.0, 1.0]])
SIZE_STEP = {"small": -1.0, "medium": 0.0, "large": 1.0}

# Shifts of the trait means (standard deviations) by size, sector and sub-sector.
SHIFTS = {
    "size": {"small": {"drive": -0.15, "techy": -0.1}, "large": {"drive": 0.15, "techy": 0.1}},
    "sector": {"state": {"techy": 0.3, "citizen": -0.5}, "region": {"techy": 0.1}},
    "industry": {
        "admin": {"techy": 0.15, "citizen": -0.3},
        "education": {"drive": 0.1, "citizen": 0.1},
        "health": {"drive": 0.1, "techy": 0.2},
        "daycare": {"techy": -0.2, "citizen": 0.2},
        "eldercare": {"techy": 0.1, "citizen": 0.2},
        "social": {"techy": -0.1, "citizen": 0.2},
    },
}

# Linear predictors (logit scale). "size" in innovated and tech is fitted to the published counts.
LOADINGS: dict[str, dict[str, float]] = {
    "innovated": {"drive": 1.0, "techy": 0.3},
    "curiosity": {"techy": 1.0, "drive": 0.3},
    "curiosity_not_relevant": {"techy": -0.8, "size": -0.3},
    "curiosity_dont_know": {"drive": -0.4},
    "tech": {"techy": 1.2, "drive": 0.3},
    "tech_solution": {"techy": 0.5},
    "tech_minor": {"techy": 0.8},
    "tech_new": {"techy": 0.8, "drive": 0.3},
    "tech_role_dont_know": {"drive": -0.4},
    "tech_new_dont_know": {"drive": -0.4},
    "type_product": {"techy": 0.5, "shared": 0.5},
    "type_service": {"citizen": 0.5, "shared": 0.5},
    "type_process": {"drive": 0.3, "size": 0.2, "shared": 0.5},
    "type_communication": {"citizen": 0.3, "techy": 0.2, "shared": 0.5},
    "core_task": {"citizen": 0.5, "drive": 0.3, "type_service": 0.6, "type_product": 0.4, "industry=admin": -0.5},
    "started_by_new_tech": {"techy": 0.8, "drive": 0.2},
    "value_quality": {"drive": 0.4, "citizen": 0.3, "core_task": 0.6, "shared": 0.6},
    "value_efficiency": {"techy": 0.6, "drive": 0.3, "shared": 0.6},
    "value_employee_satisfaction": {"drive": 0.5, "shared": 0.6},
    "value_citizen_involvement": {"citizen": 1.0, "core_task": 0.4, "shared": 0.6},
    "value_political_goals": {"drive": 0.3, "industry=admin": 0.4, "shared": 0.6},
    "citizens_initiated": {"citizen": 0.9},
    "citizens_promoted": {"citizen": 0.9},
    "citizens_collaborated": {"citizen": 1.0},
    "employees_initiated": {"drive": 0.4, "size": -0.25},
    "employees_role": {"drive": 0.7},
    "employees_not_relevant": {"size": -0.5},
    "employees_dont_know": {"drive": -0.4},
    "partner_own_org": {"drive": 0.4, "size": 0.3},
    "partner_same_sector": {"drive": 0.3, "techy": 0.3},
    "partner_other_public": {"drive": 0.3, "citizen": 0.2},
    "partner_private": {"techy": 0.8},
    "partner_knowledge": {"techy": 0.4, "drive": 0.3},
    "partner_volunteer": {"citizen": 0.8},
    "partner_foreign": {"techy": 0.6, "drive": 0.3},
    "partner_citizens": {"citizen": 0.6, "citizens_collaborated": 3.0},
    "spread_any": {"drive": 0.6, "size": 0.2},
    "spread_network": {"drive": 0.3, "shared": 0.8},
    "spread_internal": {"drive": 0.2, "size": 0.4, "shared": 0.8},
    "spread_website": {"techy": 0.5, "shared": 0.8},
    "novelty": {"drive": 0.6, "techy": 0.4},
    "novelty_dont_know": {"drive": -0.4},
}

# Share of the asked workplaces leaving a question unanswered (columns answered or left together).
NONRESPONSE: dict[str, tuple[float, tuple[str, ...]]] = {
    "curiosity": (0.005, ("curiosity",)),
    "types": (0.004, ("type_product", "type_service", "type_process", "type_communication")),
    "novelty": (0.010, ("novelty",)),
    "technology": (0.025, ("technology",)),
    "started_by_new_tech": (0.012, ("started_by_new_tech",)),
    "core_task": (0.006, ("core_task",)),
    "values": (0.015, ("value_quality", "value_efficiency", "value_employee_satisfaction",
                       "value_citizen_involvement", "value_political_goals")),
    "citizens": (0.020, ("citizens_initiated", "citizens_promoted", "citizens_collaborated")),
    "employees_initiated": (0.010, ("employees_initiated",)),
    "employees_role": (0.010, ("employees_role",)),
    "collaboration": (0.012, ("collab_any", "partner_own_org", "partner_same_sector", "partner_other_public",
                              "partner_private", "partner_knowledge", "partner_volunteer", "partner_foreign",
                              "partner_citizens")),
    "spread": (0.015, ("spread_any", "spread_network", "spread_internal", "spread_website")),
}


def traits(frame: pd.DataFrame, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return {trait: values} for the rows of `frame` (columns sector, industry, size)."""
    draws = rng.standard_normal((len(frame), len(TRAITS))) @ np.linalg.cholesky(CORRELATION).T
    out = {}
    for k, trait in enumerate(TRAITS):
        shift = sum(frame[column].map({code: effects.get(trait, 0.0) for code, effects in SHIFTS[column].items()})
                    .astype(float).fillna(0.0) for column in SHIFTS)
        out[trait] = draws[:, k] + shift.to_numpy(float)
    return out


def predictor(item: str, terms: dict[str, np.ndarray], frame: pd.DataFrame, extra: dict | None = None) -> np.ndarray:
    """Return the linear predictor of `item` (LOADINGS plus `extra`) for the rows of `frame`.

    `terms` holds the traits, "size", "shared" and earlier answers as arrays (NA answers count as no).
    """
    eta = np.zeros(len(frame))
    for term, coef in {**LOADINGS.get(item, {}), **(extra or {})}.items():
        if term.startswith("industry="):
            value = (frame["industry"] == term.split("=", 1)[1]).to_numpy(float)
        else:
            value = np.nan_to_num(np.asarray(terms[term], dtype=float))
        eta += coef * value
    return eta


def unanswered(rate: float, small: np.ndarray, drive: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return a mask of rows leaving a question unanswered, about `rate` of them (see module docstring)."""
    base = logit(rate) - 0.4 * small.mean() + 0.3 * drive.mean()
    return rng.random(len(drive)) < expit(base + 0.4 * small - 0.3 * drive)
