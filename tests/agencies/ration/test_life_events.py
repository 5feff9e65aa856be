"""Deaths on the identity event feed suspend a member (after the grace window); reversals
restore. The reports go through the real death-record service (issue 7)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from agencies.ration import blocks, households, life_events
from identity.registry import deaths
from identity.registry.vital_schemas import DeathReport, ReversalRequest
from models.ration import Block, Cursor
from tests.agencies.ration.helpers import card, citizen, health_agency, ministry

TODAY = date.today()


def _report(session, health, nid: str, died: date, doc: str = "HC-1") -> str:
    _, view = deaths.record_death(session, DeathReport.model_validate({
        "national_id": nid, "source_type": "hospital_certificate", "document_number": doc,
        "date_of_death": died.isoformat(), "place": "مستشفى البصرة العام"}), principal=health)
    return str(view["ack_id"])


def _eligible(session, household, on: date = TODAY, grace: int = 0) -> dict[int, bool]:
    status = households.status(session, card_number=household.card_number, on=on,
                               grace_days=grace)
    return {s.member.person_id: s.eligible for s in status.members}


def test_a_death_suspends_the_member_and_a_reversal_restores(session) -> None:
    desk, health = ministry(session), health_agency(session)
    head, wife = citizen(session), citizen(session, sex="F")
    h = card(session, desk, head, wife)
    ack = _report(session, health, wife.national_id, TODAY - timedelta(days=3))
    assert blocks.open_block(session, wife.id, "deceased") is None  # not applied yet

    assert _eligible(session, h) == {head.id: True, wife.id: False}  # caught up on read
    block = blocks.open_block(session, wife.id, "deceased")
    assert block.event_id is not None and block.scope == "member"
    cursor = session.get(Cursor, life_events.CURSOR).last_event_id
    assert cursor >= block.event_id
    assert life_events.sync(session=session, grace_days=0)[0] == 0  # nothing applied twice

    deaths.reverse_death(session, ack, ReversalRequest(judgment_reference="KC-2025/118",
                                                       reason="wrong person"),
                         principal=health)
    applied, _ = life_events.sync(session=session, grace_days=0)
    assert applied == 1
    assert _eligible(session, h) == {head.id: True, wife.id: True}
    session.refresh(block)
    assert block.lifted_by == "event" and block.lift_event_id is not None
    assert len(session.scalars(select(Block)).all()) == 1


def test_the_grace_window_delays_the_suspension(session) -> None:
    desk, health = ministry(session), health_agency(session)
    head, son = citizen(session), citizen(session)
    h = card(session, desk, head, son)
    died = TODAY - timedelta(days=10)
    _report(session, health, son.national_id, died)
    assert _eligible(session, h, grace=30) == {head.id: True, son.id: True}
    assert blocks.open_block(session, son.id, "deceased").starts_on == died + timedelta(days=30)
    assert _eligible(session, h, on=died + timedelta(days=30), grace=30)[son.id] is False


def test_a_dead_head_suspends_only_the_head(session) -> None:
    desk, health = ministry(session), health_agency(session)
    head, wife = citizen(session), citizen(session, sex="F")
    h = card(session, desk, head, wife)
    _report(session, health, head.national_id, TODAY - timedelta(days=1))
    assert _eligible(session, h) == {head.id: False, wife.id: True}
