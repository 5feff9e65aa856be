"""POST /v1/quality: each sample through enrollment's quality gate, nothing stored; the
reason of a failing sample; station keys only."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bench.packets import face_path, finger_path, png_bytes
from identity.platform.db import session_factory
from models.enrollment import Sample
from tests.conftest import bearer


def test_quality_names_each_failing_sample(client, engine, make_key, shared_data: Path) -> None:
    key = make_key("station", name="st-q")
    two = shared_data / "faces" / "ageitgey_face_recognition" / "examples" / "two_people.jpg"
    files = [("face", ("f.jpg", two.read_bytes(), "image/jpeg")),
             ("finger_1", ("1.tif", finger_path(shared_data, 1).read_bytes(), "image/tiff")),
             ("finger_2", ("2.png", png_bytes(finger_path_blank()), "image/png"))]
    resp = client.post("/v1/quality", files=files, headers=bearer(key))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["ok"] is False
    by = {s["sample"]: s for s in body["samples"]}
    assert by["face"]["ok"] is False and by["face"]["reason"] == "multiple_faces"
    assert by["finger_1"]["ok"] is True and by["finger_1"]["reason"] is None
    assert by["finger_2"]["ok"] is False and by["finger_2"]["reason"]
    good = [("face", ("f.jpg", face_path(shared_data).read_bytes(), "image/jpeg"))]
    resp = client.post("/v1/quality", files=good, headers=bearer(key))
    assert resp.json() == {"ok": True, "samples": [{"sample": "face", "ok": True,
                                                    "reason": None, "message": None}]}
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Sample)) == 0


def finger_path_blank():
    import numpy as np

    return np.full((400, 400), 200, dtype=np.uint8)  # a blank platen: no ridges


def test_quality_refuses_empty_wrong_type_and_other_roles(client, make_key) -> None:
    key = make_key("station", name="st-q")
    assert client.post("/v1/quality", headers=bearer(key)).json()["error"]["code"] == \
        "empty_probe"
    resp = client.post("/v1/quality", files=[("face", ("x.txt", b"hello", "text/plain"))],
                       headers=bearer(key))
    assert resp.status_code == 415
    admin = make_key("admin", name="adm")
    assert client.post("/v1/quality", headers=bearer(admin)).status_code == 403
    assert client.post("/v1/quality").status_code == 401
