"""The staff queue: confirm or dismiss what a life event proposed (commits).

Confirming ``new_head`` moves the collection right: the proposed member becomes the head (and
may collect), the deceased head's membership is closed. ``move_spouse`` /
``return_after_divorce`` close the old membership and open the new one in one transaction at the
same moment, so one person is never on two cards."""

from __future__ import annotations

from sqlalchemy.orm import Session

from agencies.ration import agents, cards, households
from identity.access import journal
from identity.access.keys import Principal
from identity.platform.errors import Conflict, NotFound
from identity.registry import persons
from models.base import utcnow
from models.ration import Household
from models.ration_cases import Proposal, ProposalState


def get(session: Session, task_id: int, *, lock: bool = False) -> Proposal:
    found = session.get(Proposal, task_id, with_for_update=lock)
    if found is None:
        raise NotFound("no such task", code="task_not_found")
    return found


def _card(session: Session, household_id: int | None) -> Household:
    card = session.get(Household, household_id) if household_id is not None else None
    if card is None:
        raise NotFound("the card of this task is gone", code="card_not_found")
    return card


def _new_head(session: Session, task: Proposal, actor: str) -> None:
    card = _card(session, task.household_id)
    candidate = persons.resolve_person(session, task.person_id)
    member = cards.membership(session, candidate.id)
    if member is None or member.household_id != card.id \
            or candidate.life_status == persons.LifeStatus.DECEASED:
        raise Conflict("the proposed head is no longer a living member of the card",
                       code="task_outdated")
    for m in cards.current_members(session, card.id):
        if m.role == "head" and persons.resolve_person(session, m.person_id).life_status \
                == persons.LifeStatus.DECEASED:
            m.left_at, m.left_reason = utcnow(), "deceased (head replaced)"
    session.flush()
    households.make_head(session, card, member, actor)


def _move(session: Session, task: Proposal, actor: str) -> None:
    source, target = _card(session, task.from_household_id), _card(session, task.household_id)
    person = persons.resolve_person(session, task.person_id)
    member = cards.membership(session, person.id)
    if member is None or member.household_id != source.id:
        raise Conflict("the person is no longer on the card this task moves them from",
                       code="task_outdated")
    why = "marriage" if task.kind == "move_spouse" else "divorce"
    households.move_member(session, member, source, target, national_id=person.national_id,
                           reason=f"{why}: moved to card {target.card_number}", actor=actor)


def confirm(session: Session, *, principal: Principal, task_id: int,
            note: str | None) -> Proposal:
    """Carry out a proposal; 409 when it is not open, needs a choice staff must make
    (``head_needed``) or no longer fits the cards."""
    agents.require_ministry(session, principal)
    task = get(session, task_id, lock=True)
    if task.state != ProposalState.OPEN:
        raise Conflict(f"this task is {task.state}", code="task_closed")
    if task.kind == "head_needed":
        raise Conflict("no adult member to propose: name the head on the card, then dismiss "
                       "this task", code="no_candidate")
    if task.kind == "new_head":
        _new_head(session, task, principal.actor)
    elif task.kind in ("add_newborn", "add_spouse"):
        person = persons.resolve_person(session, task.person_id)
        households.join(session, _card(session, task.household_id), person.national_id,
                        authorised=False, actor=principal.actor)
    else:
        _move(session, task, principal.actor)
    return _close(session, task, ProposalState.CONFIRMED, principal, note)


def dismiss(session: Session, *, principal: Principal, task_id: int, note: str) -> Proposal:
    agents.require_ministry(session, principal)
    task = get(session, task_id, lock=True)
    if task.state != ProposalState.OPEN:
        raise Conflict(f"this task is {task.state}", code="task_closed")
    return _close(session, task, ProposalState.DISMISSED, principal, note)


def _close(session: Session, task: Proposal, state: ProposalState, principal: Principal,
           note: str | None) -> Proposal:
    task.state, task.decided_at, task.decided_by = state, utcnow(), principal.actor
    task.note = note[:500] if note else None
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.task", outcome=state, person_id=task.person_id,
                  details={"task_id": task.id, "kind": task.kind})
    session.commit()
    return task
