"""What users see does not change unnoticed: the figure JSON and the published CSV of every figure, for many
filter states, languages and widths, against stored digests (tests/snapshots/figures.json).

A deliberate change is recorded with ``BAROMETER_UPDATE_SNAPSHOT=1 python -m pytest tests/test_snapshot.py``;
the failure message names each figure, filter, language and width that changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

import pytest

from dashboard.data.filters import ALLOWED, Filter, parse_filter
from dashboard.export.sheets import table_csv
from dashboard.figures.build import figure_dict
from dashboard.figures.specs import FIGURES
from tests.shipped import figure_data

SNAPSHOT = Path(__file__).parent / "snapshots" / "figures.json"
WIDTHS = (None, 1200, 560, 360)


def states(count: int = 40, seed: int = 7) -> list[Filter]:
    """Return the default state and `count` random filter states (fixed by `seed`)."""
    rng = random.Random(seed)
    out = [Filter()]
    while len(out) < count + 1:
        query = {}
        for key in ("sector", "tech_role", "value"):
            if rng.random() < 0.55:
                query[key] = ",".join(rng.sample(list(ALLOWED[key]), rng.randint(1, 3)))
        if rng.random() < 0.15:
            query["round"] = "2015-2016"
        out.append(parse_filter(**query))
    return out


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


def current() -> dict[str, str]:
    """Return {"figure|filter|lang|width": digest of the figure JSON and its CSV} for every case."""
    fd = figure_data()
    out = {}
    for filt in states():
        label = "&".join(f"{k}={v}" for k, v in sorted(filt.query().items())) or "all"
        for lang in ("da", "en"):
            for spec in FIGURES:
                table = fd.table(spec, filt, lang)
                csv = table_csv(table, spec, fd.scope(spec, filt), lang, True)
                for width in WIDTHS:
                    fig = figure_dict(spec, table, fd.scope(spec, filt), lang, width=width)
                    out[f"{spec.id}|{label}|{lang}|{width}"] = _digest([fig, csv])
    return out


def test_figures_and_tables_match_the_snapshot():
    now = current()
    if os.environ.get("BAROMETER_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(now, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("snapshot written")
    stored = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    changed = sorted(k for k in stored if now.get(k) != stored[k])
    assert set(now) == set(stored)
    assert changed == [], f"{len(changed)} of {len(stored)} changed, e.g. {changed[:8]}"
