"""``GET /v1/stations/exceptions``: each station's share of weak packets (admin)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import AdminDep, SessionDep
from enrollment import exceptions

router = APIRouter(prefix="/v1/stations", tags=["stations"])


class StationExceptions(BaseModel):
    station_id: str
    packets: int
    exceptions: int = Field(description="adult packets with too few fingers, approved by a "
                                        "second operator")
    exception_rate: float
    missing_reasons: dict[str, int] = Field(description="declared reasons of the missing "
                                                        "fingers in those packets")


@router.get("/exceptions", response_model=list[StationExceptions],
            summary="Exception rate per station, highest first (admin)")
def station_exceptions(principal: AdminDep, session: SessionDep,
                       since: datetime | None = None) -> list[StationExceptions]:
    rows = exceptions.report(session, since)
    session.rollback()
    return [StationExceptions.model_validate(r) for r in rows]
