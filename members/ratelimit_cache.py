"""The cache behind allauth's rate limits (failed logins, password resets…), with a fallback.

allauth counts attempts in the default cache under a lock taken with `cache.add`. With Redis
down, the project's cache ignores errors (public pages keep working), so `add` never succeeds,
the lock is never taken, and allauth refuses every login (429): nobody could log in.

The same holds for TOTP codes: allauth remembers used ones with `cache.add`, so with Redis
down every code looked already used. `RateLimitCache` is what both modules use instead (installed by
`members.apps`): it talks to the `ratelimit` cache (the same Redis, errors raised), and when
Redis fails it logs the outage and counts in this process's memory for `FALLBACK_SECONDS`
before trying Redis again. Protection is then degraded but bounded: each web process applies
the limits on its own (at most the number of processes × each limit).
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

ALIAS = "ratelimit"
FALLBACK_SECONDS = 30


class RateLimitCache:
    """The subset of the cache API allauth's rate limits use: add, get, set, delete."""

    def __init__(self):
        self._fallback = LocMemCache("allauth-ratelimit-fallback", {"OPTIONS": {}})
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _primary(self):
        from django.conf import settings

        return caches[ALIAS if ALIAS in settings.CACHES else "default"]

    def _call(self, name, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                return getattr(self._primary(), name)(*args, **kwargs)
            except Exception:  # noqa: BLE001 - any cache error: count locally, say so
                with self._lock:
                    self._down_until = time.monotonic() + FALLBACK_SECONDS
                logger.error(
                    "Rate-limit cache unavailable: failed logins are counted per process "
                    "for %d s (degraded protection)",
                    FALLBACK_SECONDS,
                    exc_info=True,
                )
        return getattr(self._fallback, name)(*args, **kwargs)

    @property
    def degraded(self) -> bool:
        return time.monotonic() < self._down_until

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)


rate_limit_cache = RateLimitCache()


def install() -> None:
    """Make allauth's rate limits, and its memory of TOTP codes already used (the same
    `cache.add` pattern: with Redis down every code looked used), go through
    `rate_limit_cache`."""
    from allauth.core.internal import ratelimit
    from allauth.mfa.totp.internal import auth as totp_auth

    ratelimit.cache = rate_limit_cache
    totp_auth.cache = rate_limit_cache


def allowance(key: str, *, limit: int, seconds: int) -> bool:
    """Count one use of `key`: False once `limit` uses were counted within `seconds`.

    Counted where the rate limits are (Redis, or this process's memory while it is down);
    refused uses are counted too, so insisting does not help."""
    count = (rate_limit_cache.get(key) or 0) + 1
    rate_limit_cache.set(key, count, seconds)
    return count <= limit
