"""The enrollment station's web app (``/station/``, public static files: the clerk signs in
there with the station's key, which the page then sends as a bearer key) and its settings
(``GET /v1/station/config``, station keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel

from api.deps import StationDep
from identity.platform.errors import NotFound
from identity.registry import places
from identity.registry.schemas import NAME_LETTERS
from matching import thresholds

STATIC = Path(__file__).resolve().parents[1] / "station" / "static"
ASSETS = {"station.css": "text/css", "station.js": "text/javascript",
          "sbi.js": "text/javascript", "queue.js": "text/javascript",
          "webcam.js": "text/javascript", "packet.js": "text/javascript"}
# The page talks to its own origin and to SBI services on the loopback ports; nothing else.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' blob: data:; media-src 'self' blob:; "
                               "connect-src 'self' http://127.0.0.1:*; form-action 'none'; "
                               "frame-ancestors 'none'; base-uri 'none'",
}
PAGE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "the page"}}

router = APIRouter(tags=["station"])


@router.get("/station/", response_class=HTMLResponse, summary="The enrollment station's page",
            responses=PAGE_RESPONSES)
def station_page() -> HTMLResponse:
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"), headers=HEADERS)


@router.get("/station/static/{name}", summary="The station's scripts and styles",
            responses={200: {"content": {"text/css": {}, "text/javascript": {}}},
                       404: {"description": "no such asset"}})
def station_asset(
    name: Annotated[str, PathParam(max_length=40, pattern=r"^[a-z]+\.(js|css)$")],
) -> FileResponse:
    if name not in ASSETS:
        raise NotFound("no such asset", code="not_found")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers=HEADERS)


class Place(BaseModel):
    code: str
    ar: str
    en: str


class StationConfig(BaseModel):
    station: str
    key_id: int
    name_pattern: str  # the character class (JavaScript/Python regex body) names are made of
    governorates: list[Place]
    countries: list[Place]
    adult_age: int  # from this age a packet needs min_fingers usable fingers or an exception
    min_fingers: int


@router.get("/v1/station/config", response_model=StationConfig,
            summary="The station's identity and the form's reference data")
def station_config(principal: StationDep) -> StationConfig:
    return StationConfig(
        station=principal.name, key_id=principal.key_id, name_pattern=NAME_LETTERS,
        governorates=[Place(code=g.code, ar=g.arabic, en=g.english)
                      for g in places.GOVERNORATE_TABLE],
        countries=[Place(code=c.code, ar=c.arabic, en=c.english) for c in places.countries()
                   if c.code != places.IRAQ],
        adult_age=int(thresholds.value("child.adult_age")),
        min_fingers=int(thresholds.value("exception.min_fingers")))
