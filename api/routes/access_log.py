"""``GET /v1/persons/{national_id}/access-log``: who checked a person (admin; itself audited)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.deps import AdminDep, SessionDep
from identity.access import journal
from identity.platform.errors import Invalid
from identity.registry import persons

router = APIRouter(prefix="/v1/persons", tags=["persons"])


class AccessEntry(BaseModel):
    audit_id: int
    at: datetime
    actor: str
    agency: str | None
    action: str
    purpose: str | None
    outcome: str
    subject_ref: str | None


class AccessLog(BaseModel):
    national_id: str
    entries: list[AccessEntry]
    next_after: int | None


@router.get("/{national_id}/access-log", response_model=AccessLog,
            summary="Every recorded access to a person, oldest first (admin)",
            responses={404: {"description": "unknown ID"},
                       422: {"description": "bad ID or page size"}})
def get_access_log(
    request: Request,
    national_id: str,
    principal: AdminDep,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> AccessLog:
    max_page = request.app.state.settings.max_page_size
    if limit is not None and limit > max_page:
        raise Invalid(f"limit is at most {max_page}", code="page_too_large")
    size = limit or min(100, max_page)
    if len(national_id) > 12:
        raise Invalid("national ID must be 12 digits", code="invalid_national_id")
    person = persons.get_by_national_id(session, national_id)
    rows = journal.rows_about(session, persons.with_merged(session, person), after=after,
                              limit=size)
    entries = [AccessEntry(audit_id=r.id, at=r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
                           actor=r.actor, agency=r.agency, action=r.action, purpose=r.purpose,
                           outcome=r.outcome, subject_ref=r.subject_ref) for r in rows]
    log = AccessLog(national_id=person.national_id, entries=entries,
                    next_after=rows[-1].id if len(rows) == size else None)
    journal.audit(session, actor=principal.actor, action="person.access_log.read", outcome="ok",
                  person_id=person.id, details={"national_id": national_id})
    session.commit()
    return log
