"""The facts feeds reported: per person and stream, the row with the latest reference date
(ties: the row received last). Stale rows stay stored for the record and never decide."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from typing import Any, TypedDict

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.ration import FeedBatch, FeedRow

INCOME_PREFIX = "income:"


def latest(session: Session, person_ids: Iterable[int], streams: Iterable[str] = (),
           *, prefix: str | None = None) -> dict[tuple[int, str], FeedRow]:
    """{(person_id, stream): the deciding row} for the given streams (or stream prefix)."""
    ids = sorted(set(person_ids))
    names = sorted(set(streams))
    if not ids or (not names and prefix is None):
        return {}
    match = FeedRow.stream.in_(names) if prefix is None else FeedRow.stream.startswith(prefix)
    rows = session.scalars(
        select(FeedRow).where(FeedRow.person_id.in_(ids), match, FeedRow.ref_date.is_not(None))
        .order_by(FeedRow.person_id, FeedRow.stream, FeedRow.ref_date, FeedRow.id))
    found: dict[tuple[int, str], FeedRow] = {}
    for row in rows:
        assert row.person_id is not None and row.stream is not None
        found[(row.person_id, row.stream)] = row  # ordered: the last one is the latest
    return found


def newer_exists(session: Session, row: FeedRow) -> bool:
    """True when the person already has a later fact on this row's stream (the row is stale)."""
    if row.person_id is None or row.stream is None or row.ref_date is None:
        return False
    later = or_(FeedRow.ref_date > row.ref_date,
                and_(FeedRow.ref_date == row.ref_date, FeedRow.id > row.id))
    return session.scalars(select(FeedRow.id).where(
        FeedRow.person_id == row.person_id, FeedRow.stream == row.stream, later).limit(1)
    ).first() is not None


class FeedSource(TypedDict):
    """Where a decision's fact came from (``FeedRowRef`` in the API)."""

    feed_row_id: int
    batch_ref: str
    agency: str
    kind: str
    row_no: int
    stream: str | None
    ref_date: str | None  # ISO date
    data: dict[str, Any]
    received_at: str  # ISO time


def source(session: Session, row_id: int | None) -> FeedSource | None:
    """The feed row behind a decision: batch, agency, kind, reference date and the row."""
    if row_id is None:
        return None
    row = session.get(FeedRow, row_id)
    batch = session.get(FeedBatch, row.batch_id) if row else None
    if row is None or batch is None:
        return None
    return {"feed_row_id": row.id, "batch_ref": batch.batch_ref, "agency": batch.agency,
            "kind": batch.kind, "row_no": row.row_no, "stream": row.stream,
            "ref_date": row.ref_date.isoformat() if row.ref_date else None, "data": row.data,
            "received_at": batch.received_at.isoformat()}


def signature(values: object) -> str:
    """A digest of the decisive figures of a decision (an appeal holds while it is unchanged)."""
    body = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def judged_on(ref_date: date, today: date) -> date:
    """Standing facts (a membership, a stay abroad) are judged by the rule in force today."""
    return max(ref_date, today)
