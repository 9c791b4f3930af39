"""Process helpers of the bench: free ports, a gunicorn server, load clients, percentiles.

No Django needed: the throughput run serves the portal with gunicorn on loopback and loads it
with wrk (Debian's package) or, without wrk, with the threaded client below.
"""

from __future__ import annotations

import contextlib
import http.client
import math
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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port: int, path: str, *, timeout: float = 10.0, host: str = "127.0.0.1"):
    """(status, body) of one GET on loopback; raises OSError/HTTPException on failure."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host, "Accept-Language": "fr"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# Variables of the portal's settings a child server must not inherit by accident.
SETTINGS_VARIABLES = (
    "DJANGO_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "SECURE_SSL_REDIRECT",
    "CONN_MAX_AGE",
    "LOG_LEVEL",
)


def server_env(
    *, database_url: str, redis_url: str | None, cache_prefix: str = "cnpe-bench", **extra
) -> dict[str, str]:
    """Environment of a local server: DEBUG off, the given database and Redis (or none)."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        DJANGO_ENV="development",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        CACHE_KEY_PREFIX=cache_prefix,
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Gunicorn:
    """gunicorn serving the portal on a free loopback port; always stopped on exit."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, log_path: Path | None = None):
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 60.0) -> Gunicorn:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "committee.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--backlog",
            "2048",
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up:\n{self.log()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                http_get(self.port, "/healthz", timeout=5)
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log()}")

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def workers_memory_mb(self) -> list[dict]:
        """Memory of each worker (the master's children), in MB: resident (RSS, counting the
        pages shared with the master and the other workers in full) and proportional (PSS,
        the shared pages divided among the processes sharing them)."""
        if self.process is None:
            return []
        sizes = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() != str(self.process.pid):
                continue
            pss = None
            with contextlib.suppress(OSError, ValueError):
                for line in (entry / "smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        pss = round(int(line.split()[1]) / 1024, 1)
            sizes.append(
                {"rss_mb": round(int(fields["VmRSS"].split()[0]) / 1024, 1), "pss_mb": pss}
            )
        return sorted(sizes, key=lambda size: size["rss_mb"])

    def __enter__(self) -> Gunicorn:
        # The master builds the catalogue's index before its workers answer (gunicorn.conf.py):
        # over a minute at 1,000,000 initiatives.
        return self.start(timeout=600)

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class Hit:
    started: float  # seconds since the load began
    seconds: float
    status: int | None  # None: no HTTP answer
    error: str = ""


@dataclass
class LoadResult:
    duration: float
    connections: int
    began: float = 0.0  # time.monotonic() when the load began (hits' `started` counts from it)
    hits: list[Hit] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.hits)

    @property
    def statuses(self) -> Counter:
        return Counter(hit.status for hit in self.hits if hit.status is not None)

    @property
    def errors(self) -> Counter:
        return Counter(hit.error for hit in self.hits if hit.status is None)

    @property
    def failures(self) -> list[Hit]:
        """Hits without an HTTP answer or with anything but 2xx."""
        return [hit for hit in self.hits if hit.status is None or not 200 <= hit.status < 300]

    @property
    def rps(self) -> float:
        return self.requests / self.duration if self.duration else 0.0

    def latency_ms(self, q: float) -> float | None:
        return percentile([hit.seconds * 1000 for hit in self.hits], q)

    def summary(self) -> dict:
        return {
            "tool": "python-threads",
            "connections": self.connections,
            "duration_s": round(self.duration, 1),
            "requests": self.requests,
            "requests_per_s": round(self.rps, 1),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": dict(self.errors),
            "non_2xx_or_errors": len(self.failures),
            "latency_p50_ms": round_or_none(self.latency_ms(0.5)),
            "latency_p95_ms": round_or_none(self.latency_ms(0.95)),
        }


def http_load(
    port: int,
    paths: Iterable[str] | str,
    *,
    connections: int,
    duration: float,
    timeout: float = 10.0,
    stop: threading.Event | None = None,
) -> LoadResult:
    """`connections` threads sending GETs in a loop for `duration` seconds (bounded).

    Every hit is recorded with its start time, so a test can tell when failures happened.
    One connection per request: gunicorn's sync workers close it after each answer anyway.
    """
    paths = [paths] if isinstance(paths, str) else list(paths)
    lock = threading.Lock()
    began = time.monotonic()
    result = LoadResult(duration=duration, connections=connections, began=began)
    deadline = began + duration
    stop = stop or threading.Event()

    def worker(index: int) -> None:
        n = index
        while not stop.is_set() and time.monotonic() < deadline:
            path = paths[n % len(paths)]
            n += connections
            t0 = time.monotonic()
            try:
                status, _body = http_get(port, path, timeout=timeout)
                hit = Hit(t0 - began, time.monotonic() - t0, status)
            except (OSError, http.client.HTTPException) as exc:
                hit = Hit(t0 - began, time.monotonic() - t0, None, type(exc).__name__)
                time.sleep(0.05)  # a refused connection returns at once: do not spin
            with lock:
                result.hits.append(hit)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + timeout + 5)
    stop.set()
    result.duration = time.monotonic() - began
    return result


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk_ms(text: str) -> float | None:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return round(float(match[1]) * _WRK_UNITS[match[2]], 2) if match else None


# Each wrk thread takes the next path of the list (threads start at different offsets):
# nothing repeats while the list lasts.
WRK_PATHS_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local stride = tonumber(os.getenv("BENCH_THREADS"))
local threads = 0
function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end
function init(args)
  sent = 0
end
function request()
  -- thread t sends paths t, t + T, t + 2T… (T threads): no path twice while they last
  local i = (first + sent * stride) % #paths + 1
  sent = sent + 1
  return wrk.format("GET", paths[i])
end
"""


def wrk_load(
    url: str, *, connections: int, duration: int, threads: int = 2, paths: list[str] | None = None
) -> dict:
    """Run wrk against one URL (or, with `paths`, a different path at each request) and read
    its summary (requests/s, errors, latency)."""
    wrk = shutil.which("wrk")
    extra, env = [], None
    if paths:
        folder = Path(tempfile.mkdtemp(prefix="bench-wrk-"))
        (folder / "paths.txt").write_text("\n".join(paths) + "\n")
        (folder / "paths.lua").write_text(WRK_PATHS_SCRIPT)
        extra = ["-s", str(folder / "paths.lua")]
        env = {
            **os.environ,
            "BENCH_PATHS": str(folder / "paths.txt"),
            "BENCH_THREADS": str(threads),
        }
    completed = subprocess.run(  # noqa: S603 - wrk from the PATH, our own arguments
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "--latency",
            "-H",
            "Accept-Language: fr",
            *extra,
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=duration + 30,
        check=False,
    )
    out = completed.stdout
    summary = {"tool": "wrk", "connections": connections, "duration_s": duration}
    if match := re.search(r"(\d+) requests in ([\d.]+\w+)", out):
        summary["requests"] = int(match[1])
    if match := re.search(r"Requests/sec:\s+([\d.]+)", out):
        summary["requests_per_s"] = float(match[1])
    non_2xx = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        non_2xx = int(match[1])
    socket_errors = 0
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        socket_errors = sum(int(g) for g in match.groups())
    summary["non_2xx_or_errors"] = non_2xx + socket_errors
    summary["errors"] = {"socket": socket_errors} if socket_errors else {}
    for label, key in (
        ("50%", "latency_p50_ms"),
        ("90%", "latency_p90_ms"),
        ("99%", "latency_p99_ms"),
    ):
        if match := re.search(rf"^\s+{re.escape(label)}\s+(\S+)", out, re.MULTILINE):
            summary[key] = _wrk_ms(match[1])
    if completed.returncode != 0 or "requests_per_s" not in summary:
        summary["error"] = (completed.stderr or out)[-500:]
    return summary


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (q in 0..1)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def round_or_none(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


class QueryCounter:
    """Counts the SQL statements of a block (an execute wrapper: no SQL formatting cost)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
