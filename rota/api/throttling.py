"""Request limits per person (per address when anonymous) and per address.

DRF's throttles count in the cache. When the cache is down a throttle cannot count; it lets
the request through (fail open, as the password-reset limits do) instead of answering 500:
the API stays up, and the limits return with the cache.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

if TYPE_CHECKING:
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class FailOpen(SimpleRateThrottle):
    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # whatever the cache backend raises when it is away
            logger.warning("API throttle %s cannot count, letting through: %r", self.scope, exc)
            return True


class PerUserThrottle(FailOpen, UserRateThrottle):
    scope = "user"


class PerAddressThrottle(FailOpen):
    scope = "address"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
