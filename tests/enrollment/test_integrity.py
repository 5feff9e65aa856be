"""One person, one ID for every packet, however little it carries (issue 14), through the HTTP
API with real images, on SQLite and PostgreSQL: every attack a station can make with fewer
fingers answers review or matched, never a second ID; weak packets need an approved exception;
the concurrent face-only pair gives one ID; a stranger's face-only packet is issued."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.packets import (
    DEMOGRAPHICS,
    OTHER_DEMOGRAPHICS,
    face_path,
    finger_path,
    packet,
    with_exception,
)
from identity.platform.db import session_factory
from models.enrollment import Enrollment, Sample
from models.person import Person
from models.security import AuditRow
from tests.conftest import bearer

# The attacker changes the name, the mother and the birth date: only the body is the same.
ATTACKER = dict(DEMOGRAPHICS, given_name="كريم", mother_name="سعاد", birth_date="1979-05-05")


@pytest.fixture
def keys(make_key) -> tuple[dict[str, str], str]:
    """The station's operator key (as a header) and a second operator's key (the approver)."""
    return bearer(make_key("station", name="office-9")), make_key("station", name="office-9")


def _post(client, station, data_files) -> tuple[int, dict]:
    data, files = data_files
    resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert resp.status_code < 500, resp.text
    return resp.status_code, resp.json()


def _weak(shared: Path, cap: str, face: str | None, fingers: dict[int, bytes],
          demographics: dict, reason: str = "amputated"):
    return packet(shared, capture_id=cap, demographics=demographics,
                  face=face_path(shared, face).read_bytes() if face else None, fingers=fingers,
                  missing={p: reason for p in range(1, 11) if p not in fingers})


@pytest.fixture
def person_a(client, keys, shared_data: Path) -> str:
    station, _ = keys
    code, body = _post(client, station, packet(shared_data, capture_id="a-full"))
    assert (code, body["status"]) == (201, "issued"), body
    return str(body["national_id"])


def _persons(engine) -> int:
    with session_factory(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(Person)) or 0)


def _never_issued(code: int, body: dict, national_id: str) -> None:
    assert body["status"] in ("review", "matched"), body
    assert code in (200, 202)
    if body["status"] == "matched":
        assert body["national_id"] == national_id


def test_a_weak_adult_packet_needs_an_approved_exception(client, keys, make_key, engine,
                                                         shared_data: Path) -> None:
    station, approver = keys
    face_only = _weak(shared_data, "w1", "obama.jpg", {}, DEMOGRAPHICS)
    code, err = _post(client, station, face_only)
    assert code == 422 and err["error"]["code"] == "exception_required"
    assert err["error"]["details"]["missing_fields"] == ["exception_photo", "approver_key"]
    data, files = face_only
    # The operator's own key, another station's operator, a revoked or an agency key: refused.
    own = make_key("station", name="office-9")
    elsewhere = make_key("station", name="office-10")
    agency = make_key("agency", name="bank", scopes=["verify"])
    for bad in (own, elsewhere, agency, "hwk_forged_key"):
        code, err = _post(client, bearer(own), with_exception(face_only, bad))
        assert code == 403 and err["error"]["code"] == "approver_invalid", (bad, err)
    unaccounted = dict(data, missing_fingers='{"1": "amputated"}')
    code, err = _post(client, station, with_exception((unaccounted, files), approver))
    assert code == 422 and err["error"]["details"]["unaccounted_fingers"] == list(range(2, 11))
    assert _persons(engine) == 0

    code, body = _post(client, station, with_exception(face_only, approver))
    assert (code, body["status"]) == (201, "issued"), body  # nobody on file: a new person
    with session_factory(engine)() as s:
        enrollment = s.scalars(select(Enrollment).where(Enrollment.capture_id == "w1")).one()
        assert enrollment.kind == "weak" and enrollment.exception is not None
        assert enrollment.exception["approver"].startswith("station:office-9#")
        assert enrollment.exception["missing"] == {str(p): "amputated" for p in range(1, 11)}
        photo = s.get(Sample, enrollment.exception["photo_sample_id"])
        assert photo is not None and photo.modality == "hands"
        audit = s.scalars(select(AuditRow).where(AuditRow.action == "enrollment.exception")).one()
        assert audit.details["approver"] == enrollment.exception["approver"]
        assert "approver_key" not in str(audit.details) and approver not in str(audit.details)
    admin = bearer(make_key("admin", name="adm"))
    report = client.get("/v1/stations/exceptions", headers=admin).json()
    assert report[0]["station_id"] == "office-9" and report[0]["exceptions"] == 1
    assert report[0]["missing_reasons"] == {"amputated": 10}
    assert client.get("/v1/stations/exceptions", headers=station).status_code == 403


@pytest.mark.parametrize("attack", ["exact_photo", "other_photo", "face_one_finger",
                                    "two_fingers"])
def test_declaring_fingers_missing_never_gets_a_second_id(client, keys, person_a, engine,
                                                          attack: str,
                                                          shared_data: Path) -> None:
    """Issue 14's attacks against a person enrolled with a face and ten fingers."""
    station, approver = keys
    one = {1: finger_path(shared_data, 1, 2).read_bytes()}
    two = {p: finger_path(shared_data, p, 3).read_bytes() for p in (1, 2)}
    face, fingers = {"exact_photo": ("obama.jpg", {}), "other_photo": ("obama2.jpg", {}),
                     "face_one_finger": ("obama2.jpg", one),
                     "two_fingers": (None, two)}[attack]
    for demographics in (ATTACKER, DEMOGRAPHICS):
        cap = f"{attack}-{'x' if demographics is ATTACKER else 's'}"
        code, body = _post(client, station, with_exception(
            _weak(shared_data, cap, face, fingers, demographics), approver))
        _never_issued(code, body, person_a)
    assert _persons(engine) == 1


def test_two_face_only_packets_at_once_give_one_id(client, keys, engine,
                                                   shared_data: Path) -> None:
    station, approver = keys
    packets = [with_exception(_weak(shared_data, f"fo-{n}", img, {}, ATTACKER), approver)
               for n, img in ((1, "obama.jpg"), (2, "obama2.jpg"))]
    results: list[tuple[int, dict]] = []
    barrier = threading.Barrier(2)

    def send(p) -> None:
        barrier.wait()
        results.append(_post(client, station, p))

    threads = [threading.Thread(target=send, args=(p,)) for p in packets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(body["status"] for _, body in results)
    assert statuses.count("issued") == 1 and _persons(engine) == 1, results
    # ...and one after the other too (the third packet sees the first two, held or not).
    _code, third = _post(client, station, with_exception(
        _weak(shared_data, "fo-3", "obama.jpg", {}, ATTACKER), approver))
    assert third["status"] in ("review", "matched") and _persons(engine) == 1


def test_a_strangers_face_only_packet_is_issued(client, keys, person_a, engine,
                                                shared_data: Path) -> None:
    station, approver = keys
    code, body = _post(client, station, with_exception(
        _weak(shared_data, "stranger", "biden.jpg", {}, OTHER_DEMOGRAPHICS), approver))
    assert (code, body["status"]) == (201, "issued"), body
    assert body["national_id"] != person_a and _persons(engine) == 2
