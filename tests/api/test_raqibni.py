"""Raqibni for citizens over HTTP: file on the public endpoints with a solved proof-of-work
challenge (no key, nothing about the citizen kept), follow by tracking number, staff route and
answer in the admin pages, the citizen reads the answer; the abuse limits hold."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from api.app import create_app
from api.raqibni import pow as proof
from identity.platform.db import session_factory
from identity.platform.settings import Settings
from models.ration import Complaint, ComplaintPhoto
from tests.api.ration_helpers import agent, desk, open_round
from tests.conftest import bearer

BITS = 10


@pytest.fixture
def public(engine, tmp_path) -> Iterator[TestClient]:
    settings = Settings(environment="test", data_dir=tmp_path / "var", raqibni_pow_bits=BITS,
                        raqibni_files_per_hour=3, raqibni_max_photo_bytes=200_000)
    with TestClient(create_app(settings, engine)) as c:
        yield c


def _solved(client: TestClient) -> dict[str, str]:
    got = client.get("/raqibni/api/challenge")
    assert got.status_code == 200 and got.json()["bits"] == BITS
    challenge = got.json()["challenge"]
    return {"challenge": challenge, "solution": proof.solve(challenge, BITS)}


def _photo(fmt: str = "JPEG") -> bytes:
    img = Image.new("RGB", (640, 480), (200, 180, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker-Secret"  # Make
    exif[0x0132] = "2026:11:30 10:00:00"  # DateTime
    buf = io.BytesIO()
    img.save(buf, fmt, exif=exif.tobytes())
    return buf.getvalue()


def _file(client: TestClient, solved: dict[str, str], photo: bytes | None = None,
          **fields: str) -> object:
    data = {"about": "agent", "agent_licence": "BS-A-0009", "round": "2026-11",
            "text": "الوكيل أعطاني ٧ كغم طحين بدل ٩", **solved, **fields}
    files = {"photo": ("p.jpg", photo, "image/jpeg")} if photo is not None else None
    return client.post("/raqibni/api/complaints", data=data, files=files,
                       headers={"X-Raqibni": "1"})


def test_file_track_staff_answer_citizen_reads(public, engine, make_key) -> None:
    ministry = desk(make_key)
    agent(public, engine, make_key, ministry, "BS-A-0009")
    open_round(public, ministry)
    page = public.get("/raqibni/")
    assert page.status_code == 200 and 'dir="rtl"' in page.text and 'lang="ar"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace('href="/raqibni', "")  # no asset from the network

    filed = _file(public, _solved(public), photo=_photo())
    assert filed.status_code == 201, filed.text
    number = filed.json()["tracking_number"]
    assert number.startswith("RQ-") and filed.json()["state_ar"]
    with session_factory(engine)() as s:
        row = s.scalars(select(Complaint).where(Complaint.tracking_number == number)).one()
        assert row.person_id is None and row.channel == "public"
        photo = s.scalars(select(ComplaintPhoto)).one()
        assert b"PhoneMaker-Secret" not in photo.data  # re-encoded: no metadata kept
        assert not Image.open(io.BytesIO(photo.data)).getexif()

    seen = public.post("/raqibni/api/track", json={"tracking_number": number.lower()[3:]})
    assert seen.status_code == 200 and seen.json()["state"] == "filed"
    assert seen.json()["answer"] is None and seen.json()["agent_licence"] == "BS-A-0009"

    # Staff: the admin pages list it, route it, answer it.
    admin = bearer(make_key("admin", name="complaints-desk"))
    listing = public.get("/admin/complaints", headers=admin)
    assert listing.status_code == 200 and number in listing.text
    detail = public.get(f"/admin/complaints/{number}", headers=admin)
    assert detail.status_code == 200 and "photo.jpg" in detail.text
    assert public.get(f"/admin/complaints/{number}/photo.jpg", headers=admin).headers[
        "content-type"] == "image/jpeg"
    for step in ({"state": "routed", "routed_to": "Basra supply inspection",
                  "note": "internal: check the agent's scale"},
                 {"state": "answered", "note": "تم التحقق وإنذار الوكيل وتعويض النقص."}):
        resp = public.post(f"/admin/complaints/{number}/steps", headers=admin, data=step,
                           follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"].endswith("step_recorded")
    bad = public.post(f"/admin/complaints/{number}/steps", headers=admin,
                      data={"state": "filed"}, follow_redirects=False)
    assert bad.status_code == 422

    seen = public.post("/raqibni/api/track", json={"tracking_number": number}).json()
    assert seen["state"] == "answered" and seen["answer"] == "تم التحقق وإنذار الوكيل وتعويض النقص."
    assert "Basra supply inspection" not in str(seen) and "internal" not in str(seen)
    assert [s["state"] for s in seen["steps"]] == ["filed", "routed", "answered"]
    assert public.post("/raqibni/api/track", json={"tracking_number": "RQ-NOPE"}).status_code \
        == 404
    counts = public.get("/v1/ration/reports/summary", headers=ministry).json()
    assert counts["complaints_by_state"] == [{"state": "answered", "complaints": 1}]
    assert counts["complaints_per_agent"][0] == {"agent": "BS-A-0009", "total": 1,
                                                 "by_state": {"answered": 1}}


def test_abuse_is_refused(public, engine, make_key) -> None:
    ministry = desk(make_key)
    agent(public, engine, make_key, ministry, "BS-A-0009")
    open_round(public, ministry)
    solved = _solved(public)
    cross_site = public.post("/raqibni/api/complaints", data={
        "about": "agent", "agent_licence": "BS-A-0009", "round": "2026-11", "text": "x",
        **solved})  # a plain form posted from another site carries no X-Raqibni header
    assert cross_site.status_code == 403
    assert cross_site.json()["error"]["code"] == "cross_site_refused"
    assert _file(public, solved).status_code == 201
    replay = _file(public, solved)
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "challenge_used"

    def code(resp) -> tuple[int, str]:
        return resp.status_code, resp.json()["error"]["code"]

    unsolved = dict(_solved(public))
    unsolved["solution"] = next(str(n) for n in range(10_000) if proof.zero_bits(
        hashlib.sha256(f"{unsolved['challenge']}:{n}".encode()).digest()) < BITS)
    assert code(_file(public, unsolved)) == (422, "challenge_unsolved")
    forged = _solved(public)
    forged["challenge"] = forged["challenge"].replace(f".{BITS}.", ".1.", 1)
    assert code(_file(public, forged)) == (422, "challenge_invalid")
    old = proof.issue(bits=BITS, ttl_seconds=10, now=time.time() - 3600)
    assert code(_file(public, {"challenge": old, "solution": proof.solve(old, BITS)})) == (
        422, "challenge_expired")
    assert code(_file(public, _solved(public), agent_licence="NOPE-1")) == (422, "unknown_agent")
    assert code(_file(public, _solved(public), about="item")) == (422, "validation_error")
    assert code(_file(public, _solved(public), text="x" * 2001)) == (422, "validation_error")
    assert code(_file(public, _solved(public), photo=b"\xff\xd8\xff" + b"0" * 300_000)) == (
        413, "file_too_large")
    assert code(_file(public, _solved(public), photo=b"GIF89a" + b"0" * 100)) == (
        415, "unsupported_media_type")
    truncated = _photo()[:-400]
    assert code(_file(public, _solved(public), photo=truncated)) == (422, "truncated_image")
    assert _file(public, _solved(public), about="missing").status_code == 201
    assert _file(public, _solved(public), about="item", item="oil").status_code == 201
    # Three complaints an hour from one address (refused attempts cost none): the fourth waits.
    limited = _file(public, _solved(public))
    assert code(limited) == (429, "rate_limited")
    assert limited.json()["error"]["details"]["retry_after_seconds"] > 60
    with session_factory(engine)() as s:
        assert len(s.scalars(select(Complaint)).all()) == 3  # nothing half-written


def test_reads_are_limited_per_address(engine, tmp_path) -> None:
    settings = Settings(environment="test", data_dir=tmp_path / "v", raqibni_reads_per_minute=2)
    with TestClient(create_app(settings, engine)) as client:
        assert [client.get("/raqibni/api/challenge").status_code for _ in range(3)] == [
            200, 200, 429]
        assert client.post("/raqibni/api/track", json={"tracking_number": "RQ-X"}).json()[
            "error"]["code"] == "rate_limited"
        assert client.get("/raqibni/track").status_code == 200  # the page itself is static
