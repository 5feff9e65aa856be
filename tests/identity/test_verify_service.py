"""identity.biometrics.verify with real images: evidence margins, versions, tampering; the lock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, update

from bench.packets import face_path, finger_path, png_bytes
from identity.access import agencies
from identity.biometrics import probes, verify
from identity.platform.db import session_factory
from identity.platform.errors import Invalid
from matching import thresholds
from models.agency_access import VerifyLock
from models.base import utcnow
from models.enrollment import Template
from models.person import Person
from tests.api.verify_helpers import enroll

FINGERS = (1, 2)


def _probe(shared: Path, face: str, db: str) -> probes.Probe:
    return probes.prepare(face_path(shared, face).read_bytes(),
                          {p: finger_path(shared, p, 2, db).read_bytes() for p in FINGERS},
                          max_pixels=4096 * 4096, failure_code="probe_quality_failed")


@pytest.fixture
def enrolled(client, make_key, engine, shared_data: Path) -> int:
    nid = enroll(client, make_key("station", name="st-id"), shared_data, capture_id="e-1",
                 fingers=(*FINGERS, 3, 4))
    with session_factory(engine)() as s:
        return s.scalars(select(Person.id).where(Person.national_id == nid)).one()


def test_genuine_and_impostor_evidence_fall_on_their_side(engine, enrolled,
                                                          shared_data: Path) -> None:
    genuine_probe = _probe(shared_data, "obama2.jpg", "FVC2002_DB1_B")
    impostor_probe = _probe(shared_data, "biden.jpg", "FVC2002_DB2_B")
    with session_factory(engine)() as s:
        person = s.get(Person, enrolled)
        assert person is not None
        genuine = verify.compare_probe(s, person, genuine_probe)
        impostor = verify.compare_probe(s, person, impostor_probe)
    face_t = thresholds.value("face.match_distance")
    assert genuine.face_distance is not None and impostor.face_distance is not None
    assert genuine.face_distance < face_t - 0.05 < face_t + 0.1 < impostor.face_distance
    finger_t = thresholds.value("finger.match_score")
    assert set(genuine.finger_scores) == set(FINGERS) == set(impostor.finger_scores)
    assert max(impostor.finger_scores.values()) < finger_t
    assert min(genuine.finger_scores.values()) > finger_t
    # Through fusion: the same evidence decides the bands.
    with session_factory(engine)() as s:
        person = s.get(Person, enrolled)
        assert person is not None
        assert verify.match_probe(s, person, impostor_probe).band == "no_match"


def test_other_versions_and_tampered_templates_are_never_compared(engine, enrolled,
                                                                   shared_data: Path) -> None:
    probe = _probe(shared_data, "obama2.jpg", "FVC2002_DB1_B")
    with session_factory(engine)() as s:
        rows = s.scalars(select(Template).where(Template.person_id == enrolled)).all()
        face_row = next(r for r in rows if r.modality == "face")
        face_row.ciphertext = face_row.ciphertext[:-1] + bytes([face_row.ciphertext[-1] ^ 1])
        s.commit()
        person = s.get(Person, enrolled)
        assert person is not None
        evidence = verify.compare_probe(s, person, probe)
        assert evidence.face_distance is None  # the altered row fails authentication
        assert set(evidence.finger_scores) == set(FINGERS)
        s.execute(update(Template).where(Template.modality == "finger")
                  .values(extractor_version="0.0-old"))
        s.commit()
        with pytest.raises(Invalid) as err:
            verify.match_probe(s, person, probe)
        assert err.value.code == "no_comparable_modality"


def test_probe_quality_failures_are_named() -> None:
    blank = png_bytes(np.zeros((300, 300), np.uint8))
    black_face = png_bytes(np.zeros((120, 120, 3), np.uint8))
    with pytest.raises(Invalid) as err:
        probes.prepare(black_face, {4: blank}, max_pixels=4096 * 4096,
                       failure_code="probe_quality_failed")
    assert err.value.code == "probe_quality_failed"
    assert {d["sample"] for d in err.value.details} == {"face", "finger_4"}
    with pytest.raises(Invalid) as err:
        probes.prepare(None, {}, max_pixels=4096 * 4096)
    assert err.value.code == "empty_probe"
    with pytest.raises(Invalid) as err:
        probes.prepare(None, {11: blank}, max_pixels=4096 * 4096)
    assert err.value.code == "invalid_finger_position"


def test_lock_counts_consecutive_failures_per_agency_and_expires(engine, enrolled) -> None:
    policy = agencies.LockPolicy(failures=3, seconds=60)
    with session_factory(engine)() as s:
        a = agencies.create_agency(s, name="A", scopes=["verify"])
        b = agencies.create_agency(s, name="B", scopes=["verify"])
        for _ in range(2):
            assert not agencies.record_attempt(s, a.id, enrolled, success=False, policy=policy)
        agencies.record_attempt(s, a.id, enrolled, success=True, policy=policy)  # resets
        for _ in range(2):
            assert not agencies.record_attempt(s, a.id, enrolled, success=False, policy=policy)
        assert agencies.record_attempt(s, a.id, enrolled, success=False, policy=policy)
        s.commit()
        with pytest.raises(agencies.SubjectLocked) as err:
            agencies.check_not_locked(s, a.id, enrolled)
        assert 0 < err.value.details["retry_after_seconds"] <= 61
        agencies.check_not_locked(s, b.id, enrolled)  # another agency is not locked out
        row = s.get(VerifyLock, (a.id, enrolled))
        assert row is not None
        row.locked_until = utcnow() - timedelta(seconds=1)
        s.commit()
        agencies.check_not_locked(s, a.id, enrolled)
        assert agencies.subject_ref(a, enrolled) != agencies.subject_ref(b, enrolled)
        assert agencies.subject_ref(a, enrolled) == agencies.subject_ref(a, enrolled)


def test_concurrent_failures_are_all_counted(engine) -> None:
    import threading
    from datetime import date

    from models.person import NationalId

    with session_factory(engine)() as s:
        agency = agencies.create_agency(s, name="C", scopes=["verify"])
        p = Person(national_id="000000000019", given_name="علي", father_name="حسين",
                   grandfather_name="كاظم", surname="الجبوري", mother_name="زينب",
                   maternal_grandfather_name="جاسم", sex="M", birth_date=date(1980, 1, 1),
                   birthplace="Baghdad")
        s.add(p)
        s.flush()
        s.add(NationalId(national_id=p.national_id, person_id=p.id, issued_to_id=p.id))
        s.commit()
        agency_id, person_id = agency.id, p.id
    policy = agencies.LockPolicy(failures=1000, seconds=60)
    errors: list[BaseException] = []

    def fail_once() -> None:
        try:
            with session_factory(engine)() as s:
                agencies.settle_attempt(s, agency_id, person_id, success=False, policy=policy)
                s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=fail_once) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with session_factory(engine)() as s:
        row = s.get(VerifyLock, (agency_id, person_id))
        assert row is not None and row.failures == 12
