"""``GET /v1/events``: the ordered, durable event feed agencies read with a cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import MAX_ROW_ID, EventsAgencyDep, ReadSessionDep
from api.ratelimit import agency_limit
from identity.access import events
from identity.platform.errors import Invalid

router = APIRouter(prefix="/v1", tags=["agency"])


class EventView(BaseModel):
    cursor: int = Field(description="pass it as ?after= to read what follows")
    type: str = Field(description="id.issued, id.merged, id.unmerged, death.recorded, ...")
    national_id: str | None
    occurred_at: datetime
    data: dict[str, Any]


class EventPage(BaseModel):
    events: list[EventView]
    next_cursor: int = Field(description="the cursor to resume from (unchanged when empty)")


@router.get("/events", response_model=EventPage, summary="Events after a cursor, oldest first",
            responses={422: {"description": "bad cursor or page size"},
                       429: {"description": "rate limited"}})
async def get_events(
    request: Request,
    principal: EventsAgencyDep,
    session: ReadSessionDep,
    after: Annotated[int, Query(ge=0, le=MAX_ROW_ID, description="last cursor seen")] = 0,
    limit: Annotated[int | None, Query(ge=1, description="page size")] = None,
) -> EventPage:
    agency_limit(request, principal)
    max_page = request.app.state.settings.max_page_size
    if limit is not None and limit > max_page:
        raise Invalid(f"limit is at most {max_page}", code="page_too_large")
    size = limit or min(100, max_page)

    def read() -> EventPage:
        rows = events.read_events(session, after, size)
        page = EventPage(events=[EventView(**events.event_json(e)) for e in rows],
                         next_cursor=rows[-1].id if rows else after)
        session.rollback()
        return page

    return await run_in_threadpool(read)
