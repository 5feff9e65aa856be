"""Feeds from other agencies: batches of rows per kind (``feed_rows.KINDS``). Each row is
stored with the stream it speaks of and its reference date; a row older than the person's
latest fact on that stream is ``stale`` and decides nothing, otherwise the person's (and their
card's) blocks are reconciled with what the facts now decide. A block records the feed row that
caused it, a lifting row too.

A batch is idempotent on (agency, kind, batch_ref): a replay answers the stored result, the same
reference with other content is a 409. A malformed row refuses the whole batch (422, nothing
stored); an unknown or invalid national ID is that row's recorded outcome.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agencies.ration import facts, reconcile
from agencies.ration.feed_rows import KINDS, NationalityRow, Row, categories_of, locate
from agencies.ration.schemas import FeedIn, FeedResult, FeedRowResult
from identity.access import journal
from identity.access.keys import Principal
from identity.platform.errors import Conflict, DomainError, Invalid, NotFound
from identity.registry import persons
from models.ration import FeedBatch, FeedRow

# The outcome a row reports when several categories moved: the first that did, in this order.
_RANK = ("blocked", "lifted", "appeal_holds", "already_blocked", "no_rule_in_force")


def _parse(kind: str, raw: list[dict[str, object]]) -> list[Row]:
    model = KINDS[kind]
    parsed: list[Row] = []
    errors = []
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
        results = [_row(session, batch, i, row, principal.actor)
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


def _row(session: Session, batch: FeedBatch, row_no: int, row: Row,
         actor: str) -> FeedRowResult:
    try:
        person = persons.get_by_national_id(session, row.national_id)
    except DomainError as exc:
        outcome, person_id = exc.code, None
    else:
        outcome, person_id = "no_change", person.id
    stream, ref_date = locate(batch.kind, batch.agency, row)
    stored = FeedRow(batch_id=batch.id, row_no=row_no, national_id=row.national_id,
                     person_id=person_id, data=row.model_dump(mode="json"), outcome=outcome[:24],
                     stream=stream, ref_date=ref_date)
    session.add(stored)
    session.flush()
    block_id = None
    if person_id is not None:
        outcome, block_id = _decide(session, stored, row, person_id, actor)
        stored.outcome = outcome
    return FeedRowResult(row_no=row_no, national_id=row.national_id, outcome=outcome,
                         block_id=block_id)


def _decide(session: Session, stored: FeedRow, row: Row, person_id: int,
            actor: str) -> tuple[str, int | None]:
    if facts.newer_exists(session, stored):
        return "stale", None
    if isinstance(row, NationalityRow):
        persons.set_nationality(session, person_id, row.nationality, actor=actor,
                                source=f"feed row {stored.id}")
    categories = categories_of(stored.stream or "")
    if not categories:
        return "not_excluded", None
    moved = reconcile.person(session, person_id, categories, actor=actor, today=date.today(),
                             feed_row_id=stored.id, why=f"feed row {stored.id}")
    for outcome in _RANK:
        for item in moved:
            if item.outcome == outcome:
                return outcome, item.block_id
    return "no_change", None
