""""Download all" as a Dash background job on one machine (DiskcacheManager): the job runs in its own
process while the test polls, as the page does; render slots, the queue-full message, identical
requests from the store, and which app's callback a job runs.

`run_export` drives the export the way the browser does and is shared with the other export tests.
"""

import base64
import io
import json
import re
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from dashboard import jobs
from dashboard.cache import data_fingerprint
from dashboard.callbacks.export import RENDERS, export_key
from dashboard.data.codebook import SYNTHETIC_LABEL
from dashboard.data.dimensions import DIMENSIONS
from dashboard.data.filters import Filter
from dashboard.export import images
from dashboard.export.presets import PRESETS
from dashboard.i18n import t
from tests.dash_client import DEFAULTS, count_by_kind, dependency, split_outputs

STATE_IDS = {**{d.control_id: d.key for d in DIMENSIONS}, "by": "by", "lang": "lang", "export-size": "preset",
             "data-fingerprint": "data"}
CONFIG = re.compile(r'<script id="_dash-config" type="application/json">(.*?)</script>', re.S)


# --------------------------------------------------------------------------------------------------
# Driving the export as the page does: one POST starts the job, then the page polls for it
# --------------------------------------------------------------------------------------------------
def page_fingerprint(client) -> str:
    """Return the data fingerprint the page names (its ``data-fingerprint`` store), as the browser holds it."""
    layout = client.get("/_dash-layout").get_data(as_text=True)
    found = re.search(r'"id":\s*"data-fingerprint"[^}]*?"data":\s*"([0-9a-f]+)"|'
                      r'"data":\s*"([0-9a-f]+)"[^}]*?"id":\s*"data-fingerprint"', layout)
    assert found, "the page names no data fingerprint"
    return found.group(1) or found.group(2)


def start_export(client, preset="slide", **state) -> tuple[dict, dict, dict]:
    """Press "Download all" with a size and control values by key (``data``: the page's data fingerprint, by
    default the one the page names); return (body, handles, query).

    The handles are the job's signed cacheKey and job id; the query also echoes the page's end_id.
    """
    page = client.get("/").get_data(as_text=True)
    end_id = json.loads(CONFIG.search(page).group(1))["end_id"]
    state = {"preset": preset, **state}
    state.setdefault("data", page_fingerprint(client))
    dep = dependency(client, "export-download.data")
    body = {"output": dep["output"], "outputs": split_outputs(dep["output"]),  # 'children@<hash>', as the page sends
            "inputs": [{"id": "export-all", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["export-all.n_clicks"],
            "state": [dict(s, value=state.get(STATE_IDS[s["id"]], DEFAULTS.get((s["id"], s["property"]))))
                      for s in dep["state"]]}
    res = client.post("/_dash-update-component", json=body, query_string={"endId": end_id})
    assert res.status_code == 200, res.data[:300]
    handles = res.get_json()
    assert set(handles) == {"cacheKey", "job"}, handles  # a job was started, nothing answered yet
    return body, handles, {"endId": end_id, **handles}


def poll_export(client, body: dict, query: dict, timeout: float = 600, until=None) -> tuple[dict, list[str]]:
    """Poll the job as the page does (inputs and states sent empty) until it answers.

    Returns the callback's outputs and the status texts (in English) the job reported on the way. `until(statuses)`
    may end the polling early (the outputs are then empty).
    """
    polled = json.loads(json.dumps(body))
    for item in polled["inputs"] + polled["state"]:
        item["value"] = None
    statuses, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        res = client.post("/_dash-update-component", json=polled, query_string=query)
        assert res.status_code == 200, res.data[:300]
        answer = res.get_json()
        if "progress" in answer:
            statuses.append(answer["progress"]["export-progress.data"]["en"])
        if "response" in answer:
            return answer["response"], statuses
        if until is not None and until(statuses):
            return {}, statuses
        time.sleep(0.2)
    raise AssertionError(f"the export did not finish within {timeout:.0f} s; statuses {statuses}")


def run_export(client, preset="slide", **state) -> tuple[dict, list[str]]:
    """Press "Download all" and poll until the job answers; return its outputs and the statuses on the way."""
    body, _, query = start_export(client, preset, **state)
    return poll_export(client, body, query)


def zip_of(outputs: dict) -> tuple[str, zipfile.ZipFile]:
    """Return the file name and the archive of the download in a job's outputs."""
    data = outputs["export-download"]["data"]
    assert data["base64"] is True
    return data["filename"], zipfile.ZipFile(io.BytesIO(base64.b64decode(data["content"])))


def status_of(outputs: dict, lang: str = "en") -> str:
    """Return the status an export's outputs leave, in `lang` (the page shows it in its own language)."""
    return outputs["export-progress"]["data"][lang]


# --------------------------------------------------------------------------------------------------
# Fixtures: apps whose jobs keep their results and slots in a directory of this module
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def jobs_env(tmp_path_factory):
    """Point the jobs of the apps made in this module at a fresh directory, with one render at a time."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(jobs.JOBS_DIR, str(tmp_path_factory.mktemp("jobs")))
        mp.setenv(jobs.EXPORT_LIMIT, "1")
        mp.delenv(jobs.JOBS_URL, raising=False)
        yield mp


@pytest.fixture(scope="module")
def image_app(jobs_env, synth_data):
    if images.find_chromium() is None:
        pytest.skip("Chromium not installed")
    from dashboard.app import create_app

    return create_app(synth_data)


@pytest.fixture(scope="module")
def store(jobs_env):
    return jobs.store()


@pytest.fixture()
def places(store):
    """The export places of this machine (1 render + 1 waiting); the test's own holds are freed after it."""
    slots = jobs.machine_slots(store, "export-place", 2)
    held = []
    yield slots, held
    for key in held:
        slots.free(key)


# --------------------------------------------------------------------------------------------------
# A real background run, then the same request from the store
# --------------------------------------------------------------------------------------------------
def test_export_runs_in_a_job_process_and_the_zip_arrives(image_app, store):
    client = image_app.server.test_client()
    before = jobs.counter(store, RENDERS)
    outputs, statuses = run_export(client, "a4", sector=["state"], lang="en")
    name, archive = zip_of(outputs)
    assert name == "innovationsbarometer_sector-state_en_a4-synthetic.zip"
    assert count_by_kind(archive) == {"csv": 16, "png": 16, "svg": 16, "xlsx": 1, "txt": 1}
    a4 = PRESETS["a4"]
    for member in archive.namelist():
        if member.endswith(".png"):
            data = archive.read(member)
            assert data[:8] == b"\x89PNG\r\n\x1a\n", member
            width, height = struct.unpack(">II", data[16:24])
            assert width == a4.width * 3 and height >= a4.height * 3, member  # a taller figure is not cut
    assert "fig1_sector-state-synthetic.csv" in archive.namelist()
    readme = archive.read("README.txt").decode("utf-8")
    assert "Filters: Sector: State" in readme and "Language: English" in readme and SYNTHETIC_LABEL["en"] in readme
    assert status_of(outputs) == "The ZIP file is ready: Sector: State · English."
    assert status_of(outputs, "da") == "ZIP-filen er klar: Sektor: Stat · engelsk."
    counted = [s for s in statuses if s.startswith("Drawing figure ")]  # how far it had got, from 1, never 0
    assert counted and all(s.endswith(" of 16 …") for s in counted) and "Drawing figure 0 of 16 …" not in statuses
    assert "Packing the ZIP file …" in statuses
    assert statuses.index("Packing the ZIP file …") > statuses.index(counted[-1])  # packing after drawing
    assert "notice" not in outputs  # a success leaves the notice alone
    assert jobs.counter(store, RENDERS) == before + 1

    # the same request again: the same ZIP from the store, nothing rendered
    again, statuses = run_export(client, "a4", sector=["state"], lang="en")
    assert again["export-download"]["data"] == outputs["export-download"]["data"]
    assert status_of(again) == "The ZIP file is ready: Sector: State · English."
    assert set(statuses) <= {"Starting the export …"}  # nothing drawn
    assert jobs.counter(store, RENDERS) == before + 1


def test_a_waiting_export_says_queued_and_takes_an_identical_render(image_app, store, synth_data):
    """With the render slot taken, the job waits and says so; when the other (identical) render lands in
    the store and frees the slot, the job sends that ZIP without rendering."""
    client = image_app.server.test_client()
    renders = jobs.machine_slots(store, "export-render", 1)
    slot = renders.take()
    assert slot is not None
    before = jobs.counter(store, RENDERS)
    try:
        body, _, query = start_export(client, "slide", sector=["region"], lang="en")
        _, statuses = poll_export(client, body, query, timeout=30, until=lambda s: t("export_queued", "en") in s)
        assert statuses[-1] == "The export is queued …" and set(statuses) <= {"Starting the export …",
                                                                               "The export is queued …"}
        store.set(export_key(data_fingerprint(synth_data), True, Filter(sector=("region",)), "en", "slide"),
                  b"PK-the-other-render")
    finally:
        renders.free(slot)
    outputs, statuses = poll_export(client, body, query, timeout=60)
    assert base64.b64decode(outputs["export-download"]["data"]["content"]) == b"PK-the-other-render"
    assert status_of(outputs) == "The ZIP file is ready: Sector: Region · English."
    assert not [s for s in statuses if s.startswith("Drawing")]
    assert jobs.counter(store, RENDERS) == before


def test_queue_full_says_so_and_downloads_nothing(image_app, store, places):
    slots, held = places
    held += [slots.take(), slots.take()]  # one rendering, one waiting: the machine is full
    assert None not in held and slots.take() is None
    before = jobs.counter(store, RENDERS)
    outputs, _ = run_export(image_app.server.test_client(), "slide", value=["quality"], lang="en")
    assert "export-download" not in outputs and "notice" not in outputs
    assert status_of(outputs) == ("The server is already making 1 exports. Try again in a moment; "
                                  "nothing was downloaded.")
    assert jobs.counter(store, RENDERS) == before
    outputs, _ = run_export(image_app.server.test_client(), "slide", value=["quality"], lang="da")
    assert status_of(outputs, "da") == t("export_queue_full", "da", limit=1)


def test_a_page_made_from_other_data_gets_no_zip_and_is_told_to_reload(image_app, store):
    """A process holding other data than the page (the file changed between the page and the job) renders nothing."""
    client = image_app.server.test_client()
    before = jobs.counter(store, RENDERS)
    other = "0123456789abcdef"
    assert page_fingerprint(client) != other
    outputs, _ = run_export(client, "slide", sector=["state"], lang="en", data=other)
    assert "export-download" not in outputs and outputs["notice"]["is_open"] is True
    assert "the server now draws from another version of the data" in outputs["notice"]["children"]
    assert status_of(outputs) == "The data on the server have changed; nothing was downloaded. Reload the page."
    assert status_of(outputs, "da") == t("export_data_changed", "da")
    assert jobs.counter(store, RENDERS) == before  # (the job process logs why: see test_celery)


def test_a_request_in_the_store_is_served_even_when_the_queue_is_full(image_app, store, places, synth_data):
    slots, held = places
    held += [slots.take(), slots.take()]
    store.set(export_key(data_fingerprint(synth_data), True, Filter(sector=("municipality",)), "da", "a4"), b"PK-stored")
    outputs, _ = run_export(image_app.server.test_client(), "a4", sector=["municipality"])
    assert base64.b64decode(outputs["export-download"]["data"]["content"]) == b"PK-stored"
    assert outputs["export-download"]["data"]["filename"] == "innovationsbarometer_sector-municipality_da_a4-synthetic.zip"


def test_the_store_key_names_data_filter_language_and_size(synth_data):
    fingerprint, state = data_fingerprint(synth_data), Filter(sector=("state",))
    key = export_key(fingerprint, True, state, "da", "a4")
    assert key == export_key(data_fingerprint(synth_data.copy()), True, Filter(sector=("state",)), "da", "a4")
    others = {export_key(fingerprint, True, Filter(sector=("region",)), "da", "a4"),
              export_key(fingerprint, True, state, "en", "a4"), export_key(fingerprint, True, state, "da", "slide"),
              export_key(fingerprint, False, state, "da", "a4"),
              export_key(data_fingerprint(synth_data.iloc[1:]), True, state, "da", "a4")}
    assert key not in others and len(others) == 5


# --------------------------------------------------------------------------------------------------
# Two apps in one process: each job runs its own app's callback
# --------------------------------------------------------------------------------------------------
def test_each_app_runs_its_own_export(jobs_env, synth_data):
    from dashboard.app import create_app

    synthetic = create_app(synth_data, chromium=None)
    real = create_app(synth_data, synthetic=False, chromium=None)  # registered last
    for app, note in ((synthetic, SYNTHETIC_LABEL["en"]), (real, "")):
        outputs, _ = run_export(app.server.test_client(), sector=["state"], lang="en")
        name, archive = zip_of(outputs)
        suffix = "-synthetic" if note else ""
        assert name == f"innovationsbarometer_sector-state_en_data{suffix}.zip"
        fig1 = pd.read_csv(io.BytesIO(archive.read(f"fig1_sector-state{suffix}.csv")), keep_default_na=False)
        assert set(fig1["note"]) == {note}


def test_two_identical_requests_at_once_each_get_their_zip(jobs_env, synth_data):
    """Two users with the same filters press the button at the same moment: two jobs, two downloads
    (Dash alone would give both jobs one result key, and the first poll would take it from both)."""
    from dashboard.app import create_app

    client = create_app(synth_data, chromium=None).server.test_client()
    first, second = start_export(client, sector=["region"]), start_export(client, sector=["region"])
    assert first[1]["cacheKey"].split("~")[0] != second[1]["cacheKey"].split("~")[0]
    for body, _, query in (first, second):
        outputs, _ = poll_export(client, body, query)
        assert zip_of(outputs)[0] == "innovationsbarometer_sector-region_da_data-synthetic.zip"


# --------------------------------------------------------------------------------------------------
# The polling requests pass the request guard; forged handles get nothing
# --------------------------------------------------------------------------------------------------
def test_polling_requests_pass_the_guard_and_forged_handles_get_nothing(jobs_env, synth_data):
    from dashboard.app import create_app

    client = create_app(synth_data, chromium=None).server.test_client()
    body, handles, query = start_export(client, sector=["state"])
    outputs, _ = poll_export(client, body, query)  # every poll passed the guard (200)
    assert outputs["export-download"]["data"]["filename"] == "innovationsbarometer_sector-state_da_data-synthetic.zip"
    polled = json.loads(json.dumps(body))
    for item in polled["inputs"] + polled["state"]:
        item["value"] = None
    forged = {"endId": query["endId"], "cacheKey": "0" * 64 + "~" + "0" * 64, "job": "1~" + "0" * 64}
    res = client.post("/_dash-update-component", json=polled, query_string=forged)
    assert res.status_code == 204 and not res.data  # no result, no process touched
    replayed = {"cacheKey": handles["cacheKey"], "job": handles["job"]}  # without this page's end_id
    res = client.post("/_dash-update-component", json=polled, query_string=replayed)
    assert res.status_code == 204


# --------------------------------------------------------------------------------------------------
# Slots, settings and priority
# --------------------------------------------------------------------------------------------------
def test_slots_hold_at_most_their_size_and_expire(tmp_path):
    import diskcache

    slots = jobs.Slots(diskcache.Cache(str(tmp_path)), "render", 2, expire=0.5)
    first, second = slots.take(), slots.take()
    assert {first, second} == {"render:0", "render:1"} and slots.take() is None
    slots.free(first)
    assert slots.take() == "render:0"
    assert slots.wait(timeout=0.1) is None  # both held
    assert slots.wait(timeout=3) is not None  # the holds expire after 0.5 s (nobody renews them)


def test_a_held_slot_is_renewed_until_freed(tmp_path):
    import diskcache

    slots = jobs.Slots(diskcache.Cache(str(tmp_path)), "render", 1, expire=0.5)
    with slots.held(slots.take()):
        time.sleep(1.5)  # three times its expiry
        assert slots.take() is None
    assert slots.take() == "render:0"


@pytest.mark.parametrize(("name", "value", "needle"), [
    (jobs.EXPORT_LIMIT, "0", "BAROMETER_EXPORT_LIMIT must be a whole number of at least 1, got '0'"),
    (jobs.EXPORT_LIMIT, "two", "got 'two'"),
    (jobs.JOBS_URL, "http://example.org", "BAROMETER_JOBS_URL must be a redis:// URL, got 'http://example.org'"),
])
def test_bad_settings_stop_the_app_with_a_message_naming_them(monkeypatch, synth_data, name, value, needle):
    from dashboard.app import create_app

    monkeypatch.setenv(name, value)
    with pytest.raises(jobs.ConfigError, match=re.escape(needle)):
        create_app(synth_data, chromium=None)


def test_settings_and_their_defaults(monkeypatch, tmp_path):
    for name in (jobs.JOBS_URL, jobs.JOBS_DIR, jobs.EXPORT_LIMIT):
        monkeypatch.delenv(name, raising=False)
    assert jobs.export_limit() == 2 and jobs.jobs_url() is None
    assert jobs.jobs_dir().name.startswith("innovationsbarometer-jobs-")
    monkeypatch.setenv(jobs.JOBS_DIR, str(tmp_path))
    monkeypatch.setenv(jobs.EXPORT_LIMIT, "3")
    assert jobs.jobs_dir() == tmp_path and jobs.export_limit() == 3
    assert isinstance(jobs.background_manager(), jobs.DiskJobs)


def test_a_worker_without_a_redis_url_is_refused(monkeypatch):
    monkeypatch.delenv(jobs.JOBS_URL, raising=False)
    with pytest.raises(jobs.ConfigError, match="a Celery worker needs BAROMETER_JOBS_URL=redis://"):
        jobs.worker_app()


LOW_PRIORITY_CHILD = """
import os, subprocess, sys, time
from dashboard.jobs import low_priority
before = open("/proc/self/autogroup").read().split()[-1]
with low_priority(poll=0.05):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"], start_new_session=True)
    time.sleep(1)
    group = open(f"/proc/{child.pid}/autogroup").read().split()[-1]
    print(os.getpriority(os.PRIO_PROCESS, child.pid), group, before, open("/proc/self/autogroup").read().split()[-1])
    child.kill()
"""


def _in_an_autogroup() -> bool:
    """Return whether this process is in an autogroup (not so where a CPU cgroup governs it, as in many
    containers: the file is then empty)."""
    try:
        return bool(Path("/proc/self/autogroup").read_text().strip())
    except OSError:
        return False


@pytest.mark.skipif(not _in_an_autogroup(), reason="not in an autogroup (no autogroups, or a CPU cgroup)")
def test_a_job_and_the_browser_it_starts_leave_the_cpu_to_the_web_app():
    """The job runs at nice 10, the browser inherits it, and the session the browser starts (as Chromium
    does) gets autogroup nice 10; the session the job shares with the web app keeps its priority."""
    out = subprocess.run([sys.executable, "-c", LOW_PRIORITY_CHILD], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    nice, child_group, own_before, own_after = out.stdout.split()
    assert int(nice) == jobs.NICENESS == 10
    assert child_group == "10"
    assert own_after == own_before  # the web app's session is never touched


# --------------------------------------------------------------------------------------------------
# Jobs that die: seen within seconds, started again once, then reported
# --------------------------------------------------------------------------------------------------
def job_processes(store) -> dict[int, str]:
    """Return {pid: job key} of the export jobs this machine's store knows (the retried ones included)."""
    out = {}
    for name in list(store.iterkeys()):
        if isinstance(name, str) and name.startswith("jobkey:"):
            pid = name.split(":", 1)[1]
            if pid.isdigit():
                out[int(pid)] = store.get(name)
    return out


def kill_the_job(store, key: str | None = None) -> int:
    """Kill (SIGKILL) the live process of an export job, with what it started (its browser); return its pid."""
    import psutil

    for pid, job_key in sorted(job_processes(store).items(), reverse=True):
        if (key is None or job_key == key) and psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie":
            process = psutil.Process(pid)
            for child in process.children(recursive=True):
                child.kill()
            process.kill()
            return pid
    raise AssertionError("no live export job to kill")


def test_a_job_killed_while_drawing_is_started_again_and_the_zip_arrives(image_app, store, caplog):
    """The issue's example: killing the process doing the export re-enabled the button and left "Drawing
    figure N of 16" forever, with no notice and nothing in the log."""
    client = image_app.server.test_client()
    body, handles, query = start_export(client, "a4", sector=["region"], value=["quality"], lang="en")
    _, statuses = poll_export(client, body, query, timeout=60, until=lambda s: any(x.startswith("Drawing") for x in s))
    killed_at = time.monotonic()
    kill_the_job(store)
    outputs, after = poll_export(client, body, query, timeout=180)
    name, archive = zip_of(outputs)
    assert name == "innovationsbarometer_sector-region_value-quality_en_a4-synthetic.zip"
    assert count_by_kind(archive)["png"] == 16
    assert status_of(outputs) == "The ZIP file is ready: Sector: Region; Value: Higher quality · English."
    lost = [r for r in caplog.records if r.name == "dashboard.jobs" and "lost" in r.getMessage()]
    assert len(lost) == 1 and "no sign of life for" in lost[0].getMessage() and "started again" in lost[0].getMessage()
    assert lost[0].created - (time.time() - (time.monotonic() - killed_at)) <= jobs.LOST_SECONDS + 3  # seen in time


def test_a_job_killed_twice_is_reported_and_its_slot_freed(image_app, store, caplog):
    client = image_app.server.test_client()
    body, handles, query = start_export(client, "slide", sector=["state"], value=["efficiency"], lang="da")
    poll_export(client, body, query, timeout=60, until=lambda s: any(x.startswith("Drawing") for x in s))
    first = kill_the_job(store)
    # polling goes on; the job is started again, and killed again as soon as it draws
    _, statuses = poll_export(client, body, query, timeout=60,
                              until=lambda s: max(job_processes(store), default=0) > first and
                              any(x.startswith("Drawing") for x in s[-3:]))
    kill_the_job(store)
    started = time.monotonic()
    outputs, _ = poll_export(client, body, query, timeout=60)
    assert time.monotonic() - started <= jobs.LOST_SECONDS + 4  # seen within seconds of its last sign of life
    assert "export-download" not in outputs
    assert outputs["notice"]["is_open"] is True and outputs["notice"]["children"] == t("notice_export_lost", "da")
    assert status_of(outputs, "da") == t("export_lost", "da") and outputs["export-progress"]["data"]["done"]
    messages = [r.getMessage() for r in caplog.records if r.name == "dashboard.jobs"]
    assert len([m for m in messages if "lost" in m]) == 2 and "the page is told" in messages[-1]
    # the render slot of the killed job is free again within seconds: another export renders at once
    slots = jobs.machine_slots(store, "export-render", 1)
    deadline = time.monotonic() + jobs.SLOT_SECONDS + 2
    while (slot := slots.take()) is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert slot is not None
    slots.free(slot)


def test_a_job_that_finishes_after_a_poll_looked_for_its_result_is_polled_once_more():
    """Dash asks for a job's result, then whether it still runs: a job that finished in between had no result and
    did not run, which Dash takes for a cancelled job (204: the page stops polling, the file never arrives). A job
    whose result is ready counts as running until a poll reads it."""
    from dash.background_callback.managers import BaseBackgroundCallbackManager as Base

    manager = jobs.background_manager()
    try:
        jobs.store().set("jobkey:job-finished-between", "key-finished-between", expire=60)
        manager.result_ready = lambda key: key == "key-finished-between"
        assert manager.job_running("job-finished-between") is True
    finally:
        Base.managers.remove(manager)
