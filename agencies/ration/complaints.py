""""Raqibni" (راقبني): a citizen's complaint about an item, an agent, a receipt or a ration
that never came.

Two ways in: the ministry's citizen portal (a ``ration`` key that is not an agent) files and
reads complaints on a citizen's behalf, naming the citizen by national ID (a complaint's status
is only shown to a caller presenting that national ID too); and the public page ``/raqibni/``
(``complaint_public``), where a citizen files without any key and follows the complaint by its
tracking number alone. States: filed → routed → answered → closed, or escalated (from routed or
answered; an escalated complaint is routed again or closed). Every step is a timestamped row;
staff answer in the admin pages or through ``/v1/complaints``.
"""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.ration import agents
from agencies.ration.distribution import get_round
from agencies.ration.schemas import CODE, InputModel
from identity.access import journal
from identity.access.keys import Principal
from identity.platform.errors import Conflict, DomainError, Invalid, NotFound
from identity.registry import persons
from models.base import utcnow
from models.ration import Complaint, ComplaintState, ComplaintStep, RationAgent, Receipt, Round

_S = ComplaintState
TRANSITIONS: dict[str, frozenset[ComplaintState]] = {
    _S.FILED: frozenset({_S.ROUTED}),
    _S.ROUTED: frozenset({_S.ANSWERED, _S.ESCALATED}),
    _S.ANSWERED: frozenset({_S.CLOSED, _S.ESCALATED}),
    _S.ESCALATED: frozenset({_S.ROUTED, _S.CLOSED}),
    _S.CLOSED: frozenset(),
}
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


class ComplaintIn(InputModel):
    national_id: str = Field(min_length=1, max_length=12, description="the complainant")
    about: Literal["item", "agent", "receipt", "missing"]
    item: str | None = Field(None, min_length=1, max_length=32)
    agent_licence: str | None = Field(None, min_length=1, max_length=32, pattern=CODE)
    round: str | None = Field(None, min_length=1, max_length=16, pattern=CODE)
    receipt_id: int | None = Field(None, ge=1, le=2**31 - 1)
    text: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _target(self) -> ComplaintIn:
        needed = {"item": self.item, "agent": self.agent_licence, "receipt": self.receipt_id,
                  "missing": self.round}
        if needed[self.about] is None:
            field = {"item": "item", "agent": "agent_licence", "receipt": "receipt_id",
                     "missing": "round"}[self.about]
            raise ValueError(f"a complaint about an {self.about} names its {field}")
        return self


class StepIn(InputModel):
    state: Literal["routed", "answered", "closed", "escalated"]
    note: str | None = Field(None, max_length=1000)
    routed_to: str | None = Field(None, min_length=1, max_length=100)


def new_tracking_number(session: Session) -> str:
    """A fresh tracking number: ``RQ-`` and 10 characters (50 random bits)."""
    while True:
        number = "RQ-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))
        if session.scalars(select(Complaint.id).where(Complaint.tracking_number == number)
                           ).first() is None:
            return number


def file(session: Session, *, principal: Principal, request: ComplaintIn) -> Complaint:
    """File a complaint (commits); the agent and round are taken from the receipt if named."""
    agents.require_ministry(session, principal)
    person = persons.get_by_national_id(session, request.national_id)
    agent = agents.by_licence(session, request.agent_licence) if request.agent_licence else None
    rnd = get_round(session, request.round) if request.round else None
    receipt = None
    if request.receipt_id is not None:
        receipt = session.get(Receipt, request.receipt_id)
        if receipt is None:
            raise NotFound("no such receipt", code="receipt_not_found")
        if agent is not None and agent.id != receipt.agent_id:
            raise Invalid("the receipt was recorded by another agent", code="agent_mismatch")
    complaint = Complaint(
        tracking_number=new_tracking_number(session), person_id=person.id, about=request.about,
        item=request.item, text=request.text, state=ComplaintState.FILED,
        agent_id=receipt.agent_id if receipt else (agent.id if agent else None),
        round_id=receipt.round_id if receipt else (rnd.id if rnd else None),
        receipt_id=receipt.id if receipt else None)
    session.add(complaint)
    session.flush()
    session.add(ComplaintStep(complaint_id=complaint.id, state=ComplaintState.FILED, note=None,
                              actor=principal.actor))
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.complaint.file", outcome="filed", person_id=person.id,
                  details={"tracking_number": complaint.tracking_number})
    session.commit()
    return complaint


def get(session: Session, tracking_number: str, *, lock: bool = False) -> Complaint:
    """The complaint with this tracking number (404 otherwise)."""
    query = select(Complaint).where(Complaint.tracking_number == tracking_number)
    if lock:
        query = query.with_for_update()
    complaint = session.scalars(query).first()
    if complaint is None:
        raise NotFound("no complaint has this tracking number", code="complaint_not_found")
    return complaint


def read(session: Session, *, principal: Principal, tracking_number: str,
         national_id: str) -> Complaint:
    """The complaint, only for the complainant's national ID (otherwise the same 404)."""
    agents.require_ministry(session, principal)
    complaint = get(session, tracking_number)
    try:
        person = persons.get_by_national_id(session, national_id)
    except DomainError:
        person = None
    if person is None or person.id != complaint.person_id:
        raise NotFound("no complaint has this tracking number", code="complaint_not_found")
    return complaint


def advance(session: Session, *, principal: Principal, tracking_number: str,
            request: StepIn) -> Complaint:
    """Move a complaint to its next state (commits); 409 for a move the states do not allow."""
    agents.require_ministry(session, principal)
    complaint = get(session, tracking_number, lock=True)
    if request.state not in TRANSITIONS[complaint.state]:
        raise Conflict(f"a complaint {complaint.state} cannot become {request.state}",
                       code="invalid_transition",
                       details={"allowed": sorted(TRANSITIONS[complaint.state])})
    if request.state == "routed":  # the request's Literal (a ComplaintState value)
        if request.routed_to is None:
            raise Invalid("routing names the office it goes to", code="routed_to_required")
        complaint.routed_to = request.routed_to
    complaint.state = request.state
    complaint.updated_at = utcnow()
    session.add(ComplaintStep(complaint_id=complaint.id, state=request.state, note=request.note,
                              actor=principal.actor))
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.complaint.step", outcome=request.state,
                  person_id=complaint.person_id,
                  details={"tracking_number": tracking_number})
    session.commit()
    return complaint


def listing(session: Session, *, state: str | None, limit: int) -> list[Complaint]:
    """Complaints for the staff pages, newest first (optionally in one state)."""
    query = select(Complaint).order_by(Complaint.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Complaint.state == state)
    return list(session.scalars(query))


def steps(session: Session, complaint_id: int) -> list[ComplaintStep]:
    return list(session.scalars(select(ComplaintStep).where(
        ComplaintStep.complaint_id == complaint_id).order_by(ComplaintStep.id)))


def labels(session: Session, complaint: Complaint) -> tuple[str | None, str | None]:
    """(agent licence, round code) of a complaint."""
    agent = session.get(RationAgent, complaint.agent_id) if complaint.agent_id else None
    rnd = session.get(Round, complaint.round_id) if complaint.round_id else None
    return (agent.licence if agent else None, rnd.code if rnd else None)
