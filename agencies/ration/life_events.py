"""The ration consumer of the identity event feed: deaths suspend a member, reversals restore.

It keeps its own durable cursor (``ration_cursors``, row ``life_events``), advanced in the same
transaction as the blocks it writes, so a crash replays nothing twice and loses nothing. It
runs on ``hawiya ration sync`` and is caught up inside every eligibility and receipt decision.
The cursor row is locked (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
serializes writers), so two catch-ups never apply the same event twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.ration import blocks
from identity.access.events import read_events
from identity.platform.errors import DomainError
from identity.registry import persons
from models.base import utcnow
from models.ration import Cursor
from models.security import Event

CURSOR = "life_events"
BATCH = 500
ACTOR = "ration:life-events"


def _death_date(event: Event) -> date:
    raw = (event.payload or {}).get("date_of_death")
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            pass
    return event.created_at.date()


def _apply(session: Session, event: Event, grace_days: int) -> bool:
    if event.type not in ("death.recorded", "death.reversed") or not event.national_id:
        return False
    try:
        person = persons.get_by_national_id(session, event.national_id)
    except DomainError:
        return False
    if event.type == "death.recorded":
        starts = _death_date(event) + timedelta(days=grace_days)
        return blocks.place(session, person_id=person.id, category="deceased", starts_on=starts,
                            rule=None, event_id=event.id) is not None
    if person.life_status == "deceased":  # another record still stands (or a later one came)
        return False
    block = blocks.open_block(session, person.id, "deceased")
    if block is None:
        return False
    blocks.lift(session, block, by="event", reason="death record reversed", actor=ACTOR,
                event_id=event.id)
    return True


def catch_up(session: Session, *, grace_days: int, max_events: int = 100_000) -> tuple[int, int]:
    """Apply the feed's events after the cursor (no commit). Returns (applied, cursor)."""
    query = select(Cursor).where(Cursor.name == CURSOR)
    seen_at = session.scalars(select(Cursor.last_event_id).where(Cursor.name == CURSOR)).first()
    if seen_at is not None and not read_events(session, seen_at, 1):
        return 0, seen_at  # nothing new: take no lock
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    cursor = session.scalars(query).first()
    if cursor is None:
        cursor = Cursor(name=CURSOR, last_event_id=0)
        session.add(cursor)
        session.flush()
    applied = seen = 0
    while seen < max_events:
        events = read_events(session, cursor.last_event_id, BATCH)
        if not events:
            break
        for event in events:
            applied += _apply(session, event, grace_days)
        seen += len(events)
        cursor.last_event_id = events[-1].id
    if seen:
        cursor.updated_at = utcnow()
        session.flush()
    return applied, cursor.last_event_id


def sync(*, session: Session, grace_days: int) -> tuple[int, int]:
    """``hawiya ration sync``: catch up and commit. Returns (applied, cursor)."""
    result = catch_up(session, grace_days=grace_days)
    session.commit()
    return result
