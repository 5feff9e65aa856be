"""Workbench sessions: an admin key exchanged for a server-side session.

The browser holds a random token (in a cookie, ``api.admin.auth``); the database keeps only its
keyed hash, the key it belongs to and an absolute expiry, so signing out (or revoking the key)
ends the session at once.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.access import journal
from identity.access.keys import Principal, authenticate
from identity.platform.crypto import keyed_hash
from identity.platform.errors import Forbidden
from models.adjudication import AdminSession
from models.base import utcnow
from models.security import Agency, ApiKey

MAX_TOKEN_CHARS = 100


def _hash(token: str) -> str:
    return keyed_hash(token, "admin-session-v1")


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def sign_in(session: Session, key: str, *, minutes: int) -> tuple[str, datetime]:
    """Check an admin key and open a session; returns (token, expiry). Commits."""
    principal = authenticate(session, key)
    if principal.role != "admin":
        raise Forbidden("the workbench needs an admin key", code="wrong_role")
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(minutes=minutes)
    session.add(AdminSession(token_hash=_hash(token), key_id=principal.key_id,
                             expires_at=expires))
    journal.audit(session, actor=principal.actor, action="admin.sign_in", outcome="ok")
    session.commit()
    return token, expires


def principal_for(session: Session, token: str) -> Principal | None:
    """The admin behind a live session token, or None (expired, signed out, key revoked)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    row = session.scalars(select(AdminSession).where(
        AdminSession.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= utcnow():
        return None
    key = session.get(ApiKey, row.key_id)
    if key is None or key.revoked_at is not None or key.role != "admin":
        return None
    agency = session.get(Agency, key.agency_id) if key.agency_id is not None else None
    return Principal(key.id, key.name, key.role, frozenset(key.scopes), key.agency_id,
                     agency.name if agency else None)


def sign_out(session: Session, token: str, *, actor: str) -> None:
    """End the session behind ``token`` (audited); a token already ended is left as it is."""
    row = session.scalars(select(AdminSession).where(
        AdminSession.token_hash == _hash(token))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        journal.audit(session, actor=actor, action="admin.sign_out", outcome="ok")
    session.commit()
