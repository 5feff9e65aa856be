"""Request and response schemas of the ration routes (no biometric field anywhere)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

NationalIdStr = Field(min_length=1, max_length=12)
CODE = r"^[A-Za-z0-9._/-]+$"  # card numbers, licences, centres, round codes, batch refs
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plausible(value: date) -> date:
    if not date(1900, 1, 1) <= value <= date(2100, 12, 31):
        raise ValueError("date must lie between 1900-01-01 and 2100-12-31")
    return value


Day = Annotated[date, AfterValidator(_plausible)]


class InputModel(BaseModel):
    """Every input: unknown fields refused, strings bounded, no control characters (PostgreSQL
    refuses NUL in text: that must be a 422 here, never a 500 there)."""

    model_config = ConfigDict(extra="forbid", str_max_length=2000)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValueError("text contains control characters")
        return value


class MemberIn(InputModel):
    national_id: str = NationalIdStr
    authorised: bool = Field(False, description="may collect the card's ration")


class HouseholdIn(InputModel):
    governorate: str = Field(min_length=1, max_length=50)
    centre: str = Field(min_length=1, max_length=64, pattern=CODE,
                        description="registration centre code")
    agent_licence: str | None = Field(None, min_length=1, max_length=32, pattern=CODE)
    head: str = Field(min_length=1, max_length=12, description="the head's national ID")
    members: list[MemberIn] = Field(default_factory=list, max_length=50)


class TransferIn(InputModel):
    to_card: str = Field(min_length=1, max_length=16, pattern=CODE)
    reason: str = Field(min_length=1, max_length=200)


class RemoveIn(InputModel):
    reason: str = Field(min_length=1, max_length=200)


class AuthoriseIn(InputModel):
    authorised: bool = Field(description="may collect the card's ration")
    reason: str = Field(min_length=1, max_length=200)


class HeadIn(InputModel):
    national_id: str = NationalIdStr
    reason: str = Field(min_length=1, max_length=200)


class MoveIn(InputModel):
    governorate: str = Field(min_length=1, max_length=50)
    centre: str = Field(min_length=1, max_length=64, pattern=CODE)
    agent_licence: str | None = Field(None, min_length=1, max_length=32, pattern=CODE)
    reason: str = Field(min_length=1, max_length=200)


class BlockView(BaseModel):
    id: int
    national_id: str | None = Field(description="the person; none for a card-wide block")
    card_number: str | None = Field(description="the card, for a card-wide block")
    category: str
    scope: str
    temporary: bool
    starts_on: date
    feed_row_id: int | None
    event_id: int | None
    created_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None


class MemberView(BaseModel):
    national_id: str
    role: str
    authorised: bool
    joined_at: datetime
    left_at: datetime | None
    left_reason: str | None
    eligible: bool | None
    reasons: list[str]


class MoveView(BaseModel):
    from_centre: str
    to_centre: str
    from_governorate: str
    to_governorate: str
    reason: str
    at: datetime


class EligibilityView(BaseModel):
    national_id: str
    card_number: str | None
    on: date
    eligible: bool
    reasons: list[str]
    blocks: list[BlockView]


class AppealIn(InputModel):
    reason: str = Field(min_length=1, max_length=500)
    holds_until: Day | None = Field(
        None, description="the decision holds until this date (and while the figures it was "
                          "taken on are unchanged); none: only while they are unchanged")


class AgentIn(InputModel):
    licence: str = Field(min_length=1, max_length=32, pattern=CODE)
    key_id: int = Field(ge=1, le=2**31 - 1)
    governorate: str = Field(min_length=1, max_length=50)
    centre: str = Field(min_length=1, max_length=64, pattern=CODE)


class AgentView(BaseModel):
    licence: str
    key_id: int
    governorate: str
    centre: str


class RuleIn(InputModel):
    category: str = Field(min_length=1, max_length=32)
    effective_from: Day
    basis: str = Field(min_length=1, max_length=200)
    scope: Literal["household_if_head", "member", "household"] | None = None
    threshold_iqd: int | None = Field(None, ge=0, le=10**13)
    min_days: int | None = Field(None, ge=1, le=3650)
    max_grade: int | None = Field(None, ge=1, le=20)


class RuleView(BaseModel):
    id: int
    category: str
    scope: str
    temporary: bool
    threshold_iqd: int | None
    min_days: int | None
    max_grade: int | None
    effective_from: date
    effective_to: date | None
    basis: str


class FeedIn(InputModel):
    batch_ref: str = Field(min_length=1, max_length=64, pattern=CODE,
                           description="idempotency key")
    rows: list[dict[str, object]] = Field(min_length=1, max_length=1000)


class FeedRowResult(BaseModel):
    row_no: int
    national_id: str
    outcome: str
    block_id: int | None = None


class FeedResult(BaseModel):
    batch_id: int
    kind: str
    rows: list[FeedRowResult]


class SyncResult(BaseModel):
    applied: int
    cursor: int
