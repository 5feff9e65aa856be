"""Raqibni for citizens: a complaint filed on the public page, with no key and no identity.

Only what the complaint needs is kept: what it is about, the agent's licence and the round
(from the citizen's card), the item, the description and, optionally, a photo — decoded
strictly (``identity.platform.media``), size-limited, and re-encoded so that no metadata (the
phone's location, its model) survives. No name, no national ID, no address is stored; the web
layer's per-address counters live in memory only. The proof-of-work challenge the page solved
is spent here: its id is a unique column, so a replayed challenge is refused (409).
"""

from __future__ import annotations

import io
from typing import Literal

from PIL import Image
from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agencies.ration import complaints
from agencies.ration.agents import by_licence
from agencies.ration.distribution import get_round
from agencies.ration.schemas import CODE, InputModel
from identity.access import journal
from identity.platform import media
from identity.platform.errors import Conflict, DomainError, Invalid
from models.ration import (
    Complaint,
    ComplaintPhoto,
    ComplaintState,
    ComplaintStep,
    RationAgent,
)

PHOTO_SIDE = 1600  # the stored photo's longest side (pixels): enough to read a label
PHOTO_QUALITY = 85
ACTOR = "public:raqibni"
ITEMS = ("flour", "rice", "sugar", "oil", "legumes", "tomato_paste")


class PublicComplaintIn(InputModel):
    about: Literal["agent", "item", "missing"]
    agent_licence: str = Field(min_length=1, max_length=32, pattern=CODE,
                               description="the agent's licence number, from the card")
    round: str = Field(min_length=1, max_length=16, pattern=CODE,
                       description="the distribution round, from the card")
    item: Literal["flour", "rice", "sugar", "oil", "legumes", "tomato_paste"] | None = None
    text: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _item(self) -> PublicComplaintIn:
        if self.about == "item" and self.item is None:
            raise ValueError("a complaint about an item names the item")
        return self


def clean_photo(data: bytes, max_pixels: int) -> tuple[bytes, int, int]:
    """Decode a JPEG/PNG strictly (415/422 otherwise) and re-encode it as a JPEG of at most
    ``PHOTO_SIDE`` pixels a side, without any metadata. Returns (jpeg, width, height)."""
    decoded = media.decode(data, media.FACE_TYPES, max_pixels=max_pixels, grey=False)
    image = Image.fromarray(decoded.pixels, "RGB")
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=PHOTO_QUALITY)
    return out.getvalue(), image.width, image.height


def _agent(session: Session, licence: str) -> RationAgent:
    try:
        return by_licence(session, licence)
    except DomainError:
        raise Invalid("no agent has this licence number: check it on the card",
                      code="unknown_agent") from None


def file_public(session: Session, request: PublicComplaintIn, *, photo: bytes | None,
                challenge_id: str, max_pixels: int) -> Complaint:
    """File a citizen's complaint (commits). 422 for an unknown agent or round or a bad photo,
    415 for a photo that is no JPEG/PNG, 409 when the challenge was already spent."""
    agent = _agent(session, request.agent_licence)
    try:
        rnd = get_round(session, request.round)
    except DomainError:
        raise Invalid("no round has this code: check it on the card",
                      code="unknown_round") from None
    cleaned = clean_photo(photo, max_pixels) if photo else None
    complaint = Complaint(
        tracking_number=complaints.new_tracking_number(session), person_id=None,
        about=request.about, item=request.item, agent_id=agent.id, round_id=rnd.id,
        text=request.text, state=ComplaintState.FILED, channel="public",
        challenge=challenge_id[:40])
    session.add(complaint)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("this challenge was already used: load the page again",
                       code="challenge_used") from None
    if cleaned is not None:
        session.add(ComplaintPhoto(complaint_id=complaint.id, media_type="image/jpeg",
                                   width=cleaned[1], height=cleaned[2], data=cleaned[0]))
    session.add(ComplaintStep(complaint_id=complaint.id, state=ComplaintState.FILED, note=None,
                                         actor=ACTOR))
    journal.audit(session, actor=ACTOR, action="ration.complaint.file", outcome="filed",
                  details={"tracking_number": complaint.tracking_number, "channel": "public",
                           "photo": cleaned is not None})
    session.commit()
    return complaint


def normalise(tracking_number: str) -> str:
    """What a citizen types (spaces, lower case, no ``RQ-``) → the stored form."""
    raw = "".join(tracking_number.split()).upper()
    return raw if raw.startswith("RQ-") else f"RQ-{raw.removeprefix('RQ')}"


def photo_of(session: Session, complaint_id: int) -> ComplaintPhoto | None:
    return session.scalars(select(ComplaintPhoto).where(
        ComplaintPhoto.complaint_id == complaint_id)).first()
