"""``/raqibni/``: the citizens' pages and the two JSON endpoints their script calls. Public (no
key): every path here is in ``PUBLIC``, which the app adds to its allow-list."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field, ValidationError

from agencies.ration import complaint_public, complaints
from agencies.ration.complaint_views import ITEMS_AR, CitizenComplaintView, citizen_view
from api.deps import SessionDep
from api.raqibni import pow as proof
from api.ratelimit import RateLimiter
from api.uploads import read_upload
from identity.platform.errors import Forbidden, Invalid, NotFound, TooMany

router = APIRouter(prefix="/raqibni", tags=["raqibni"])
PREFIX = "/raqibni"
PUBLIC = frozenset({f"{PREFIX}/", f"{PREFIX}/track", f"{PREFIX}/raqibni.js",
                    f"{PREFIX}/raqibni.css", f"{PREFIX}/api/challenge",
                    f"{PREFIX}/api/complaints", f"{PREFIX}/api/track"})
_HERE = Path(__file__).parent
_env = Environment(loader=FileSystemLoader(_HERE / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
_STATIC = {name: (_HERE / "static" / name).read_bytes() for name in ("raqibni.js", "raqibni.css")}
HEADERS = {
    "Cache-Control": "no-store", "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
}
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "the page"}}
_LOCK = threading.Lock()
# A header only the page's own script sends: a form posted from another site (a "simple"
# cross-origin request, no preflight) lacks it, so visitors cannot be made to file for others.
SAME_SITE_HEADER = "X-Raqibni"


class Limits:
    """The per-address counters of one app (in memory, per process)."""

    def __init__(self, files_per_hour: int, reads_per_minute: int) -> None:
        self.files = RateLimiter(files_per_hour, window=3600.0)
        self.reads = RateLimiter(reads_per_minute)


def _limits(request: Request) -> Limits:
    with _LOCK:
        found: Limits | None = getattr(request.app.state, "raqibni_limits", None)
        if found is None:
            s = request.app.state.settings
            found = Limits(s.raqibni_files_per_hour, s.raqibni_reads_per_minute)
            request.app.state.raqibni_limits = found
    return found


def _hit(limiter: RateLimiter, request: Request, *, record: bool = True) -> None:
    address = request.client.host if request.client else "unknown"
    retry = limiter.hit(f"addr:{address}", record=record)
    if retry is not None:
        raise TooMany("too many requests from this address", code="rate_limited",
                      details={"retry_after_seconds": retry})


def _page(template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(template).render(**context), headers=HEADERS)


@router.get("/", response_class=HTMLResponse, responses=_HTML,
            summary="Raqibni: file a complaint (Arabic, for phones)")
def file_page(request: Request) -> HTMLResponse:
    s = request.app.state.settings
    return _page("file.html", page="file", items=ITEMS_AR,
                 max_photo_mb=round(s.raqibni_max_photo_bytes / 2**20, 1))


@router.get("/track", response_class=HTMLResponse, responses=_HTML,
            summary="Raqibni: follow a complaint by its tracking number")
def track_page() -> HTMLResponse:
    return _page("track.html", page="track")


@router.get("/raqibni.js", response_class=Response, summary="The pages' script",
            responses={200: {"content": {"text/javascript": {"schema": {"type": "string"}}},
                             "description": "script"}})
def script() -> Response:
    return Response(_STATIC["raqibni.js"], media_type="text/javascript", headers=HEADERS)


@router.get("/raqibni.css", response_class=Response, summary="The pages' style sheet",
            responses={200: {"content": {"text/css": {"schema": {"type": "string"}}},
                             "description": "style sheet"}})
def style() -> Response:
    return Response(_STATIC["raqibni.css"], media_type="text/css", headers=HEADERS)


class ChallengeView(BaseModel):
    challenge: str
    bits: int = Field(description="leading zero bits SHA-256(challenge + ':' + n) must have")
    expires_in: int = Field(description="seconds")


@router.get("/api/challenge", response_model=ChallengeView, summary="A proof-of-work challenge",
            responses={429: {"description": "too many requests from this address"}})
def challenge(request: Request) -> ChallengeView:
    _hit(_limits(request).reads, request)
    s = request.app.state.settings
    return ChallengeView(challenge=proof.issue(bits=s.raqibni_pow_bits,
                                               ttl_seconds=s.raqibni_pow_ttl_seconds,
                                               now=time.time()),
                         bits=s.raqibni_pow_bits, expires_in=s.raqibni_pow_ttl_seconds)


class FiledView(BaseModel):
    tracking_number: str
    state: str
    state_ar: str


@router.post("/api/complaints", response_model=FiledView, status_code=201,
             summary="File a complaint (a solved challenge; no key, no identity)",
             responses={403: {"description": "not sent by the page's own script"},
                        409: {"description": "challenge already used"},
                        413: {"description": "photo too large"},
                        415: {"description": "photo is no JPEG/PNG"},
                        422: {"description": "invalid field, unknown agent or round, bad photo "
                                             "or challenge"},
                        429: {"description": "too many requests from this address"}})
async def file_complaint(
    request: Request, session: SessionDep,
    about: Annotated[str, Form(max_length=8)], agent_licence: Annotated[str, Form(max_length=32)],
    round: Annotated[str, Form(max_length=16)], text: Annotated[str, Form(max_length=2000)],
    challenge: Annotated[str, Form(max_length=100)],
    solution: Annotated[str, Form(max_length=proof.MAX_SOLUTION_DIGITS)],
    item: Annotated[str, Form(max_length=16)] = "",
    photo: Annotated[UploadFile | None, File(description="optional JPEG/PNG")] = None,
    x_raqibni: Annotated[str | None, Header(max_length=8, description="1")] = None,
) -> FiledView:
    limits, s = _limits(request), request.app.state.settings
    _hit(limits.reads, request)
    if x_raqibni != "1":
        raise Forbidden(f"send the {SAME_SITE_HEADER}: 1 header (the page's script does)",
                        code="cross_site_refused")
    _hit(limits.files, request, record=False)  # counted once filed: a typo costs no quota
    try:
        body = complaint_public.PublicComplaintIn.model_validate({
            "about": about, "agent_licence": agent_licence.strip(),
            "round": round.strip(), "item": item or None, "text": text.strip()})
    except ValidationError as exc:
        raise Invalid("the complaint is incomplete or invalid", code="validation_error",
                      details=[{"loc": [str(p) for p in e["loc"]], "message": e["msg"]}
                               for e in exc.errors()]) from None
    challenge_id = proof.check(challenge, solution, min_bits=s.raqibni_pow_bits, now=time.time())
    data = await read_upload(photo, "photo", s.raqibni_max_photo_bytes)
    complaint = complaint_public.file_public(session, body, photo=data or None,
                                             challenge_id=challenge_id,
                                             max_pixels=s.max_image_pixels)
    _hit(limits.files, request)
    view = citizen_view(session, complaint)
    return FiledView(tracking_number=view.tracking_number, state=view.state,
                     state_ar=view.state_ar)


class TrackIn(BaseModel):
    tracking_number: str = Field(min_length=1, max_length=24)


@router.post("/api/track", response_model=CitizenComplaintView,
             summary="A complaint's state and answers, by tracking number",
             responses={404: {"description": "no complaint has this number"},
                        422: {"description": "invalid"},
                        429: {"description": "too many requests from this address"}})
def track(request: Request, body: TrackIn, session: SessionDep) -> CitizenComplaintView:
    _hit(_limits(request).reads, request)
    number = complaint_public.normalise(body.tracking_number)
    if len(number) > 16:
        raise NotFound("no complaint has this tracking number", code="complaint_not_found")
    complaint = complaints.get(session, number)
    view = citizen_view(session, complaint)
    session.rollback()
    return view

