"""Locust users of the dashboard: each opens the page, then every 2-5 s changes one filter, as a person does.

A filter change posts the two callbacks the browser posts at once (``write_url`` and ``update_figures``,
built from the app's /_dash-dependencies); Locust records each, and the pair as "filter change".
Run it with benchmarks/load.py (which starts the Procfile's gunicorn), or by hand:

    locust -f benchmarks/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8050
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.callbacks import DEFAULT_STATE, filter_change  # noqa: E402
from dashboard.data.dimensions import DIMENSIONS  # noqa: E402

HEADERS = {"Accept-Encoding": "br, gzip"}
MULTIPLE = [d for d in DIMENSIONS if d.multiple]  # the dropdowns a user clicks in


class DashboardUser(HttpUser):
    wait_time = between(2, 5)

    def on_start(self):
        self.client.get("/", headers=HEADERS, name="page")
        self.client.get("/_dash-layout", headers=HEADERS, name="layout")
        self.deps = self.client.get("/_dash-dependencies", headers=HEADERS, name="dependencies").json()
        self.state, self.search, self.rng = dict(DEFAULT_STATE), "", random.Random()

    @task
    def change_filter(self):
        dim = self.rng.choice(MULTIPLE)
        self.state[dim.key] = sorted(self.rng.sample(dim.codes, self.rng.randint(0, 2)))
        started, failed = time.perf_counter(), None
        for name, body in filter_change(self.deps, self.state, self.search):
            with self.client.post("/_dash-update-component", json=body, headers=HEADERS, name=name,
                                  catch_response=True) as res:
                if res.status_code not in (200, 204):  # 204: nothing to update (the link already says it)
                    failed = f"{name}: HTTP {res.status_code} {res.error or ''}".strip()
                    res.failure(failed)
                    break
                if name == "write_url" and res.status_code == 200:
                    self.search = res.json()["response"].get("url", {}).get("search", self.search)
        events.request.fire(request_type="FILTER", name="filter change", context={}, exception=failed and RuntimeError(failed),
                            response_time=1000 * (time.perf_counter() - started), response_length=0)
