"""Who is calling: a licensed agent (a ministry key registered with its licence) or the
ministry itself (any other ``ration`` key)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.access import journal
from identity.access.keys import Principal, key_facts
from identity.platform.errors import Conflict, Forbidden, Invalid, NotFound
from identity.registry.schemas import GOVERNORATES
from models.ration import RationAgent


def agent_of(session: Session, principal: Principal) -> RationAgent | None:
    return session.scalars(select(RationAgent).where(RationAgent.key_id == principal.key_id)
                           ).first()


def require_agent(session: Session, principal: Principal) -> RationAgent:
    agent = agent_of(session, principal)
    if agent is None:
        raise Forbidden("only a licensed agent's key may do this", code="not_an_agent")
    return agent


def require_ministry(session: Session, principal: Principal) -> None:
    if agent_of(session, principal) is not None:
        raise Forbidden("agents may not do this (ministry staff only)", code="ministry_only")


def by_licence(session: Session, licence: str) -> RationAgent:
    agent = session.scalars(select(RationAgent).where(RationAgent.licence == licence)).first()
    if agent is None:
        raise NotFound("no agent has this licence", code="agent_not_found")
    return agent


def governorate(value: str) -> str:
    for name in GOVERNORATES:
        if name.lower() == value.strip().lower():
            return name
    raise Invalid(f"governorate must be one of {', '.join(GOVERNORATES)}",
                  code="invalid_governorate")


def register_agent(session: Session, *, principal: Principal, licence: str, key_id: int,
                   governorate_name: str, centre: str) -> RationAgent:
    """Register a ministry key as a licensed agent (commits). The key must be an agency key of
    the caller's own agency holding the ``ration`` scope."""
    require_ministry(session, principal)
    key = key_facts(session, key_id)
    if (key is None or key.role != "agency" or key.agency_id != principal.agency_id
            or "ration" not in key.scopes or key.revoked):
        raise NotFound("no live ration key of your agency has this id", code="key_not_found")
    agent = RationAgent(licence=licence, key_id=key_id, governorate=governorate(governorate_name),
                        centre=centre)
    session.add(agent)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("this licence or key is already registered",
                       code="agent_exists") from None
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.agent.register", outcome="registered",
                  details={"agent_id": agent.id, "licence": licence, "key_id": key_id})
    session.commit()
    return agent


def licence_of(session: Session, agent_id: int | None) -> str | None:
    agent = session.get(RationAgent, agent_id) if agent_id is not None else None
    return agent.licence if agent else None
