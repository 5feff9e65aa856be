"""The identity decision for a packet: search, weigh the evidence, then issue / match / review.

``assess`` gathers the candidates — the 1:N biometric search (persons and packets held for
review), and for a packet with few fingers the demographic blocking search too — scores each
one's demographics (``matching.demographic``), marks near-identical templates (the same
capture sent again) and turns it all into a posterior (``matching.posterior``) with the prior
of the packet's kind. ``decide_packet`` then records the verdict:

- **issued** (201): P(someone on file) below ``posterior.issue_max``: a new national ID;
- **matched** (200): one person is near certain from the biometrics alone: a new encounter of
  that person (demographics that disagree raise the fraud flag; a near-identical capture with
  other demographics goes to review instead);
- **review** (202): anything in between: the packet is held without an ID in a duplicate case
  with its candidates, and joins the gallery as a candidate for the packets that follow.

A legacy number (civil status, nationality, ration ...) the packet claims that another person
already holds never decides alone and never blocks its owner: a packet that would be issued, or
matched to someone other than the holder, is held for review with the holder among its
candidates (``persons.legacy_conflicts``), and the adjudicator decides who the person is.

It runs inside ``Decider.run`` (the caller's transaction, under the decision lock) and never
commits.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from enrollment import search
from enrollment.decider import Decision, SearchReport, Status
from enrollment.names import demographic_differences
from enrollment.packet import Packet
from enrollment.search import Candidate, Owner
from identity.access import journal
from identity.biometrics import templates
from identity.biometrics.gallery import GalleryEngine
from identity.biometrics.probes import Probe
from identity.registry import name_index, persons
from matching import demographic, posterior, thresholds
from models.dedup import DuplicateCandidate, DuplicateCase
from models.enrollment import Enrollment

FULL, WEAK = "full", "weak"


@dataclass
class Assessment:
    candidates: list[Candidate]  # most probable first
    verdict: posterior.Verdict
    report: SearchReport


def packet_kind(probe: Probe) -> str:
    """``full`` when the packet has enough usable fingers to decide identity, else ``weak``."""
    enough = len(probe.finger_templates) >= thresholds.value("exception.min_fingers")
    return FULL if enough else WEAK


def reenrollment_rate(kind: str) -> float:
    return thresholds.value("posterior.reenrollment_rate" if kind == FULL
                            else "posterior.reenrollment_rate_weak")


def _identical(cand: Candidate) -> bool:
    v = thresholds.value
    face = cand.face_distance is not None and cand.face_distance <= v("face.identical_distance")
    return face or any(s >= v("finger.identical_score") for s in cand.finger_scores.values())


def demographics_of(session: Session, cand: Candidate) -> dict[str, Any]:
    if cand.person_id is not None:
        return persons.demographics_of(persons.resolve_person(session, cand.person_id))
    held = session.get(Enrollment, cand.held_enrollment_id)
    assert held is not None
    return dict(held.demographics)


def assess(session: Session, gallery: GalleryEngine, probe: Probe, demographics: dict[str, Any], *,
           kind: str, exclude_enrollment: int | None = None,
           population: int | None = None, also: Sequence[Owner] = ()) -> Assessment:
    """Every candidate for a packet with its evidence, and the verdict. ``also``: owners
    found another way (an all-vs-all import's face pairs), scored 1:1 with the rest."""
    started = time.perf_counter()
    cands = search.search(session, gallery, probe, exclude_enrollment)
    full_list = len(cands) >= int(thresholds.value("dedup.max_candidates"))
    unseen = min(c.llr for c in cands) if full_list else None
    wanted = list(also)
    if kind != FULL:  # few fingers: names and dates find who the biometrics alone cannot
        limit = int(thresholds.value("dedup.max_candidates"))
        wanted += [(search.PERSON, persons.resolve_person(session, i).id)
                   if kind_ == name_index.PERSON else (search.HELD, i)
                   for kind_, i in name_index.search(session, demographics, limit=limit,
                                                     exclude_enrollment=exclude_enrollment)]
    seen = {c.owner for c in cands} | {(search.HELD, exclude_enrollment)}
    found = [o for o in dict.fromkeys(wanted) if o not in seen]
    if found:
        cands += search.rescore_owners(session, found, probe, gallery.pool)
    for cand in cands:
        cand.demographic = demographic.compare(demographics, demographics_of(session, cand))
        cand.identical = _identical(cand)
    prior = posterior.Prior(name_index.population(session) if population is None
                            else population, reenrollment_rate(kind))
    verdict = posterior.decide([posterior.Evidence(c.llr, c.demographic_llr, c.identical,
                                                   c.person_id is not None) for c in cands],
                               prior, unseen_llr=unseen)
    for cand, p, band in zip(cands, verdict.posteriors, verdict.bands, strict=True):
        cand.posterior, cand.band = p, band
    order = sorted(range(len(cands)), key=lambda i: (-cands[i].posterior, cands[i].owner))
    ranked = [cands[i] for i in order]
    best = None if verdict.best is None else order.index(verdict.best)
    verdict = posterior.Verdict(verdict.decision, best, verdict.p_existing,
                                tuple(verdict.posteriors[i] for i in order),
                                tuple(verdict.bands[i] for i in order))
    return Assessment(ranked, verdict, SearchReport(time.perf_counter() - started, ranked))


def candidate_row(case_id: int, cand: Candidate, rank: int) -> DuplicateCandidate:
    """A candidate as a row of a case (its per-modality scores kept for the admin)."""
    return DuplicateCandidate(
        case_id=case_id, person_id=cand.person_id, held_enrollment_id=cand.held_enrollment_id,
        rank=rank, llr=cand.llr, demographic_llr=cand.demographic_llr,
        posterior=cand.posterior, identical=cand.identical, band=cand.band,
        face_distance=cand.face_distance,
        finger_scores={str(k): v for k, v in cand.finger_scores.items()})


def open_case(session: Session, enrollment: Enrollment, candidates: list[Candidate],
              *, actor: str, p_existing: float | None = None) -> DuplicateCase:
    best = candidates[0] if candidates else None
    case = DuplicateCase(enrollment_id=enrollment.id, station_id=enrollment.station_id,
                         birthplace=str(enrollment.demographics.get("birthplace", "")),
                         status="open", best_llr=best.llr if best else 0.0,
                         band=best.band if best else posterior.REVIEW, p_existing=p_existing)
    session.add(case)
    session.flush()
    for rank, cand in enumerate(candidates, start=1):
        session.add(candidate_row(case.id, cand, rank))
    journal.audit(session, actor=actor, action="dedup.case_opened", outcome="review",
                  details={"case_id": case.id, "enrollment_id": enrollment.id,
                           "best_llr": round(best.llr, 3) if best else None,
                           "p_existing": p_existing,
                           "held_candidates": [c.held_enrollment_id for c in candidates
                                               if c.held_enrollment_id is not None]})
    session.flush()
    return case


def _matched(session: Session, enrollment: Enrollment, packet: Packet, probe: Probe,
             best: Candidate, actor: str, report: SearchReport) -> Decision | None:
    """The packet is ``best``'s person; None when it must go to review instead (a
    near-identical capture sent with other demographics)."""
    assert best.person_id is not None
    person = persons.resolve_person(session, best.person_id)
    diffs = demographic_differences(packet.demographics.model_dump(mode="json"),
                                    persons.demographics_of(person))
    if diffs and best.identical:
        return None
    enrollment.person_id = person.id
    enrollment.status = Status.MATCHED
    stored = templates.store(session, enrollment.id, probe, person.id)
    if diffs:
        person.fraud_flag = True
    journal.audit(session, actor=actor, action="dedup.matched",
                  outcome="fraud_flag" if diffs else "matched", person_id=person.id,
                  details={"enrollment_id": enrollment.id, "differences": diffs,
                           "llr": round(best.llr, 3), "posterior": best.posterior,
                           "identical": best.identical})
    body = {"enrollment_id": enrollment.id, "status": Status.MATCHED.value,
            "national_id": person.national_id, "fraud_flag": bool(diffs)}
    return Decision(200, body, [t.id for t in stored], search=report)


def hold(session: Session, enrollment: Enrollment, probe: Probe, a: Assessment,
         actor: str) -> Decision:
    """Hold the packet for review: no ID; it joins the gallery and the name index as a
    candidate for the packets that follow it."""
    enrollment.status = Status.REVIEW
    stored = templates.store(session, enrollment.id, probe, None)
    name_index.index_held(session, enrollment)
    shown = [c for c in a.candidates if c.band != posterior.NO_MATCH] or a.candidates[:1]
    case = open_case(session, enrollment, shown, actor=actor, p_existing=a.verdict.p_existing)
    body = {"enrollment_id": enrollment.id, "status": Status.REVIEW.value, "case_id": case.id}
    return Decision(202, body, [t.id for t in stored], search=a.report)


def _with_holders(session: Session, gallery: GalleryEngine, probe: Probe, a: Assessment,
                  demographics: dict[str, Any], holders: set[int]) -> Assessment:
    """``a`` with every holder of a claimed legacy number among the candidates shown for
    review (re-scored 1:1 when the search did not find them)."""
    known = {c.person_id for c in a.candidates}
    added = search.rescore_owners(session, [(search.PERSON, h) for h in sorted(holders - known)],
                                  probe, gallery.pool)
    for cand in added:
        cand.demographic = demographic.compare(demographics, demographics_of(session, cand))
    for cand in a.candidates + added:
        if cand.person_id in holders and cand.band == posterior.NO_MATCH:
            cand.band = posterior.REVIEW  # shown: the number says they may be one person
    return Assessment(a.candidates + added, a.verdict, a.report)


def decide_packet(session: Session, enrollment: Enrollment, packet: Packet, probe: Probe,
                  *, actor: str, gallery: GalleryEngine, also: Sequence[Owner] = ()) -> Decision:
    """Search, decide and record one packet (its ``enrollment`` row already flushed);
    ``also``: extra candidate owners (``assess``)."""
    demographics = packet.demographics.model_dump(mode="json")
    a = assess(session, gallery, probe, demographics, kind=enrollment.kind, also=also)
    holders = {c.holder_id for c in
               persons.legacy_conflicts(session, packet.demographics.legacy_ids)}
    best = None if a.verdict.best is None else a.candidates[a.verdict.best]
    if a.verdict.decision == posterior.MATCH and best is not None and (
            not holders or holders == {best.person_id}):
        matched = _matched(session, enrollment, packet, probe, best, actor, a.report)
        if matched is not None:
            return matched
    if holders:
        journal.audit(session, actor=actor, action="dedup.legacy_conflict", outcome="review",
                      details={"enrollment_id": enrollment.id, "holders": sorted(holders)})
        return hold(session, enrollment, probe,
                    _with_holders(session, gallery, probe, a, demographics, holders), actor)
    if a.verdict.decision != posterior.ISSUE:
        return hold(session, enrollment, probe, a, actor)
    person = persons.issue_person(
        session, packet.demographics, actor=actor,
        source={"enrollment_id": enrollment.id, "station_id": packet.station_id},
    )
    enrollment.person_id = person.id
    enrollment.status = Status.ISSUED
    stored = templates.store(session, enrollment.id, probe, person.id)
    body = {"enrollment_id": enrollment.id, "status": Status.ISSUED.value,
            "national_id": person.national_id}
    return Decision(201, body, [t.id for t in stored], search=a.report)
