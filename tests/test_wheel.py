"""The built wheel works anywhere: installed (not editable) in a fresh venv, run from an empty directory.

The module fixture copies the source tree, builds the sdist and the wheel from it (`python -m build`),
deletes the copy and installs the wheel into a new venv; pip's cache makes the dependency install
take seconds after the first run. The tests then run `barometer table`, `barometer validate` and the
Procfile's command (read from the checkout's Procfile at test time) from an empty directory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks.procfile import free_port

ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCE = (".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
              "node_modules", "out", "tmp")
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


class Installed:
    """A fresh venv holding the installed wheel, and an empty directory to run its commands from."""

    def __init__(self, venv: Path, workdir: Path):
        self.venv, self.workdir = venv, workdir
        self.bin = venv / "bin"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "BAROMETER_", "VIRTUAL_ENV"))}
        self.env["PATH"] = f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Return the finished command `args` (first item looked up in the venv's bin), run in the empty directory."""
        command = [str(self.bin / args[0]), *args[1:]]
        return subprocess.run(command, cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=timeout)

    def python(self, code: str) -> str:
        """Return the stripped standard output of `code` run by the venv's Python."""
        done = self.run("python", "-c", code)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """Return the venv where the wheel built from a copy of this checkout is installed (the copy is gone)."""
    base = tmp_path_factory.mktemp("wheel")
    source, dist, venv, empty = base / "source", base / "dist", base / "venv", base / "empty"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(source)], check=True,
                   capture_output=True, timeout=600)
    built = time.perf_counter()
    shutil.rmtree(source)
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1 and wheels[0].name.startswith(f"innovationsbarometer_dashboard-{VERSION}-")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                           "--quiet", "--no-compile", "--disable-pip-version-check", str(wheels[0])],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    print(f"\nwheel: build {built - started:.1f} s, venv and install {time.perf_counter() - built:.1f} s")
    empty.mkdir()
    return Installed(venv, empty)


def test_package_and_its_files_come_from_the_new_venv(installed):
    site = installed.python("import sysconfig; print(sysconfig.get_path('purelib'))")
    found = json.loads(installed.python(
        "import json, dashboard; from dashboard.resources import assets_dir; from dashboard.data.shipped import "
        "DEFAULT_DATA, PUBLISHED; print(json.dumps([dashboard.__file__, dashboard.__version__, str(DEFAULT_DATA), "
        "str(PUBLISHED / 'numbers.csv'), str(assets_dir() / 'style.css')]))"))
    module, version, *files = found
    assert module == f"{site}/dashboard/__init__.py"
    assert version == VERSION
    assert files == [f"{site}/dashboard/_files/{name}" for name in
                     ("data/barometer_synthetic.csv", "data/published/numbers.csv", "assets/style.css")]
    assert all(Path(f).read_bytes() == (ROOT / Path(f).relative_to(f"{site}/dashboard/_files")).read_bytes()
               for f in files)


def _checkout_env(installed: Installed) -> dict:
    """Return the environment of the installed commands, with the checkout's PATH instead of the venv's."""
    return installed.env | {"PATH": os.environ.get("PATH", "")}


def test_table_from_an_empty_directory_equals_the_checkout(installed):
    done = installed.run("barometer", "table", "fig1")
    assert done.returncode == 0, done.stderr
    here = subprocess.run([sys.executable, "-m", "dashboard.cli", "table", "fig1"], cwd=ROOT,
                          env=_checkout_env(installed), capture_output=True, text=True, timeout=120)
    assert here.returncode == 0, here.stderr
    assert done.stdout == here.stdout
    lines = done.stdout.splitlines()
    assert lines[0].startswith("figure,series,category,share,ci_low,ci_high,n,")
    assert [line.split(",")[2] for line in lines[1:]] == ["solution", "important", "minor", "none", "dont_know"]


def test_validate_the_shipped_file_inside_the_package(installed):
    shipped = installed.python("from dashboard.data.shipped import DEFAULT_DATA; print(DEFAULT_DATA)")
    assert shipped.startswith(str(installed.venv))
    done = installed.run("barometer", "validate", shipped)
    assert done.returncode == 0, done.stderr
    here = subprocess.run([sys.executable, "-m", "dashboard.cli", "validate", "data/barometer_synthetic.csv"], cwd=ROOT,
                          env=_checkout_env(installed), capture_output=True, text=True, timeout=120)
    assert here.returncode == 0, here.stderr
    assert done.stdout.startswith(f"{shipped}: valid, ") and " rows (" in done.stdout
    assert done.stdout.replace(shipped, "data/barometer_synthetic.csv") == here.stdout


def _get(url: str) -> tuple[int, bytes]:
    """Return the status and body of GET `url` (an HTTP error status too)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _procfile_web() -> str:
    """Return the command of the Procfile's web process."""
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("the Procfile has no web process")


def test_procfile_command_serves_the_page(installed, tmp_path):
    port = free_port()
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        server = subprocess.Popen(["bash", "-c", "exec " + _procfile_web()], cwd=installed.workdir,
                                  env=installed.env | {"PORT": str(port)}, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, f"the web process ended ({server.returncode}):\n{log.read_text()}"
            try:
                status, page = _get(f"http://127.0.0.1:{port}/")
                break
            except (ConnectionError, urllib.error.URLError):
                assert time.monotonic() < deadline, f"no answer on port {port} in 120 s:\n{log.read_text()}"
                time.sleep(0.5)
        assert status == 200 and b'id="react-entry-point"' in page
        status, layout = _get(f"http://127.0.0.1:{port}/_dash-layout")
        assert status == 200 and "fig1" in json.dumps(json.loads(layout))
        status, css = _get(f"http://127.0.0.1:{port}/assets/style.css")
        assert status == 200 and css == (ROOT / "assets" / "style.css").read_bytes()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
