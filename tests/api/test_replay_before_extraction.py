"""A retried enrollment returns the stored answer before any extraction (issue 16, item 8)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import matching.face as face_mod
import matching.fingerprint as finger_mod
from bench.packets import packet
from tests.conftest import bearer

pytestmark = pytest.mark.shared_data


def test_a_retry_answers_from_the_store_without_extracting(client, make_key, monkeypatch,
                                                          shared_data: Path) -> None:
    station = bearer(make_key("station", name="st-retry"))
    data, files = packet(shared_data, capture_id="cap-retry")
    first = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert first.status_code == 201, first.text

    calls: Counter[str] = Counter()
    real_faces, real_fingers = face_mod.encode_face, finger_mod.extract_templates

    def encode_face(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["face"] += 1
        return real_faces(*args, **kwargs)

    def extract_templates(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["fingers"] += 1
        return real_fingers(*args, **kwargs)

    monkeypatch.setattr(face_mod, "encode_face", encode_face)
    monkeypatch.setattr(finger_mod, "extract_templates", extract_templates)
    again = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert again.status_code == 200 and again.json() == first.json()
    assert calls == Counter(), "the retry extracted before answering from the store"
    # The spies do see extraction: another capture of the same person goes through it.
    other, files2 = packet(shared_data, capture_id="cap-retry-2", impression=2)
    assert client.post("/v1/enrollments", data=other, files=files2,
                       headers=station).status_code in (200, 201, 202)
    assert calls["face"] >= 1 and calls["fingers"] >= 1
