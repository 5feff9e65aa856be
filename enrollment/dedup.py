"""The identity decision for a packet. (Foundation: every new capture gets a new national ID;
the dedup search replaces this with search + fusion.)"""

from __future__ import annotations

from sqlalchemy.orm import Session

from enrollment.extract import Extracted
from enrollment.packet import Packet
from enrollment.records import Outcome, store_samples
from identity import persons
from models.enrollment import Enrollment


def decide_and_record(session: Session, enrollment: Enrollment, packet: Packet,
                      extracted: Extracted, *, actor: str) -> Outcome:
    person = persons.issue_person(
        session, packet.demographics, actor=actor,
        source={"enrollment_id": enrollment.id, "station_id": packet.station_id},
    )
    enrollment.person_id = person.id
    enrollment.status = "issued"
    store_samples(session, enrollment, extracted, person.id)
    body = {"enrollment_id": enrollment.id, "status": "issued", "national_id": person.national_id}
    return Outcome(201, body)
