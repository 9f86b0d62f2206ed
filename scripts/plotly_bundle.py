"""Rebuild assets/vendor/plotly-basic.min.js: the official plotly.js "basic" bundle (scatter, bar and
pie traces) at the plotly.js version the installed plotly package ships, fetched with npm.

Run it after upgrading plotly (the browser test `test_partial_bundle_draws_every_chart_like_the_full_one`
then checks that every chart still looks the same as with the full bundle):

    .venv/bin/python scripts/plotly_bundle.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from plotly.offline import get_plotlyjs_version

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "assets" / "vendor"
PACKAGE = "plotly.js-basic-dist-min"


def main() -> int:
    version = get_plotlyjs_version()
    npm = shutil.which("npm")
    if npm is None:
        print("npm is needed to fetch the bundle: apt-get install npm", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", tmp,
                        f"{PACKAGE}@{version}"], check=True)
        source = Path(tmp, "node_modules", PACKAGE)
        VENDOR.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "plotly-basic.min.js", VENDOR / "plotly-basic.min.js")
        shutil.copyfile(source / "LICENSE", VENDOR / "plotly-basic.LICENSE.txt")
    size = (VENDOR / "plotly-basic.min.js").stat().st_size
    print(f"wrote {VENDOR / 'plotly-basic.min.js'} (plotly.js {version}, {size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
