"""Feeds from other agencies: batches of rows per kind, each row judged by the rule in force
on its reference date; a block records the feed row that caused it, a lifting row too.

A batch is idempotent on (agency, kind, batch_ref): a replay answers the stored result, the same
reference with other content is a 409. A malformed row refuses the whole batch (422, nothing
stored); an unknown or invalid national ID is that row's recorded outcome.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agencies.ration import blocks
from agencies.ration.rules import MEDICAL_SYNDICATES, rule_in_force
from agencies.ration.schemas import Day, FeedIn, FeedResult, FeedRowResult, InputModel
from identity.access import journal
from identity.access.keys import Principal
from identity.platform.errors import Conflict, DomainError, Invalid, NotFound
from identity.registry import persons
from models.ration import Block, FeedBatch, FeedRow

_NID = Field(min_length=12, max_length=12, pattern=r"^[0-9]{12}$")


class _Row(InputModel):
    model_config = ConfigDict(extra="forbid", str_max_length=64)
    national_id: str = _NID


class PayrollRow(_Row):
    period: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    monthly_income_iqd: int = Field(ge=0, le=10**12)


class TaxRow(_Row):
    tax_year: int = Field(ge=1990, le=2100)
    assessed_income_iqd: int = Field(ge=0, le=10**14)


class CompanyRow(_Row):
    role: Literal["owner", "shareholder", "contractor", "chamber_member"]
    contractor_grade: int | None = Field(None, ge=1, le=20)
    active: bool = True
    as_of: Day

    @model_validator(mode="after")
    def _grade(self) -> CompanyRow:
        if self.role == "contractor" and self.contractor_grade is None:
            raise ValueError("a contractor row needs contractor_grade")
        return self


class SyndicateRow(_Row):
    syndicate: str = Field(min_length=1, max_length=32)
    active: bool = True
    as_of: Day

    @field_validator("syndicate")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class TravelRow(_Row):
    movement: Literal["exit", "entry", "residence_abroad"]
    date: Day


class PrisonRow(_Row):
    event: Literal["admitted", "released"]
    date: Day


@dataclass(frozen=True)
class Action:
    """What a row asks: open ``category`` from ``starts_on`` (rule checked), or lift it."""

    category: str
    lift: bool
    on: date  # the date the rule is judged on
    starts_on: date | None = None


_COMPANY = {"owner": "company_owner", "shareholder": "shareholder",
            "contractor": "contractor", "chamber_member": "chamber_member"}


def _payroll(r: PayrollRow) -> list[Action]:
    on = date.fromisoformat(r.period + "-01")
    return [Action("income", False, on, on)]


def _tax(r: TaxRow) -> list[Action]:
    on = min(date(r.tax_year, 12, 31), date.today())
    return [Action("tax", False, on, on)]


def _company(r: CompanyRow) -> list[Action]:
    return [Action(_COMPANY[r.role], not r.active, r.as_of, r.as_of)]


def _syndicate(r: SyndicateRow) -> list[Action]:
    if r.syndicate not in MEDICAL_SYNDICATES:
        return []
    return [Action("medical_syndicate", not r.active, r.as_of, r.as_of)]


def _travel(r: TravelRow) -> list[Action]:
    if r.movement == "exit":
        return [Action("abroad", False, r.date, None)]  # starts after the rule's min_days
    if r.movement == "residence_abroad":
        return [Action("resident_abroad", False, r.date, r.date)]
    return [Action("abroad", True, r.date), Action("resident_abroad", True, r.date)]


def _prison(r: PrisonRow) -> list[Action]:
    return [Action("prison", r.event == "released", r.date, r.date)]


KINDS: dict[str, tuple[type[_Row], Callable[[Any], list[Action]]]] = {
    "payroll": (PayrollRow, _payroll), "tax": (TaxRow, _tax),
    "company_registry": (CompanyRow, _company), "syndicates": (SyndicateRow, _syndicate),
    "travel": (TravelRow, _travel), "prison": (PrisonRow, _prison),
}


def _over_threshold(row: _Row, threshold: int | None) -> bool | None:
    """True/False for income rows against the threshold; None when the row has no amount."""
    amount = getattr(row, "monthly_income_iqd", getattr(row, "assessed_income_iqd", None))
    if amount is None or threshold is None:
        return None
    return int(amount) > threshold


def _apply(session: Session, row: _Row, action: Action, feed_row_id: int, person_id: int,
           actor: str) -> tuple[str, int | None]:
    rule = rule_in_force(session, action.category, action.on)
    over = _over_threshold(row, rule.threshold_iqd if rule else None)
    grade = getattr(row, "contractor_grade", None)
    lift = action.lift or over is False or (
        action.category == "contractor" and rule is not None and rule.max_grade is not None
        and grade is not None and grade > rule.max_grade)
    if lift:
        block = blocks.open_block(session, person_id, action.category)
        if block is None:
            return "no_change", None
        blocks.lift(session, block, by="feed", reason=f"feed row {feed_row_id}", actor=actor,
                    feed_row_id=feed_row_id)
        return "lifted", block.id
    if rule is None:
        return "no_rule_in_force", None
    starts = action.starts_on or action.on + timedelta(days=(rule.min_days or 0) + 1)
    existing = blocks.open_block(session, person_id, action.category)
    if existing is not None:
        return "already_blocked", existing.id
    block = blocks.place(session, person_id=person_id, category=action.category,
                         starts_on=starts, rule=rule, feed_row_id=feed_row_id)
    return "blocked", block.id if block is not None else None


def _parse(kind: str, raw: list[dict[str, object]]) -> list[_Row]:
    model = KINDS[kind][0]
    parsed, errors = [], []
    for i, item in enumerate(raw):
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            errors.append({"row_no": i, "errors": [
                {"loc": [str(p) for p in e["loc"]], "message": e["msg"]} for e in exc.errors()]})
    if errors:
        raise Invalid(f"{len(errors)} row(s) of the batch are invalid", code="invalid_feed_rows",
                      details=errors[:50])
    return parsed


def _replay(session: Session, agency: str, kind: str, batch_ref: str,
            digest: str) -> FeedResult | None:
    existing = session.scalars(select(FeedBatch).where(
        FeedBatch.agency == agency, FeedBatch.kind == kind,
        FeedBatch.batch_ref == batch_ref)).first()
    if existing is None:
        return None
    if existing.content_hash != digest:
        raise Conflict("batch_ref was already used for other rows", code="batch_ref_conflict")
    return FeedResult.model_validate(existing.response)


def ingest(session: Session, *, principal: Principal, kind: str, request: FeedIn) -> FeedResult:
    """Apply one batch (commits)."""
    if kind not in KINDS:
        raise NotFound(f"unknown feed kind; one of {', '.join(KINDS)}", code="unknown_feed")
    rows = _parse(kind, request.rows)
    body = json.dumps([r.model_dump(mode="json") for r in rows], sort_keys=True)
    digest = hashlib.sha256(body.encode()).hexdigest()
    agency = principal.agency_name or principal.name
    replay = _replay(session, agency, kind, request.batch_ref, digest)
    if replay is not None:
        return replay
    batch = FeedBatch(agency=agency, kind=kind, batch_ref=request.batch_ref,
                      content_hash=digest, actor=principal.actor)
    session.add(batch)
    try:
        session.flush()
    except IntegrityError:  # the same batch arriving twice at once (PostgreSQL)
        session.rollback()
        replay = _replay(session, agency, kind, request.batch_ref, digest)
        if replay is None:
            raise
        return replay
    try:
        results = [_row(session, batch.id, i, row, kind, principal.actor)
                   for i, row in enumerate(rows)]
        result = FeedResult(batch_id=batch.id, kind=kind, rows=results)
        batch.response = result.model_dump(mode="json")
        journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                      action="ration.feed", outcome="applied",
                      details={"batch_id": batch.id, "kind": kind, "rows": len(rows)})
        session.commit()
    except IntegrityError:  # a concurrent batch opened the same block (PostgreSQL): retry
        session.rollback()
        raise Conflict("a concurrent feed touched the same person; retry the batch",
                       code="concurrent_feed") from None
    return result


def _row(session: Session, batch_id: int, row_no: int, row: _Row, kind: str,
         actor: str) -> FeedRowResult:
    try:
        person = persons.get_by_national_id(session, row.national_id)
    except DomainError as exc:
        outcome, person_id = exc.code, None
    else:
        outcome, person_id = "no_change", person.id
    stored = FeedRow(batch_id=batch_id, row_no=row_no, national_id=row.national_id,
                     person_id=person_id, data=row.model_dump(mode="json"), outcome=outcome[:24])
    session.add(stored)
    session.flush()
    block_id = None
    if person_id is not None:
        actions = KINDS[kind][1](row)
        outcome = "not_excluded" if not actions else "no_change"
        for action in actions:
            done, done_block = _apply(session, row, action, stored.id, person_id, actor)
            if done != "no_change" and outcome in ("no_change", "not_excluded"):
                outcome, block_id = done, done_block
        stored.outcome = outcome
    return FeedRowResult(row_no=row_no, national_id=row.national_id, outcome=outcome,
                         block_id=block_id)


def block_cause(session: Session, block: Block) -> dict[str, object] | None:
    """The feed row behind a block: batch, agency, kind and the row as sent."""
    if block.feed_row_id is None:
        return None
    row = session.get(FeedRow, block.feed_row_id)
    batch = session.get(FeedBatch, row.batch_id) if row else None
    if row is None or batch is None:
        return None
    return {"feed_row_id": row.id, "batch_ref": batch.batch_ref, "agency": batch.agency,
            "kind": batch.kind, "row_no": row.row_no, "data": row.data}
