"""Cases for the workbench tests, from real images and real extraction and scores.

- ``enroll``: a packet through ``POST /v1/enrollments`` (the real decision).
- ``review``: a packet that the real dedup decision holds for review (``202``, a case).
- ``issue_direct`` + ``pair_case``: a second ID for the same human (as a legacy import that
  bypassed dedup would make) and the case between the two issued persons.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select

from bench.packets import DEMOGRAPHICS, face_path, finger_path, packet
from enrollment import dedup, search
from enrollment.packet import Packet
from identity.biometrics import probes, templates
from identity.biometrics.gallery import Gallery
from identity.platform.db import session_factory
from identity.registry import persons
from identity.registry.schemas import Demographics
from models.enrollment import Enrollment

MAX_PIXELS = 4096 * 4096


def wait_ready(gallery: Gallery, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not gallery.ready:
        assert time.monotonic() < end, "gallery never became ready"
        time.sleep(0.05)


def enroll(client, station: dict[str, str], shared: Path, cap: str, face: str | None, db: str,
           imp: int, fingers: tuple[int, ...], **demo: str) -> dict:
    data, files = packet(
        shared, capture_id=cap, demographics=dict(DEMOGRAPHICS, **demo),
        face=face_path(shared, face).read_bytes() if face else None,
        fingers={p: finger_path(shared, p, imp, db).read_bytes() for p in fingers},
        missing={p: "not_captured" for p in range(1, 11) if p not in fingers})
    resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert resp.status_code < 300, resp.text
    return resp.json()


def review_packet(shared: Path, cap: str, **demo: str):
    """A packet dedup holds for review against ``obama.jpg`` + FVC2002_DB1_B 1-4 (impression 1):
    obama2.jpg and finger 1 of impression 2 agree, fingers 2-4 are another person's
    (FVC2002_DB2_B): biometric LLR ~5.7, so the person on file is likely (P ~0.9 on a small
    gallery) but far from the 0.9999 a match needs."""
    fingers = {1: finger_path(shared, 1, 2, "FVC2002_DB1_B").read_bytes()}
    fingers.update({p: finger_path(shared, p, 2, "FVC2002_DB2_B").read_bytes() for p in (2, 3, 4)})
    return packet(shared, capture_id=cap, demographics=dict(DEMOGRAPHICS, **demo),
                  face=face_path(shared, "obama2.jpg").read_bytes(), fingers=fingers,
                  missing=dict.fromkeys(range(5, 11), "not_captured"))


def review(client, station: dict[str, str], shared: Path, cap: str, **demo: str) -> int:
    """POST the review packet; the real decision holds it: returns the case id."""
    data, files = review_packet(shared, cap, **demo)
    resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert resp.status_code == 202 and resp.json()["status"] == "review", resp.text
    return int(resp.json()["case_id"])


def make_packet(shared: Path, cap: str, face: str | None, db: str, imp: int,
                fingers: tuple[int, ...], station: str = "station-2", **demo: str) -> Packet:
    demographics = Demographics.model_validate(dict(DEMOGRAPHICS, **demo))
    return Packet(
        station_id=station, capture_id=cap, demographics=demographics,
        face=face_path(shared, face).read_bytes() if face else None,
        fingers={p: finger_path(shared, p, imp, db).read_bytes() for p in fingers},
        missing_fingers={p: "not_captured" for p in range(1, 11) if p not in fingers})


def _enrollment(p: Packet, status: str) -> Enrollment:
    return Enrollment(station_id=p.station_id, capture_id=p.capture_id,
                      content_hash=p.content_hash(), status=status,
                      demographics=p.demographics.model_dump(mode="json"),
                      missing_fingers={str(k): v for k, v in p.missing_fingers.items()},
                      source="test")


def issue_direct(engine: Engine, gallery: Gallery, p: Packet) -> tuple[str, int]:
    """Issue an ID for ``p`` without dedup; returns (national ID, enrollment id)."""
    probe = probes.prepare(p.face, p.fingers, max_pixels=MAX_PIXELS)
    with session_factory(engine)() as s:
        enrollment = _enrollment(p, "issued")
        s.add(enrollment)
        s.flush()
        person = persons.issue_person(s, p.demographics, actor="test:legacy-import")
        enrollment.person_id = person.id
        ids = [t.id for t in templates.store(s, enrollment.id, probe, person.id)]
        s.commit()
        nid, eid = person.national_id, enrollment.id
    gallery.apply(session_factory(engine), ids, [])
    return nid, eid


def pair_case(engine: Engine, enrollment_id: int, national_id: str) -> int:
    """A case between the person of ``enrollment_id`` and ``national_id``, really scored."""
    with session_factory(engine)() as s:
        enrollment = s.get(Enrollment, enrollment_id)
        assert enrollment is not None
        other = persons.get_by_national_id(s, national_id)
        cand = search.rescore_person(s, other.id, templates.of_enrollment(s, enrollment_id))
        case = dedup.open_case(s, enrollment, [cand], actor="test")
        s.commit()
        return case.id


def events(engine: Engine, type_: str) -> list[dict]:
    from models.security import Event

    with session_factory(engine)() as s:
        return [dict(e.payload, _nid=e.national_id) for e in s.scalars(
            select(Event).where(Event.type == type_).order_by(Event.id))]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = np.frombuffer(data[16:24], dtype=">u4")
    return int(w), int(h)

