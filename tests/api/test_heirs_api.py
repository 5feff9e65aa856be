"""``/v1/heirs`` over HTTP: the report end to end (death reported by an agency, family loaded
by an admin), reading it back, refusals, and live probes with real images."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from bench.packets import face_path, finger_path
from identity.platform.db import session_factory
from models.heirs import HeirsReport
from tests.agencies.heirs.family import build_family, count, person
from tests.api.verify_helpers import enroll
from tests.conftest import bearer


@pytest.fixture
def keys(make_key) -> dict[str, dict[str, str]]:
    return {"health": bearer(make_key("agency", name="health", scopes=["deaths"])),
            "court": bearer(make_key("agency", name="court", scopes=["heirs"])),
            "other": bearer(make_key("agency", name="other-court", scopes=["heirs"])),
            "admin": bearer(make_key("admin", name="registrar"))}


def report_death(client, keys, nid: str, day: str = "2024-05-10") -> None:
    resp = client.post("/v1/death-records", headers=keys["health"], json={
        "national_id": nid, "source_type": "hospital_certificate", "document_number": "HC-1",
        "date_of_death": day, "place": "مستشفى اليرموك"})
    assert resp.status_code == 201, resp.text


def test_report_round_trip(client, engine, keys) -> None:
    with session_factory(engine)() as s:
        people = {k: v.national_id for k, v in build_family(s).items()}
    report_death(client, keys, people["deceased"])
    claim = {"deceased_national_id": people["deceased"], "case_reference": "KRK/2024/9",
             "school": "sunni",
             "claimed_heirs": [{"national_id": people[h], "relationship": h}
                               for h in ("wife", "son", "father", "mother")]}
    resp = client.post("/v1/heirs/report", json=claim, headers=keys["court"])
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["claim_complete"] is False  # the daughter is missing
    assert [r["relation_key"] for r in body["unclaimed_relatives"] if r["heir"]] == ["daughter"]
    assert body["death_records"][0]["agency"] == "health"
    assert body["shares"]["rules"] == "iraq"
    again = client.get(f"/v1/heirs/reports/{body['report_id']}", headers=keys["court"])
    assert again.status_code == 200 and again.json() == body
    assert client.get(f"/v1/heirs/reports/{body['report_id']}",
                      headers=keys["other"]).status_code == 404
    assert client.get(f"/v1/heirs/reports/{body['report_id']}",
                      headers=keys["health"]).status_code == 403
    assert client.post("/v1/heirs/report", json=claim, headers=keys["admin"]).status_code == 403
    no_school = client.post("/v1/heirs/report", headers=keys["court"],
                            json={k: v for k, v in claim.items() if k != "school"})
    assert no_school.status_code == 422
    assert no_school.json()["error"]["code"] == "school_required"


def test_refusals_store_nothing(client, engine, keys) -> None:
    with session_factory(engine)() as s:
        alive, dead = person(s), person(s, born="1950-01-01")
        s.commit()
        alive_nid, dead_nid = alive.national_id, dead.national_id
    report_death(client, keys, dead_nid)

    def post(body: dict):
        return client.post("/v1/heirs/report", json=body, headers=keys["court"])

    assert post({"deceased_national_id": alive_nid}).status_code == 409
    assert post({"deceased_national_id": "12"}).status_code == 422
    bad = [
        {"deceased_national_id": dead_nid, "claimed_heirs": [
            {"national_id": alive_nid, "relationship": "friend"}]},
        {"deceased_national_id": dead_nid, "case_reference": "x" * 65},
        {"deceased_national_id": dead_nid, "rules": "maliki"},
        {"deceased_national_id": dead_nid, "claimed_heirs": [
            {"national_id": alive_nid, "relationship": "son", "probe": {"face": "@@@"}}]},
        {"deceased_national_id": dead_nid, "claimed_heirs": [
            {"national_id": alive_nid, "relationship": "son", "probe": {}}]},
        {"deceased_national_id": dead_nid, "claimed_heirs": [
            {"national_id": alive_nid, "relationship": "son", "probe": {"fingers": {"11": ""}}}]},
    ]
    for body in bad:
        resp = post(body)
        assert resp.status_code == 422, (body, resp.text)
    garbage = base64.b64encode(b"not an image").decode()
    resp = post({"deceased_national_id": dead_nid, "claimed_heirs": [
        {"national_id": alive_nid, "relationship": "son", "probe": {"face": garbage}}]})
    assert resp.status_code == 415, resp.text
    with session_factory(engine)() as s:
        assert count(s, HeirsReport) == 0


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def test_probe_that_does_not_match_the_claimed_heir(client, engine, keys, make_key,
                                                    shared_data: Path) -> None:
    station = make_key("station", name="station-h")
    son = enroll(client, station, shared_data, capture_id="heir-1", fingers=(1, 2, 3, 4))
    with session_factory(engine)() as s:
        father = person(s, born="1950-01-01")
        s.commit()
        father_nid = father.national_id
    link = client.post("/v1/kinship/births", headers=keys["admin"],
                       json={"child_national_id": son, "father_national_id": father_nid})
    assert link.status_code == 201, link.text
    report_death(client, keys, father_nid)

    def claim(db: str, face: str) -> dict:
        probe = {"face": _b64(face_path(shared_data, face)),
                 "fingers": {str(p): _b64(finger_path(shared_data, p, 2, db))
                             for p in (1, 2, 3)}}
        resp = client.post("/v1/heirs/report", headers=keys["court"], json={
            "deceased_national_id": father_nid, "school": "sunni",
            "claimed_heirs": [{"national_id": son, "relationship": "son", "probe": probe}]})
        assert resp.status_code == 201, resp.text
        return resp.json()

    genuine = claim("FVC2002_DB1_B", "obama2.jpg")["claimed_heirs"][0]
    assert genuine["identity_verified"] is True
    assert genuine["verification"]["status"] == "match"
    assert genuine["heir"] and genuine["share"] == "1"

    impostor = claim("FVC2002_DB2_B", "biden.jpg")
    line = impostor["claimed_heirs"][0]
    assert line["identity_verified"] is False
    assert line["verification"]["status"] == "no_match"
    assert line["relationship_confirmed"] is True  # the ID is the son's; the person is not
    assert impostor["claim_consistent"] is False
    assert any("did not verify" in f for f in impostor["findings"])
    assert "template" not in str(impostor) and "score" not in str(impostor)


def test_deed_page(client, engine, keys) -> None:
    from tests.agencies.heirs.family import build_deed_family

    with session_factory(engine)() as s:
        people = {k: v.national_id for k, v in build_deed_family(s).items()}
    resp = client.post("/v1/heirs/report", headers=keys["court"], json={
        "deceased_national_id": people["amina"], "school": "sunni",
        "case_reference": "KRK/2024/77"})
    assert resp.status_code == 201, resp.text
    report_id = resp.json()["report_id"]
    page = client.get(f"/v1/heirs/reports/{report_id}/deed", headers=keys["court"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'dir="rtl"' in html and "<script" not in html and "http" not in html.split("<body")[0]
    for text in ("القسام الشرعي", "الوصية الواجبة (المادة 74)", "المناسخة", "القسام النظامي",
                 people["mahdi"], "ابن العم الشقيق", "لا يصلح للتوقيع"):
        assert text in html, text
    assert f"تصح المسألة من <strong class=\"num\">{resp.json()['shares']['tashih']}" in html
    assert client.get(f"/v1/heirs/reports/{report_id}/deed",
                      headers=keys["other"]).status_code == 404
    assert client.get(f"/v1/heirs/reports/{report_id}/deed",
                      headers=keys["health"]).status_code == 403
    assert client.get(f"/v1/heirs/reports/{report_id}/deed").status_code == 401


@pytest.mark.shared_data
def test_live_probes_share_the_verify_lock(engine, make_key, tmp_path: Path,
                                           shared_data: Path) -> None:
    """A court's live probes are judged as /v1/verify judges them: one finger cannot decide and
    is not counted; impostor probes count toward the same lock, across agencies; once locked,
    neither route compares."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from identity.platform.settings import Settings
    from tests.api.verify_helpers import verify

    settings = Settings(environment="test", data_dir=tmp_path / "h", verify_lock_failures=2,
                        verify_lock_person_failures=3, verify_lock_seconds=600)
    with TestClient(create_app(settings, engine)) as client:
        son = enroll(client, make_key("station", name="st-hl"), shared_data, capture_id="hl",
                     fingers=(1, 2, 3, 4))
        with session_factory(engine)() as s:
            father = person(s, born="1950-01-01")
            s.commit()
            father_nid = father.national_id
        admin, health = bearer(make_key("admin", name="reg")), \
            bearer(make_key("agency", name="health", scopes=["deaths"]))
        assert client.post("/v1/kinship/births", headers=admin, json={
            "child_national_id": son, "father_national_id": father_nid}).status_code == 201
        report_death(client, {"health": health}, father_nid)
        court = bearer(make_key("agency", name="court", scopes=["heirs"]))

        def status(probe: dict) -> str:
            resp = client.post("/v1/heirs/report", headers=court, json={
                "deceased_national_id": father_nid, "school": "sunni",
                "claimed_heirs": [{"national_id": son, "relationship": "son", "probe": probe}]})
            assert resp.status_code == 201, resp.text
            return str(resp.json()["claimed_heirs"][0]["verification"]["status"])

        one = {"fingers": {"1": _b64(finger_path(shared_data, 1, 2, "FVC2002_DB1_B"))}}
        for _ in range(3):  # more than the agency's limit: never counted
            assert status(one) == "probe_cannot_decide"
        impostor = {"face": _b64(face_path(shared_data, "biden.jpg"))}
        assert [status(impostor) for _ in range(2)] == ["no_match", "no_match"]
        genuine = {"face": _b64(face_path(shared_data, "obama2.jpg"))}
        assert status(genuine) == "subject_locked"  # the court is locked out of the son
        bank = make_key("agency", name="bank", scopes=["verify"])
        once = verify(client, bank, son, shared_data, face="biden.jpg")
        assert once.status_code == 200 and once.json()["match"] is False
        locked = verify(client, bank, son, shared_data, face="obama2.jpg", db="FVC2002_DB1_B")
        assert locked.status_code == 429  # three failures across the court and the bank
