"""The identity decision for a packet: search, then issue / match / hold for review.

- no candidate in the review band or above → a new national ID (``issued``, 201);
- one best candidate, a person, in the match band → no new ID: the packet becomes a new
  encounter of that person (``matched``, 200 with the ID); demographics that disagree raise a
  fraud flag;
- otherwise (review band, several candidates in the match band, or a held packet) → a
  duplicate case holding the packet without an ID (``review``, 202 with the case id).

``decide_packet`` runs inside ``Decider.run`` (the caller's transaction, under the decision
lock) and returns the ``Decision``; it never commits.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from enrollment.decider import Decision, SearchReport, Status
from enrollment.names import demographic_differences
from enrollment.packet import Packet
from enrollment.search import Candidate, search
from identity.access import journal
from identity.biometrics import templates
from identity.biometrics.gallery import Gallery
from identity.biometrics.probes import Probe
from identity.registry import persons
from models.dedup import DuplicateCandidate, DuplicateCase
from models.enrollment import Enrollment
from models.person import Person


def candidate_row(case_id: int, cand: Candidate, rank: int) -> DuplicateCandidate:
    """A search candidate as a row of a case (its per-modality scores kept for the admin)."""
    return DuplicateCandidate(
        case_id=case_id, person_id=cand.person_id, held_enrollment_id=cand.held_enrollment_id,
        rank=rank, llr=cand.llr, band=cand.fused.band, face_distance=cand.face_distance,
        finger_scores={str(k): v for k, v in cand.finger_scores.items()})


def open_case(session: Session, enrollment: Enrollment, candidates: list[Candidate],
              *, actor: str) -> DuplicateCase:
    best = candidates[0]
    case = DuplicateCase(enrollment_id=enrollment.id, station_id=enrollment.station_id,
                         birthplace=str(enrollment.demographics.get("birthplace", "")),
                         status="open", best_llr=best.llr, band=best.fused.band)
    session.add(case)
    session.flush()
    for rank, cand in enumerate(candidates, start=1):
        session.add(candidate_row(case.id, cand, rank))
    journal.audit(session, actor=actor, action="dedup.case_opened", outcome="review",
                  details={"case_id": case.id, "enrollment_id": enrollment.id,
                           "best_llr": round(best.llr, 3),
                           "held_candidates": [c.held_enrollment_id for c in candidates
                                               if c.held_enrollment_id is not None]})
    session.flush()
    return case


def decide_packet(session: Session, enrollment: Enrollment, packet: Packet, probe: Probe,
                  *, actor: str, gallery: Gallery) -> Decision:
    """Search, decide and record one packet (its ``enrollment`` row already flushed)."""
    started = time.perf_counter()
    candidates = search(session, gallery, probe)
    report = SearchReport(time.perf_counter() - started, candidates)
    in_match = [c for c in candidates if c.fused.band == "match"]
    in_review = [c for c in candidates if c.fused.band == "review"]

    if len(in_match) == 1 and in_match[0].person_id is not None:
        person = session.get(Person, in_match[0].person_id)
        assert person is not None
        enrollment.person_id = person.id
        enrollment.status = Status.MATCHED
        stored = templates.store(session, enrollment.id, probe, person.id)
        diffs = demographic_differences(packet.demographics.model_dump(mode="json"),
                                        persons.demographics_of(person))
        if diffs:
            person.fraud_flag = True
        journal.audit(session, actor=actor, action="dedup.matched",
                      outcome="fraud_flag" if diffs else "matched", person_id=person.id,
                      details={"enrollment_id": enrollment.id, "differences": diffs,
                               "llr": round(in_match[0].llr, 3)})
        body = {"enrollment_id": enrollment.id, "status": Status.MATCHED.value,
                "national_id": person.national_id, "fraud_flag": bool(diffs)}
        return Decision(200, body, [t.id for t in stored], search=report)

    if in_match or in_review:
        enrollment.status = Status.REVIEW
        stored = templates.store(session, enrollment.id, probe, None)
        case = open_case(session, enrollment, in_match + in_review, actor=actor)
        body = {"enrollment_id": enrollment.id, "status": Status.REVIEW.value,
                "case_id": case.id}
        # A held packet is a candidate for the packets that follow: it joins the gallery.
        return Decision(202, body, [t.id for t in stored], search=report)

    person = persons.issue_person(
        session, packet.demographics, actor=actor,
        source={"enrollment_id": enrollment.id, "station_id": packet.station_id},
    )
    enrollment.person_id = person.id
    enrollment.status = Status.ISSUED
    stored = templates.store(session, enrollment.id, probe, person.id)
    body = {"enrollment_id": enrollment.id, "status": Status.ISSUED.value,
            "national_id": person.national_id}
    return Decision(201, body, [t.id for t in stored], search=report)
