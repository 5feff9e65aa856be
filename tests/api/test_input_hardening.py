"""The smaller faults of issue 16, item 8: truncated JPEGs, invisible characters, scopes of
station keys, https webhooks, documentation in production, national IDs in the access log,
clients that go away."""

from __future__ import annotations

import io
import json
import logging
import secrets
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageFile
from sqlalchemy import func, select

from api.app import create_app
from api.logs import ACCESS_LOGGER, MASK
from bench.packets import DEMOGRAPHICS, face_path, packet, png_bytes
from identity.access import agencies
from identity.access.events import deliver_webhooks, http_sender
from identity.access.keys import create_key
from identity.platform.db import session_factory
from identity.platform.errors import DomainError, Invalid
from identity.platform.media import FACE_TYPES, decode
from identity.platform.settings import Settings
from models.enrollment import Enrollment
from models.security import Agency, AuditRow
from tests.agencies.heirs.family import person
from tests.api.asgi_helpers import call
from tests.conftest import bearer

PIXELS = 400 * 400


def _jpeg() -> bytes:
    """A real JPEG (Pillow's encoder, baseline) of a textured picture."""
    rng = np.random.default_rng(16)
    pixels = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2] + b"\xff\xd9"


def test_a_truncated_jpeg_with_an_end_marker_is_refused() -> None:
    whole = _jpeg()
    assert decode(whole, FACE_TYPES, max_pixels=PIXELS, grey=False).pixels.shape == (240, 320, 3)
    cut = _cut_in_half(whole)
    # The test has teeth: Pillow alone decodes the cut file without a word.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    Image.open(io.BytesIO(cut)).load()
    with pytest.raises(DomainError) as err:
        decode(cut, FACE_TYPES, max_pixels=PIXELS, grey=False)
    assert err.value.code == "truncated_image" and err.value.status_code == 422


@pytest.mark.shared_data
def test_a_real_photo_cut_in_half_is_refused(shared_data: Path) -> None:
    photo = face_path(shared_data).read_bytes()
    assert decode(photo, FACE_TYPES, max_pixels=4096 * 4096, grey=False).pixels.ndim == 3
    with pytest.raises(DomainError) as err:
        decode(_cut_in_half(photo), FACE_TYPES, max_pixels=4096 * 4096, grey=False)
    assert err.value.code == "truncated_image"


def test_truncated_jpeg_over_http_is_422(client, make_key) -> None:
    cut = _cut_in_half(_jpeg())
    bank = bearer(make_key("agency", name="bank", scopes=["verify"]))
    resp = client.post("/v1/verify", data={"national_id": "000000000019"},
                       files={"face": ("f.jpg", cut, "image/jpeg")}, headers=bank)
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "truncated_image"


@pytest.mark.shared_data
def test_truncated_face_in_a_packet_is_422_and_stores_nothing(client, engine, make_key,
                                                              shared_data: Path) -> None:
    station = bearer(make_key("station", name="st-trunc"))
    data, files = packet(shared_data, capture_id="cap-trunc",
                         face=_cut_in_half(face_path(shared_data).read_bytes()))
    enrol = client.post("/v1/enrollments", headers=station, data=data, files=files)
    assert enrol.status_code == 422, enrol.text
    assert "truncated_image" in enrol.text
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Enrollment)) == 0


INVISIBLE = ["\ufeff", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u202e",
             "\u2066", "\u2069", "\u00ad"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_are_refused_in_names(client, make_key, char: str) -> None:
    station = bearer(make_key("station", name="st-inv"))
    demo = {**DEMOGRAPHICS, "given_name": f"{char}علي"}
    resp = client.post("/v1/enrollments", headers=station, data={
        "capture_id": "cap-inv", "demographics": json.dumps(demo)},
        files={"finger_1": ("f.png", b"\x89PNG\r\n\x1a\n", "image/png")})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "invalid_demographics"


def test_invisible_characters_are_refused_in_free_text(client, engine, make_key) -> None:
    with session_factory(engine)() as s:
        nid = person(s).national_id
        s.commit()
    deaths = bearer(make_key("agency", name="health", scopes=["deaths", "verify", "heirs"]))
    report = {"national_id": nid, "source_type": "hospital_certificate",
              "document_number": "HC-1", "date_of_death": "2024-01-02", "place": "بغداد"}
    for field, value in [("place", "بغداد\u200b"), ("document_number", "HC\ufeff-1")]:
        resp = client.post("/v1/death-records", json={**report, field: value}, headers=deaths)
        assert resp.status_code == 422, (field, resp.text)
    purpose = client.post("/v1/verify", headers=deaths,
                          data={"national_id": nid, "purpose": "loan\u202e"},
                          files={"face": ("f.png", png_bytes(np.zeros((8, 8), np.uint8)))})
    assert purpose.status_code == 422, purpose.text
    heirs = client.post("/v1/heirs/report", headers=deaths,
                        json={"deceased_national_id": nid, "case_reference": "PSC\u2066/1"})
    assert heirs.status_code == 422, heirs.text
    admin = bearer(make_key("admin", name="admin-inv"))
    note = client.post("/v1/duplicate-cases/1/decision", headers=admin, json={
        "decision": "different", "reason_code": "other", "note": "x\u200fy"})
    assert note.status_code == 422, note.text
    from agencies.ration.complaints import ComplaintIn

    with pytest.raises(ValueError, match="invisible"):
        ComplaintIn.model_validate({"national_id": nid, "about": "item", "item": "flour",
                                    "text": "ناقص\ufeff"})
    assert ComplaintIn.model_validate({"national_id": nid, "about": "item", "item": "flour",
                                       "text": "ناقص\nسطر ثان"}).text.count("\n") == 1
    assert client.post("/v1/death-records", json=report, headers=deaths).status_code == 201


def test_station_keys_cannot_hold_agency_or_admin_scopes(engine) -> None:
    with session_factory(engine)() as s:
        for scopes in (["verify"], ["admin"], ["deaths", "enroll"]):
            with pytest.raises(Invalid) as err:
                create_key(s, role="station", name="st", scopes=scopes)
            assert err.value.code == "scope_not_for_role"
        with pytest.raises(Invalid):
            create_key(s, role="admin", name="root", scopes=["verify"])
        with pytest.raises(Invalid):
            create_key(s, role="station", name="st\u200b")
        assert create_key(s, role="station", name="st", scopes=["enroll"]).startswith("hwk_")


def test_webhook_urls_must_be_https(engine) -> None:
    with session_factory(engine)() as s:
        for url in ("http://bank.example/hook", "ftp://bank.example/hook",
                    "https://user:pw@bank.example/hook", "https:///nohost"):
            with pytest.raises(Invalid) as err:
                agencies.create_agency(s, name=f"a-{secrets.token_hex(3)}", scopes=["events"],
                                       webhook_url=url)
            assert err.value.code == "invalid_webhook_url"
        with pytest.raises(Invalid):  # loopback http only where the environment allows it
            agencies.create_agency(s, name="local", scopes=["events"],
                                   webhook_url="http://127.0.0.1:9/hook")
        agencies.create_agency(s, name="local", scopes=["events"],
                               webhook_url="http://127.0.0.1:9/hook", allow_loopback_http=True)
        agencies.create_agency(s, name="bank", scopes=["events"],
                               webhook_url="https://bank.example/hook")
        # A plain-http URL stored before the rule is never sent to.
        s.add(Agency(name="legacy", scopes=["events"], pseudonym_salt="0" * 32,
                     webhook_url="http://legacy.invalid/hook"))
        s.commit()
    from identity.access import journal

    with session_factory(engine)() as s:
        journal.emit(s, "test.event", None, {"seq": 1})
        s.commit()
        report = {d.agency: d.error for d in deliver_webhooks(session=s, send=http_sender(1))}
    assert report["legacy"] == "webhook URL refused: https only"


def test_docs_are_off_in_production_unless_asked(engine, tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(40)

    def status(**kw) -> tuple[int, int]:
        settings = Settings(data_dir=tmp_path / "v", secret_key=secret, **kw)
        with TestClient(create_app(settings, engine)) as c:
            return c.get("/docs").status_code, c.get("/openapi.json").status_code

    assert status(environment="production") == (404, 404)
    assert status(environment="production", docs_enabled=True) == (200, 200)
    assert status(environment="test") == (200, 200)


def test_national_ids_never_reach_the_access_log(engine, tmp_path: Path, make_key) -> None:
    import socket

    import uvicorn

    with session_factory(engine)() as s:
        nid = person(s).national_id
        s.commit()
    admin = make_key("admin", name="admin-log")
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    app = create_app(Settings(environment="test", data_dir=tmp_path / "v"), engine)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    handler = Keep()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        logging.getLogger(ACCESS_LOGGER).addHandler(handler)
        base = f"http://127.0.0.1:{port}"
        for path in (f"/v1/persons/{nid}", f"/v1/persons/{nid}/access-log?limit=5",
                     f"/admin/persons?nid={nid}"):
            httpx.get(base + path, headers=bearer(admin), timeout=10)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        logging.getLogger(ACCESS_LOGGER).removeHandler(handler)
    assert len(lines) == 3, lines
    assert all(nid not in line and MASK in line for line in lines), lines


def test_work_stops_when_the_client_has_gone(app, engine, make_key) -> None:
    with session_factory(engine)() as s:
        nid = person(s).national_id
        s.commit()
    boundary = "hawiya"
    face = png_bytes(np.full((200, 200, 3), 90, np.uint8))

    def form(fields: dict[str, str], files: dict[str, bytes]) -> bytes:
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                 .encode() for k, v in fields.items()]
        parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; '
                  f'filename="{k}.png"\r\nContent-Type: image/png\r\n\r\n'.encode() + v + b"\r\n"
                  for k, v in files.items()]
        return b"".join(parts) + f"--{boundary}--\r\n".encode()

    content = {"content-type": f"multipart/form-data; boundary={boundary}"}
    bank = bearer(make_key("agency", name="bank", scopes=["verify"]))
    gone = call(app, "POST", "/v1/verify", headers={**bank, **content},
                chunks=[form({"national_id": nid}, {"face": face})],
                disconnect_after_body=True)
    assert gone.status == 499
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(AuditRow)
                        .where(AuditRow.action == "verify")) == 0
    # The same verify from a client that waits is done (and audited).
    stays = call(app, "POST", "/v1/verify", headers={**bank, **content},
                 chunks=[form({"national_id": nid}, {"face": face})])
    assert stays.status == 422  # no face in a flat picture: the work was done
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(AuditRow)
                        .where(AuditRow.action == "verify")) == 1


def test_a_query_parameter_given_twice_is_422(client, make_key) -> None:
    feed = bearer(make_key("agency", name="feed", scopes=["events"]))
    resp = client.get("/v1/events?after=0&after=5", headers=feed)
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "repeated_query_parameter"
    admin = bearer(make_key("admin", name="admin-q"))
    page = client.get("/admin/?notice=decided&notice=signed_out", headers=admin)
    assert page.status_code == 422
    assert client.get("/v1/events?after=0&limit=5", headers=feed).status_code == 200


@pytest.mark.shared_data
def test_an_enrollment_whose_client_has_gone_is_not_decided(app, engine, make_key,
                                                            shared_data: Path) -> None:
    station = bearer(make_key("station", name="st-gone"))
    data, files = packet(shared_data, capture_id="cap-gone")
    request = httpx.Request("POST", "http://testserver/v1/enrollments", data=data, files=files)
    body = request.read()
    headers = {**station, "content-type": request.headers["content-type"]}
    gone = call(app, "POST", "/v1/enrollments", headers=headers, chunks=[body],
                disconnect_after_body=True)
    assert gone.status == 499
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Enrollment)) == 0
