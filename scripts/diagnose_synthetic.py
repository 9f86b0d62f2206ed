"""Print the joint-structure diagnostics of a microdata file (default: the shipped synthetic data).

Between-stratum heterogeneity of every calibrated item within its calibration cells, strata that
are all-yes or all-no against the odds, the association (phi) matrix of the innovators' items, the
weights and the item nonresponse. See `dashboard/data/structure.py` for the definitions.
Usage: python scripts/diagnose_synthetic.py [DATA_CSV]
"""

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.data import structure  # noqa: E402
from dashboard.data.load import load  # noqa: E402
from dashboard.data.shipped import DEFAULT_DATA  # noqa: E402


def _heading(text):
    print(f"\n## {text}")


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    df = load(path)
    print(f"# Diagnostics of {path.name} ({structure.ROUND}, unweighted counts)")

    _heading("Between-stratum heterogeneity within calibration cells (Pearson chi-square)")
    het = structure.heterogeneity(df)
    print(f"{'item':<28} {'cells':<22} {'chi2':>8} {'df':>4} {'chi2/df':>8} {'p':>10}")
    for _, r in het.iterrows():
        print(f"{r['item']:<28} {r['cells']:<22} {r['chi2']:8.1f} {r['df']:4d} {r['ratio']:8.2f} {r['p_value']:10.2g}")
    print(f"chi2/df: median {het['ratio'].median():.2f}, range {het['ratio'].min():.2f}-{het['ratio'].max():.2f}; "
          f"items with p < 0.001: {int((het['p_value'] < 0.001).sum())} of {len(het)}")

    _heading(f"Strata all-yes or all-no against the odds (binomial probability < {structure.ALPHA})")
    odd = structure.against_the_odds(df)
    if odd.empty:
        print("none")
    for _, r in odd.iterrows():
        print(f"{r['item']:<28} {r['cell']:<24} {r['stratum']:<32} {r['yes']}/{r['n']}  "
              f"cell rate {r['cell_rate']:.2f}  probability {r['probability']:.1g}")

    _heading("Association of the innovators' items (phi, pairwise complete)")
    phi = structure.phi_matrix(df)
    names = list(phi.columns)
    print("    " + " ".join(f"{k:>5d}" for k in range(len(names))))
    for k, name in enumerate(names):
        print(f"{k:>3d} " + " ".join("    ." if i == k else f"{phi.iloc[k, i]:5.2f}" for i in range(len(names)))
              + f"  {name}")
    _heading("Strongest association per item")
    for name, r in structure.strongest(phi).iterrows():
        print(f"{name:<28} {r['partner']:<28} {r['phi']:6.2f}")
    pair = phi.loc["partner_citizens", "citizens_collaborated"]
    print(f"partner_citizens ~ citizens_collaborated: phi {pair:.2f}")

    _heading("Weights")
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 130):
        print(structure.weight_summary(df).to_string())

    _heading("Item nonresponse where asked (unweighted share unanswered)")
    unanswered = structure.item_nonresponse(df)
    print(", ".join(f"{k} {v:.1%}" for k, v in unanswered.items() if v > 0) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
