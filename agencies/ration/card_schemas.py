"""The household view: a card, its members, every block explained in Arabic and English with
the feed row and rule version behind it, the income figures, and what life events proposed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from agencies.ration.schemas import InputModel, MemberView, MoveView


class HouseholdView(BaseModel):
    card_number: str
    governorate: str
    centre: str
    agent_licence: str | None
    status: str
    household_blocked_by: list[str]
    eligible_members: int
    members: list[MemberView]
    past_members: list[MemberView]
    moves: list[MoveView]
    blocks: list[BlockExplained] = Field(
        description="every block of the card and its members, in force or lifted, explained")
    income: IncomeView
    proposals: list[ProposalView] = Field(description="what life events proposed for the card")


class RuleRef(BaseModel):
    id: int
    category: str
    effective_from: date
    effective_to: date | None
    threshold_iqd: int | None
    max_grade: int | None
    min_days: int | None
    basis: str


class FeedRowRef(BaseModel):
    feed_row_id: int
    batch_ref: str
    agency: str
    kind: str
    row_no: int
    ref_date: date | None
    data: dict[str, object]


class BlockExplained(BaseModel):
    id: int
    national_id: str | None = Field(description="none: the block is of the whole card")
    category: str
    reaches: Literal["card", "member", "card_when_head"]
    in_force: bool
    starts_on: date
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None
    label_en: str
    label_ar: str
    explanation_en: str
    explanation_ar: str
    rule: RuleRef | None
    feed_row: FeedRowRef | None
    event_id: int | None
    details: dict[str, object] | None
    appeals: list[AppealView]


class AppealView(BaseModel):
    id: int
    reason: str
    holds_until: date | None
    decided_at: datetime
    ended_at: datetime | None
    ended_reason: str | None


class IncomeLineView(BaseModel):
    feed_row_id: int
    kind: str
    agency: str
    period: str
    amount_iqd: int


class MemberIncomeView(BaseModel):
    national_id: str
    counted_in_household: bool
    why: str = Field(description="head | married | minor (counted in the household's total) | "
                                 "unmarried_adult (judged alone) | deceased (not counted)")
    total_iqd: int
    rows: list[IncomeLineView]


class IncomeView(BaseModel):
    household_total_iqd: int = Field(description="sum over the members counted in it")
    ceiling_iqd: int | None
    month: str | None = Field(description="the month the latest figure speaks of")
    rule_id: int | None
    above_ceiling: bool
    members: list[MemberIncomeView]


class ProposalView(BaseModel):
    task_id: int
    kind: str
    state: str
    card_number: str
    from_card_number: str | None
    national_id: str = Field(description="the person the proposal is about")
    about_national_id: str | None
    event_id: int | None
    reason_en: str
    reason_ar: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    note: str | None


class TaskDecisionIn(InputModel):
    note: str | None = Field(None, max_length=500)


class TaskDismissIn(InputModel):
    note: str = Field(min_length=1, max_length=500)
