"""The identity decision for a packet: search, then issue / match / hold for review.

- no candidate in the review band or above → a new national ID (``issued``, 201);
- one best candidate in the match band → no new ID: the packet becomes a new encounter of that
  person (``matched``, 200 with the ID); demographics that disagree raise a fraud flag;
- otherwise (review band, or several persons in the match band) → a duplicate case holding the
  packet without an ID (``review``, 202 with the case id) for an adjudicator.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from enrollment.extract import Extracted
from enrollment.names import demographic_differences
from enrollment.packet import Packet
from enrollment.records import Outcome, store_samples
from enrollment.search import Candidate, search
from identity.access import journal
from identity.biometrics.gallery import Gallery
from identity.registry import persons
from models.dedup import DuplicateCandidate, DuplicateCase
from models.enrollment import Enrollment
from models.person import Person


def _index_hook(session: Session, gallery: Gallery, template_ids: list[int]):
    factory = sessionmaker(bind=session.get_bind())
    return lambda: gallery.add_committed(factory, template_ids)


def candidate_row(case_id: int, cand: Candidate, rank: int) -> DuplicateCandidate:
    """A search candidate as a row of a case (its per-modality scores kept for the admin)."""
    return DuplicateCandidate(
        case_id=case_id, person_id=cand.person_id, rank=rank, llr=cand.llr,
        band=cand.fused.band, face_distance=cand.face_distance,
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
        if cand.fused.band == "no_match" and rank > 1:
            continue
        session.add(candidate_row(case.id, cand, rank))
    journal.audit(session, actor=actor, action="dedup.case_opened", outcome="review",
                  details={"case_id": case.id, "enrollment_id": enrollment.id,
                           "best_llr": round(best.llr, 3)})
    session.flush()
    return case


def decide_and_record(session: Session, enrollment: Enrollment, packet: Packet,
                      extracted: Extracted, *, actor: str, gallery: Gallery) -> Outcome:
    candidates = search(session, gallery, extracted)
    in_match = [c for c in candidates if c.fused.band == "match"]
    in_review = [c for c in candidates if c.fused.band == "review"]

    if len(in_match) == 1:
        person = session.get(Person, in_match[0].person_id)
        assert person is not None
        enrollment.person_id = person.id
        enrollment.status = "matched"
        templates = store_samples(session, enrollment, extracted, person.id)
        diffs = demographic_differences(packet.demographics.model_dump(mode="json"),
                                        persons.demographics_of(person))
        if diffs:
            person.fraud_flag = True
        journal.audit(session, actor=actor, action="dedup.matched",
                      outcome="fraud_flag" if diffs else "matched", person_id=person.id,
                      details={"enrollment_id": enrollment.id, "differences": diffs,
                               "llr": round(in_match[0].llr, 3)})
        body = {"enrollment_id": enrollment.id, "status": "matched",
                "national_id": person.national_id, "fraud_flag": bool(diffs)}
        return Outcome(200, body, [_index_hook(session, gallery, [t.id for t in templates])])

    if in_match or in_review:
        enrollment.status = "review"
        store_samples(session, enrollment, extracted, None)
        case = open_case(session, enrollment, in_match + in_review, actor=actor)
        body = {"enrollment_id": enrollment.id, "status": "review", "case_id": case.id}
        return Outcome(202, body)

    person = persons.issue_person(
        session, packet.demographics, actor=actor,
        source={"enrollment_id": enrollment.id, "station_id": packet.station_id},
    )
    enrollment.person_id = person.id
    enrollment.status = "issued"
    templates = store_samples(session, enrollment, extracted, person.id)
    body = {"enrollment_id": enrollment.id, "status": "issued", "national_id": person.national_id}
    return Outcome(201, body, [_index_hook(session, gallery, [t.id for t in templates])])
