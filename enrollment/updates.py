"""Biometric updates: fingers (and a new face) added to an existing ID as a new encounter.

A child registered at birth gives fingers at ``child.finger_age`` and again at
``child.adult_age``; an adult whose finger healed gives it later. The new samples are searched
against everyone (persons and held packets) exactly as an enrollment is: when nobody *other*
than the person being updated is likely to own them (the verdict over the other candidates is
"issue"), they are added to that person; otherwise the update is held for review with its
candidates, the person being updated among them. An update never mints an ID.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from enrollment import dedup
from enrollment.decider import Decider, Decision, Status
from enrollment.packet import Packet, check_accounted
from enrollment.service import find_enrollment, new_enrollment, replay
from identity.access import journal
from identity.access.keys import Principal
from identity.biometrics import probes, templates
from identity.platform.errors import Conflict, Invalid
from identity.registry import name_index, persons
from identity.registry.schemas import Demographics
from matching import posterior

UPDATE = "update"


def demographics_for(session: Session, national_id: str) -> Demographics:
    """The demographics an update packet carries: the person's own (404 for an unknown ID)."""
    person = persons.get_by_national_id(session, national_id)
    fields = persons.demographics_of(person)
    session.rollback()
    return Demographics.model_validate({k: fields[k] for k in Demographics.model_fields
                                        if k in fields})


def update(session: Session, national_id: str, packet: Packet, principal: Principal, *,
           max_pixels: int, decider: Decider, today: date | None = None) -> Decision:
    """Add the packet's samples to ``national_id`` (commits): 200 updated (or a replay), 202
    held for review when someone else on file may own them."""
    check_accounted(packet)
    existing = find_enrollment(session, packet.station_id, packet.capture_id)
    if existing is not None:
        return replay(existing, packet)
    person = persons.get_by_national_id(session, national_id)
    if person.life_status != "alive":
        raise Conflict("the person is recorded dead", code="person_deceased")
    if not packet.fingers and packet.face is None:
        raise Invalid("an update carries a face or fingers", code="no_biometrics")
    person_id = person.id
    session.rollback()
    probe = probes.prepare(packet.face, packet.fingers, max_pixels=max_pixels)

    def decide(s: Session) -> Decision:
        found = find_enrollment(s, packet.station_id, packet.capture_id)
        if found is not None:
            return replay(found, packet)
        target = persons.resolve_person(s, person_id)
        enrollment = new_enrollment(packet, source="station", kind=UPDATE)
        s.add(enrollment)
        s.flush()
        a = dedup.assess(s, decider.gallery, probe, persons.demographics_of(target),
                         kind=dedup.packet_kind(probe))
        others = [i for i, c in enumerate(a.candidates) if c.person_id != target.id]
        rest = posterior.decide(
            [posterior.Evidence(a.candidates[i].llr, a.candidates[i].demographic_llr,
                                a.candidates[i].identical,
                                a.candidates[i].person_id is not None) for i in others],
            posterior.Prior(name_index.population(s), dedup.reenrollment_rate(
                dedup.packet_kind(probe))))
        if rest.decision != posterior.ISSUE:
            decision = dedup.hold(s, enrollment, probe, a, principal.actor)
        else:
            enrollment.person_id, enrollment.status = target.id, Status.UPDATED
            stored = templates.store(s, enrollment.id, probe, target.id)
            journal.audit(s, actor=principal.actor, action="person.biometric_update",
                          outcome="updated", person_id=target.id,
                          details={"enrollment_id": enrollment.id,
                                   "fingers": sorted(probe.finger_templates),
                                   "face": probe.face is not None})
            decision = Decision(200, {"enrollment_id": enrollment.id,
                                      "status": Status.UPDATED.value,
                                      "national_id": target.national_id},
                                [t.id for t in stored], search=a.report)
        enrollment.response = decision.body
        return decision

    return decider.run(session, decide)
