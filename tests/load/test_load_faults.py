"""The portal under load and when its services fail, served by gunicorn as in production.

Each test serves committed data from a database of its own (created, migrated and seeded by
subprocesses, dropped at the end), so the workers see what the test wrote. Faults are
injected only into services the test started itself: a PostgreSQL cluster and a Redis on
free loopback ports. Every wait is bounded; every process is stopped in a finally block.
"""

from __future__ import annotations

import contextlib
import threading
import time

import psycopg
import pytest

from .processes import Gunicorn, LoadResult, http_get, http_load, server_env
from .support import (
    ThrowawayPostgres,
    ThrowawayRedis,
    database_create,
    database_drop,
    database_prepare,
    database_url,
    redis_prefix_delete,
    shared_server,
)

pytestmark = pytest.mark.load

CATALOGUE_PATHS = [
    "/initiatives/",
    "/initiatives/?axis=5",
    "/initiatives/?region=84",
    "/initiatives/?q=numerique",
    "/initiatives/?collectivity=commune&sort=title",
    "/initiatives/?school_level=elementaire&year=2020",
    "/initiatives/?page=2",
]


@pytest.fixture(scope="module")
def load_database():
    """A database of committed data for this module's servers, dropped afterwards."""
    server = shared_server()
    name = database_create(server, "cnpe_load")
    try:
        url = database_url(server, name)
        database_prepare(url)
        yield url
    finally:
        database_drop(server, name)


def published_path(url: str) -> str:
    with psycopg.connect(url, connect_timeout=5) as conn:
        (slug,) = conn.execute(
            "SELECT slug FROM initiatives_initiative WHERE status = 'published' ORDER BY slug "
            "LIMIT 1"
        ).fetchone()
    return f"/initiatives/{slug}/"


def describe(result: LoadResult, server: Gunicorn) -> str:
    failures = result.failures[:10]
    return f"{result.summary()}\nfirst failures: {failures}\ngunicorn log (end):\n{server.log()}"


def test_catalogue_serves_50_connections_for_30_seconds_without_error(load_database):
    from django.conf import settings

    redis_url = settings.REDIS_URL or None
    prefix = f"load-{time.monotonic_ns()}"
    env = server_env(database_url=load_database, redis_url=redis_url, cache_prefix=prefix)
    try:
        with Gunicorn(env, workers=2) as server:
            result = http_load(
                server.port, CATALOGUE_PATHS, connections=50, duration=30, timeout=20
            )
            print("catalogue under load:", result.summary())
            assert result.requests >= 300, describe(result, server)
            assert result.failures == [], describe(result, server)
            assert set(result.statuses) == {200}, describe(result, server)
    finally:
        if redis_url:
            redis_prefix_delete(redis_url, prefix)


def test_portal_recovers_by_itself_when_postgresql_restarts_during_load():
    """A restart cuts every connection: requests may fail during the outage only, then the
    same gunicorn workers reconnect (CONN_HEALTH_CHECKS) without being restarted."""
    postgres = ThrowawayPostgres()
    try:
        postgres.start()
        name = database_create(postgres.server, "cnpe_fault")
        url = database_url(postgres.server, name)
        database_prepare(url)
        env = server_env(database_url=url, redis_url=None, CONN_MAX_AGE=60)
        with Gunicorn(env, workers=2) as server:
            holder: dict[str, LoadResult] = {}
            paths = ["/initiatives/", "/", "/initiatives/?axis=1", published_path(url)]
            loader = threading.Thread(
                target=lambda: holder.update(
                    result=http_load(server.port, paths, connections=8, duration=20)
                )
            )
            loader.start()
            try:
                time.sleep(5)
                pid_before = postgres.postmaster_pid()
                outage_began = time.monotonic()
                postgres.restart()
                outage_ended = time.monotonic()
                pid_after = postgres.postmaster_pid()
            finally:
                loader.join(timeout=60)
            result = holder["result"]
            assert server.process is not None and server.process.poll() is None
            message = describe(result, server)
            print("restart took", round(outage_ended - outage_began, 2), "s;", result.summary())

        assert pid_after != pid_before, "PostgreSQL was not restarted"
        grace = 3.0
        before = [h for h in result.hits if result.began + h.started + h.seconds < outage_began]
        after = [h for h in result.hits if result.began + h.started > outage_ended + grace]
        assert len(before) >= 20, message
        assert [h for h in before if h.status != 200] == [], message
        assert len(after) >= 20, message
        assert [h for h in after if h.status != 200] == [], message
        # The only failures are answers given during the outage: error pages, not hangs.
        for hit in result.failures:
            assert outage_began - 1 <= result.began + hit.started <= outage_ended + grace, message
    finally:
        postgres.stop()


def test_public_pages_are_still_served_when_redis_is_down(load_database):
    redis = ThrowawayRedis()
    try:
        redis.start()
        env = server_env(database_url=load_database, redis_url=redis.url)
        detail = published_path(load_database)
        public = ["/", "/initiatives/", "/initiatives/?axis=2", detail, "/carte/"]
        with Gunicorn(env, workers=2) as server:
            for path in public:
                assert http_get(server.port, path)[0] == 200, path
            assert redis.keys() > 0, "the cache was not in Redis: nothing would be tested"

            redis.kill()
            for path in [*public, "/initiatives/?axis=3&region=84", "/initiatives/?q=ecole"]:
                started = time.monotonic()
                status, _body = http_get(server.port, path, timeout=15)
                assert status == 200, f"{path}\n{server.log()}"
                assert time.monotonic() - started < 5, f"{path} waited for Redis"
            status, body = http_get(server.port, "/healthz")
            assert status == 503 and b"redis" in body

            # Redis back on the same port: used again, nothing restarted.
            redis.start()
            deadline = time.monotonic() + 10
            while http_get(server.port, "/healthz")[0] != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert http_get(server.port, "/healthz")[0] == 200
            assert http_get(server.port, "/initiatives/?axis=4")[0] == 200
            assert redis.keys() > 0
    finally:
        with contextlib.suppress(Exception):
            redis.stop()
