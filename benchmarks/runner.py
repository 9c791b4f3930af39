"""The bench's runner: pages in-process (Django's test client), reports and notifications in
child processes, throughput under gunicorn.

Each page scenario is requested in-process with Django's test client (the full middleware
stack, no network) after a warm-up: p50 and p95 of the server time, SQL queries per
request, and the ratio to a trivial view served through the same middleware (the
baseline). Pages that read the catalogue's cache (counts, facets, key figures, map,
statistics) are measured twice: *warm* (the same URL again and again, as when visitors
share a link), then, for the catalogue, the territories, the map and the statistics,
*uncached* (a never-seen parameter set at each request, drawn from the data, and no cached
result: see fresh.py) and, for the other pages, *cold* (before each request, the
catalogue's version bumped as a publication does, and the steering figures expired: every
count, facet and figure is recomputed).
"""

from __future__ import annotations

import shutil
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks import output
from benchmarks.child import run_child
from benchmarks.dataset import bench_official, initiative_paths
from benchmarks.fresh import counts_forget, fresh_paths
from benchmarks.procs import (
    Gunicorn,
    QueryCounter,
    http_get,
    http_load,
    percentile,
    round_or_none,
    server_env,
    wrk_load,
)
from benchmarks.scenarios import (
    DETAIL_P95_MS,
    MAP_P95_MS,
    NOTIFICATIONS_MAX_SECONDS,
    PDF_MAX_SECONDS,
    STATISTICS_P95_MS,
    XLSX_MAX_MB,
    XLSX_MAX_SECONDS,
    Measure,
    Scenario,
    catalogue_scenarios,
)
from benchmarks.territories import territory_scenarios

API_P95_MS = 30  # API list, any filters (issue 14)
THROUGHPUT_NEVER_SEEN_MIN = 200  # req/s, gunicorn 2 workers (issue 14)
WORKER_RSS_MAX_MB = 300  # each gunicorn worker after the bench, at 1,000,000 initiatives
NEVER_SEEN_MIX = {  # scenario → paths drawn (each a never-seen parameter set)
    "catalogue combo 1": 4000,
    "catalogue combo 2": 6000,
    "catalogue combo 3": 6000,
    "catalogue q + filters": 4000,
    "catalogue commune": 3000,
    "catalogue territory all": 3000,
    "catalogue deep page": 3000,
    "catalogue q common": 500,
    "catalogue q title": 500,
    "catalogue q rare": 500,
}


def never_seen_catalogue_paths() -> list[str]:
    """Catalogue paths for the throughput under never-seen parameters: every filter, word
    and combination of the uncached scenarios, each path once, shuffled."""
    import random

    paths: list[str] = []
    for name, count in NEVER_SEEN_MIX.items():
        paths += fresh_paths(name, count) or []
    unique = list(dict.fromkeys(paths))
    random.Random(14).shuffle(unique)  # noqa: S311
    return unique


def cache_cold() -> None:
    """The cache as right after a publication: the catalogue's version bumped with the
    initiative that changed (counts, facets, key figures and map recomputed; each process's
    bitmaps refreshed for that initiative) and the steering figures expired.

    Other cached values (the site configuration…) stay, as they would. With the local-memory
    cache (no patterns), everything is forgotten.
    """
    from django.core.cache import cache

    from initiatives.selectors import catalogue_changed, published_initiatives

    if hasattr(cache, "delete_pattern"):  # django-redis: keys of our KEY_PREFIX only
        newest = published_initiatives().order_by("-published_at", "-pk").values("pk")[:1]
        catalogue_changed([row["pk"] for row in newest])
        cache.delete_pattern("*statistics:*")
    else:
        cache.clear()


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
        "p50_ms": round_or_none(percentile(times, 0.5)),
        "p95_ms": round_or_none(percentile(times, 0.95)),
        "mean_ms": round_or_none(statistics.fmean(times)),
        "max_ms": round_or_none(max(times)),
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
        self.memory: dict = {}  # resident memory of the web workers after the load
        self.notes: list[str] = []

    def say(self, text: str) -> None:
        self.config.write(text)

    def wanted(self, name: str) -> bool:
        terms = [term.strip() for term in self.config.only.split(",") if term.strip()]
        return not terms or any(term in name for term in terms)

    # -- pages -----------------------------------------------------------------------------

    def run_pages(self) -> None:
        from django.test import Client, override_settings

        with override_settings(ROOT_URLCONF="benchmarks.urls"):
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
                for mode in self.modes(scenario):
                    self.add(self.measure(client, scenario, mode))

    def modes(self, scenario: Scenario) -> list[str]:
        """Warm, then never-seen parameters (those fresh.py draws) or a cache emptied as a
        publication empties it (the other pages that read the cache); once for the others."""
        if not scenario.cache_sensitive:
            return ["-"]
        return ["warm", "uncached" if fresh_paths(scenario.name, 1) else "cold"]

    def measure(self, client, scenario: Scenario, mode: str) -> Measure:
        paths = scenario.paths
        if mode == "uncached":
            paths = fresh_paths(scenario.name, 2 + self.config.cold_requests)
            result = time_requests(
                client,
                paths,
                warmup=2,
                requests=self.config.cold_requests,
                before_each=counts_forget,
            )
        elif mode == "cold":
            result = time_requests(
                client,
                paths,
                warmup=2,
                requests=self.config.cold_requests,
                before_each=cache_cold,
            )
        else:
            result = time_requests(
                client, paths, warmup=self.config.warmup, requests=self.config.requests
            )
        return Measure(
            scenario.name,
            mode,
            url=paths[-1] + (" …" if len(set(paths)) > 1 else ""),
            target_p95_ms=scenario.target_p95_ms,
            max_queries=scenario.max_queries,
            note=scenario.note,
            **result,
        )

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
        scenarios += territory_scenarios(Scenario)
        scenarios.append(
            Scenario(
                "api list", ["/api/v1/initiatives/"], target_p95_ms=API_P95_MS, cache_sensitive=True
            )
        )
        scenarios.append(
            Scenario(
                "api list filtered",
                ["/api/v1/initiatives/?region=84&axis=1"],
                target_p95_ms=API_P95_MS,
                cache_sensitive=True,
            )
        )
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
            f"  {measure.name:<26} {measure.cache:<5} p50 {output.fmt(measure.p50_ms):>9} ms  "
            f"p95 {output.fmt(measure.p95_ms):>9} ms  {output.fmt(measure.queries)} requêtes  "
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
        fresh = never_seen_catalogue_paths() if use_wrk else []
        if fresh:
            paths["catalogue never-seen"] = fresh[0]
        with Gunicorn(env, workers=2) as server:
            self.say(f"  gunicorn (2 workers) sur {server.url}")
            for name, path in paths.items():
                if not self.wanted(name):
                    continue
                for _ in range(3):  # each worker's first request loads templates and caches
                    http_get(server.port, path, timeout=30)
                if name == "catalogue never-seen":
                    counts_forget()  # no count or facet left from the scenarios before
                    summary = wrk_load(
                        server.url + "/",
                        connections=self.config.connections,
                        duration=self.config.duration,
                        paths=fresh[1:],
                    )
                    summary["distinct_paths"] = len(fresh) - 1
                    summary["target_requests_per_s"] = THROUGHPUT_NEVER_SEEN_MIN
                    summary["url"] = "catalogue, une combinaison de filtres jamais vue par requête"
                    if summary.get("requests", 0) > summary["distinct_paths"]:
                        summary["note"] = "plus de requêtes que de chemins : certains répétés"
                    self.throughput[name] = summary
                    self.say(
                        f"  {name:<20} {summary.get('requests_per_s')} req/s "
                        f"(cible ≥ {THROUGHPUT_NEVER_SEEN_MIN}), "
                        f"{summary.get('non_2xx_or_errors')} erreurs"
                    )
                    continue
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
            workers = server.workers_memory_mb()
            self.memory["gunicorn_workers"] = workers
            self.memory["target_rss_mb"] = WORKER_RSS_MAX_MB
            self.say(f"  mémoire des workers après la charge : {workers}")

    # -- output ----------------------------------------------------------------------------

    def results(self, dataset: dict) -> dict:
        return output.results(self, dataset)

    def table(self) -> str:
        return output.table(self)
