"""The SBI simulator speaks the protocol: discovery, signed device info, registration capture
of slaps (exceptions left out), single fingers and the face, the hash chain, busy devices, CORS
preflight for browsers, profiles; and ``hawiya devices register|list|revoke`` reads it."""

from __future__ import annotations

import hashlib
import http.client
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from enrollment.devices import client, sbi
from identity.platform.settings import get_settings
from tests.station import helpers as h


@pytest.fixture
def sim(tmp_path: Path, shared_data: Path):
    root = tmp_path / "images"
    h.make_profile(root, "a", shared_data, bad_face_first=True, exception_photo=True)
    h.make_profile(root, "b", shared_data, face="biden.jpg", fingers=(1, 2))
    with h.running(root, tmp_path / "keys") as running:
        yield running


def test_discovery_and_signed_device_info(sim) -> None:
    found = client.call(sim.port, "MOSIPDISC", "/device", {"type": "Biometric Device"})
    assert [d["deviceCode"] for d in found] == ["HWSIM-FINGER-01", "HWSIM-FACE-01"]
    assert all(d["deviceStatus"] == "Ready" and d["purpose"] == "Registration" for d in found)
    assert all(d["callbackId"] == f"http://127.0.0.1:{sim.port}/" for d in found)
    only_face = client.call(sim.port, "MOSIPDISC", "/device", {"type": "Face"})
    assert [d["deviceCode"] for d in only_face] == ["HWSIM-FACE-01"]
    info = client.call(sim.port, "MOSIPDINFO", "/info")
    for item, device in zip(info, sim.sim.devices, strict=True):
        jws = sbi.parse_jws(item["deviceInfo"])
        sbi.verify(jws, device.cert)
        assert jws.payload["deviceCode"] == device.serial
        digital = sbi.parse_jws(jws.payload["digitalId"])
        assert digital.payload["serialNo"] == device.serial
    reported = client.reported_devices(sim.port)
    assert [r.spec.type for r in reported] == ["Finger", "Face"]


def test_slap_capture_signed_chained_and_exceptions_left_out(sim) -> None:
    entries = h.rcapture(sim.port, "Finger", sub_id=1, exception=["Left RingFinger"],
                         transaction="tx-slap")
    names = [h.sample_of(e)[0] for e in entries]
    assert names == ["finger_7", "finger_8", "finger_10"]
    previous = sbi.EMPTY_HASH
    for entry in entries:
        jws = sbi.parse_jws(entry["data"])
        sbi.verify(jws, sim.sim.devices[0].cert)
        data = jws.payload
        assert data["purpose"] == "Registration" and data["transactionId"] == "tx-slap"
        assert 0 <= data["qualityScore"] <= 100
        raw = sbi.unb64url(data["bioValue"])
        assert raw.startswith(b"\x89PNG")
        previous = sbi.chain_hash(previous, raw)
        assert entry["hash"] == previous
        assert hashlib.sha256(raw).hexdigest()  # a real image, not empty
    with pytest.raises(sbi.SbiError):  # another device's key does not verify it
        sbi.verify(sbi.parse_jws(entries[0]["data"]), sim.sim.devices[1].cert)


def test_face_recapture_exception_photo_and_profiles(sim, shared_data: Path) -> None:
    first = h.sample_of(h.rcapture(sim.port, "Face", transaction="tx-f1")[0])[1]
    second = h.sample_of(h.rcapture(sim.port, "Face", transaction="tx-f2")[0])[1]
    assert first != second  # two_people.jpg, then the person's own photo (and it repeats)
    assert second == h.sample_of(h.rcapture(sim.port, "Face", transaction="tx-f3")[0])[1]
    hands = h.rcapture(sim.port, "Face", exception=["Left Thumb"], transaction="tx-ex")[0]
    payload = sbi.parse_jws(hands["data"]).payload
    assert sbi.unb64url(payload["bioValue"]) == (shared_data / "faces" /
        "ageitgey_face_recognition" / "tests" / "test_images" / "biden.jpg").read_bytes()
    sim.select("b")
    thumbs = h.rcapture(sim.port, "Finger", sub_id=3, transaction="tx-b")
    assert [e["error"]["errorCode"] for e in thumbs] == ["0", "101"]  # no left thumb image
    assert client.call(sim.port, "POST", "/admin/profile", {"profileId": "zz"})["profiles"] == \
        ["a", "b"]


def test_bad_transaction_and_cors_preflight(sim) -> None:
    bad = h.rcapture(sim.port, "Face", transaction="x!")
    assert bad[0]["error"]["errorCode"] == "112"
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    conn.request("OPTIONS", "/capture", headers={"Origin": "http://127.0.0.1:8000",
                                                 "Access-Control-Request-Method": "RCAPTURE"})
    resp = conn.getresponse()
    assert resp.status == 204
    assert "RCAPTURE" in resp.getheader("Access-Control-Allow-Methods", "")
    conn.close()


def test_devices_cli_register_list_revoke(sim, sqlite_engine, monkeypatch) -> None:
    monkeypatch.setenv("HAWIYA_DATABASE_URL", sqlite_engine.url.render_as_string())
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        out = runner.invoke(cli, ["devices", "register", "--sbi-port", str(sim.port)])
        assert out.exit_code == 0, out.output
        assert "registered HWSIM-FINGER-01" in out.output
        again = runner.invoke(cli, ["devices", "register", "--sbi-port", str(sim.port)])
        assert again.exit_code == 2 and "already registered" in again.output
        listed = runner.invoke(cli, ["devices", "list"])
        assert "HWSIM-FACE-01" in listed.output and "active" in listed.output
        revoked = runner.invoke(cli, ["devices", "revoke", "HWSIM-FACE-01"])
        assert revoked.exit_code == 0
        assert "revoked" in runner.invoke(cli, ["devices", "list"]).output
        missing = runner.invoke(cli, ["devices", "revoke", "NOPE-1"])
        assert missing.exit_code == 2
    finally:
        get_settings.cache_clear()
