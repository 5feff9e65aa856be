"""Cards and members: the one-card rule (also under a race), transfers and moves keep history."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from agencies.ration import households
from agencies.ration.schemas import HouseholdIn, MemberIn, MoveIn
from identity.platform.db import session_factory
from identity.platform.errors import Conflict, DomainError, Invalid
from models.ration import Household, HouseholdMove, Member
from tests.agencies.ration.helpers import card, citizen, count, ministry


def test_a_person_already_on_a_card_is_refused_with_that_card(session) -> None:
    desk = ministry(session)
    head, wife, son, other = (citizen(session) for _ in range(4))
    first = card(session, desk, head, wife, son)
    with pytest.raises(Conflict) as err:
        card(session, desk, other, son)
    assert err.value.code == "already_on_card"
    assert err.value.details == {"national_id": son.national_id,
                                 "card_number": first.card_number}
    session.rollback()
    assert count(session, Household) == 1  # nothing of the refused card was stored
    assert count(session, Member) == 3
    with pytest.raises(Conflict):
        households.add_member(session, principal=desk, card_number=first.card_number,
                              request=MemberIn(national_id=son.national_id))
    with pytest.raises(Invalid):
        card(session, desk, other, other)  # listed twice


def test_a_deceased_person_cannot_join(session) -> None:
    desk = ministry(session)
    head, dead = citizen(session), citizen(session)
    dead.life_status = "deceased"
    session.commit()
    with pytest.raises(Invalid) as err:
        card(session, desk, head, dead)
    assert err.value.code == "person_deceased"


def test_transfer_keeps_history_and_the_one_card_rule(session) -> None:
    desk = ministry(session)
    a_head, daughter, b_head = citizen(session), citizen(session, sex="F"), citizen(session)
    a = card(session, desk, a_head, daughter)
    b = card(session, desk, b_head)
    households.transfer_member(session, principal=desk, card_number=a.card_number,
                               national_id=daughter.national_id, to_card=b.card_number,
                               reason="marriage")
    rows = session.scalars(select(Member).where(Member.person_id == daughter.id)
                           .order_by(Member.id)).all()
    assert [(r.household_id, r.left_at is None) for r in rows] == [(a.id, False), (b.id, True)]
    assert rows[0].transferred_to_id == b.id and "marriage" in (rows[0].left_reason or "")
    assert households.card_of(session, daughter.id).id == b.id
    with pytest.raises(Conflict) as err:  # the head is replaced first, never moved away
        households.transfer_member(session, principal=desk, card_number=a.card_number,
                                   national_id=a_head.national_id, to_card=b.card_number,
                                   reason="x")
    assert err.value.code == "head_transfer"


def test_move_between_centres_keeps_history(session) -> None:
    desk = ministry(session)
    h = card(session, desk, citizen(session))
    households.move(session, principal=desk, card_number=h.card_number,
                    request=MoveIn(governorate="najaf", centre="NJ-07", reason="moved house"))
    moved = session.get(Household, h.id)
    assert (moved.governorate, moved.centre) == ("Najaf", "NJ-07")
    history = session.scalars(select(HouseholdMove)).all()
    assert [(m.from_governorate, m.to_governorate, m.from_centre) for m in history] == [
        ("Basra", "Najaf", "BS-01")]
    status = households.status(session, card_number=h.card_number, on=date.today(),
                               grace_days=0)
    assert status.eligible_count == 1


def test_two_cards_racing_for_one_person_give_one_membership(engine, session) -> None:
    desk = ministry(session)
    shared = citizen(session)
    heads = [citizen(session), citizen(session)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(head) -> None:
        with session_factory(engine)() as s:
            barrier.wait()
            try:
                households.create(s, principal=desk, request=HouseholdIn(
                    governorate="Basra", centre="BS-01", head=head.national_id,
                    members=[MemberIn(national_id=shared.national_id)]))
                outcomes.append("created")
            except DomainError as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=register, args=(h,)) for h in heads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_on_card", "created"]
    assert count(session, Member, Member.person_id == shared.id) == 1
