"""The response cache: figure responses memoized per filter, language and width, shared by app
instances over the same data and program (a folder on one machine, or a real redis-server),
never shared across different data, never holding a response with a failed figure."""

import json
import os
import shutil
import subprocess
import time

import pytest

from benchmarks.callbacks import DEFAULT_STATE, filter_change
from benchmarks.procfile import free_port
from dashboard import cache as cache_module
from dashboard.app import create_app
from dashboard.cache import CacheConfigError, ResponseCache, cache_config, cache_mb, data_fingerprint

WIDTHS = {"wide": 1200, "half": 560}


def figures(client, chart_width=None, **controls) -> dict:
    """Post the figures callback as a filter change in the browser does; return its response by output id."""
    deps = client.get("/_dash-dependencies").get_json()
    _, body = filter_change(deps, {**DEFAULT_STATE, **controls}, widths=chart_width)[-1]
    res = client.post("/_dash-update-component", json=body)
    assert res.status_code == 200, res.get_data()[:300]
    res.close()  # as a server does once the response is sent: the cache entry is written then
    return res.get_json()["response"]


def figure(response: dict, fid: str) -> dict:
    """Return the plotly figure `fid` of a figures response (sent to the graph, or to the store it draws from)."""
    if "figure" in response.get(fid, {}):
        return response[fid]["figure"]
    (found,) = [v["data"]["figure"] for k, v in response.items()
                if k.startswith(fid + "-") and isinstance(v.get("data"), dict) and "figure" in v["data"]]
    return found


def notice_text(response: dict) -> str:
    return json.dumps(response["notice"]["children"], ensure_ascii=False)


def _app_client(data, **kwargs):
    app = create_app(data, chromium=None, **kwargs)
    return app.server.test_client(), app.server.extensions["barometer_response_cache"]


def _break_figures(monkeypatch, which=None):
    """Make building figure `which` (every figure: None) fail, where the figures callback builds them."""
    from dashboard.callbacks import figures as callback_module
    from dashboard.figures import build

    real = build.figure_dict

    def figure_dict(spec, *args, **kwargs):
        if which is None or spec.id == which:
            raise RuntimeError(f"{spec.id} built although it should not be")
        return real(spec, *args, **kwargs)

    for module in (build, callback_module):
        if hasattr(module, "figure_dict"):
            monkeypatch.setattr(module, "figure_dict", figure_dict)


# --------------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url,backend", [
    (None, "dashboard.cache.FileCache"), ("file:///tmp/barometer-cache-test", "dashboard.cache.FileCache"),
    ("redis://cache.internal:6379/2", "RedisCache"), ("rediss://:secret@cache.internal:6380/0", "RedisCache"),
    ("unix:///run/redis/redis.sock", "RedisCache"),
])
def test_cache_url_chooses_the_backend(url, backend):
    config = cache_config(url)
    assert config["CACHE_TYPE"] == backend
    assert config["CACHE_DEFAULT_TIMEOUT"] == cache_module.TIMEOUT
    if backend == "RedisCache":
        assert config["CACHE_REDIS_URL"] == url and config["CACHE_OPTIONS"]["socket_timeout"] <= 1
    else:
        assert config["CACHE_OPTIONS"] == {"max_bytes": cache_module.DEFAULT_MB * 1_000_000}
        assert config["CACHE_DIR"] == ("/tmp/barometer-cache-test" if url else config["CACHE_DIR"])


@pytest.mark.parametrize("raw,mb", [(None, 200), ("", 200), ("50", 50), (" 1 ", 1)])
def test_cache_mb_sets_the_bound_of_a_file_cache(raw, mb):
    assert cache_mb(raw) == mb
    assert cache_config(None, mb)["CACHE_OPTIONS"]["max_bytes"] == mb * 1_000_000


@pytest.mark.parametrize("raw", ["0", "-5", "1.5", "200MB", "lots"])
def test_bad_cache_mb_stops_the_app_with_the_variable_named(monkeypatch, synth_data, raw):
    monkeypatch.setenv("BAROMETER_CACHE_MB", raw)
    with pytest.raises(CacheConfigError, match=f"BAROMETER_CACHE_MB={raw!r} is not a whole number"):
        create_app(synth_data, chromium=None)


def test_default_folder_is_new_and_private_per_app():
    first, second = cache_config(None)["CACHE_DIR"], cache_config(None)["CACHE_DIR"]
    assert first != second and os.path.isdir(first)
    assert os.stat(first).st_mode & 0o077 == 0


@pytest.mark.parametrize("url,needle", [
    ("memcached://cache:11211", "redis://host:port/db"),
    ("redis://", "names no Redis host"),
    ("file://relative/folder", "absolute folder"),
    ("cache.internal:6379", "leave it unset"),
])
def test_bad_cache_url_is_refused_with_what_is_accepted(url, needle):
    with pytest.raises(CacheConfigError) as err:
        cache_config(url)
    assert needle in str(err.value) and "BAROMETER_CACHE_URL" in str(err.value)


def test_bad_cache_url_stops_the_app_with_the_message(monkeypatch, synth_data):
    monkeypatch.setenv("BAROMETER_CACHE_URL", "memcached://cache:11211")
    with pytest.raises(CacheConfigError, match="redis://host:port/db"):
        create_app(synth_data, chromium=None)


def test_data_fingerprint_follows_every_value(synth_data):
    changed = synth_data.copy()
    changed.loc[changed.index[5], "weight"] = changed["weight"].iloc[5] + 0.5
    assert data_fingerprint(synth_data) == data_fingerprint(synth_data.copy())
    assert data_fingerprint(changed) != data_fingerprint(synth_data)


# --------------------------------------------------------------------------------------------------
# What is stored
# --------------------------------------------------------------------------------------------------
def test_a_response_with_a_failed_figure_is_computed_again(tmp_path):
    from flask import Flask
    from flask_caching import Cache

    cache, calls = ResponseCache(Cache(Flask(__name__), config=cache_config(tmp_path.as_uri())), "test"), []

    def build(failed):
        calls.append(failed)
        return {"outputs": [len(calls)], "failed": failed}

    assert cache.get_or_set("k", lambda: build(["fig4"]))["outputs"] == [1]
    assert cache.get_or_set("k", lambda: build([]))["outputs"] == [2]  # the failed one was not kept
    assert cache.get_or_set("k", lambda: build([]))["outputs"] == [2]  # the complete one was
    assert cache.stats == {"hits": 1, "misses": 2, "errors": 0}


def test_app_does_not_keep_a_response_whose_figure_failed(monkeypatch, synth_data):
    client, cache = _app_client(synth_data)
    with monkeypatch.context() as patch:
        _break_figures(patch, "fig4")
        broken = figures(client, sector=["region"], chart_width=WIDTHS)
    assert "fig4" in notice_text(broken) and not figure(broken, "fig4")["data"]
    fixed = figures(client, sector=["region"], chart_width=WIDTHS)
    assert figure(fixed, "fig4")["data"] and fixed["notice"]["is_open"] is False
    assert cache.stats["misses"] == 2 and cache.stats["hits"] == 0


def test_same_request_is_served_from_the_cache_and_widths_and_language_are_part_of_the_key(synth_data):
    client, cache = _app_client(synth_data)
    first = figures(client, sector=["state"], chart_width=WIDTHS)
    again = figures(client, sector=["state"], chart_width=WIDTHS)
    assert again == first and cache.stats == {"hits": 1, "misses": 1, "errors": 0}
    phone = figures(client, sector=["state"], chart_width={"wide": 360, "half": 360})
    english = figures(client, sector=["state"], lang="en", chart_width=WIDTHS)
    assert cache.stats["misses"] == 3
    assert figure(phone, "fig1")["layout"]["width"] == 360
    assert figure(english, "fig1")["layout"]["title"]["text"] != figure(first, "fig1")["layout"]["title"]["text"]


# --------------------------------------------------------------------------------------------------
# Shared by app instances (gunicorn's workers, or machines) over the same data and program
# --------------------------------------------------------------------------------------------------
def test_file_cache_is_shared_by_apps_over_the_same_data_only(monkeypatch, tmp_path, synth_data):
    monkeypatch.setenv("BAROMETER_CACHE_URL", tmp_path.as_uri())
    first, first_cache = _app_client(synth_data)
    computed = figures(first, sector=["municipality"], chart_width=WIDTHS)
    changed = synth_data.copy()
    changed["weight"] = changed["weight"].where(changed["sector"] != "municipality", changed["weight"] * 3)
    other, other_cache = _app_client(changed)  # other data: computes its own numbers
    assert figure(figures(other, chart_width=WIDTHS), "dst-sector-trend")["data"] != \
        figure(figures(first, chart_width=WIDTHS), "dst-sector-trend")["data"]
    assert other_cache.stats["hits"] == 0
    second, second_cache = _app_client(synth_data)
    _break_figures(monkeypatch)
    assert figures(second, sector=["municipality"], chart_width=WIDTHS) == computed
    assert second_cache.stats == {"hits": 1, "misses": 0, "errors": 0}


def test_a_new_program_version_does_not_read_old_entries(monkeypatch, tmp_path, synth_data):
    monkeypatch.setenv("BAROMETER_CACHE_URL", tmp_path.as_uri())
    first, _ = _app_client(synth_data)
    figures(first, chart_width=WIDTHS)
    monkeypatch.setattr(cache_module, "__version__", "99.0")
    newer, newer_cache = _app_client(synth_data)
    figures(newer, chart_width=WIDTHS)
    assert newer_cache.stats == {"hits": 0, "misses": 1, "errors": 0}


def test_real_and_synthetic_apps_over_the_same_frame_do_not_share(monkeypatch, tmp_path, synth_data):
    monkeypatch.setenv("BAROMETER_CACHE_URL", tmp_path.as_uri())
    synthetic, _ = _app_client(synth_data)
    figures(synthetic, chart_width=WIDTHS)
    real, real_cache = _app_client(synth_data, synthetic=False)
    figures(real, chart_width=WIDTHS)
    assert real_cache.stats["hits"] == 0


# --------------------------------------------------------------------------------------------------
# Redis: a real redis-server, started here
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """The URL of a redis-server started for these tests on a free port (stopped after them)."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(server):
        if os.environ.get("BAROMETER_REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is required for the shared-cache tests: apt-get install redis-server")
        pytest.skip("redis-server not installed")
    import redis

    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def test_two_apps_share_entries_through_redis(monkeypatch, redis_url, synth_data):
    import redis

    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    monkeypatch.setenv("BAROMETER_CACHE_URL", redis_url)
    first, first_cache = _app_client(synth_data)
    computed = figures(first, sector=["state"], tech_role=["new_tech"], lang="en", chart_width=WIDTHS)
    assert first_cache.stats == {"hits": 0, "misses": 1, "errors": 0}
    keys = store.keys("*")
    assert len(keys) == 1 and b"sector=state" in keys[0] and 0 < store.ttl(keys[0]) <= cache_module.TIMEOUT
    second, second_cache = _app_client(synth_data)  # another worker or machine
    _break_figures(monkeypatch)  # it cannot compute, only serve the first app's entry
    served = figures(second, sector=["state"], tech_role=["new_tech"], lang="en", chart_width=WIDTHS)
    assert served == computed and figure(served, "fig1")["data"]
    assert second_cache.stats == {"hits": 1, "misses": 0, "errors": 0}


def test_redis_down_costs_only_the_cache(monkeypatch, synth_data, caplog):
    monkeypatch.setenv("BAROMETER_CACHE_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    client, cache = _app_client(synth_data)
    started = time.monotonic()
    response = figures(client, sector=["region"], chart_width=WIDTHS)
    again = figures(client, sector=["region"], chart_width=WIDTHS)
    assert figure(response, "fig1")["data"] and again == response and response["notice"]["is_open"] is False
    assert cache.stats["errors"] == 1 and cache.stats["misses"] == 2  # then left alone for RETRY_AFTER seconds
    assert time.monotonic() - started < 30
    assert any("response cache get failed" in r.getMessage() for r in caplog.records)
