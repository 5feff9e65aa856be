"""The ration consumer of the identity event feed.

- ``death.recorded`` suspends the member (a ``deceased`` block after the grace days) and, when
  the deceased was a card's head, proposes the next head (a staff task: the collection right
  moves when staff confirm); ``death.reversed`` restores and voids that task.
- ``birth.recorded`` proposes adding the newborn to a parent's card; ``marriage.recorded``
  proposes moving the wife to the husband's card; ``marriage.ended`` by divorce proposes her
  return to her father's card (see ``proposals``).

It keeps its own durable cursor (``ration_cursors``, row ``life_events``), advanced in the same
transaction as what it writes, so a crash replays nothing twice and loses nothing. It runs on
``hawiya ration sync`` and is caught up inside every eligibility and receipt decision. The cursor
row is locked (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serializes
writers), so two catch-ups never apply the same event twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.ration import blocks, cards, proposals, reconcile
from identity.access.events import FeedEvent, read_feed
from identity.platform.errors import DomainError
from identity.registry import kinship, persons
from models.base import utcnow
from models.ration import CardStatus, Cursor

CURSOR = "life_events"
BATCH = 500
ACTOR = "ration:life-events"


def _day(event: FeedEvent, key: str) -> date:
    raw = event.payload.get(key)
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            pass
    return event.created_at.date()


def _person_id(session: Session, national_id: object) -> int | None:
    if not isinstance(national_id, str):
        return None
    try:
        return int(persons.get_by_national_id(session, national_id).id)
    except DomainError:
        return None


def _death(session: Session, event: FeedEvent, person_id: int, grace_days: int) -> bool:
    died = _day(event, "date_of_death")
    placed = blocks.place(session, person_id=person_id, category_name="deceased",
                          starts_on=died + timedelta(days=grace_days), rule=None,
                          event_id=event.id) is not None
    member = cards.membership(session, person_id)
    card = cards.card_of(session, person_id)
    if card is not None:  # the deceased's income no longer counts in the card's total
        reconcile.household(session, card, actor=ACTOR, today=date.today(),
                            why="a member died: the household's income changed", by="event")
    if member is None or card is None or member.role != "head" \
            or card.status != CardStatus.ACTIVE:
        return placed
    candidate, why = proposals.next_head(session, card, person_id, died)
    details = {"died_on": died.isoformat(), "why": why}
    if candidate is None:
        proposals.propose(session, kind="head_needed", household_id=card.id,
                          person_id=person_id, about_person_id=person_id, event_id=event.id,
                          details=details)
    else:
        proposals.propose(session, kind="new_head", household_id=card.id, person_id=candidate,
                          about_person_id=person_id, event_id=event.id, details=details)
    return True


def _reversal(session: Session, event: FeedEvent, person_id: int) -> bool:
    if persons.resolve_person(session, person_id).life_status == persons.LifeStatus.DECEASED:
        return False  # another record still stands (or a later one came)
    proposals.void_about(session, person_id, ("new_head", "head_needed"),
                         "the death record was reversed")
    card = cards.card_of(session, person_id)
    if card is not None:
        reconcile.household(session, card, actor=ACTOR, today=date.today(),
                            why="a death was reversed: the household's income changed",
                            by="event")
    block = blocks.open_block(session, person_id, "deceased")
    if block is None:
        return False
    blocks.lift(session, block, by="event", reason="death record reversed", actor=ACTOR,
                event_id=event.id)
    return True


def _birth(session: Session, event: FeedEvent, child_id: int) -> bool:
    if cards.card_of(session, child_id) is not None:
        return False
    for key in ("mother_national_id", "father_national_id"):
        parent_id = _person_id(session, event.payload.get(key))
        card = cards.card_of(session, parent_id) if parent_id is not None else None
        if card is not None and card.status == CardStatus.ACTIVE:
            proposals.propose(session, kind="add_newborn", household_id=card.id,
                              person_id=child_id, about_person_id=parent_id, event_id=event.id,
                              details={"parent": key.split("_")[0],
                                       "birth_date": event.payload.get("birth_date")})
            return True
    return False


def _marriage(session: Session, event: FeedEvent, wife_id: int) -> bool:
    husband_id = _person_id(session, event.payload.get("husband_national_id"))
    if husband_id is None or event.payload.get("end_date"):
        return False
    target = cards.card_of(session, husband_id)
    source = cards.card_of(session, wife_id)
    if target is None or target.status != CardStatus.ACTIVE \
            or (source and source.id == target.id):
        return False
    details = {"contract_date": event.payload.get("contract_date")}
    proposals.propose(session, kind="move_spouse" if source else "add_spouse",
                      household_id=target.id, from_household_id=source.id if source else None,
                      person_id=wife_id, about_person_id=husband_id, event_id=event.id,
                      details=details)
    return True


def _divorce(session: Session, event: FeedEvent, wife_id: int) -> bool:
    if event.payload.get("end_reason") not in ("divorce", "annulment"):
        return False
    source = cards.card_of(session, wife_id)
    _, father = kinship.parents(session, persons.resolve_person(session, wife_id))
    target = cards.card_of(session, father.id) if father is not None else None
    if source is None or target is None or target.status != CardStatus.ACTIVE \
            or target.id == source.id:
        return False
    proposals.propose(session, kind="return_after_divorce", household_id=target.id,
                      from_household_id=source.id, person_id=wife_id,
                      about_person_id=father.id if father else None, event_id=event.id,
                      details={"end_date": event.payload.get("end_date"),
                               "end_reason": event.payload.get("end_reason")})
    return True


def _apply(session: Session, event: FeedEvent, grace_days: int) -> bool:
    person_id = _person_id(session, event.national_id)
    if person_id is None:
        return False
    if event.type == "death.recorded":
        return _death(session, event, person_id, grace_days)
    if event.type == "death.reversed":
        return _reversal(session, event, person_id)
    if event.type == "birth.recorded":
        return _birth(session, event, person_id)
    if event.type == "marriage.recorded":
        return _marriage(session, event, person_id)
    if event.type == "marriage.ended":
        return _divorce(session, event, person_id)
    return False


def catch_up(session: Session, *, grace_days: int, max_events: int = 100_000) -> tuple[int, int]:
    """Apply the feed's events after the cursor (no commit). Returns (applied, cursor)."""
    query = select(Cursor).where(Cursor.name == CURSOR)
    seen_at = session.scalars(select(Cursor.last_event_id).where(Cursor.name == CURSOR)).first()
    if seen_at is not None and not read_feed(session, seen_at, 1):
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
        events = read_feed(session, cursor.last_event_id, BATCH)
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
