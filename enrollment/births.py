"""Birth registration: a child under ``child.finger_age`` gets an ID linked to both parents.

A newborn has no usable fingers and a face that says little, so its duplicates are looked for
where they can be: among the children on file of the same mother or father (and birth packets
of the same parents held for review). Each is weighed as a sibling would be
(``matching.demographic.among_siblings``: given name, birth date — twins share it — sex, and the
birth certificate's number), a face adds evidence only in favour, and the posterior over that
small family (``matching.posterior``, prior ``child.reregistration_rate``) decides: a new ID
linked to both parents, the child already on file (its ID; the photo becomes an encounter), or
review. Here the typed record is the evidence, in both directions: a second registration
under another name and a forged certificate looks like a twin, and is caught when the fingers
come (the biometric update at ``child.finger_age`` searches them against everyone, and finds
the first ID's). Fingers are added by a biometric update (``enrollment.updates``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enrollment import dedup, search
from enrollment.decider import Decider, Decision, SearchReport, Status
from enrollment.packet import Packet
from enrollment.search import Candidate
from enrollment.service import find_enrollment, new_enrollment, replay
from identity.access.keys import Principal
from identity.biometrics import probes, templates
from identity.platform.errors import Invalid
from identity.registry import kinship, kinship_load, persons
from identity.registry.vital_schemas import BirthIn
from matching import demographic, posterior, thresholds
from models.enrollment import Enrollment
from models.person import Person

NEWBORN = "newborn"


@dataclass(frozen=True)
class Parents:
    mother_national_id: str
    father_national_id: str
    certificate: str  # the birth certificate's number


def _check(session: Session, packet: Packet, parents: Parents, today: date) -> None:
    if packet.fingers:
        raise Invalid("a birth registration carries no fingers: add them by a biometric update "
                      "when the child is old enough", code="fingers_not_expected")
    if packet.age_on(today) >= thresholds.value("child.finger_age"):
        raise Invalid(f"a birth is registered before the age of "
                      f"{thresholds.value('child.finger_age'):.0f}; older children enroll with "
                      "their fingers", code="too_old_for_birth_registration")
    for nid, sex, role in ((parents.mother_national_id, "F", "mother"),
                           (parents.father_national_id, "M", "father")):
        parent = persons.get_by_national_id(session, nid)
        if parent.sex != sex:
            raise Invalid(f"the {role}'s national ID belongs to a person of the other sex",
                          code="parent_sex_mismatch")


def parents_of(enrollment: Enrollment) -> Parents:
    p = enrollment.parents or {}
    return Parents(str(p.get("mother_national_id")), str(p.get("father_national_id")),
                   str(p.get("certificate")))


def link_held(session: Session, enrollment: Enrollment, child: Person, actor: str) -> None:
    """A held birth packet decided by an adjudicator: link the child to its parents."""
    if enrollment.kind == NEWBORN and enrollment.parents:
        _link(session, child, parents_of(enrollment), actor)


def _family(session: Session, parents: Parents,
            exclude_enrollment: int | None = None) -> list[tuple[str, int]]:
    """The children on file of either parent, and birth packets of the same parents held."""
    owners: list[tuple[str, int]] = []
    for nid in (parents.mother_national_id, parents.father_national_id):
        for child in kinship.children(session, persons.get_by_national_id(session, nid)):
            if (search.PERSON, child.id) not in owners:
                owners.append((search.PERSON, child.id))
    held = session.scalars(select(Enrollment).where(Enrollment.kind == NEWBORN,
                                                    Enrollment.status == Status.REVIEW))
    for enrollment in held:
        p = enrollment.parents or {}
        if enrollment.id != exclude_enrollment and (
                p.get("mother_national_id"), p.get("father_national_id")) == (
                parents.mother_national_id, parents.father_national_id):
            owners.append((search.HELD, enrollment.id))
    return owners


def _certificate_of(session: Session, cand: Candidate) -> str | None:
    if cand.person_id is not None:
        birth = kinship.birth_of(session, persons.resolve_person(session, cand.person_id))
        return birth.document_number if birth is not None else None
    held = session.get(Enrollment, cand.held_enrollment_id)
    return (held.parents or {}).get("certificate") if held is not None else None


def assess(session: Session, probe: probes.Probe, demographics: dict[str, Any],
           parents: Parents, exclude_enrollment: int | None = None) -> dedup.Assessment:
    started = time.perf_counter()
    owners = _family(session, parents, exclude_enrollment)
    cands = search.rescore_owners(session, owners, probe)
    for cand in cands:
        cert = _certificate_of(session, cand)
        cand.demographic = demographic.among_siblings(
            demographics, dedup.demographics_of(session, cand),
            same_certificate=None if cert is None else cert == parents.certificate)
    prior = posterior.Prior(max(1, len(owners)), thresholds.value("child.reregistration_rate"))
    # A face of a newborn is weak and changes fast: it may only add evidence, never remove it.
    evidence = [posterior.Evidence(max(0.0, c.llr), c.demographic_llr,
                                   identical=c.demographic is not None and any(
                                       f.field == "birth_certificate" and f.agrees
                                       for f in c.demographic.fields),
                                   decidable=c.person_id is not None,
                                   demographics_decide=True) for c in cands]
    verdict = posterior.decide(evidence, prior)
    for cand, p, band in zip(cands, verdict.posteriors, verdict.bands, strict=True):
        cand.posterior, cand.band = p, band
    order = sorted(range(len(cands)), key=lambda i: -cands[i].posterior)
    ranked = [cands[i] for i in order]
    best = None if verdict.best is None else order.index(verdict.best)
    verdict = posterior.Verdict(verdict.decision, best, verdict.p_existing,
                                tuple(verdict.posteriors[i] for i in order),
                                tuple(verdict.bands[i] for i in order))
    return dedup.Assessment(ranked, verdict, SearchReport(time.perf_counter() - started, ranked))


def _link(session: Session, child: Person, parents: Parents, actor: str) -> None:
    kinship_load.add_birth(session, BirthIn(
        child_national_id=child.national_id, mother_national_id=parents.mother_national_id,
        father_national_id=parents.father_national_id, source="birth_certificate",
        document_number=parents.certificate), actor=actor)


def register(session: Session, packet: Packet, parents: Parents, principal: Principal, *,
             max_pixels: int, decider: Decider, today: date | None = None) -> Decision:
    """Register a birth (commits): 201 a new ID linked to both parents, 200 the child already
    on file (or a replay), 202 held for review."""
    today = today or date.today()
    existing = find_enrollment(session, packet.station_id, packet.capture_id)
    if existing is not None:
        return replay(existing, packet)
    _check(session, packet, parents, today)
    session.rollback()
    probe = (probes.prepare(packet.face, {}, max_pixels=max_pixels) if packet.face is not None
             else probes.Probe())
    demographics = packet.demographics.model_dump(mode="json")

    def decide(s: Session) -> Decision:
        found = find_enrollment(s, packet.station_id, packet.capture_id)
        if found is not None:
            return replay(found, packet)
        enrollment = new_enrollment(packet, source="station", kind=NEWBORN)
        enrollment.parents = {"mother_national_id": parents.mother_national_id,
                              "father_national_id": parents.father_national_id,
                              "certificate": parents.certificate}
        s.add(enrollment)
        s.flush()
        decision = _decide(s, enrollment, packet, probe, demographics, parents,
                           principal.actor)
        enrollment.response = decision.body
        return decision

    return decider.run(session, decide)


def _decide(session: Session, enrollment: Enrollment, packet: Packet, probe: probes.Probe,
            demographics: dict[str, Any], parents: Parents, actor: str) -> Decision:
    a = assess(session, probe, demographics, parents)
    if a.verdict.decision == posterior.MATCH and a.verdict.best is not None:
        best = a.candidates[a.verdict.best]
        assert best.person_id is not None
        child = persons.resolve_person(session, best.person_id)
        enrollment.person_id, enrollment.status = child.id, Status.MATCHED
        stored = templates.store(session, enrollment.id, probe, child.id)
        body = {"enrollment_id": enrollment.id, "status": Status.MATCHED.value,
                "national_id": child.national_id, "fraud_flag": False}
        return Decision(200, body, [t.id for t in stored], search=a.report)
    if a.verdict.decision == posterior.REVIEW:
        return dedup.hold(session, enrollment, probe, a, actor)
    child = persons.issue_person(session, packet.demographics, actor=actor,
                                 source={"enrollment_id": enrollment.id,
                                         "station_id": packet.station_id, "birth": True})
    _link(session, child, parents, actor)
    enrollment.person_id, enrollment.status = child.id, Status.ISSUED
    stored = templates.store(session, enrollment.id, probe, child.id)
    body = {"enrollment_id": enrollment.id, "status": Status.ISSUED.value,
            "national_id": child.national_id}
    return Decision(201, body, [t.id for t in stored], search=a.report)
