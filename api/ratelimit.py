"""Per-key and per-agency request rate limits (429), counted in memory per process.

A sliding one-minute window. The middleware limits every request presenting a key (by the key's
public prefix, before any database work); ``agency_limit`` adds one budget shared by all keys of
an agency on the agency routes. Behind several worker processes each counts its own share.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any

from fastapi import Request

from identity.access.keys import Principal
from identity.platform.errors import TooMany

WINDOW_SECONDS = 60.0


class RateLimiter:
    """At most ``per_minute`` hits per bucket in a sliding window (``window`` seconds, one
    minute unless told otherwise)."""

    def __init__(self, per_minute: int, clock: Any = time.monotonic,
                 window: float = WINDOW_SECONDS) -> None:
        self.per_minute = per_minute
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, *, record: bool = True) -> int | None:
        """Count a request; None when allowed, else seconds until the next one is. With
        ``record=False`` only ask (count it later, when it succeeded)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(bucket, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, int(hits[0] + self.window - now) + 1)
            if not record:
                return None
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle buckets (unknown keys flooding)
                for key in [k for k, v in self._hits.items() if not v]:
                    del self._hits[key]
            return None


def _key_prefix(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            token = value.decode("latin-1")[7:].strip() if value[:7].lower() == b"bearer " else ""
            parts = token.split("_", 2)
            return parts[1][:16] if len(parts) == 3 else "malformed"
    return None


class KeyRateLimit:
    """ASGI middleware: ``rate_limit_per_minute`` requests per presented key."""

    def __init__(self, app: Any, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            prefix = _key_prefix(scope.get("headers", []))
            retry = self.limiter.hit(f"key:{prefix}") if prefix is not None else None
            if retry is not None:
                body = json.dumps({"error": {"code": "rate_limited",
                                             "message": "too many requests for this key",
                                             "details": {"retry_after_seconds": retry}}})
                await send({"type": "http.response.start", "status": 429,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"retry-after", str(retry).encode())]})
                await send({"type": "http.response.body", "body": body.encode()})
                return
        await self.app(scope, receive, send)


def agency_limit(request: Request, principal: Principal) -> None:
    """Raise 429 when the principal's agency spent its per-minute budget."""
    limiter: RateLimiter | None = getattr(request.app.state, "agency_limiter", None)
    if limiter is None or principal.agency_id is None:
        return
    retry = limiter.hit(f"agency:{principal.agency_id}")
    if retry is not None:
        raise TooMany("too many requests for this agency", code="rate_limited",
                      details={"retry_after_seconds": retry})

