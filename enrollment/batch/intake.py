"""Records held for a clerk, and flags on cards (``models.import_intake``).

A record whose demographics are incomplete is held, not rejected: its job row says ``held``
and an ``ImportHold`` lists what is missing. A clerk completes it (``complete``); the next run
of the same import releases completed holds (``release_completed``: their ``held`` job rows
go, so the run redoes them with the clerk's items merged over the file's) and marks them
imported once decided. Flags are written before the record's decision (idempotent), so a
restart never loses one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypedDict

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from enrollment.batch.records import Prepared
from enrollment.batch.sources import DEMOGRAPHIC_COLUMNS
from identity.platform.errors import Invalid, NotFound
from models.base import utcnow
from models.import_intake import ImportFlag, ImportHold
from models.imports import ImportRecord


class HoldStatus(StrEnum):
    """``import_holds.status`` (a held record's job row is ``held`` too, until released)."""

    HELD = "held"
    COMPLETED = "completed"  # the clerk supplied every missing item
    IMPORTED = "imported"  # decided by a later run of the import


HELD = HoldStatus.HELD


class HoldView(TypedDict):
    record_key: str
    legacy_number: str | None
    status: str
    missing: list[str]
    as_read: dict[str, Any]
    completed: dict[str, Any]


def record_flags(session: Session, *, job_id: int, prep: Prepared) -> None:
    """Write the flags of ``prep``'s card (once per code; commits when there are any)."""
    if not prep.flags:
        return
    have = set(session.scalars(select(ImportFlag.code).where(
        ImportFlag.job_id == job_id, ImportFlag.record_key == prep.key)))
    for flag in prep.flags:
        if flag["code"] not in have:
            session.add(ImportFlag(job_id=job_id, record_key=prep.key, code=flag["code"],
                                   detail=flag.get("detail") or {}))
            have.add(flag["code"])
    session.commit()


def hold(session: Session, *, job_id: int, run: int, prep: Prepared) -> ImportRecord:
    """Hold ``prep`` for a clerk: its job row (``held``) and its hold, in one commit."""
    assert prep.hold is not None
    missing = list(prep.hold.get("missing", []))
    row = ImportRecord(job_id=job_id, record_key=prep.key, legacy_number=prep.legacy_number,
                       status=HELD, reason="incomplete_demographics",
                       detail=f"missing: {', '.join(missing)}", extract_s=prep.extract_s,
                       run=run)
    session.add(row)
    held = session.scalars(select(ImportHold).where(ImportHold.job_id == job_id,
                                                    ImportHold.record_key == prep.key)).first()
    if held is None:
        held = ImportHold(job_id=job_id, record_key=prep.key, reason="incomplete_demographics",
                          completed={})
        session.add(held)
    held.legacy_number = prep.legacy_number
    held.missing = missing
    held.as_read = dict(prep.hold.get("demographics", {}))
    held.status = HELD
    session.commit()
    return row


def complete(session: Session, *, job_id: int, record_key: str, items: dict[str, str],
             clerk: str) -> ImportHold:
    """A clerk's items for a held record; the hold is ``completed`` once nothing is missing."""
    held = session.scalars(select(ImportHold).where(ImportHold.job_id == job_id,
                                                    ImportHold.record_key == record_key)).first()
    if held is None:
        raise NotFound(f"no held record {record_key!r} in job {job_id}", code="hold_not_found")
    unknown = sorted(set(items) - set(DEMOGRAPHIC_COLUMNS))
    if unknown:
        raise Invalid(f"unknown demographic items: {', '.join(unknown)}", code="bad_items")
    held.completed = {**held.completed, **{k: v.strip() for k, v in items.items() if v.strip()}}
    have = {**held.as_read, **held.completed}
    left = [k for k in DEMOGRAPHIC_COLUMNS if not str(have.get(k, "")).strip()]
    held.missing = left
    held.clerk = clerk
    if not left and held.status == HELD:
        held.status = HoldStatus.COMPLETED
        held.completed_at = utcnow()
    session.commit()
    return held


def release_completed(session: Session, *, job_id: int) -> dict[str, dict[str, str]]:
    """Completed holds of the job, ready to be decided: their ``held`` job rows are removed
    (commit) and their items returned by record key (merged over the file's by the worker)."""
    released = [HoldStatus.COMPLETED, HoldStatus.IMPORTED]
    done = {h.record_key: dict(h.completed) for h in session.scalars(
        select(ImportHold).where(ImportHold.job_id == job_id, ImportHold.status.in_(released)))}
    if done:
        session.execute(delete(ImportRecord).where(ImportRecord.job_id == job_id,
                                                   ImportRecord.status == HELD,
                                                   ImportRecord.record_key.in_(list(done))))
        session.commit()
    return done


def mark_imported(session: Session, *, job_id: int, record_key: str) -> None:
    held = session.scalars(select(ImportHold).where(ImportHold.job_id == job_id,
                                                    ImportHold.record_key == record_key)).first()
    if held is not None and held.status != HoldStatus.IMPORTED:
        held.status = HoldStatus.IMPORTED
        session.commit()


def holds(session: Session, *, job_id: int) -> list[HoldView]:
    """The job's holds, for a clerk's list."""
    return [{"record_key": h.record_key, "legacy_number": h.legacy_number, "status": h.status,
             "missing": h.missing, "as_read": h.as_read, "completed": h.completed}
            for h in session.scalars(select(ImportHold).where(ImportHold.job_id == job_id)
                                     .order_by(ImportHold.id))]
