"""Verify policy (issue 16, item 7), with real images: one finger cannot decide and is not a
failure; life status only with a match; the lockout counts across agencies; probes that fail
the quality check count toward it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from bench.packets import png_bytes
from identity.biometrics.verify_policy import can_match, llr_ceiling
from identity.platform.db import session_factory
from identity.platform.settings import Settings
from matching import thresholds
from models.agency_access import VerifyLock, VerifyPersonLock
from models.security import AuditRow
from tests.api.verify_helpers import enroll, verify
from tests.conftest import bearer

FVC = "FVC2002_DB1_B"


def test_what_can_reach_match_follows_the_tables() -> None:
    match = thresholds.value("verify.match_llr")
    assert llr_ceiling(face=False, fingers=1) < match  # the reason one finger cannot decide
    assert not can_match(face=False, fingers=1)
    assert can_match(face=False, fingers=2) and can_match(face=True, fingers=0)


@pytest.fixture
def lenient(engine, tmp_path: Path):
    """Five failures per agency, three across agencies."""
    settings = Settings(environment="test", data_dir=tmp_path / "v", verify_lock_failures=5,
                        verify_lock_person_failures=3, verify_lock_seconds=600)
    with TestClient(create_app(settings, engine)) as client:
        yield client


def _failures(engine) -> tuple[int, int]:
    with session_factory(engine)() as s:
        per_agency = sum(r.failures for r in s.scalars(select(VerifyLock)))
        everyone = sum(r.failures for r in s.scalars(select(VerifyPersonLock)))
    return per_agency, everyone


@pytest.mark.shared_data
def test_one_finger_cannot_decide_and_is_not_a_failure(lenient, engine, make_key,
                                                       shared_data: Path) -> None:
    station = make_key("station", name="st-1f")
    nid = enroll(lenient, station, shared_data, capture_id="one-finger")
    bank = make_key("agency", name="bank", scopes=["verify"])
    for _ in range(7):  # more than every lock limit: a genuine person is never locked out
        resp = verify(lenient, bank, nid, shared_data, db=FVC, fingers=(1,))
        assert resp.status_code == 422, resp.text
        assert resp.json()["error"]["code"] == "probe_cannot_decide"
        assert "decision_band" not in resp.text and "life_status" not in resp.text
    assert _failures(engine) == (0, 0)
    two = verify(lenient, bank, nid, shared_data, db=FVC, fingers=(1, 2))
    assert two.status_code == 200 and two.json()["decision_band"] == "match", two.text


@pytest.mark.shared_data
def test_life_status_only_with_a_match(lenient, make_key, shared_data: Path) -> None:
    nid = enroll(lenient, make_key("station", name="st-ls"), shared_data, capture_id="ls")
    bank = make_key("agency", name="bank", scopes=["verify"])
    impostor = verify(lenient, bank, nid, shared_data, face="biden.jpg", db="FVC2002_DB2_B")
    assert impostor.status_code == 200 and impostor.json()["match"] is False
    assert impostor.json()["life_status"] is None
    genuine = verify(lenient, bank, nid, shared_data, face="obama2.jpg", db=FVC)
    assert genuine.json()["match"] is True and genuine.json()["life_status"] == "alive"


@pytest.mark.shared_data
def test_lockout_counts_across_agencies(lenient, engine, make_key, shared_data: Path) -> None:
    nid = enroll(lenient, make_key("station", name="st-x"), shared_data, capture_id="x")
    agencies = [make_key("agency", name=f"ag-{i}", scopes=["verify"]) for i in range(4)]
    for key in agencies[:3]:  # one guess each: within every agency's own limit of five
        resp = verify(lenient, key, nid, shared_data, face="biden.jpg")
        assert resp.status_code == 200 and resp.json()["match"] is False, resp.text
    for key in agencies:  # the person is locked for every agency, the fourth included
        locked = verify(lenient, key, nid, shared_data, face="obama2.jpg", db=FVC)
        assert locked.status_code == 429, locked.text
        assert locked.json()["error"]["code"] == "subject_locked"
        assert int(locked.headers["retry-after"]) >= 1


@pytest.mark.shared_data
def test_probes_that_fail_quality_count_toward_the_lock(engine, make_key, tmp_path: Path,
                                                        shared_data: Path) -> None:
    settings = Settings(environment="test", data_dir=tmp_path / "v", verify_lock_failures=2,
                        verify_lock_seconds=600)
    blank = png_bytes(np.full((300, 300, 3), 200, np.uint8))
    with TestClient(create_app(settings, engine)) as client:
        nid = enroll(client, make_key("station", name="st-q"), shared_data, capture_id="q")
        bank = make_key("agency", name="bank", scopes=["verify"])
        for _ in range(2):
            resp = client.post("/v1/verify", data={"national_id": nid},
                               files={"face": ("f.png", blank, "image/png")},
                               headers=bearer(bank))
            assert resp.status_code == 422, resp.text
            assert resp.json()["error"]["code"] == "probe_quality_failed"
        locked = verify(client, bank, nid, shared_data, face="obama2.jpg", db=FVC)
        assert locked.status_code == 429 and locked.json()["error"]["code"] == "subject_locked"
    with session_factory(engine)() as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.action == "verify")
                         .order_by(AuditRow.id)).all()
        assert [r.outcome for r in rows] == ["probe_quality_failed"] * 2 + ["subject_locked"]
        assert rows[1].details["locked"] is True
