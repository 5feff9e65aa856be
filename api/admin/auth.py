"""Workbench sign-in in the browser: the session token (``identity.access.admin_sessions``) rides
in a cookie (``Secure``, ``HttpOnly``, ``SameSite=Strict``) honoured only on ``/admin/`` paths: the
JSON API stays bearer-only. Forms carry a CSRF token derived from the session token
(synchronizer pattern) and requests from another origin are refused.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from identity.access.admin_sessions import principal_for, sign_in, sign_out
from identity.platform.crypto import keyed_hash
from identity.platform.errors import Forbidden

__all__ = ["ADMIN_PREFIX", "COOKIE", "check_csrf", "csrf_token", "principal_for", "sign_in",
           "sign_out"]

COOKIE = "hawiya_admin"
ADMIN_PREFIX = "/admin/"


def csrf_token(request: Request) -> str:
    """The CSRF token for forms of this session ("" for bearer clients, which need none)."""
    token = getattr(request.state, "session_token", "")
    return keyed_hash(token, "admin-csrf-v1") if token else ""


def check_csrf(request: Request, presented: str) -> None:
    """Refuse a cookie-authenticated form without this session's token or from elsewhere."""
    token = getattr(request.state, "session_token", "")
    if not token:
        return  # bearer key: not a browser session, nothing to forge
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise Forbidden("cross-origin form refused", code="csrf_failed")
    if not presented or not hmac.compare_digest(presented, csrf_token(request)):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
