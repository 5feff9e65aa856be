"""The authentication gate: the outermost middleware of every keyed request.

Order of work for a path under ``/v1/`` or ``/admin/`` (except the public ones):

1. a client address that spent its budget of failed authentications
   (``HAWIYA_AUTH_FAILURES_PER_MINUTE``) gets 429 before any key is looked up;
2. the bearer key (or, on ``/admin/`` only, the workbench session cookie) is checked in a read
   transaction off the event loop; a missing, unknown, revoked or malformed key is 401 and
   counts against the address;
3. the key's own budget (``HAWIYA_RATE_LIMIT_PER_MINUTE``, keyed on the key's database id) is
   spent, 429 past it;
4. only then does the request reach the body limit, the body parser and the route, which find
   the principal in ``request.state.principal`` (``api.deps.current_principal``).

No refusal reads the request body. Every other path (health, documentation, unknown paths)
passes through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from anyio import to_thread
from sqlalchemy.orm import Session, sessionmaker

from api.admin.auth import ADMIN_PREFIX, COOKIE, principal_for
from api.ratelimit import RateLimiter
from identity.access.keys import Principal, authenticate
from identity.platform.errors import DomainError

PROTECTED_PREFIXES = ("/v1/", ADMIN_PREFIX)


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _bearer(scope: dict[str, Any]) -> str | None:
    value = _header(scope, b"authorization")
    if value is not None and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def _cookie(scope: dict[str, Any]) -> str:
    raw = _header(scope, b"cookie") or ""
    for part in raw.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return ""


def client_address(scope: Mapping[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _respond(send: Any, status: int, code: str, message: str,
                   headers: list[tuple[bytes, bytes]] | None = None,
                   details: Any = None) -> None:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    body = json.dumps({"error": error}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


async def _too_many(send: Any, retry: int, message: str) -> None:
    await _respond(send, 429, "rate_limited", message, [(b"retry-after", str(retry).encode())],
                   {"retry_after_seconds": retry})


class AuthGate:
    """ASGI middleware: authenticate, then rate-limit, then let the request in (see module)."""

    def __init__(self, app: Any, *, sessions: sessionmaker[Session], public: frozenset[str],
                 keys: RateLimiter, failures: RateLimiter) -> None:
        self.app = app
        self.sessions = sessions
        self.public = public
        self.keys = keys
        self.failures = failures

    def _resolve(self, key: str | None, cookie: str) -> tuple[Principal | None, str]:
        """(principal, how) from the key or the cookie; (None, code) when neither is good."""
        with self.sessions() as session:
            try:
                if key:
                    return authenticate(session, key), "key"
                if cookie:
                    principal = principal_for(session, cookie)
                    return principal, "cookie" if principal else "invalid_session"
                return None, "missing_key"
            except DomainError as exc:
                return None, exc.code
            finally:
                session.rollback()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PROTECTED_PREFIXES) or path in self.public:
            await self.app(scope, receive, send)
            return
        key = _bearer(scope)
        cookie = "" if key or not path.startswith(ADMIN_PREFIX) else _cookie(scope)
        address = f"addr:{client_address(scope)}"
        if key or cookie:
            retry = self.failures.blocked(address)
            if retry is not None:
                await _too_many(send, retry, "too many failed authentications from this address")
                return
        principal, how = await to_thread.run_sync(self._resolve, key, cookie)
        if principal is None:
            if how != "missing_key":
                self.failures.hit(address)
            if (not key and scope.get("method") == "GET" and path.startswith(ADMIN_PREFIX)
                    and "text/html" in (_header(scope, b"accept") or "")):
                # A browser on a workbench page with no live session: to the sign-in page.
                await send({"type": "http.response.start", "status": 303,
                            "headers": [(b"location", b"/admin/signin"),
                                        (b"content-length", b"0")]})
                await send({"type": "http.response.body", "body": b""})
                return
            if how == "missing_key":
                await _respond(send, 401, "missing_key",
                               "missing API key (Authorization: Bearer KEY)")
            else:
                await _respond(send, 401, "invalid_key", "invalid API key")
            return
        retry = self.keys.hit(f"key:{principal.key_id}")
        if retry is not None:
            await _too_many(send, retry, "too many requests for this key")
            return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        if how == "cookie":
            state["session_token"] = cookie
        await self.app(scope, receive, send)
