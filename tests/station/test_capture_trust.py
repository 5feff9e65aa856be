"""Trusted captures through POST /v1/enrollments: packets signed by registered SBI devices are
accepted and attested; a broken signature, an unregistered or revoked device, a replayed or
stale capture and an image other than the signed one are refused with their codes, nothing
stored. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.packets import DEMOGRAPHICS
from enrollment.devices import client as sbi_client
from enrollment.devices import sbi
from identity.access import devices
from identity.platform.db import session_factory
from models.devices import CaptureAttestation
from models.enrollment import Enrollment
from models.security import AuditRow
from tests.conftest import bearer
from tests.station import helpers as h


@pytest.fixture
def images(tmp_path: Path, shared_data: Path) -> Path:
    root = tmp_path / "images"
    h.make_profile(root, "ali", shared_data)
    return root


def _register(engine, port: int) -> None:
    with session_factory(engine)() as s:
        for found in sbi_client.reported_devices(port):
            devices.register(s, found.spec, found.certificate_pem, actor="test")


def _count(engine, model) -> int:
    with session_factory(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _right_slap(port: int, transaction: str) -> dict[str, dict]:
    return {h.sample_of(e)[0]: e for e in h.rcapture(port, "Finger", sub_id=2,
                                                      transaction=transaction)}


def _post(client, key: str, entries: dict, capture_id: str, **replace: bytes):
    data, files = h.packet_from(entries, DEMOGRAPHICS, capture_id)
    files = [(n, (f[0], replace.get(n, f[1]), f[2])) for n, f in files]
    return client.post("/v1/enrollments", data=data, files=files, headers=bearer(key))


def _refusal_audited(engine, code: str) -> bool:
    with session_factory(engine)() as s:
        return s.scalars(select(AuditRow).where(AuditRow.action == "capture.refuse",
                                                AuditRow.outcome == code)).first() is not None


def test_signed_packet_is_attested_resent_safely_and_replay_refused(
        client, engine, make_key, images: Path, tmp_path: Path) -> None:
    key = make_key("station", name="station-karkh-01")
    with h.running(images, tmp_path / "keys") as sim:
        _register(engine, sim.port)
        entries = h.capture_all(sim.port, transaction="tx-ali-1")
    first = _post(client, key, entries, "cap-signed-1")
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "issued"
    with session_factory(engine)() as s:
        rows = s.scalars(select(CaptureAttestation)).all()
        assert sorted(r.sample for r in rows) == sorted(entries)
        assert {r.source for r in rows} == {"device"}
        assert all(r.device_id and r.transaction_id and r.captured_at for r in rows)
    again = _post(client, key, entries, "cap-signed-1")  # the station re-sends after a timeout
    assert again.status_code == 200, again.text
    assert again.json()["national_id"] == first.json()["national_id"]
    assert _count(engine, CaptureAttestation) == len(entries)
    replay = _post(client, key, entries, "cap-signed-2")  # the same signed captures, new packet
    assert replay.status_code == 409, replay.text
    assert replay.json()["error"]["code"] == "capture_replayed"
    assert _count(engine, Enrollment) == 1
    assert _refusal_audited(engine, "capture_replayed")


def test_broken_signature_and_swapped_image_refused(client, engine, make_key, images: Path,
                                                    tmp_path: Path) -> None:
    key = make_key("station", name="st-1")
    with h.running(images, tmp_path / "keys") as sim:
        _register(engine, sim.port)
        entries = _right_slap(sim.port, "tx-broken")
    broken = dict(entries, finger_2=h.tamper(entries["finger_2"], qualityScore=99.0))
    resp = _post(client, key, broken, "cap-broken")
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "invalid_signature"
    other = h.sample_of(entries["finger_3"])[1]
    swapped = _post(client, key, entries, "cap-swapped", finger_2=other)
    assert swapped.status_code == 422
    assert swapped.json()["error"]["code"] == "capture_mismatch"
    wrong_finger = {"finger_4": entries["finger_2"]}  # signed as the right index, sent as ring
    resp = _post(client, key, wrong_finger, "cap-wrong-finger")
    assert resp.json()["error"]["code"] == "capture_mismatch"
    assert _count(engine, Enrollment) == 0 and _count(engine, CaptureAttestation) == 0
    assert _refusal_audited(engine, "invalid_signature")


def test_unregistered_and_revoked_devices_refused(client, engine, make_key, images: Path,
                                                  tmp_path: Path) -> None:
    key = make_key("station", name="st-1")
    with h.running(images, tmp_path / "rogue-keys", prefix="ROGUE") as rogue:
        entries = _right_slap(rogue.port, "tx-rogue")
    resp = _post(client, key, entries, "cap-rogue")
    assert resp.status_code == 403, resp.text
    assert resp.json()["error"]["code"] == "device_unregistered"
    with h.running(images, tmp_path / "keys") as sim:
        _register(engine, sim.port)
        entries = _right_slap(sim.port, "tx-revoked")
    with session_factory(engine)() as s:
        devices.revoke(s, "HWSIM-FINGER-01", actor="test")
    resp = _post(client, key, entries, "cap-revoked")
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "device_revoked"
    assert _count(engine, Enrollment) == 0


def test_stale_capture_refused(client, engine, make_key, images: Path, tmp_path: Path) -> None:
    """A capture signed (by the registered device key) four days ago is outside the window."""
    key = make_key("station", name="st-1")
    with h.running(images, tmp_path / "keys") as sim:
        _register(engine, sim.port)
        entries = _right_slap(sim.port, "tx-old")
        device = sim.sim.devices[0]
    entry = entries["finger_2"]
    payload = dict(sbi.parse_jws(entry["data"]).payload, timestamp="2020-01-01T08:00:00Z")
    old = {"finger_2": dict(entry, data=sbi.sign(payload, device.key, device.cert))}
    resp = _post(client, key, old, "cap-old")
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "capture_stale"


def test_unattested_samples_refused_when_required(engine, make_key, images: Path,
                                                  tmp_path: Path, settings) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    strict = settings.model_copy(update={"require_attested_captures": True})
    key = make_key("station", name="st-1")
    with h.running(images, tmp_path / "keys") as sim, \
            TestClient(create_app(strict, engine)) as client:
        _register(engine, sim.port)
        entries = _right_slap(sim.port, "tx-strict")
        data, files = h.packet_from(entries, DEMOGRAPHICS, "cap-strict")
        files = [f for f in files if f[0] != "captures"]
        resp = client.post("/v1/enrollments", data=data, files=files, headers=bearer(key))
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "capture_unattested"
