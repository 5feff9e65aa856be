"""The one writer of an import: each record's decision and its job row in one transaction.

A record is decided by the same unit as live enrollment (``enrollment.decider.Decider.run``
with ``enrollment.dedup.decide_packet``), so duplicates inside a batch are found: every earlier
record of the batch is committed and in the gallery before the next one is searched. Its
``ImportRecord`` row commits in the same transaction as the decision, which is what makes a
restart exact.

The legacy number is linked to the person in that transaction too: by ``issue_person`` (the
packet's demographics carry ``legacy_ids``) for a new ID, explicitly for a match. A record held
for review keeps its number on the held enrollment (``demographics.legacy_ids``) and on its
``ImportRecord``; the adjudicator's decision links it (``enrollment.adjudication``: "same"
links the held enrollment's ``legacy_ids`` to the candidate, "different" issues a person with
them). A number another person already holds sends the record to review with that holder among
its candidates (``enrollment.dedup``); ``legacy_number_taken`` remains only as a last guard.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from enrollment import dedup
from enrollment.batch.records import Prepared
from enrollment.decider import Decider, Decision
from enrollment.packet import Packet
from enrollment.search import HELD, PERSON, Owner
from enrollment.service import find_enrollment, new_enrollment
from identity.platform.errors import Conflict
from identity.registry import persons
from models.dedup import DuplicateCase
from models.enrollment import Enrollment
from models.imports import ImportRecord


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


def paired_owners(session: Session, job_id: int, keys: Sequence[str]) -> list[Owner]:
    """The owners, now, of this job's records ``keys`` (an all-vs-all import's face pairs):
    the person of an issued or matched record, the held packet of one in review; in the
    order given, each once. Records not decided (rejected, held for a clerk) have none."""
    if not keys:
        return []
    rows = session.execute(
        select(ImportRecord.record_key, Enrollment.id, Enrollment.person_id, Enrollment.status)
        .join(Enrollment, Enrollment.id == ImportRecord.enrollment_id)
        .where(ImportRecord.job_id == job_id, ImportRecord.record_key.in_(list(keys))))
    by_key = {key: (eid, pid, status) for key, eid, pid, status in rows}
    out: list[Owner] = []
    for key in keys:
        if key not in by_key:
            continue
        eid, pid, status = by_key[key]
        owner: Owner | None = None
        if pid is not None:
            owner = (PERSON, persons.resolve_person(session, pid).id)
        elif status == "review":
            owner = (HELD, eid)
        if owner is not None and owner not in out:
            out.append(owner)
    return out


def commit_record(session: Session, *, job_id: int, run: int, register: str, prep: Prepared,
                  decider: Decider, actor: str, also: Sequence[str] = ()) -> ImportRecord:
    """Decide one prepared record and commit it with its job row; return the row. ``also``:
    keys of this job's earlier records whose faces pair with this one (``facepass``); their
    owners join the decision's candidates."""
    if prep.packet is None or prep.extracted is None:
        return write_reject(session, job_id=job_id, run=run, prep=prep,
                            reason=prep.reason or "invalid", detail=prep.detail)
    packet, probe = prep.packet, prep.extracted
    started = time.perf_counter()
    row = ImportRecord(job_id=job_id, record_key=prep.key, legacy_number=packet.capture_id,
                       status="pending", extract_s=prep.extract_s, run=run)

    def decide(s: Session) -> Decision:
        existing = find_enrollment(s, packet.station_id, packet.capture_id)
        if existing is not None:
            _replay(s, existing, packet, row)
            decision = Decision(200, {})
        else:
            enrollment = new_enrollment(packet, source="import", kind=dedup.packet_kind(probe))
            s.add(enrollment)
            s.flush()
            decision = dedup.decide_packet(s, enrollment, packet, probe, actor=actor,
                                           gallery=decider.gallery,
                                           also=paired_owners(s, job_id, also))
            enrollment.response = decision.body
            if enrollment.status == "matched" and enrollment.person_id is not None:
                person = persons.resolve_person(s, enrollment.person_id)
                persons.link_legacy_ids(s, person, {register: packet.capture_id})
            row.status = str(decision.body["status"])
            row.enrollment_id = enrollment.id
            row.person_id = enrollment.person_id
            row.case_id = decision.body.get("case_id")
            if decision.search is not None:
                row.best_llr = decision.search.best_llr
                row.search_s = decision.search.seconds
        row.decide_s = time.perf_counter() - started
        s.add(row)
        return decision

    try:
        decider.run(session, decide, probe=probe)
    except Conflict as exc:
        if exc.code not in ("legacy_id_taken", "legacy_number_reused"):
            raise
        reason = "legacy_number_taken" if exc.code == "legacy_id_taken" else exc.code
        return write_reject(session, job_id=job_id, run=run, prep=prep, reason=reason,
                            detail=exc.message)
    return row
