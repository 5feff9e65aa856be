"""What a complaint looks like to the ministry (every step and note) and to the citizen who
follows it by tracking number (its state, the dates, and the answers given — nothing internal:
not the office it was routed to, not the notes of routing or escalation)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from agencies.ration import complaint_public, complaints
from models.ration import Complaint

STATES_AR = {"filed": "مُقدَّمة", "routed": "أُحيلت إلى الجهة المختصة", "answered": "تمّت الإجابة",
             "closed": "مُغلقة", "escalated": "صُعِّدت"}
ABOUT_AR = {"agent": "الوكيل", "item": "مادة تموينية", "missing": "حصة لم تُستلم",
            "receipt": "وصل استلام"}
ITEMS_AR = {"flour": "طحين", "rice": "رز", "sugar": "سكر", "oil": "زيت طعام",
            "legumes": "بقوليات", "tomato_paste": "معجون طماطم"}
PUBLIC_NOTES = ("answered", "closed")  # the steps whose note the citizen reads


class StepView(BaseModel):
    state: str
    note: str | None
    at: datetime


class ComplaintView(BaseModel):
    tracking_number: str
    state: str
    about: str
    item: str | None
    agent_licence: str | None
    round: str | None
    receipt_id: int | None
    routed_to: str | None
    text: str
    channel: str
    has_photo: bool
    created_at: datetime
    updated_at: datetime
    steps: list[StepView]


class CitizenStepView(BaseModel):
    state: str
    state_ar: str
    at: datetime
    answer: str | None


class CitizenComplaintView(BaseModel):
    tracking_number: str
    state: str
    state_ar: str
    about: str
    about_ar: str
    item: str | None
    item_ar: str | None
    agent_licence: str | None
    round: str | None
    filed_at: datetime
    updated_at: datetime
    steps: list[CitizenStepView]
    answer: str | None


def staff_view(session: Session, c: Complaint) -> ComplaintView:
    licence, round_code = complaints.labels(session, c)
    return ComplaintView(
        tracking_number=c.tracking_number, state=c.state, about=c.about, item=c.item,
        agent_licence=licence, round=round_code, receipt_id=c.receipt_id, routed_to=c.routed_to,
        text=c.text, channel=c.channel,
        has_photo=complaint_public.photo_of(session, c.id) is not None,
        created_at=c.created_at, updated_at=c.updated_at,
        steps=[StepView(state=s.state, note=s.note, at=s.at)
               for s in complaints.steps(session, c.id)])


def citizen_view(session: Session, c: Complaint) -> CitizenComplaintView:
    licence, round_code = complaints.labels(session, c)
    steps = [CitizenStepView(state=s.state, state_ar=STATES_AR.get(s.state, s.state), at=s.at,
                             answer=s.note if s.state in PUBLIC_NOTES else None)
             for s in complaints.steps(session, c.id)]
    answers = [s.answer for s in steps if s.answer]
    return CitizenComplaintView(
        tracking_number=c.tracking_number, state=c.state,
        state_ar=STATES_AR.get(c.state, c.state), about=c.about,
        about_ar=ABOUT_AR.get(c.about, c.about), item=c.item,
        item_ar=ITEMS_AR.get(c.item, c.item) if c.item else None, agent_licence=licence,
        round=round_code, filed_at=c.created_at, updated_at=c.updated_at, steps=steps,
        answer=answers[-1] if answers else None)
