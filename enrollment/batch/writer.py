"""The one writer of an import: each record's decision and its job row in one transaction.

A record goes through the same decision path as live enrollment (``enrollment.dedup``) under the
same serialization (the process lock and the database's decision lock of
``enrollment.service``), so duplicates inside a batch are found: every earlier record of the
batch is committed and in the gallery before the next one is searched. Its ``ImportRecord`` row
commits in the same transaction as the decision, which is what makes a restart exact.

The legacy number is linked to the person in that transaction too: by ``issue_person`` (the
packet's demographics carry ``legacy_ids``) for a new ID, explicitly for a match. A record held
for review keeps its number on the held enrollment (``demographics.legacy_ids``) and on its
``ImportRecord``; the adjudicator's decision links it (``enrollment.adjudication``: "same"
links the held enrollment's ``legacy_ids`` to the candidate, "different" issues a person with
them).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from enrollment import dedup
from enrollment.batch.records import Prepared
from enrollment.packet import Packet
from enrollment.service import decision_lock, lock_decisions
from identity.biometrics.gallery import Gallery
from identity.platform.errors import Conflict
from identity.registry import persons
from models.dedup import DuplicateCase
from models.enrollment import Enrollment
from models.imports import ImportRecord


@dataclass
class SearchProbe:
    seconds: float = 0.0
    best_llr: float | None = None


@contextmanager
def observe_search() -> Iterator[SearchProbe]:
    """Time the 1:N search inside ``decide_and_record`` and keep the best fused LLR.

    ``decide_and_record`` neither reports its search time nor the best score of a record that
    got a new ID; wrapping its ``search`` for the length of one decision (under the decision
    lock, in the import's own process) gives both without searching twice.
    """
    probe = SearchProbe()
    real = dedup.search

    def timed(session, gallery, extracted):
        started = time.perf_counter()
        try:
            candidates = real(session, gallery, extracted)
        finally:
            probe.seconds += time.perf_counter() - started
        if candidates:
            probe.best_llr = candidates[0].llr
        return candidates

    setattr(dedup, "search", timed)  # noqa: B010
    try:
        yield probe
    finally:
        setattr(dedup, "search", real)  # noqa: B010


def _find(session: Session, packet: Packet) -> Enrollment | None:
    return session.scalars(select(Enrollment).where(
        Enrollment.station_id == packet.station_id, Enrollment.capture_id == packet.capture_id,
    )).first()


def _case_of(session: Session, enrollment_id: int) -> int | None:
    return session.scalar(select(DuplicateCase.id)
                          .where(DuplicateCase.enrollment_id == enrollment_id)
                          .order_by(DuplicateCase.id).limit(1))


def write_reject(session: Session, *, job_id: int, run: int, prep: Prepared, reason: str,
                 detail: str | None) -> ImportRecord:
    row = ImportRecord(job_id=job_id, record_key=prep.key, legacy_number=prep.legacy_number,
                       status="rejected", reason=reason, detail=(detail or "")[:2000],
                       extract_s=prep.extract_s, run=run)
    session.add(row)
    session.commit()
    return row


def _replay(session: Session, existing: Enrollment, packet: Packet, row: ImportRecord) -> None:
    """The same register number came before (another file, another job): never twice."""
    if existing.content_hash != packet.content_hash():
        raise Conflict(f"register number {packet.capture_id} was already imported with other "
                       "content", code="legacy_number_reused")
    row.status = "replayed"
    row.enrollment_id = existing.id
    row.person_id = existing.person_id
    row.case_id = _case_of(session, existing.id)


def commit_record(session: Session, *, job_id: int, run: int, register: str, prep: Prepared,
                  gallery: Gallery, actor: str) -> ImportRecord:
    """Decide one prepared record and commit it with its job row; return the row."""
    if prep.packet is None or prep.extracted is None:
        return write_reject(session, job_id=job_id, run=run, prep=prep,
                            reason=prep.reason or "invalid", detail=prep.detail)
    packet = prep.packet
    started = time.perf_counter()
    row = ImportRecord(job_id=job_id, record_key=prep.key, legacy_number=packet.capture_id,
                       status="pending", extract_s=prep.extract_s, run=run)
    with decision_lock:
        try:
            lock_decisions(session)
            existing = _find(session, packet)
            post_commit = []
            if existing is not None:
                _replay(session, existing, packet, row)
            else:
                enrollment = Enrollment(
                    station_id=packet.station_id, capture_id=packet.capture_id,
                    content_hash=packet.content_hash(), status="pending",
                    demographics=packet.demographics.model_dump(mode="json"),
                    missing_fingers={str(k): v for k, v in packet.missing_fingers.items()},
                    source="import",
                )
                session.add(enrollment)
                session.flush()
                with observe_search() as probe:
                    outcome = dedup.decide_and_record(session, enrollment, packet,
                                                      prep.extracted, actor=actor,
                                                      gallery=gallery)
                enrollment.response = outcome.body
                if enrollment.status == "matched" and enrollment.person_id is not None:
                    person = persons.resolve_person(session, enrollment.person_id)
                    persons.link_legacy_ids(session, person, {register: packet.capture_id})
                row.status = str(outcome.body["status"])
                row.enrollment_id = enrollment.id
                row.person_id = enrollment.person_id
                row.case_id = outcome.body.get("case_id")
                row.best_llr = probe.best_llr
                row.search_s = probe.seconds
                post_commit = outcome.post_commit
            row.decide_s = time.perf_counter() - started
            session.add(row)
            session.commit()
            # Still under the decision lock: the next record's search must see these vectors.
            for hook in post_commit:
                hook()
        except Conflict as exc:
            session.rollback()
            if exc.code not in ("legacy_id_taken", "legacy_number_reused"):
                raise
            reason = "legacy_number_taken" if exc.code == "legacy_id_taken" else exc.code
            return write_reject(session, job_id=job_id, run=run, prep=prep, reason=reason,
                                detail=exc.message)
        except BaseException:
            session.rollback()
            raise
    return row

