"""Monthly rounds and receipts.

A receipt is recorded by a licensed agent after a 1:1 verify of the collecting member (the
head or an authorised member) through ``identity.biometrics.agency_verify`` — the very path
agencies use for ``POST /v1/verify``, with its lock after repeated failures and its audit row.
Quantities are the round's per-person quantities times the card's eligible members at that moment.

One receipt per card and round is a unique constraint: of two agents writing at once, the
second gets an IntegrityError and a 409 naming the receipt that won.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agencies.ration import agents, eligibility, households, life_events, proposals
from agencies.ration.schemas import Day, InputModel
from identity.access import agencies as identity_agencies
from identity.access import journal
from identity.access.keys import Principal
from identity.biometrics.agency_verify import VerifyRequest, verify_for_agency
from identity.platform.errors import Conflict, Forbidden, NotFound
from identity.registry import persons
from models.ration import Household, RationAgent, Receipt, Round, RoundItem

# Test-only hook, called after the last check and before the insert: with two writers held
# there (PostgreSQL), only the unique constraint can stop the second receipt. None in production.
before_write: Callable[[], None] | None = None


class ItemIn(InputModel):
    item: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    unit: str = Field(pattern=r"^(g|ml|pcs)$")
    per_person: int = Field(ge=1, le=1_000_000, description="per eligible member, in unit")


class RoundIn(InputModel):
    code: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9._-]+$")
    opens_on: Day
    closes_on: Day
    items: list[ItemIn] = Field(min_length=1, max_length=20)


class RoundItemView(BaseModel):
    item: str
    unit: str
    per_person: int


class RoundView(BaseModel):
    code: str
    opens_on: date
    closes_on: date
    items: list[RoundItemView]


class ReceiptItem(BaseModel):
    item: str
    unit: str
    quantity: int


class ReceiptView(BaseModel):
    receipt_id: int
    card_number: str
    round: str
    collector_national_id: str
    agent_licence: str
    eligible_members: int
    items: list[ReceiptItem]
    modalities_used: list[str]
    recorded_at: datetime


@dataclass(frozen=True)
class ReceiptRequest:
    card_number: str
    round_code: str
    collector: str  # national ID
    face: bytes | None
    fingers: dict[int, bytes] = field(default_factory=dict)


def get_round(session: Session, code: str) -> Round:
    found = session.scalars(select(Round).where(Round.code == code)).first()
    if found is None:
        raise NotFound("no round has this code", code="round_not_found")
    return found


def round_items(session: Session, round_id: int) -> list[RoundItem]:
    return list(session.scalars(select(RoundItem).where(RoundItem.round_id == round_id)
                                .order_by(RoundItem.id)))


def create_round(session: Session, *, principal: Principal, request: RoundIn) -> Round:
    agents.require_ministry(session, principal)
    if request.closes_on < request.opens_on:
        raise Conflict("a round closes after it opens", code="invalid_round_dates",
                       status_code=422)
    names = [i.item for i in request.items]
    if len(set(names)) != len(names):
        raise Conflict("an item is listed twice", code="duplicate_item", status_code=422)
    if session.scalars(select(Round.id).where(Round.code == request.code)).first() is not None:
        raise Conflict("a round with this code exists", code="round_exists")
    new = Round(code=request.code, opens_on=request.opens_on, closes_on=request.closes_on)
    session.add(new)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("a round with this code exists", code="round_exists") from None
    for i in request.items:
        session.add(RoundItem(round_id=new.id, item=i.item, unit=i.unit,
                              per_person=i.per_person))
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.round.create", outcome="created", details={"code": new.code})
    session.commit()
    return new


def existing_receipt(session: Session, household_id: int, round_id: int) -> Receipt | None:
    return session.scalars(select(Receipt).where(Receipt.household_id == household_id,
                                                 Receipt.round_id == round_id)).first()


def _already(receipt: Receipt) -> Conflict:
    return Conflict("this card already collected this round", code="already_collected",
                    details={"receipt_id": receipt.id})


def _head_pending(session: Session, household: Household) -> None:
    """The head died and staff have not yet confirmed the next one: say so (409), naming the
    task, instead of a bare "not authorised"."""
    task = proposals.open_head_task(session, household.id)
    if task is None:
        return
    proposed = persons.resolve_person(session, task.person_id).national_id \
        if task.kind == "new_head" else None
    raise Conflict("the card's head died: the ministry must confirm the next head before "
                   "anyone collects (توفي رب الأسرة: يجب أن تؤكد الوزارة رب الأسرة الجديد)",
                   code="head_change_pending",
                   details={"task_id": task.id, "proposed_head": proposed})


def _check(session: Session, household: Household, rnd: Round, collector_id: int,
           grace_days: int) -> eligibility.HouseholdStatus:
    """Catch up on deaths, then refuse what no verify can fix (no commit)."""
    life_events.catch_up(session, grace_days=grace_days)
    today = date.today()
    if not rnd.opens_on <= today <= rnd.closes_on:
        raise Conflict("the round is not open today", code="round_not_open")
    found = existing_receipt(session, household.id, rnd.id)
    if found is not None:
        raise _already(found)
    status = eligibility.household_status(session, household, today)
    mine = next((m for m in status.members if m.member.person_id == collector_id), None)
    if mine is None:
        raise Forbidden("the collector is not on this card", code="collector_not_member")
    if not (mine.member.role == "head" or mine.member.authorised) or not mine.eligible:
        _head_pending(session, household)
    if not (mine.member.role == "head" or mine.member.authorised):
        raise Forbidden("the collector is neither the head nor authorised to collect",
                        code="collector_not_authorised")
    if not mine.eligible:
        raise Conflict("the collector is not eligible", code="collector_not_eligible",
                       details={"reasons": mine.reasons})
    if status.eligible_count == 0:
        raise Conflict("no member of the card is eligible", code="household_not_eligible")
    return status


def record_receipt(session: Session, *, principal: Principal, request: ReceiptRequest,
                   max_pixels: int, policy: identity_agencies.LockPolicy,
                   grace_days: int) -> tuple[Receipt, RationAgent]:
    """Verify the collector, then write the receipt (commits). 403 when the biometrics do not
    match (or the collector may not collect), 409 for a second receipt, a closed round or an
    ineligible card, 429 while the verify lock holds."""
    agent = agents.require_agent(session, principal)
    household = households.get_card(session, request.card_number)
    rnd = get_round(session, request.round_code)
    collector_id = persons.get_by_national_id(session, request.collector).id
    _check(session, household, rnd, collector_id, grace_days)
    session.commit()  # the catch-up; no transaction is held across the slow verify

    answer = verify_for_agency(
        session=session, principal=principal, max_pixels=max_pixels, policy=policy,
        request=VerifyRequest(national_id=request.collector, face=request.face,
                              fingers=request.fingers,
                              purpose=f"ration receipt {request.card_number}/{rnd.code}"))
    if not answer.match:
        raise Forbidden("the collector's biometrics do not match the national ID",
                        code="collector_not_verified",
                        details={"decision_band": answer.decision_band})
    household = households.get_card(session, request.card_number)
    rnd = get_round(session, request.round_code)
    collector_id = persons.get_by_national_id(session, request.collector).id
    status = _check(session, household, rnd, collector_id, grace_days)
    count = status.eligible_count
    if before_write is not None:
        before_write()
    receipt = Receipt(
        household_id=household.id, round_id=rnd.id, collector_person_id=collector_id,
        agent_id=agent.id, eligible_members=count, modalities=answer.modalities_used,
        items=[{"item": i.item, "unit": i.unit, "quantity": i.per_person * count}
               for i in round_items(session, rnd.id)])
    session.add(receipt)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        found = existing_receipt(session, household.id, rnd.id)
        if found is None:
            raise
        raise _already(found) from None
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.receipt", outcome="recorded", person_id=collector_id,
                  details={"receipt_id": receipt.id, "card_number": household.card_number,
                           "round": rnd.code, "agent": agent.licence,
                           "transaction_id": answer.transaction_id})
    session.commit()
    return receipt, agent


def round_view(session: Session, rnd: Round) -> RoundView:
    return RoundView(code=rnd.code, opens_on=rnd.opens_on, closes_on=rnd.closes_on,
                     items=[RoundItemView(item=i.item, unit=i.unit, per_person=i.per_person)
                            for i in round_items(session, rnd.id)])


def receipt_view(session: Session, receipt: Receipt, agent: RationAgent) -> ReceiptView:
    household = session.get(Household, receipt.household_id)
    rnd = session.get(Round, receipt.round_id)
    assert household is not None and rnd is not None
    return ReceiptView(
        receipt_id=receipt.id, card_number=household.card_number, round=rnd.code,
        collector_national_id=persons.resolve_person(session,
                                                     receipt.collector_person_id).national_id,
        agent_licence=agent.licence, eligible_members=receipt.eligible_members,
        items=[ReceiptItem(**i) for i in receipt.items], modalities_used=receipt.modalities,
        recorded_at=receipt.recorded_at)
