"""deploy/nginx.conf in front of the Procfile's gunicorn: real nginx (Debian's) and real gunicorn on free ports.

Slow clients (eight sockets sending a request header a byte a second for 15 s) do not delay a normal
request through nginx; against gunicorn directly they hold its threads (reported, not asserted: which
worker accepts which socket is up to the kernel). Also: compression, a year's caching for
fingerprinted files only, the body limit equal to the guard's, timeouts consistent with gunicorn's,
503 with Retry-After when no server answers (the app's own error answers passed on unchanged).
Restarts behind it: tests/test_restart.py.
"""

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks.procfile import free_port
from dashboard.guard import MAX_BODY

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW_CLIENTS = 8
SLOW_SECONDS = 15
YEAR = "max-age=31536000"
# What nginx answers when no server answers (deploy/nginx.conf's @unavailable, deploy/README.md)
UNAVAILABLE = b'{"error":"The dashboard is not answering; try again in a moment","status":503}\n'
CALLBACK = (b'{"output":"export-size.options","outputs":{"id":"export-size","property":"options"},'
            b'"inputs":[{"id":"lang","property":"value","value":"en"}],"changedPropIds":["lang.value"]}')


def require_service(available: bool, what: str) -> None:
    """Fail (BAROMETER_REQUIRE_SERVICES=1, as in CI) or skip when a service the test needs is missing."""
    if not available:
        if os.environ.get("BAROMETER_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{what} is required for this test: apt-get install nginx")
        pytest.skip(f"{what} not installed")


def procfile_command() -> str:
    """Return the command of the Procfile's web process, read now (its settings may change)."""
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("the Procfile has no web process")


def render(template: str, upstream: str, listen: str, more_upstreams: tuple[str, ...] = ()) -> str:
    """Return the site file with its placeholders filled in, as deploy/README.md tells an operator to, and a
    `server` line for each of `more_upstreams` added after the first (two servers, for releases)."""
    site = template.replace("@UPSTREAM@", upstream).replace("@LISTEN@", listen).replace("@SERVER_NAME@", "_")
    assert not re.search(r"@[A-Z_]+@", site), "a placeholder is left"
    if more_upstreams:
        first = re.search(rf"^( *)server {re.escape(upstream)}( [^;\n]*)?;.*$", site, re.MULTILINE)
        assert first, "no server line in the upstream block"
        added = "".join(f"\n{first[1]}server {address}{first[2] or ''};" for address in more_upstreams)
        site = site[:first.end()] + added + site[first.end():]
    return site


def main_config(tmp: Path, site: Path) -> str:
    """Return an nginx.conf that keeps every file nginx writes in `tmp` and includes the site file."""
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    default_type application/octet-stream;
    access_log {tmp / "access.log"};
{temp_paths}
    include {site};
}}
"""


def wait_for(url_host: str, port: int, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    """Return once GET / answers 200 on host:port; fail with the server's log if it ends or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"the server ended ({process.returncode}):\n{log.read_text()[-3000:]}"
        try:
            if get(url_host, port, "/")[0] == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        assert time.monotonic() < deadline, f"no answer on port {port} in {timeout:.0f} s:\n{log.read_text()[-3000:]}"
        time.sleep(0.3)


def stop(process: subprocess.Popen) -> None:
    """End a server this test started (its whole process group), waiting for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def get(host: str, port: int, path: str, method: str = "GET", body: bytes | None = None, headers=None, timeout=60):
    """Return (status, headers, body) of one request; headers as a dict with lower-case names (repeats joined)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        res = connection.getresponse()
        data = res.read()
        found = {}
        for name, value in res.getheaders():
            found[name.lower()] = f"{found[name.lower()]}, {value}" if name.lower() in found else value
        return res.status, found, data
    finally:
        connection.close()


# --------------------------------------------------------------------------------------------------
# The servers
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory):
    """The Procfile's web command on a free port, with its own response cache and job store; yields the port."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {**os.environ, "PORT": str(port), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "BAROMETER_CACHE_URL": (tmp / "cache").as_uri(), "BAROMETER_JOBS_DIR": str(tmp / "jobs")}
    log = tmp / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["bash", "-c", "exec " + procfile_command()], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for("127.0.0.1", port, process, log)
        yield port
    finally:
        stop(process)


@pytest.fixture(scope="module")
def gunicorn_settings(gunicorn_port):
    """gunicorn's resolved settings for the Procfile's command: {name: text value}."""
    env = {**os.environ, "PORT": str(gunicorn_port), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", "exec " + procfile_command() + " --print-config"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(re.findall(r"^(\w+)\s+= (.*)$", done.stdout, re.MULTILINE))


@pytest.fixture(scope="module")
def nginx_dir():
    """nginx's prefix: a folder that nginx's workers (an unprivileged user when the test runs as root) can reach."""
    tmp = prefix_dir()
    yield tmp
    shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def nginx_serving(tmp: Path, upstream: str, wait: bool = True, more_upstreams: tuple[str, ...] = ()):
    """Run deploy/nginx.conf with `upstream` (and `more_upstreams`) filled in, by Debian's nginx from the prefix
    `tmp` (a folder its workers can reach); yield its port once it answers GET / with 200 (`wait`) or once it
    listens."""
    require_service(os.access(NGINX, os.X_OK), "nginx")
    port = free_port()
    site = tmp / "barometer.conf"
    site.write_text(render(TEMPLATE.read_text(), upstream, f"127.0.0.1:{port}", more_upstreams))
    conf = tmp / "nginx.conf"
    conf.write_text(main_config(tmp, site))
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    log = tmp / "error.log"
    process = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        if wait:
            wait_for("127.0.0.1", port, process, log, timeout=30)
        else:
            wait_listening(port, process, log)
        yield port
    finally:
        stop(process)


def wait_listening(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    """Return once something accepts connections on 127.0.0.1:port; fail with the log if the server ends."""
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"the server ended ({process.returncode}):\n{log.read_text()[-3000:]}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on port {port} after {timeout:.0f} s"
            time.sleep(0.1)


def prefix_dir() -> Path:
    """Return a new folder that nginx's workers (an unprivileged user when the test runs as root) can reach."""
    tmp = Path(tempfile.mkdtemp(prefix="barometer-nginx-"))
    tmp.chmod(0o755)
    return tmp


@pytest.fixture(scope="module")
def nginx_port(gunicorn_port, nginx_dir):
    """deploy/nginx.conf in front of that gunicorn, run by Debian's nginx from a temp prefix; yields its port."""
    with nginx_serving(nginx_dir, f"127.0.0.1:{gunicorn_port}") as port:
        yield port


# --------------------------------------------------------------------------------------------------
# Slow clients
# --------------------------------------------------------------------------------------------------
def slow_client(port: int, seconds: float, stop_event: threading.Event, connected: threading.Barrier) -> None:
    """Open a socket and send a request header a byte a second for `seconds` (until the server hangs up)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        connected.wait(timeout=10)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not stop_event.is_set():
            try:
                sock.sendall(b"a")
            except OSError:  # the server closed it (nginx's client_header_timeout)
                return
            stop_event.wait(1)


def timed_get(port: int) -> float:
    """Return the seconds a normal GET / took (asserting it was answered 200)."""
    begin = time.monotonic()
    status = get("127.0.0.1", port, "/", timeout=60)[0]
    assert status == 200
    return time.monotonic() - begin


def latencies_under_slow_clients(port: int, requests: int, at_once: bool = False) -> list[float]:
    """Return the seconds each of `requests` normal GET / took while SLOW_CLIENTS slow clients were connected
    (one request every 1.5 s, or all at once)."""
    stop_event = threading.Event()
    connected = threading.Barrier(SLOW_CLIENTS + 1)
    threads = [threading.Thread(target=slow_client, args=(port, SLOW_SECONDS, stop_event, connected), daemon=True)
               for _ in range(SLOW_CLIENTS)]
    for thread in threads:
        thread.start()
    connected.wait(timeout=10)
    time.sleep(1.5)  # every slow client has been accepted and is sending
    took = []
    try:
        if at_once:
            with ThreadPoolExecutor(requests) as pool:
                took = list(pool.map(lambda _: timed_get(port), range(requests)))
        else:
            started = time.monotonic()
            while len(took) < requests and time.monotonic() - started < SLOW_SECONDS:
                took.append(timed_get(port))
                time.sleep(max(0.0, 1.5 - took[-1]))
    finally:
        stop_event.set()
        for thread in threads:
            thread.join(timeout=10)
    return took


def test_slow_clients_do_not_delay_a_normal_request_through_nginx(nginx_port, gunicorn_port, gunicorn_settings):
    through_nginx = latencies_under_slow_clients(nginx_port, 8)
    # The finding, reported: directly, a request that lands on a worker whose threads all read slow
    # headers waits for them (which worker accepts which socket is up to the kernel).
    direct = latencies_under_slow_clients(gunicorn_port, 6, at_once=True)
    print(f"\n{SLOW_CLIENTS} slow clients, gunicorn {gunicorn_settings['workers']} workers x "
          f"{gunicorn_settings['threads']} threads\n"
          f"  through nginx, one every 1.5 s: {', '.join(f'{t:.3f}' for t in through_nginx)} s\n"
          f"  gunicorn directly, six at once: {', '.join(f'{t:.3f}' for t in sorted(direct))} s")
    assert len(through_nginx) == 8
    assert max(through_nginx) < 1.0, through_nginx


# --------------------------------------------------------------------------------------------------
# What nginx adds and keeps
# --------------------------------------------------------------------------------------------------
def page_files(nginx_port) -> tuple[str, list[str]]:
    """Return the page and the addresses of the scripts and styles it links (not the chunks it preloads,
    which Dash asks for by an address without a fingerprint)."""
    status, _, body = get("127.0.0.1", nginx_port, "/")
    assert status == 200
    page = body.decode("utf-8")
    return page, re.findall(r'(?:<script src|<link rel="stylesheet" href)="(/(?:_dash-component-suites|assets)/[^"]+)"',
                            page)


def test_fingerprinted_files_are_cached_a_year_and_others_revalidated(nginx_port):
    _, files = page_files(nginx_port)
    suites = [f for f in files if f.startswith("/_dash-component-suites/")]
    assets = [f for f in files if f.startswith("/assets/")]
    assert len(suites) >= 5 and assets and all("?m=" in f for f in assets)
    for path in suites + assets + ["/_favicon.ico?v=1"]:
        status, headers, _ = get("127.0.0.1", nginx_port, path)
        assert status == 200 and YEAR in headers["cache-control"] and "immutable" in headers["cache-control"], path
    for path in ("/assets/style.css", "/_dash-component-suites/dash/dcc/async-graph.js", "/"):
        status, headers, _ = get("127.0.0.1", nginx_port, path)
        assert status == 200 and YEAR not in headers.get("cache-control", ""), (path, headers.get("cache-control"))


def test_responses_are_compressed_and_keep_the_security_headers(nginx_port, gunicorn_port):
    _, files = page_files(nginx_port)
    script = next(f for f in files if f.endswith(".js"))
    for path in ("/", script, "/_dash-layout"):
        status, headers, body = get("127.0.0.1", nginx_port, path, headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip", (path, headers)
        assert len(gzip.decompress(body)) > len(body)
        assert headers["x-content-type-options"] == "nosniff" and "script-src 'self'" in headers["content-security-policy"]
    _, direct, _ = get("127.0.0.1", gunicorn_port, "/")
    _, proxied, _ = get("127.0.0.1", nginx_port, "/")
    assert proxied["content-security-policy"] == direct["content-security-policy"]
    assert proxied["server"] == "nginx" and direct["server"] == "gunicorn"  # no version from either


def test_body_limit_is_the_guards(nginx_port):
    assert f"client_max_body_size {MAX_BODY // 1024}k;" in TEMPLATE.read_text()
    headers = {"Content-Type": "application/json"}
    status, answer, body = get("127.0.0.1", nginx_port, "/_dash-update-component", "POST", b"x" * (MAX_BODY + 1), headers)
    assert status == 413 and answer["content-type"] == "application/json" and b"Request too large" in body
    assert answer["x-content-type-options"] == "nosniff"
    status, _, body = get("127.0.0.1", nginx_port, "/_dash-update-component", "POST", b"x" * MAX_BODY, headers)
    assert status == 400 and b"the body is not valid JSON" in body  # nginx let it through; the app refused it


def test_a_response_larger_than_nginxs_buffers_arrives_whole(nginx_port, gunicorn_port, nginx_dir):
    _, files = page_files(nginx_port)
    sizes = {}
    for path in [*files, "/_dash-component-suites/plotly/package_data/plotly.min.js"]:
        status, _, body = get("127.0.0.1", gunicorn_port, path, headers={"Accept-Encoding": "identity"})
        sizes[path] = len(body) if status == 200 else 0
    largest = max(sizes, key=sizes.get)
    assert sizes[largest] > 32 * 16 * 1024  # more than proxy_buffers hold in memory: nginx spools it to a file
    direct = get("127.0.0.1", gunicorn_port, largest, headers={"Accept-Encoding": "identity"})[2]
    status, _, proxied = get("127.0.0.1", nginx_port, largest, headers={"Accept-Encoding": "identity"})
    assert status == 200 and proxied == direct
    errors = [line for line in (nginx_dir / "error.log").read_text().splitlines()
              if re.search(r"\[(crit|alert|emerg)\]", line)]
    assert not errors, errors


def test_a_callback_answers_through_nginx(nginx_port):
    status, _, answer = get("127.0.0.1", nginx_port, "/_dash-update-component", "POST", CALLBACK,
                            {"Content-Type": "application/json"})
    assert status == 200 and b"export-size" in answer


def test_timeouts_are_consistent_with_gunicorns(gunicorn_settings):
    config = TEMPLATE.read_text()
    seconds = {name: int(value) for name, value in re.findall(r"^\s*(\w+_timeout) (\d+)s;", config, re.MULTILINE)}
    assert seconds["client_header_timeout"] <= 10 and seconds["client_body_timeout"] <= 10
    # nginx waits for an answer as long as gunicorn lets a request run
    assert seconds["proxy_read_timeout"] >= int(gunicorn_settings["timeout"])
    assert seconds["keepalive_timeout"] <= 60


# --------------------------------------------------------------------------------------------------
# Requests the servers refuse before the app sees them: the dashboard's own error page
# --------------------------------------------------------------------------------------------------
def test_a_link_too_long_gets_the_dashboards_error_page_from_gunicorn_and_through_nginx(gunicorn_port, nginx_port):
    """The issue's example: a link over gunicorn's request-line limit got a bare "Request Line is too large"."""
    from dashboard.error_page import page

    long_link = "/?sector=" + ",".join(["state"] * 1500)  # about 9 KB: longer than either server reads
    for port in (gunicorn_port, nginx_port):
        status, headers, body = get("127.0.0.1", port, long_link)
        text = body.decode("utf-8")
        assert status == 414 and text == page(414), (port, text[:300])
        assert "Linket er for langt" in text and "The link is too long" in text and '<a href="/">' in text
        assert headers["content-type"].startswith("text/html") and "charset=utf-8" in headers["content-type"]
        assert "frame-ancestors" in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"
        assert "Request Line is too large" not in text and "nginx" not in text.lower()
    # a link of 6 KB is read and answered (gunicorn reads lines up to 8 KB, as nginx does)
    status, _, body = get("127.0.0.1", gunicorn_port, "/?sector=" + ",".join(["state"] * 1000))
    assert status == 200 and b"react-entry-point" in body
    # headers too large for nginx: the same page, saying so
    status, _, body = get("127.0.0.1", nginx_port, "/", headers={"Cookie": "c=" + "x" * 20_000})
    assert status == 400 and body.decode("utf-8") == page(431)


# --------------------------------------------------------------------------------------------------
# No server to answer: 503 with Retry-After; the app's own errors pass unchanged
# --------------------------------------------------------------------------------------------------
class AppErrors(BaseHTTPRequestHandler):
    """A stand-in for the app that answers /status/<code> with that status and a body of its own."""

    def answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        code = int(self.path.rsplit("/", 1)[-1])
        body = f'{{"from":"the app","status":{code}}}'.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-From-App", "yes")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


def test_no_server_up_is_503_with_retry_after_and_the_apps_own_errors_pass_unchanged():
    tmp = prefix_dir()
    upstream = free_port()  # nothing listens there yet
    try:
        with nginx_serving(tmp, f"127.0.0.1:{upstream}", wait=False) as port:
            for method, body in (("GET", None), ("POST", CALLBACK)):
                status, headers, answer = get("127.0.0.1", port, "/_dash-update-component" if body else "/", method,
                                              body, {"Content-Type": "application/json"} if body else None)
                assert (status, headers.get("retry-after"), answer) == (503, "10", UNAVAILABLE), (method, status, headers)
                assert headers["content-type"] == "application/json" and headers["x-content-type-options"] == "nosniff"
            readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
            assert UNAVAILABLE.decode().strip() in readme and "Retry-After" in readme

            app = ThreadingHTTPServer(("127.0.0.1", upstream), AppErrors)
            threading.Thread(target=app.serve_forever, daemon=True).start()
            try:
                for code in (500, 502, 503, 504):
                    for method in ("GET", "POST"):
                        status, headers, answer = get("127.0.0.1", port, f"/status/{code}", method, b"{}" if method ==
                                                      "POST" else None, {"Content-Type": "application/json"})
                        assert status == code and answer == f'{{"from":"the app","status":{code}}}'.encode(), \
                            (method, code, status, answer)
                        assert headers["x-from-app"] == "yes" and "retry-after" not in headers, (method, code, headers)
            finally:
                app.shutdown()
                app.server_close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
