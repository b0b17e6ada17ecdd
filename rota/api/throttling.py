"""Request limits: per person (per address when anonymous) and per address.

Each limit is a counter in the cache for a fixed window, staggered per caller so windows do
not all turn over at once (as django-ratelimit counts). On Redis both of a request's counters
are incremented by one small script (INCR, and EXPIRE on a window's first request), in one
round trip; on another cache (the embedded one of `make run`) with add and incr. DRF's own
throttles keep every request's time in a list read and written back whole (four round trips and
a 1,200-entry list a request at the API's address limit), which cost more than the reads they
guard.

When the cache is down nothing can be counted; the request goes through (fail open, as the
password-reset limits do) instead of answering 500: the API stays up, and the limits return
with the cache.
"""

from __future__ import annotations

import logging
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django_ratelimit.core import _split_rate
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

if TYPE_CHECKING:
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    scope: str
    caller: str
    count: int
    period: int

    def window(self, now: float) -> tuple[str, int]:
        """The counter's key for the window `now` falls in, and the seconds it has left."""
        offset = zlib.crc32(self.caller.encode()) % self.period
        window, into = divmod(int(now) + offset, self.period)
        return f"api-limit:{self.scope}:{self.caller}:{window}", self.period - into


# Each counter: add one, and start its life with the first request of its window.
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  counts[i] = n
end
return counts
"""
_script: Any = None


def counts_add(keys: list[tuple[str, int]]) -> list[int]:
    """Add one to each counter (key, seconds it lives), creating those that are missing."""
    global _script
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        if _script is None:
            _script = client.register_script(_COUNT_SCRIPT)
        made = [cache.make_and_validate_key(key) for key, _ in keys]
        counts = _script(keys=made, args=[seconds + 1 for _, seconds in keys], client=client)
        return [int(n) for n in counts]
    counts = []
    for key, seconds in keys:
        if cache.add(key, 1, seconds + 1):
            counts.append(1)
        else:
            counts.append(cache.incr(key))
    return counts


class CallerThrottle(BaseThrottle):
    """Counts a request against the caller's person (or address) and address limits, set
    in DEFAULT_THROTTLE_RATES as "user" and "address" ("600/min") unless `rates` is set."""

    rates: dict[str, str] | None = None

    def __init__(self) -> None:
        self.wait_seconds: int | None = None

    def limits(self, request: Request) -> list[Limit]:
        rates = self.rates or api_settings.DEFAULT_THROTTLE_RATES
        address = str(self.get_ident(request))
        user = request.user
        callers = {
            "user": f"user:{user.pk}" if user and user.is_authenticated else f"address:{address}",
            "address": address,
        }
        found = []
        for scope, caller in callers.items():
            if rates.get(scope):
                count, period = _split_rate(rates[scope])
                found.append(Limit(scope, caller, count, period))
        return found

    def allow_request(self, request: Request, view: APIView) -> bool:
        limits = self.limits(request)
        if not limits:
            return True
        now = time.time()
        windows = [limit.window(now) for limit in limits]
        try:
            counts = counts_add(windows)
        except Exception as exc:  # whatever the cache backend raises when it is away
            logger.warning("API throttle cannot count, letting through: %r", exc)
            return True
        over = [
            left
            for limit, (_, left), count in zip(limits, windows, counts, strict=True)
            if count > limit.count
        ]
        if over:
            self.wait_seconds = max(1, max(over))
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds
