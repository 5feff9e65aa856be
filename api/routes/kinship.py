"""Admin routes loading the kinship links (births, marriages; one or a CSV) and reading the
relations the registry derives from them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import AdminDep, SessionDep
from identity.access import journal
from identity.platform.errors import Invalid
from identity.registry import kinship, kinship_load, persons
from identity.registry.vital_schemas import BirthIn, MarriageIn

router = APIRouter(prefix="/v1/kinship", tags=["kinship"])

CsvBody = Annotated[bytes, Body(media_type="text/csv", description="CSV with a header row")]
_ERRORS: dict[int | str, dict[str, object]] = {
    404: {"description": "unknown national ID"},
    409: {"description": "conflicts with a recorded link"},
    413: {"description": "CSV too large"},
    422: {"description": "invalid rows (every failing row is listed; nothing stored)"},
}


class LinkOutcome(BaseModel):
    outcome: str  # created | updated | unchanged
    birth_id: int | None = None
    marriage_id: int | None = None


_REPLAY: dict[int | str, dict[str, object]] = {
    200: {"model": LinkOutcome, "description": "already recorded (unchanged) or completed"},
    **_ERRORS}


class Counts(BaseModel):
    created: int
    updated: int
    unchanged: int


class LoadSummary(BaseModel):
    births: Counts
    marriages: Counts


class MarriageView(BaseModel):
    contract_date: str
    regime: str
    end_date: str | None
    end_reason: str | None


class RelativeView(BaseModel):
    national_id: str
    relation: str
    life_status: str
    sex: str
    birth_date: str
    via: str | None  # national ID of the linking relative
    note: str | None
    marriage: MarriageView | None


class KinshipView(BaseModel):
    national_id: str
    relatives: list[RelativeView]


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid("CSV must be UTF-8", code="invalid_csv_encoding") from exc


def _created(body: kinship_load.BirthRecorded | kinship_load.MarriageRecorded) -> JSONResponse:
    return JSONResponse(LinkOutcome.model_validate(body).model_dump(),
                        201 if body["outcome"] == "created" else 200)


@router.post("/births", status_code=201, response_model=LinkOutcome, responses=_REPLAY,
             summary="Record a birth (mother and/or father of a child)")
def post_birth(item: BirthIn, principal: AdminDep, session: SessionDep) -> JSONResponse:
    return _created(kinship_load.record_birth(session, item, actor=principal.actor))


@router.post("/marriages", status_code=201, response_model=LinkOutcome, responses=_REPLAY,
             summary="Record a marriage (or its end)")
def post_marriage(item: MarriageIn, principal: AdminDep, session: SessionDep) -> JSONResponse:
    return _created(kinship_load.record_marriage(session, item, actor=principal.actor))


@router.post("/births/bulk", response_model=LoadSummary, responses=_ERRORS,
             summary="Load births from CSV (all or nothing)")
def post_births_csv(body: CsvBody, principal: AdminDep, session: SessionDep) -> LoadSummary:
    rows = kinship_load.parse_csv(_text(body), BirthIn)
    return LoadSummary.model_validate(
        kinship_load.load(session, births=rows, actor=principal.actor, source="csv"))


@router.post("/marriages/bulk", response_model=LoadSummary, responses=_ERRORS,
             summary="Load marriages from CSV (all or nothing)")
def post_marriages_csv(body: CsvBody, principal: AdminDep, session: SessionDep) -> LoadSummary:
    rows = kinship_load.parse_csv(_text(body), MarriageIn)
    return LoadSummary.model_validate(
        kinship_load.load(session, marriages=rows, actor=principal.actor, source="csv"))


@router.get("/{national_id}", response_model=KinshipView, responses=_ERRORS,
            summary="A person's relatives as derived from the links (admin)")
def get_kinship(national_id: str, principal: AdminDep, session: SessionDep) -> KinshipView:
    person = persons.get_by_national_id(session, national_id[:20])
    out = []
    for r in kinship.relatives(session, person):
        m = r.marriage
        out.append(RelativeView(
            national_id=r.person.national_id, relation=r.relation,
            life_status=r.person.life_status, sex=r.person.sex,
            birth_date=r.person.birth_date.isoformat(),
            via=r.via.national_id if r.via else None, note=r.note,
            marriage=None if m is None else MarriageView(
                contract_date=m.contract_date.isoformat(), regime=m.regime,
                end_date=m.end_date.isoformat() if m.end_date else None,
                end_reason=m.end_reason)))
    journal.audit(session, actor=principal.actor, action="kinship.read", outcome="ok",
                  person_id=person.id, details={"national_id": national_id[:20]})
    session.commit()
    return KinshipView(national_id=person.national_id, relatives=out)
