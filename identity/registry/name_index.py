"""The demographic blocking index: persons and held packets found by their names and dates.

Each record is written under the keys of ``matching.names.blocking_keys`` (folded names, so
spelling variants meet; several keys, so one wrong field still meets). A search looks the keys
up through the ``name_keys.key`` index — never a scan of the persons table — and returns the
owners (persons after merges, and packets still held for review), most keys shared first.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from matching.names import blocking_keys
from models.enrollment import Enrollment, NameKey
from models.person import Person, PersonStatus

PERSON, HELD = "person", "held"
MAX_ROWS = 500  # key rows read per search: a very common name is not evidence anyway


def keys_of(demographics: dict[str, Any]) -> list[str]:
    born = demographics["birth_date"]
    return blocking_keys(
        str(demographics["given_name"]), str(demographics["father_name"]),
        str(demographics["grandfather_name"]), str(demographics["surname"]),
        str(demographics["mother_name"]),
        born if isinstance(born, date) else date.fromisoformat(str(born)))


def index_person(session: Session, person: Person, demographics: dict[str, Any]) -> None:
    for key in keys_of(demographics):
        session.add(NameKey(key=key, person_id=person.id))


def index_held(session: Session, enrollment: Enrollment) -> None:
    for key in keys_of(enrollment.demographics):
        session.add(NameKey(key=key, enrollment_id=enrollment.id))


def search(session: Session, demographics: dict[str, Any], *, limit: int,
           exclude_enrollment: int | None = None) -> list[tuple[str, int]]:
    """Owners sharing a blocking key with ``demographics``: ``(PERSON, id)`` (as recorded: a
    merged person's id; resolve it with ``persons.resolve_person``) and ``(HELD, enrollment
    id)`` for packets still held, most shared keys first."""
    rows = session.execute(
        select(NameKey.person_id, NameKey.enrollment_id)
        .where(NameKey.key.in_(keys_of(demographics))).limit(MAX_ROWS)).all()
    hits: Counter[tuple[str, int]] = Counter()
    held = {eid for _pid, eid in rows if eid is not None}
    still_held = set(session.scalars(select(Enrollment.id).where(
        Enrollment.id.in_(held), Enrollment.status == "review"))) if held else set()
    for pid, eid in rows:
        if pid is not None:
            hits[(PERSON, int(pid))] += 1
        elif eid in still_held and eid != exclude_enrollment:
            hits[(HELD, int(eid))] += 1
    return [owner for owner, _n in hits.most_common(limit)]


def population(session: Session) -> int:
    """Records a packet could be a re-enrollment of: active persons and held packets. Exact
    on SQLite; on PostgreSQL the planner's estimate once the table is large (a prior needs the
    order of magnitude, and an exact count of 46M rows would hold the decision lock)."""
    held = session.scalar(select(func.count()).select_from(Enrollment)
                          .where(Enrollment.status == "review")) or 0
    if session.get_bind().dialect.name == "postgresql":
        estimate = session.scalar(text(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'persons'"))
        if estimate is not None and int(estimate) > 100_000:
            return int(estimate) + int(held)
    persons = session.scalar(select(func.count()).select_from(Person)
                             .where(Person.status == PersonStatus.ACTIVE)) or 0
    return int(persons) + int(held)
