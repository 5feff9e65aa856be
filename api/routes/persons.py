"""Admin reads of the registry (every read is audited)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import AdminDep, SessionDep
from identity.access import journal
from identity.biometrics import templates
from identity.registry import persons

router = APIRouter(prefix="/v1/persons", tags=["persons"])


class SampleInfo(BaseModel):
    sample_id: int
    enrollment_id: int
    modality: str
    position: int
    media_type: str
    width: int
    height: int
    dpi: int | None
    captured_at: datetime


class PersonView(BaseModel):
    national_id: str
    aliases: list[str]
    status: str
    life_status: str
    fraud_flag: bool
    demographics: dict[str, str]
    legacy_ids: dict[str, str]
    samples: list[SampleInfo]


@router.get("/{national_id}", response_model=PersonView, summary="A person's record (admin)",
            responses={404: {"description": "unknown ID"}, 422: {"description": "bad ID"}})
def get_person(national_id: str, principal: AdminDep, session: SessionDep) -> PersonView:
    person = persons.get_by_national_id(session, national_id)
    samples = templates.samples_of(session, person.id)
    view = PersonView(
        national_id=person.national_id, aliases=persons.aliases(session, person),
        status=person.status, life_status=person.life_status, fraud_flag=person.fraud_flag,
        demographics=persons.demographics_of(person),
        legacy_ids=persons.legacy_ids_of(session, person),
        samples=[SampleInfo(sample_id=s.id, enrollment_id=s.enrollment_id, modality=s.modality,
                            position=s.position, media_type=s.media_type, width=s.width,
                            height=s.height, dpi=s.dpi, captured_at=s.created_at)
                 for s in samples],
    )
    journal.audit(session, actor=principal.actor, action="person.read", outcome="ok",
                  person_id=person.id, details={"national_id": national_id})
    session.commit()
    return view
