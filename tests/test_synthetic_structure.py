"""The shipped synthetic data have the joint structure of a real survey of this design, not generator artefacts."""

import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.data import codebook as cb
from dashboard.data import structure
from dashboard.data.synth import generate
from tests.shipped import shipped

ROOT = Path(__file__).resolve().parents[1]  # the checkout

# Chi2/df of stratum homogeneity a survey of this design can show: chance alone gives 1 +- 0.15 on
# 88 df (+- 0.26 on 30 df); the documented size and sub-sector effects add up to a few tenths.
PLAUSIBLE = (0.6, 1.8)


def _check_heterogeneity(het):
    assert len(het) == len(structure.ITEMS)
    for _, row in het.iterrows():
        assert PLAUSIBLE[0] <= row["ratio"] <= PLAUSIBLE[1], (row["item"], row["ratio"])
        assert row["p_value"] > 1e-4, (row["item"], row["p_value"])
    values = het[het["item"].isin(cb.VALUE_COLUMNS)]
    assert (values["ratio"] < 1.4).all() and (values["df"] >= 80).all(), values


def test_strata_differ_only_as_much_as_modelled_effects_and_chance_allow():
    _check_heterogeneity(structure.heterogeneity(shipped()))


def test_no_stratum_is_all_yes_or_all_no_against_the_odds():
    assert structure.against_the_odds(shipped()).empty


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_have_the_same_structure(seed):
    df = generate(seed)
    _check_heterogeneity(structure.heterogeneity(df))
    assert structure.against_the_odds(df).empty


def test_diagnostics_catch_a_calibration_artefact():
    """Strata forced to all-yes and all-no inside their cells are reported, and the chi-square jumps."""
    df = shipped().copy()
    answered = (df["round"] == cb.CURRENT_ROUND) & (df["sector"] == "municipality") & df["value_efficiency"].notna()
    df.loc[answered & (df["industry"] == "education"), "value_efficiency"] = True
    df.loc[answered & (df["industry"] == "daycare"), "value_efficiency"] = False
    odd = structure.against_the_odds(df, items=[i for i in structure.ITEMS if i.name == "value_efficiency"])
    assert {"municipality.education.large", "municipality.daycare.medium"} <= set(odd["stratum"])
    het = structure.heterogeneity(df).set_index("item")
    assert het.loc["value_efficiency", "ratio"] > 1.4 and het.loc["value_efficiency", "p_value"] < 1e-4


def test_citizens_as_partner_is_distinct_from_but_related_to_collaborating_with_citizens():
    phi = structure.phi_matrix(shipped())
    assert 0.3 <= phi.loc["partner_citizens", "citizens_collaborated"] <= 0.8


def test_core_task_is_plausibly_associated():
    """Innovations on the core task go with service innovations and more often create quality."""
    phi = structure.phi_matrix(shipped())
    strongest = structure.strongest(phi).loc["core_task"]
    assert 0.1 <= abs(strongest["phi"]) <= 0.5
    assert phi.loc["core_task", "value_quality"] >= 0.1 and phi.loc["core_task", "type_service"] > 0.05


def test_item_nonresponse_and_weights_in_the_diagnostic():
    df = shipped()
    unanswered = structure.item_nonresponse(df)
    assert unanswered["tech_role"] == 0 and unanswered["tech_new"] == 0
    assert 0 < unanswered["value_quality"] <= 0.03
    weights = structure.weight_summary(df)
    assert weights.loc[cb.CURRENT_ROUND, "total"] == pytest.approx(15_000)
    assert 1.05 < weights.loc[cb.CURRENT_ROUND, "max_within_stratum_ratio"] < 2.0


def test_script_prints_the_figures_quoted_in_the_provenance_note():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "diagnose_synthetic.py")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "against the odds (binomial probability < 0.001)\nnone\n" in out
    summary = next(line for line in out.splitlines() if line.startswith("chi2/df: median"))
    pair = next(line for line in out.splitlines() if line.startswith("partner_citizens ~ citizens_collaborated"))
    note = (ROOT / "data" / "PROVENANCE.md").read_text(encoding="utf-8")
    assert summary in note and pair in note
