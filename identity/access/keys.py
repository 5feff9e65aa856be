"""API keys: random, shown once, stored as an HMAC hash, compared in constant time."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.access import journal
from identity.platform.crypto import keyed_hash
from identity.platform.errors import Invalid, NotFound, Unauthorized
from models.base import utcnow
from models.security import Agency, ApiKey

ROLES = ("station", "agency", "admin")
SCOPES = ("verify", "deaths", "heirs", "ration", "events", "enroll", "admin")


@dataclass(frozen=True)
class Principal:
    key_id: int
    name: str
    role: str
    scopes: frozenset[str]
    agency_id: int | None
    agency_name: str | None

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.name}#{self.key_id}"


@dataclass(frozen=True)
class KeyFacts:
    """What another service may know of a key: never its hash."""

    id: int
    role: str
    agency_id: int | None
    scopes: frozenset[str]
    revoked: bool


def key_facts(session: Session, key_id: int) -> KeyFacts | None:
    row = session.get(ApiKey, key_id)
    if row is None:
        return None
    return KeyFacts(row.id, row.role, row.agency_id, frozenset(row.scopes or ()),
                    row.revoked_at is not None)


def _hash(key: str) -> str:
    return keyed_hash(key, "api-key-v1")


def create_key(
    session: Session,
    *,
    role: str,
    name: str,
    scopes: list[str] | None = None,
    agency_id: int | None = None,
    actor: str = "cli",
) -> str:
    """Create a key and return it in clear (the only time it exists in clear). Commits."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
    unknown = sorted(set(scopes or []) - set(SCOPES))
    if unknown:
        raise Invalid(f"unknown scope(s): {', '.join(unknown)}", code="invalid_scope")
    if role == "agency" and agency_id is None:
        raise Invalid("an agency key belongs to an agency", code="agency_required")
    if agency_id is not None:
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound("no such agency", code="agency_not_found")
        not_granted = sorted(set(scopes or []) - set(agency.scopes))
        if not_granted:
            raise Invalid(f"agency lacks scope(s): {', '.join(not_granted)}", code="invalid_scope")
    prefix = secrets.token_hex(6)
    key = f"hwk_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(prefix=prefix, key_hash=_hash(key), role=role, name=name[:100],
                 scopes=sorted(set(scopes or [])), agency_id=agency_id)
    session.add(row)
    session.flush()
    journal.audit(session, actor=actor, action="key.create", outcome="created",
                  details={"key_id": row.id, "role": role, "scopes": row.scopes})
    session.commit()
    return key


def revoke_key(session: Session, key_id: int, *, actor: str = "cli") -> None:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound("no such key", code="key_not_found")
    row.revoked_at = utcnow()
    journal.audit(session, actor=actor, action="key.revoke", outcome="revoked",
                  details={"key_id": key_id})
    session.commit()


def authenticate(session: Session, key: str) -> Principal:
    """Resolve a presented key to its principal; any failure is the same 401."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "hwk" or len(key) > 200:
        raise Unauthorized("invalid API key", code="invalid_key")
    row = session.scalars(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    expected = row.key_hash if row is not None else _hash("hwk_dummy_dummy")
    ok = hmac.compare_digest(expected, _hash(key))
    if row is None or not ok or row.revoked_at is not None:
        raise Unauthorized("invalid API key", code="invalid_key")
    agency_name = None
    if row.agency_id is not None:
        agency = session.get(Agency, row.agency_id)
        agency_name = agency.name if agency else None
    return Principal(row.id, row.name, row.role, frozenset(row.scopes), row.agency_id, agency_name)
