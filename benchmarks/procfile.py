"""The Procfile's web command, started on a free port for a benchmark, and stopped afterwards.

>>> procfile_command(8123)[:1]
['gunicorn']
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROCFILE = ROOT / "Procfile"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_command(port: int) -> list[str]:
    """Return the Procfile's `web:` command as arguments, with $PORT (or ${PORT:-...}) set to `port`."""
    line = next(raw for raw in PROCFILE.read_text().splitlines() if raw.startswith("web:"))
    command = re.sub(r"\$\{PORT(:-[^}]*)?\}|\$PORT", str(port), line.removeprefix("web:").strip())
    return shlex.split(command)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    """Return once `url` answers 200; raise RuntimeError if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                if res.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s")


@contextmanager
def procfile_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """Run the Procfile's web command on a free port with a fresh response cache; yield its base URL.

    The server's log goes to a temporary file, printed if the server fails to start.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="barometer-bench-") as tmp:
        bin_dir = str(Path(sys.executable).parent)
        full_env = {**os.environ, "PORT": str(port), "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
                    "BAROMETER_CACHE_URL": Path(tmp, "cache").as_uri(), **(env or {})}
        log = open(Path(tmp, "server.log"), "w+")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(procfile_command(port), cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_until_up(url + "/", process)
            except RuntimeError:
                log.seek(0)
                sys.stderr.write(log.read()[-3000:])
                raise
            yield url
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
