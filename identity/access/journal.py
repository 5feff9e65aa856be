"""The append-only journals written inside the caller's transaction: audit rows and events.

Both are serialized (an advisory lock on PostgreSQL, the write lock taken by ``BEGIN
IMMEDIATE`` on SQLite) so that ids are committed in order: an event consumer reading
``after=cursor`` never skips a row that commits later with a smaller id, and the audit chain
never forks.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models.base import utcnow
from models.security import AuditRow, Event

GENESIS = "0" * 64
_LOCK_KEY = 7_401_123  # arbitrary, constant: the journal's advisory lock


def lock_journal(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def canonical_time(at: datetime) -> str:
    """UTC, naive, microseconds: the same string whichever database returns the value."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def row_digest(row: AuditRow) -> str:
    body = {
        "id": row.id,
        "at": canonical_time(row.at),
        "actor": row.actor,
        "agency": row.agency,
        "action": row.action,
        "purpose": row.purpose,
        "subject_ref": row.subject_ref,
        "person_id": row.person_id,
        "outcome": row.outcome,
        "details": row.details,
        "prev_hash": row.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    outcome: str,
    agency: str | None = None,
    purpose: str | None = None,
    subject_ref: str | None = None,
    person_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRow:
    """Append one chained audit row in the current transaction (no commit)."""
    lock_journal(session)
    last = session.execute(
        select(AuditRow.id, AuditRow.row_hash).order_by(AuditRow.id.desc()).limit(1)
    ).first()
    row = AuditRow(
        id=(last.id + 1) if last else 1,
        at=utcnow(),
        actor=actor,
        agency=agency,
        action=action,
        purpose=purpose,
        subject_ref=subject_ref,
        person_id=person_id,
        outcome=outcome,
        details=details or {},
        prev_hash=last.row_hash if last else GENESIS,
        row_hash="",
    )
    row.row_hash = row_digest(row)
    session.add(row)
    session.flush()
    return row


def emit(session: Session, type_: str, national_id: str | None, payload: dict[str, Any]) -> Event:
    """Append one event to the outbox in the current transaction (no commit)."""
    lock_journal(session)
    event = Event(type=type_, national_id=national_id, payload=payload)
    session.add(event)
    session.flush()
    return event


def verify_chain(session: Session, batch: int = 5000) -> int | None:
    """Walk the audit chain; return the id of the first altered row, or None if intact."""
    prev = GENESIS
    after = 0
    while True:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.id > after).order_by(AuditRow.id).limit(batch)
        ).all()
        if not rows:
            return None
        for row in rows:
            if row.prev_hash != prev or row_digest(row) != row.row_hash:
                return row.id
            prev = row.row_hash
            after = row.id


def rows_about(session: Session, person_ids: list[int], *, after: int = 0,
               limit: int = 100) -> list[AuditRow]:
    """Audit rows naming any of ``person_ids``, in id order after ``after``."""
    return list(session.scalars(
        select(AuditRow).where(AuditRow.person_id.in_(person_ids), AuditRow.id > after)
        .order_by(AuditRow.id).limit(limit)))


def count_rows(session: Session) -> int:
    """How many audit rows the chain holds."""
    return int(session.scalar(select(func.count()).select_from(AuditRow)) or 0)
