"""Receipts after a 1:1 biometric verify with real images (skips without the shared data):
a genuine collector, a non-matching finger refused, a second receipt refused, and two agents
recording the same card and round at once giving exactly one receipt."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from agencies.ration import distribution
from bench.packets import DEMOGRAPHICS, face_path, finger_path, packet
from identity.platform.db import session_factory
from models.ration import Receipt
from models.security import AuditRow
from tests.api.ration_helpers import FLOUR_G, agent, citizens, create_card, desk, open_round
from tests.conftest import bearer

FINGERS = (1, 2, 3, 4)


def _enroll(client, make_key, shared: Path) -> str:
    station = bearer(make_key("station", name="station-basra-1"))
    data, files = packet(shared, capture_id="ration-head", demographics=dict(DEMOGRAPHICS),
                         face=face_path(shared).read_bytes(),
                         fingers={p: finger_path(shared, p).read_bytes() for p in FINGERS},
                         missing={p: "not_captured" for p in range(1, 11) if p not in FINGERS})
    resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert resp.status_code == 201 and resp.json()["status"] == "issued", resp.text
    return str(resp.json()["national_id"])


def _probe(shared: Path, *, genuine: bool) -> list[tuple[str, tuple[str, bytes, str]]]:
    if genuine:  # another capture of the same face and fingers
        files = [("face", ("f.jpg", face_path(shared, "obama2.jpg").read_bytes(), "image/jpeg"))]
        return files + [(f"finger_{p}", (f"{p}.tif", finger_path(shared, p, 2).read_bytes(),
                                         "image/tiff")) for p in FINGERS]
    # Somebody else's fingers at the same positions (another FVC set), no face.
    return [(f"finger_{p}", (f"{p}.tif", finger_path(shared, p, 1, "FVC2004_DB2_B")
                             .read_bytes(), "image/tiff")) for p in FINGERS]


@pytest.fixture
def world(client, engine, make_key, shared_data: Path) -> dict:
    head = _enroll(client, make_key, shared_data)
    ministry = desk(make_key)
    wife, son = citizens(engine, 2)
    number = create_card(client, ministry, head, wife, son)["card_number"]
    open_round(client, ministry)
    return {"head": head, "wife": wife, "son": son, "card": number, "ministry": ministry,
            "agent_a": agent(client, engine, make_key, ministry, "BS-A-0001"),
            "agent_b": agent(client, engine, make_key, ministry, "BS-A-0002")}


def _receipt(client, headers, world, files):
    return client.post("/v1/ration/receipts", headers=headers, files=files, data={
        "card_number": world["card"], "round": "2026-11",
        "collector_national_id": world["head"]})


def _count(engine) -> int:
    with session_factory(engine)() as s:
        return len(s.scalars(select(Receipt)).all())


def test_genuine_collector_gets_the_quantities_of_eligible_members(
        client, engine, world, shared_data: Path) -> None:
    # The son is in prison: the card collects for two.
    client.post("/v1/ration/feeds/prison", headers=world["ministry"], json={
        "batch_ref": "moj-7", "rows": [{"national_id": world["son"], "event": "admitted",
                                        "date": "2025-05-01"}]})
    resp = _receipt(client, world["agent_a"], world, _probe(shared_data, genuine=True))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["eligible_members"] == 2 and body["agent_licence"] == "BS-A-0001"
    assert {i["item"]: i["quantity"] for i in body["items"]} == {
        "flour": 2 * FLOUR_G, "rice": 6000, "oil": 2000}
    assert "face" in body["modalities_used"]
    again = _receipt(client, world["agent_b"], world, _probe(shared_data, genuine=True))
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_collected"
    assert again.json()["error"]["details"]["receipt_id"] == body["receipt_id"]
    assert _count(engine) == 1


def test_a_non_matching_finger_is_refused(client, engine, world, shared_data: Path) -> None:
    resp = _receipt(client, world["agent_a"], world, _probe(shared_data, genuine=False))
    assert resp.status_code == 403, resp.text
    assert resp.json()["error"]["code"] == "collector_not_verified"
    assert resp.json()["error"]["details"]["decision_band"] != "match"
    assert _count(engine) == 0
    with session_factory(engine)() as s:  # the failed verify is on the audit trail
        verifies = s.scalars(select(AuditRow).where(AuditRow.action == "verify")).all()
        assert [v.outcome for v in verifies] == [resp.json()["error"]["details"]["decision_band"]]
    # A member who is neither head nor authorised may not collect at all.
    other = client.post("/v1/ration/receipts", headers=world["agent_a"],
                        files=_probe(shared_data, genuine=True), data={
                            "card_number": world["card"], "round": "2026-11",
                            "collector_national_id": world["son"]})
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "collector_not_authorised"


def test_two_agents_at_once_give_exactly_one_receipt(app, engine, backend, world,
                                                     shared_data: Path) -> None:
    files = _probe(shared_data, genuine=True)
    start = threading.Barrier(2)
    # On PostgreSQL both writers are held after their last check, so only the unique
    # constraint can refuse the second; SQLite serializes writers (BEGIN IMMEDIATE) instead.
    held = threading.Barrier(2, timeout=60)
    if backend == "postgres":
        distribution.before_write = held.wait
    results: list[tuple[int, str]] = []

    def collect(headers) -> None:
        with TestClient(app) as c:
            start.wait()
            r = _receipt(c, headers, world, files)
            results.append((r.status_code, r.json().get("error", {}).get("code", "")))

    try:
        threads = [threading.Thread(target=collect, args=(world[k],))
                   for k in ("agent_a", "agent_b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        distribution.before_write = None
    assert sorted(results) == [(201, ""), (409, "already_collected")]
    assert _count(engine) == 1
