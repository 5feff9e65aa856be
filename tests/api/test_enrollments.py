"""Enrollment end to end with real images (skips without the shared data)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from cryptography.exceptions import InvalidTag
from PIL import Image
from sqlalchemy import func, select

from bench.packets import (
    DEMOGRAPHICS,
    face_path,
    finger_path,
    packet,
    png_bytes,
    with_exception,
)
from identity.platform.db import session_factory
from identity.registry import national_id
from models.enrollment import Enrollment, Sample, Template
from models.person import Person
from tests.conftest import bearer


@pytest.fixture
def station(make_key) -> dict[str, str]:
    return bearer(make_key("station", name="station-7"))


@pytest.fixture
def approver(make_key) -> str:
    """A second operator's key at the same station (approves exceptions)."""
    return make_key("station", name="station-7")


def _counts(engine) -> tuple[int, int, int, int]:
    with session_factory(engine)() as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(m)) for m in (Enrollment, Person, Sample,
                                                                     Template)
        )


def test_full_enrollment_issues_a_valid_id(client, station, make_key, shared_data: Path) -> None:
    data, files = packet(shared_data)
    resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["status"] == "issued" and national_id.is_valid(body["national_id"])

    admin = bearer(make_key("admin", name="admin-1"))
    person = client.get(f"/v1/persons/{body['national_id']}", headers=admin)
    assert person.status_code == 200, person.text
    view = person.json()
    assert view["life_status"] == "alive"
    assert view["demographics"]["surname"] == DEMOGRAPHICS["surname"]
    assert sorted(s["position"] for s in view["samples"]) == list(range(11))
    assert "ciphertext" not in person.text and "template" not in person.text


def test_replay_returns_the_same_answer_and_other_content_conflicts(
    client, station, approver, engine, shared_data: Path
) -> None:
    one = {1: finger_path(shared_data, 1).read_bytes()}
    data, files = with_exception(packet(shared_data, face=None, fingers=one,
                                        missing=dict.fromkeys(range(2, 11), "not_captured")),
                                 approver)
    first = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert first.status_code == 201, first.text
    again = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert again.status_code == 200 and again.json() == first.json()

    other = dict(data, demographics=json.dumps(dict(DEMOGRAPHICS, given_name="عمر")))
    conflict = client.post("/v1/enrollments", data=other, files=files, headers=station)
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "capture_id_conflict"
    assert _counts(engine)[:2] == (1, 1)


def _rejected(client, station, data, files, status: int = 422) -> dict:
    resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert resp.status_code == status, resp.text
    return resp.json()["error"]


def test_each_quality_failure_is_named(client, station, approver, engine,
                                       shared_data: Path) -> None:
    blank = png_bytes(np.full((400, 400), 200, np.uint8))
    two = (shared_data / "faces" / "ageitgey_face_recognition" / "examples"
           / "two_people.jpg").read_bytes()
    tiny = png_bytes(np.full((40, 40), 128, np.uint8))
    good = finger_path(shared_data, 3).read_bytes()
    cases = [
        (blank, {1: good}, "face", "no_face"),
        (two, {1: good}, "face", "multiple_faces"),
        (None, {1: blank}, "finger_1", None),
        (None, {1: tiny}, "finger_1", "too_small"),
        (None, {1: good[: len(good) // 2]}, "finger_1", None),
    ]
    for face, fingers, sample, reason in cases:
        missing = {p: "unusable" for p in range(1, 11) if p not in fingers}
        data, files = with_exception(packet(shared_data, face=face, fingers=fingers,
                                            missing=missing), approver)
        err = _rejected(client, station, data, files)
        assert err["code"] == "quality_failed"
        failing = {d["sample"]: d["reason"] for d in err["details"]}
        assert sample in failing, (sample, failing)
        if reason:
            assert failing[sample] == reason
    assert _counts(engine) == (0, 0, 0, 0)


def test_bad_packets_are_4xx_and_store_nothing(client, station, app, engine,
                                               shared_data: Path) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (64, 64)).save(gif, format="GIF")
    data, files = packet(shared_data, face=gif.getvalue())
    assert _rejected(client, station, data, files, 415)["code"] == "unsupported_media_type"

    app.state.settings.max_image_bytes = 10_000
    data, files = packet(shared_data)
    assert _rejected(client, station, data, files, 413)["code"] == "file_too_large"
    app.state.settings.max_image_bytes = 4 * 1024 * 1024

    data, files = packet(shared_data, demographics=dict(DEMOGRAPHICS, given_name="Ali"))
    assert _rejected(client, station, data, files)["code"] == "invalid_demographics"
    data, files = packet(shared_data, missing={1: "lost"})
    assert _rejected(client, station, data, files)["code"] == "invalid_missing_fingers"
    data, files = packet(shared_data, face=None, fingers={})
    assert _rejected(client, station, data, files)["code"] == "no_biometrics"
    assert _counts(engine) == (0, 0, 0, 0)


def test_whole_body_limit_is_413(app, client, station, shared_data: Path) -> None:
    from api.limits import BodyLimit

    big = b"x" * (app.state.settings.max_request_bytes + 10)
    resp = client.post("/v1/enrollments", content=big, headers={
        **station, "content-type": "application/octet-stream"})
    assert resp.status_code == 413 and resp.json()["error"]["code"] == "request_too_large"
    assert BodyLimit


def test_keys_are_checked(client, make_key, shared_data: Path) -> None:
    data, files = packet(shared_data)
    assert client.post("/v1/enrollments", data=data, files=files).status_code == 401
    wrong = client.post("/v1/enrollments", data=data, files=files,
                        headers=bearer("hwk_abcdefabcdef_notarealkey"))
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_key"
    admin = bearer(make_key("admin", name="a"))
    forbidden = client.post("/v1/enrollments", data=data, files=files, headers=admin)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "wrong_role"
    station = bearer(make_key("station", name="s"))
    assert client.get("/v1/persons/123456789012", headers=station).status_code == 403


def test_nothing_biometric_is_readable_in_the_database_file(
    sqlite_engine, tmp_path: Path, shared_data: Path, settings
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from identity.access.keys import create_key
    from identity.platform import crypto

    with session_factory(sqlite_engine)() as s:
        key = create_key(s, role="station", name="st")
    with TestClient(create_app(settings, sqlite_engine)) as c:
        data, files = packet(shared_data)
        assert c.post("/v1/enrollments", data=data, files=files,
                      headers=bearer(key)).status_code == 201
    with session_factory(sqlite_engine)() as s:
        tpl = s.scalars(select(Template).where(Template.modality == "finger")).first()
        assert tpl is not None
        plain = crypto.decrypt(tpl.ciphertext, crypto.context("templates", tpl.id, "data"))
        with pytest.raises(InvalidTag):  # bound to its row: another row id does not decrypt
            crypto.decrypt(tpl.ciphertext, crypto.context("templates", tpl.id + 1, "data"))
    sqlite_engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("hawiya.db*"))
    assert len(plain) > 64
    for chunk in (plain[:64], plain[len(plain) // 2: len(plain) // 2 + 64],
                  face_path(shared_data).read_bytes()[200:264],
                  finger_path(shared_data, 1).read_bytes()[4000:4064]):
        assert chunk not in raw
