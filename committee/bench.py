"""`manage.py bench`: server time, SQL queries and throughput at 100,000 initiatives.

Each page scenario is requested in-process with Django's test client (the full middleware
stack, no network) after a warm-up: p50 and p95 of the server time, SQL queries per
request, and the ratio to a trivial view served through the same middleware (the
baseline). Pages that read the catalogue's cache (counts, facets, key figures, map,
statistics) are measured twice: *warm* (the same URL again and again, as when visitors
share a link) and *cold* (before each request, the catalogue's version bumped as a
publication does, and the steering figures expired: every count, facet and figure is
recomputed).

Reports are built by their builders in a child process (time and peak resident memory of
that process). The throughput run serves the portal with gunicorn on loopback and loads it
with wrk (Debian's package) or, without wrk, with the threaded client below.

The process helpers (free ports, gunicorn, load client) are also used by the load and
fault tests (tests/load/).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# -- process helpers (no Django needed) -------------------------------------------------------


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

    def __enter__(self) -> Gunicorn:
        return self.start()

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
            "latency_p50_ms": _round(self.latency_ms(0.5)),
            "latency_p95_ms": _round(self.latency_ms(0.95)),
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


def wrk_load(url: str, *, connections: int, duration: int, threads: int = 2) -> dict:
    """Run wrk against one URL and read its summary (requests/s, errors, latency)."""
    wrk = shutil.which("wrk")
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
            url,
        ],
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


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# -- targets (issues 3 and 5) -------------------------------------------------------------------

BROWSE_P95_MS = 30
FULLTEXT_P95_MS = 60
DETAIL_P95_MS = 15
MAP_P95_MS = 30
STATISTICS_P95_MS = 100
CATALOGUE_MAX_QUERIES = 8
XLSX_MAX_SECONDS = 25
XLSX_MAX_MB = 250
PDF_MAX_SECONDS = 10
NOTIFICATIONS_MAX_SECONDS = 20

BENCH_USER_EMAIL = "banc-essai@bench.invalid"


@dataclass
class Scenario:
    name: str
    paths: list[str]  # cycled through; one path = the same URL every time
    target_p95_ms: float | None = None
    max_queries: int | None = None
    cache_sensitive: bool = False  # measured warm and cold
    login: bool = False
    note: str = ""


@dataclass
class Measure:
    name: str
    cache: str  # "warm", "cold" or "-"
    p50_ms: float | None
    p95_ms: float | None
    queries: int | None  # the most any measured request issued
    queries_min: int | None = None
    requests: int = 0
    mean_ms: float | None = None
    max_ms: float | None = None
    ratio_to_baseline: float | None = None
    target_p95_ms: float | None = None
    max_queries: int | None = None
    statuses: dict = field(default_factory=dict)
    url: str = ""
    note: str = ""
    error: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.error or (self.statuses and set(self.statuses) != {"200"}):
            return "ERREUR"
        misses = []
        if self.target_p95_ms is not None and (self.p95_ms or 0) > self.target_p95_ms:
            misses.append("temps")
        if self.max_queries is not None and (self.queries or 0) > self.max_queries:
            misses.append("requêtes")
        target_mb, peak_mb = self.extra.get("target_mb"), self.extra.get("peak_rss_mb")
        if target_mb and peak_mb and peak_mb > target_mb:
            misses.append("mémoire")
        if misses:
            return "HORS CIBLE (" + ", ".join(misses) + ")"
        if self.target_p95_ms is None and self.max_queries is None:
            return ""
        return "ok"

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("name")
        extra = data.pop("extra")
        data.update(extra)
        data["verdict"] = self.verdict
        return data


def catalogue_scenarios() -> list[Scenario]:
    browse = {"target_p95_ms": BROWSE_P95_MS, "max_queries": CATALOGUE_MAX_QUERIES}
    text = {"target_p95_ms": FULLTEXT_P95_MS, "max_queries": CATALOGUE_MAX_QUERIES}
    c = "/initiatives/"
    cases = [
        ("catalogue", c, browse, "sans filtre"),
        ("catalogue axis", c + "?axis=5", browse, "axe 5"),
        ("catalogue region", c + "?region=84", browse, "Auvergne-Rhône-Alpes"),
        ("catalogue department", c + "?department=59", browse, "Nord"),
        ("catalogue commune", c + "?commune=69123", browse, "Lyon (porteuse ou couverte)"),
        ("catalogue collectivity", c + "?collectivity=department", browse, "départements"),
        ("catalogue school_level", c + "?school_level=elementaire", browse, ""),
        ("catalogue item", c + "?item=E3.1", browse, "élément de référentiel"),
        ("catalogue partner", c + "?partner=cdc", browse, "porteur ou partenaire, casse libre"),
        ("catalogue year", c + "?year=2020", browse, ""),
        ("catalogue combo 1", c + "?axis=1&region=11", browse, "axe + région"),
        (
            "catalogue combo 2",
            c + "?department=13&school_level=elementaire&year=2021",
            browse,
            "département + niveau + année",
        ),
        (
            "catalogue combo 3",
            c + "?collectivity=commune&partner=AMRF&item=3.1&sort=title",
            browse,
            "niveau + partenaire + élément, tri par titre",
        ),
        ("catalogue q common", c + "?q=num%C3%A9rique", text, "« numérique » (presque tout)"),
        ("catalogue q rare", c + "?q=apiculture", text, "« apiculture » (~0,1 %)"),
        ("catalogue q + filters", c + "?q=tablettes&region=84&axis=1", text, ""),
        ("catalogue deep page", c + "?page=2000", browse, "page 2000 (lignes 39 981–40 000)"),
    ]
    return [
        Scenario(name, [path], cache_sensitive=True, note=note, **target)
        for name, path, target, note in cases
    ]


# -- measuring ----------------------------------------------------------------------------------


def cache_cold() -> None:
    """The cache as right after a publication: the catalogue's version bumped (counts,
    facets, key figures and map recomputed) and the steering figures expired.

    Other cached values (the site configuration…) stay, as they would. With the local-memory
    cache (no patterns), everything is forgotten.
    """
    from django.core.cache import cache

    from initiatives.selectors import catalogue_changed

    if hasattr(cache, "delete_pattern"):  # django-redis: keys of our KEY_PREFIX only
        catalogue_changed()
        cache.delete_pattern("*statistics:*")
    else:
        cache.clear()


class QueryCounter:
    """Counts the SQL statements of a block (an execute wrapper: no SQL formatting cost)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def time_requests(
    client,
    paths: list[str],
    *,
    warmup: int,
    requests: int,
    before_each: Callable[[], None] | None = None,
) -> dict:
    """Warm up, then time `requests` GETs (cycling through `paths`), counting queries."""
    from django.db import connection

    statuses: Counter = Counter()
    times, queries = [], []
    error = None
    for i in range(warmup + requests):
        path = paths[i % len(paths)]
        if before_each:
            before_each()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        if i >= warmup:
            statuses[str(response.status_code)] += 1
            times.append(elapsed * 1000)
            queries.append(counter.count)
        if error is None and getattr(response, "exc_info", None):
            error = f"{path}: {response.exc_info[0].__name__}: {response.exc_info[1]}"[:300]
    return {
        "error": error,
        "p50_ms": _round(percentile(times, 0.5)),
        "p95_ms": _round(percentile(times, 0.95)),
        "mean_ms": _round(statistics.fmean(times)),
        "max_ms": _round(max(times)),
        "queries": max(queries),
        "queries_min": min(queries),
        "requests": len(times),
        "statuses": dict(statuses),
    }


@dataclass
class BenchConfig:
    warmup: int = 5
    requests: int = 50
    cold_requests: int = 20
    only: str = ""
    reports: bool = True
    throughput: bool = True
    duration: int = 30
    connections: int = 16
    write: Callable[[str], None] = print


class Bench:
    def __init__(self, config: BenchConfig):
        self.config = config
        self.measures: list[Measure] = []
        self.baseline: Measure | None = None
        self.throughput: dict = {}
        self.notes: list[str] = []

    def say(self, text: str) -> None:
        self.config.write(text)

    def wanted(self, name: str) -> bool:
        terms = [term.strip() for term in self.config.only.split(",") if term.strip()]
        return not terms or any(term in name for term in terms)

    # -- pages -----------------------------------------------------------------------------

    def run_pages(self) -> None:
        from django.test import Client, override_settings

        with override_settings(ROOT_URLCONF="committee.bench_urls"):
            anonymous = Client(raise_request_exception=False)
            result = time_requests(
                anonymous,
                ["/__bench__/trivial"],
                warmup=max(self.config.warmup, 20),
                requests=max(self.config.requests, 200),
            )
            self.baseline = Measure(
                "baseline (vue triviale)", "-", url="/__bench__/trivial", **result
            )
            self.say(f"  baseline : p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms")
            for scenario in self.page_scenarios():
                if not self.wanted(scenario.name):
                    continue
                client = anonymous
                if scenario.login:
                    client = Client(raise_request_exception=False)
                    client.force_login(bench_official())
                modes = ["warm", "cold"] if scenario.cache_sensitive else ["-"]
                for mode in modes:
                    if mode == "cold":
                        result = time_requests(
                            client,
                            scenario.paths,
                            warmup=2,
                            requests=self.config.cold_requests,
                            before_each=cache_cold,
                        )
                    else:
                        result = time_requests(
                            client,
                            scenario.paths,
                            warmup=self.config.warmup,
                            requests=self.config.requests,
                        )
                    measure = Measure(
                        scenario.name,
                        mode,
                        url=scenario.paths[0] + (" …" if len(scenario.paths) > 1 else ""),
                        target_p95_ms=scenario.target_p95_ms,
                        max_queries=scenario.max_queries,
                        note=scenario.note,
                        **result,
                    )
                    self.add(measure)

    def page_scenarios(self) -> list[Scenario]:
        from django.urls import NoReverseMatch, reverse

        scenarios = [Scenario("home", ["/"], cache_sensitive=True)]
        scenarios += catalogue_scenarios()
        scenarios.append(
            Scenario(
                "initiative page",
                initiative_paths(self.config.warmup + self.config.requests),
                target_p95_ms=DETAIL_P95_MS,
                note="une initiative différente à chaque requête",
            )
        )
        scenarios.append(
            Scenario("map", ["/carte/"], target_p95_ms=MAP_P95_MS, cache_sensitive=True)
        )
        scenarios.append(
            Scenario(
                "map filtered",
                ["/carte/?axis=5&collectivity=commune"],
                target_p95_ms=MAP_P95_MS,
                cache_sensitive=True,
            )
        )
        from committee.bench_territories import territory_scenarios

        scenarios += territory_scenarios(Scenario)
        scenarios.append(Scenario("api list", ["/api/v1/initiatives/"], cache_sensitive=True))
        scenarios.append(Scenario("api list filtered", ["/api/v1/initiatives/?region=84&axis=1"]))
        try:
            statistics_path = reverse("pilotage")
        except NoReverseMatch:
            self.notes.append("statistics: /pilotage/ n'existe pas, scénario ignoré.")
        else:
            scenarios.append(
                Scenario(
                    "statistics",
                    [statistics_path],
                    target_p95_ms=STATISTICS_P95_MS,
                    cache_sensitive=True,
                    login=True,
                    note="agent du ministère connecté (TOTP)",
                )
            )
            scenarios.append(
                Scenario(
                    "statistics filtered",
                    [statistics_path + "?region=84&status=all"],
                    target_p95_ms=STATISTICS_P95_MS,
                    cache_sensitive=True,
                    login=True,
                )
            )
        return scenarios

    def add(self, measure: Measure) -> None:
        if self.baseline and self.baseline.p50_ms and measure.p50_ms is not None:
            measure.ratio_to_baseline = round(measure.p50_ms / self.baseline.p50_ms, 1)
        self.measures.append(measure)
        self.say(
            f"  {measure.name:<26} {measure.cache:<5} p50 {_fmt(measure.p50_ms):>9} ms  "
            f"p95 {_fmt(measure.p95_ms):>9} ms  {_fmt(measure.queries)} requêtes  "
            f"{measure.verdict}"
        )
        if measure.error:
            self.say(f"    {measure.error}")

    # -- reports ---------------------------------------------------------------------------

    def run_reports(self) -> None:
        jobs = [
            (
                "report xlsx",
                "xlsx",
                {"target_seconds": XLSX_MAX_SECONDS, "target_mb": XLSX_MAX_MB},
                "toutes les initiatives hors brouillons (status=all)",
            ),
            ("report action-plan pdf", "plan", {"target_seconds": PDF_MAX_SECONDS}, ""),
            ("report region pdf", "region", {}, "synthèse de la région 84"),
        ]
        for name, kind, targets, note in jobs:
            if not self.wanted(name):
                continue
            self.say(f"  {name} …")
            data = run_child(kind)
            if "error" in data:
                self.add(
                    Measure(
                        name, "-", None, None, None, error=data["error"][-300:], statuses={"x": 1}
                    )
                )
                continue
            ms = round(data["seconds"] * 1000, 1)
            target_s = targets.get("target_seconds")
            self.add(
                Measure(
                    name,
                    "-",
                    ms,
                    ms,
                    data["queries"],
                    requests=1,
                    target_p95_ms=target_s * 1000 if target_s else None,
                    note=note,
                    statuses={"200": 1},
                    extra={
                        "seconds": round(data["seconds"], 2),
                        "peak_rss_mb": data["peak_rss_mb"],
                        "rss_before_mb": data["rss_before_mb"],
                        "size_mb": data["size_mb"],
                        "rows": data.get("rows"),
                        **targets,
                    },
                )
            )

    def notifications(self) -> None:
        """Issue 6: 1,000 notifications delivered by one Celery worker (≤ 20 s)."""
        import importlib.util

        name = "notification fan-out (1,000)"
        if not self.wanted(name):
            return
        if importlib.util.find_spec("members.notifications_bench") is None:
            self.notes.append("notification fan-out : module de notifications absent (non mesuré).")
            self.add(Measure(name, "-", None, None, None, note="not available"))
            return
        self.say(f"  {name} …")
        data = run_child("notifications")
        if "error" in data:
            self.add(Measure(name, "-", None, None, None, error=data["error"][-300:]))
            return
        ms = round(data["delivery_seconds"] * 1000, 1)
        self.add(
            Measure(
                name,
                "-",
                ms,
                ms,
                None,
                requests=1,
                target_p95_ms=data.get("target_seconds", NOTIFICATIONS_MAX_SECONDS) * 1000,
                note="un worker Celery (pool solo) sur Redis, e-mails en mémoire",
                statuses={"200": 1} if data.get("delivered") == data.get("count") else {"x": 1},
                extra={k: v for k, v in data.items() if k != "ok"},
            )
        )

    # -- throughput ------------------------------------------------------------------------

    def run_throughput(self) -> None:
        from django.conf import settings

        db = settings.DATABASES["default"]
        database_url = (
            f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
            f"@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
        )
        env = server_env(
            database_url=database_url,
            redis_url=settings.REDIS_URL or None,
            cache_prefix=settings.CACHES["default"].get("KEY_PREFIX", "cnpe-bench") or "cnpe-bench",
        )
        use_wrk = shutil.which("wrk") is not None
        if not use_wrk:
            self.notes.append(
                "débit : wrk absent (apt-get install wrk), client Python à threads utilisé."
            )
        paths = {
            "home": "/",
            "catalogue": "/initiatives/",
            "catalogue filtered": "/initiatives/?axis=5&region=84",
            "api list": "/api/v1/initiatives/",
        }
        with Gunicorn(env, workers=2) as server:
            self.say(f"  gunicorn (2 workers) sur {server.url}")
            for name, path in paths.items():
                if not self.wanted(name):
                    continue
                for _ in range(3):  # each worker's first request loads templates and caches
                    http_get(server.port, path, timeout=30)
                if use_wrk:
                    summary = wrk_load(
                        server.url + path,
                        connections=self.config.connections,
                        duration=self.config.duration,
                    )
                else:
                    summary = http_load(
                        server.port,
                        path,
                        connections=self.config.connections,
                        duration=self.config.duration,
                    ).summary()
                summary["url"] = path
                self.throughput[name] = summary
                self.say(
                    f"  {name:<20} {summary.get('requests_per_s')} req/s, "
                    f"{summary.get('non_2xx_or_errors')} erreurs"
                )

    # -- output ----------------------------------------------------------------------------

    def results(self, dataset: dict) -> dict:
        scenarios = {}
        for measure in self.measures:
            key = measure.name if measure.cache in ("-", "warm") else f"{measure.name} (cold)"
            scenarios[key] = measure.as_json()
        return {
            "scenarios": scenarios,
            "baseline": self.baseline.as_json() if self.baseline else {},
            "throughput": self.throughput,
            "dataset": dataset,
            "notes": self.notes,
            "settings": {
                "warmup": self.config.warmup,
                "requests": self.config.requests,
                "cold_requests": self.config.cold_requests,
                "throughput_duration_s": self.config.duration,
                "throughput_connections": self.config.connections,
            },
        }

    def table(self) -> str:
        header = (
            "scénario",
            "cache",
            "p50 ms",
            "p95 ms",
            "requêtes",
            "× base",
            "cible p95",
            "verdict",
        )
        rows = []
        for m in [self.baseline, *self.measures] if self.baseline else self.measures:
            target = ""
            if m.target_p95_ms is not None:
                target = f"≤ {m.target_p95_ms:g} ms"
                if m.max_queries is not None:
                    target += f", ≤ {m.max_queries} req."
            if m.extra.get("target_mb"):
                target += f", ≤ {m.extra['target_mb']} Mo"
            queries = "" if m.queries is None else str(m.queries)
            if m.queries_min is not None and m.queries_min != m.queries:
                queries = f"{m.queries_min}–{m.queries}"
            name = m.name
            if m.extra.get("peak_rss_mb"):
                name += f" [{m.extra['peak_rss_mb']} Mo RSS max]"
            rows.append(
                (
                    name,
                    m.cache,
                    _fmt(m.p50_ms),
                    _fmt(m.p95_ms),
                    queries,
                    _fmt(m.ratio_to_baseline, "×"),
                    target,
                    m.verdict or m.note,
                )
            )
        lines = [_table(header, rows)]
        if self.throughput:
            lines.append("")
            t_header = (
                "débit (gunicorn, 2 workers)",
                "outil",
                "conn.",
                "req/s",
                "p50 ms",
                "erreurs",
            )
            t_rows = [
                (
                    f"{name} {s['url']}",
                    s.get("tool", ""),
                    str(s.get("connections", "")),
                    _fmt(s.get("requests_per_s")),
                    _fmt(s.get("latency_p50_ms")),
                    str(s.get("non_2xx_or_errors", "?")),
                )
                for name, s in self.throughput.items()
            ]
            lines.append(_table(t_header, t_rows))
        for note in self.notes:
            lines.append(f"note : {note}")
        return "\n".join(lines)


def _fmt(value, suffix: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value >= 100:
        return f"{value:,.0f}".replace(",", " ") + suffix
    return f"{value:g}{suffix}" if isinstance(value, float) else f"{value}{suffix}"


def _table(header: tuple, rows: list[tuple]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    numeric = {2, 3, 4, 5}

    def line(row):
        cells = []
        for i, cell in enumerate(row):
            cells.append(str(cell).rjust(widths[i]) if i in numeric else str(cell).ljust(widths[i]))
        return "| " + " | ".join(cells) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


# -- dataset and fixtures -----------------------------------------------------------------------


def initiative_paths(count: int) -> list[str]:
    """Paths of `count` published initiatives spread over the whole table (deterministic)."""
    from initiatives.selectors import published_initiatives

    slugs = list(
        published_initiatives()
        .filter(slug__startswith="bulk-")
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    if not slugs:
        slugs = list(published_initiatives().order_by("slug").values_list("slug", flat=True))
    step = max(1, len(slugs) // max(count, 1))
    return [f"/initiatives/{slug}/" for slug in slugs[::step][:count]]


def bench_official():
    """An official (ministry reviewer) with a TOTP authenticator: /pilotage/ lets them in."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from members.models import Membership, Organisation, User

    user = User.objects.filter(email=BENCH_USER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            BENCH_USER_EMAIL, None, first_name="Banc", last_name="Essai"
        )
    ministry = Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).order_by("pk").first()
    if ministry is None:
        raise LookupError("Aucune organisation « ministère » : lancez manage.py seed_demo.")
    Membership.objects.get_or_create(
        user=user, organisation=ministry, defaults={"role": Membership.Role.REVIEWER}
    )
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


def dataset_ensure(count: int, *, write: Callable[[str], None] = print) -> dict:
    """Territories, reference data (seed_demo) and `count` bulk initiatives, reused if there."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from committee.plan.models import Action
    from initiatives.models import Initiative
    from referentials.models import Territory

    started = time.monotonic()
    steps = []
    call_command("migrate", interactive=False, verbosity=0)
    if not Territory.objects.filter(level=Territory.Level.COMMUNE).exists():
        write("  manage.py load_territories")
        call_command("load_territories", verbosity=0)
        steps.append("load_territories")
    if not Action.objects.exists():
        write("  manage.py seed_demo --no-accounts")
        call_command("seed_demo", no_accounts=True, stdout=_Null())
        steps.append("seed_demo")
    present = Initiative.objects.filter(slug__startswith="bulk-").count()
    if present != count:
        write(f"  manage.py seed_bulk --initiatives {count} ({present} présentes)")
        call_command("seed_bulk", initiatives=count, reset=present > count, verbosity=1)
        steps.append("seed_bulk")
    # Planner statistics and the visibility map: autovacuum may be off (it is on the CI
    # machines), and a freshly loaded table without statistics gets poor plans.
    with connection.cursor() as cursor:
        for table in ("initiatives_initiative", *_m2m_tables()):
            cursor.execute(f'VACUUM ANALYZE "{table}"')
        cursor.execute("ANALYZE")
    counts = dict(Initiative.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "bulk_initiatives": count,
        "initiatives_by_status": counts,
        "initiatives_total": sum(counts.values()),
        "built": steps,
        "prepare_seconds": round(time.monotonic() - started, 1),
        "database": connection.settings_dict["NAME"],
        "postgresql": connection.cursor().connection.info.server_version,
    }


def _m2m_tables() -> list[str]:
    from initiatives.models import Initiative

    return [
        Initiative._meta.get_field(name).remote_field.through._meta.db_table
        for name in ("territories", "partners", "axes", "school_levels", "referential_items")
    ]


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


# -- reports (child process) --------------------------------------------------------------------


def run_child(kind: str) -> dict:
    """Run one measurement in a fresh interpreter (`manage.py bench --child KIND`): a
    report's time and peak resident memory, or the notifications' delivery."""
    with tempfile.TemporaryDirectory(prefix="bench-child-") as tmp:
        out = Path(tmp) / "result.json"
        completed = subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "manage.py", "bench", "--child", kind, "--child-out", str(out)],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if completed.returncode != 0 or not out.exists():
            return {"error": (completed.stderr or completed.stdout)[-2000:]}
        return json.loads(out.read_text())


def run_child_measure(kind: str) -> dict:
    """In the child: the measurement `kind`, as a JSON-ready dict."""
    if kind == "notifications":
        from members.notifications_bench import bench_notifications

        return bench_notifications(count=1000)
    return build_report(kind)


def _rss_mb() -> float:
    """This process's peak resident memory, in MB.

    Read from /proc (VmHWM), which starts afresh with the process's own image: Linux's
    getrusage(ru_maxrss) keeps, across exec, the peak of the process that forked it (here
    the bench itself, holding the whole dataset's pages), so every report would show it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)  # kB
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def build_report(kind: str) -> dict:
    """In the child: build the report into a temporary file, measuring it."""
    from django.db import connection

    from committee.reports import builders as rb

    builders = {
        "xlsx": (rb.build_initiatives_xlsx, {"filters": {"status": "all"}}),
        "plan": (rb.build_action_plan_pdf, {}),
        "region": (rb.build_region_summary_pdf, {"region": "84"}),
    }
    builder, params = builders[kind]
    # Import what the builder imports lazily, so that only the build itself is measured.
    if kind == "xlsx":
        import openpyxl  # noqa: F401
    else:
        import weasyprint  # noqa: F401
    rss_before = _rss_mb()
    counter = QueryCounter()
    with tempfile.TemporaryFile() as out, connection.execute_wrapper(counter):
        started = time.perf_counter()
        builder(params, out, lambda percent: None)
        seconds = time.perf_counter() - started
        size = out.tell()
    rows = None
    if kind == "xlsx":
        rows = rb.initiatives_queryset(params).count()
    return {
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": _rss_mb(),
        "size_mb": round(size / 1_048_576, 2),
        "queries": counter.count,
        "rows": rows,
    }
