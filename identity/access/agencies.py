"""Agencies: creation, per-agency subject pseudonyms, and the failed-verify lock.

A ``subject_ref`` is a keyed hash of the person id under the agency's own random salt: stable
for one agency, unlinkable across agencies (two agencies cannot join their logs on it), and
never derivable from the national ID without the server's secret.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.access import journal
from identity.access.keys import AGENCY_SCOPES
from identity.platform.crypto import keyed_hash
from identity.platform.errors import Conflict, Invalid, NotFound, TooMany
from identity.platform.settings import Settings
from models.agency_access import VerifyLock, VerifyPersonLock
from models.base import utcnow
from models.security import Agency, ApiKey


class SubjectLocked(TooMany):
    code = "subject_locked"


def _aware(at: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored as UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def webhook_url_allowed(url: str, *, allow_loopback_http: bool = False) -> bool:
    """An ``https://`` URL with a host and no credentials; plain ``http://`` only to a loopback
    address and only where ``allow_loopback_http`` (development and test environments)."""
    if len(url) > 500 or not url.isprintable():
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if not host or parts.username is not None or parts.password is not None:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or not allow_loopback_http:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_agency(session: Session, *, name: str, scopes: list[str],
                  webhook_url: str | None = None, actor: str = "cli",
                  allow_loopback_http: bool = False) -> Agency:
    """Create an agency allowed ``scopes`` (subset of ``AGENCY_SCOPES``). Commits.

    ``webhook_url`` must be https (``webhook_url_allowed``); ``allow_loopback_http`` admits a
    plain-http loopback receiver, for development and tests only."""
    name = name.strip()
    if not 1 <= len(name) <= 100 or not name.isprintable():
        raise Invalid("agency name must be 1-100 printable characters", code="invalid_name")
    unknown = sorted(set(scopes) - set(AGENCY_SCOPES))
    if unknown:
        raise Invalid(f"unknown agency scope(s): {', '.join(unknown)}", code="invalid_scope")
    if webhook_url is not None and not webhook_url_allowed(
            webhook_url, allow_loopback_http=allow_loopback_http):
        raise Invalid("webhook URL must be an https URL of at most 500 characters "
                      "(plain http only to a loopback address outside production)",
                      code="invalid_webhook_url")
    if session.scalars(select(Agency).where(Agency.name == name)).first() is not None:
        raise Conflict("an agency with this name exists", code="agency_exists")
    agency = Agency(name=name, scopes=sorted(set(scopes)), webhook_url=webhook_url,
                    pseudonym_salt=secrets.token_hex(32))
    session.add(agency)
    session.flush()
    journal.audit(session, actor=actor, action="agency.create", outcome="created",
                  agency=name, details={"agency_id": agency.id, "scopes": agency.scopes})
    session.commit()
    return agency


def get_agency(session: Session, name: str) -> Agency:
    agency = session.scalars(select(Agency).where(Agency.name == name)).first()
    if agency is None:
        raise NotFound(f"no agency named {name!r}", code="agency_not_found")
    return agency


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.id)))


def list_keys(session: Session) -> list[ApiKey]:
    """Every key (never the key itself: only id, prefix, role, name, scopes, revocation)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def subject_ref(agency: Agency, person_id: int) -> str:
    """This agency's stable pseudonym for a person (32 hex characters)."""
    return keyed_hash(f"{agency.pseudonym_salt}:{person_id}", "subject-ref-v1")[:32]


def webhook_secret(agency: Agency) -> str:
    """The secret an agency checks webhook signatures with (derived, never stored)."""
    return keyed_hash(f"{agency.id}:{agency.pseudonym_salt}", "webhook-v1")


@dataclass(frozen=True)
class LockPolicy:
    """``failures`` consecutive failed verifies of one person by one agency, or
    ``person_failures`` by all agencies together, lock that person for ``seconds`` (for that
    agency, or for every agency)."""

    failures: int
    seconds: int
    person_failures: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> LockPolicy:
        return cls(settings.verify_lock_failures, settings.verify_lock_seconds,
                   settings.verify_lock_person_failures)


def _remaining(row: VerifyLock | VerifyPersonLock | None) -> int | None:
    if row is None or row.locked_until is None:
        return None
    until = _aware(row.locked_until)
    now = utcnow()
    return int((until - now).total_seconds()) + 1 if until > now else None


def check_not_locked(session: Session, agency_id: int, person_id: int) -> None:
    """Raise ``SubjectLocked`` (429) while this agency, or every agency, is locked out of this
    person."""
    for row in (session.get(VerifyLock, (agency_id, person_id)),
                session.get(VerifyPersonLock, person_id)):
        seconds = _remaining(row)
        if seconds is not None:
            raise SubjectLocked(
                "too many failed verifications of this person: try again later",
                details={"retry_after_seconds": seconds})


def settle_attempt(session: Session, agency_id: int, person_id: int, *, success: bool,
                   policy: LockPolicy) -> bool:
    """Under the journal lock: refuse if locked meanwhile, else count the outcome (no commit).

    The lock serializes concurrent verifies of any subject (PostgreSQL advisory lock; SQLite's
    BEGIN IMMEDIATE already does), so no failure is lost and no two requests race the lock.
    """
    journal.lock_journal(session)
    check_not_locked(session, agency_id, person_id)
    return record_attempt(session, agency_id, person_id, success=success, policy=policy)


def _count(row: VerifyLock | VerifyPersonLock, *, success: bool, limit: int,
           seconds: int) -> bool:
    row.updated_at = utcnow()
    if success:
        row.failures = 0
        row.locked_until = None
        return False
    if row.locked_until is not None and _aware(row.locked_until) <= utcnow():
        row.locked_until = None
    row.failures = (row.failures or 0) + 1
    if row.failures >= limit:
        row.locked_until = utcnow() + timedelta(seconds=seconds)
        row.failures = 0
        return True
    return False


def record_attempt(session: Session, agency_id: int, person_id: int, *, success: bool,
                   policy: LockPolicy) -> bool:
    """Count a verify outcome (no commit); return True when this failure set a lock.

    A success clears the counts; ``policy.failures`` consecutive failures lock the pair, and
    ``policy.person_failures`` consecutive failures by any agencies lock the person for all,
    for ``policy.seconds`` (NIST SP 800-63B 5.2.2, rate limiting of failed attempts). Call it
    under the journal lock (``settle_attempt``) so concurrent outcomes are all counted.
    """
    row = session.get(VerifyLock, (agency_id, person_id))
    if row is None:
        row = VerifyLock(agency_id=agency_id, person_id=person_id, failures=0)
        session.add(row)
    everyone = session.get(VerifyPersonLock, person_id)
    if everyone is None:
        everyone = VerifyPersonLock(person_id=person_id, failures=0)
        session.add(everyone)
    locked = _count(row, success=success, limit=policy.failures, seconds=policy.seconds)
    locked_all = _count(everyone, success=success, limit=policy.person_failures,
                        seconds=policy.seconds)
    session.flush()
    return locked or locked_all
