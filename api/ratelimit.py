"""Request rate limits (429), counted in memory per process.

``RateLimiter`` keeps one token bucket per name: it holds up to ``per_minute`` requests and
refills at ``per_minute / 60`` a second, so a client gets a burst of a minute's budget and then
the steady rate. A hit is O(1); at most ``max_buckets`` buckets are kept, the least recently used
forgotten first (a forgotten bucket comes back full), so flooding with new names costs bounded
memory and never a scan.

Three budgets use it: every authenticated key (``key:<id>``, in ``api.gate`` after the key is
checked, so a forged key cannot spend a real key's budget), every agency on the agency routes
(``agency_limit``), and failed authentications per client address (``api.gate`` and the
workbench sign-in). Behind several worker processes each counts its own share.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Any

from fastapi import Request

from identity.access.keys import Principal
from identity.platform.errors import TooMany

WINDOW_SECONDS = 60.0


class RateLimiter:
    """``per_minute`` requests per bucket and ``window`` (one minute unless told otherwise): a
    burst of the whole budget, then the budget spread over the window."""

    def __init__(self, per_minute: int, *, max_buckets: int = 100_000,
                 clock: Any = time.monotonic, window: float = WINDOW_SECONDS) -> None:
        self.per_minute = max(1, per_minute)
        self.window = window
        self.rate = self.per_minute / window  # tokens per second
        self.max_buckets = max(1, max_buckets)
        self._clock = clock
        # name -> [tokens, last refill time]; ordered from least to most recently used.
        self._buckets: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _bucket(self, name: str, now: float) -> list[float]:
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = [float(self.per_minute), now]
            self._buckets[name] = bucket
            if len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(name)
            bucket[0] = min(float(self.per_minute), bucket[0] + (now - bucket[1]) * self.rate)
            bucket[1] = now
        return bucket

    def _retry(self, tokens: float) -> int:
        return max(1, math.ceil((1.0 - tokens) / self.rate))

    def hit(self, name: str, *, record: bool = True) -> int | None:
        """Count a request; None when allowed, else whole seconds until the next one is. With
        ``record=False`` only ask (``blocked``; count it later, when it succeeded)."""
        if not record:
            return self.blocked(name)
        with self._lock:
            bucket = self._bucket(name, self._clock())
            if bucket[0] < 1.0:
                return self._retry(bucket[0])
            bucket[0] -= 1.0
            return None

    def blocked(self, name: str) -> int | None:
        """Seconds until ``name`` may be counted again (None when it may now); counts nothing."""
        with self._lock:
            bucket = self._buckets.get(name)
            if bucket is None:
                return None
            tokens = min(float(self.per_minute),
                         bucket[0] + (self._clock() - bucket[1]) * self.rate)
            return None if tokens >= 1.0 else self._retry(tokens)

    def __len__(self) -> int:
        return len(self._buckets)


def agency_limit(request: Request, principal: Principal) -> None:
    """Raise 429 when the principal's agency spent its per-minute budget."""
    limiter: RateLimiter | None = getattr(request.app.state, "agency_limiter", None)
    if limiter is None or principal.agency_id is None:
        return
    retry = limiter.hit(f"agency:{principal.agency_id}")
    if retry is not None:
        raise TooMany("too many requests for this agency", code="rate_limited",
                      details={"retry_after_seconds": retry})
