"""Helpers for the verify tests: enroll through the station API, verify through the agency API."""

from __future__ import annotations

from pathlib import Path

from bench.packets import face_path, finger_path, packet
from tests.conftest import bearer

PROBE_FINGERS = (1, 2, 3)
RESPONSE_FIELDS = {"match", "decision_band", "modalities_used", "life_status", "checked_at",
                   "transaction_id", "subject_ref"}


def enroll(client, station_key: str, shared: Path, *, capture_id: str, db: str = "FVC2002_DB1_B",
           face: str = "obama.jpg", fingers: tuple[int, ...] = tuple(range(1, 11)),
           surname: str | None = None) -> str:
    from bench.packets import DEMOGRAPHICS

    demo = dict(DEMOGRAPHICS)
    if surname:
        demo["surname"] = surname
    data, files = packet(
        shared, capture_id=capture_id, demographics=demo,
        face=face_path(shared, face).read_bytes(),
        fingers={p: finger_path(shared, p, 1, db).read_bytes() for p in fingers},
        missing={p: "not_captured" for p in range(1, 11) if p not in fingers})
    resp = client.post("/v1/enrollments", data=data, files=files, headers=bearer(station_key))
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "issued", resp.text
    return str(resp.json()["national_id"])


def verify(client, agency_key: str, nid: str, shared: Path, *, face: str | None = None,
           db: str | None = None, impression: int = 2, fingers: tuple[int, ...] = PROBE_FINGERS,
           purpose: str | None = "test"):
    files = []
    if face is not None:
        files.append(("face", ("face.jpg", face_path(shared, face).read_bytes(), "image/jpeg")))
    if db is not None:
        for p in fingers:
            files.append((f"finger_{p}", (f"f{p}.tif",
                                          finger_path(shared, p, impression, db).read_bytes(),
                                          "image/tiff")))
    data = {"national_id": nid}
    if purpose is not None:
        data["purpose"] = purpose
    return client.post("/v1/verify", data=data, files=files, headers=bearer(agency_key))
