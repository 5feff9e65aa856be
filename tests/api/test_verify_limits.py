"""Every limit of the agency routes is a 413/415/422/429 with a stable code, never a 5xx."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from identity.platform.settings import Settings
from identity.registry import national_id
from tests.conftest import bearer


def _png(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((h, w), 128, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def limited(engine, tmp_path: Path):
    settings = Settings(environment="test", data_dir=tmp_path / "var", max_image_bytes=20_000,
                        max_request_bytes=200_000, max_image_pixels=64 * 64, max_page_size=10,
                        rate_limit_per_minute=1000)
    with TestClient(create_app(settings, engine)) as c:
        yield c


def _post(client, key, data=None, files=None):
    return client.post("/v1/verify", data=data or {"national_id": national_id.draw()},
                       files=files, headers=bearer(key))


def _expect(resp, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code, resp.text


def test_verify_limits(limited, make_key) -> None:
    key = make_key("agency", name="lim", scopes=["verify", "events"])
    small = _png(32, 32)
    _expect(_post(limited, key, files=[("face", ("f.png", b"\x89PNG\r\n\x1a\n" + b"0" * 30_000,
                                                 "image/png"))]), 413, "file_too_large")
    _expect(_post(limited, key, data={"national_id": national_id.draw(), "purpose": "p" * 250_000},
                  files=[("face", ("f.png", small, "image/png"))]), 413, "request_too_large")
    many = [(f"finger_{i}", ("f.png", small, "image/png")) for i in range(1, 11)]
    many += [("face", ("f.png", small, "image/png")), ("extra", ("x.png", small, "image/png"))]
    _expect(_post(limited, key, files=many), 413, "too_many_files")
    _expect(_post(limited, key, files=[("finger_1", ("f.png", _png(100, 100), "image/png"))]),
            422, "too_many_pixels")
    _expect(_post(limited, key, files=[("face", ("f.txt", b"hello world", "text/plain"))]),
            415, "unsupported_media_type")
    _expect(_post(limited, key, files=[("finger_1", ("f.png", small[:-20], "image/png"))]),
            422, "truncated_image")
    files = [("finger_1", ("f.png", small, "image/png"))]
    _expect(_post(limited, key, data={"national_id": "1" * 13}, files=files), 422,
            "validation_error")
    _expect(_post(limited, key, data={"national_id": "123456789012"}, files=files), 422,
            "invalid_national_id")
    _expect(_post(limited, key, data={"national_id": national_id.draw(), "purpose": "p" * 201},
                  files=files), 422, "validation_error")
    _expect(_post(limited, key, data={"national_id": national_id.draw()}, files=files), 404,
            "person_not_found")

    _expect(limited.get("/v1/events?limit=11", headers=bearer(key)), 422, "page_too_large")
    _expect(limited.get("/v1/events?after=-1", headers=bearer(key)), 422, "validation_error")
    _expect(limited.get(f"/v1/events?after={2**64}", headers=bearer(key)), 422,
            "validation_error")
    assert limited.get("/v1/events?limit=10", headers=bearer(key)).status_code == 200

    admin = make_key("admin", name="lim-admin")
    nid = national_id.draw()
    _expect(limited.get(f"/v1/persons/{nid}/access-log?limit=11", headers=bearer(admin)), 422,
            "page_too_large")
    _expect(limited.get(f"/v1/persons/{'9' * 40}/access-log", headers=bearer(admin)), 422,
            "invalid_national_id")


def test_rate_limit_per_key_and_per_agency(engine, make_key, tmp_path: Path) -> None:
    settings = Settings(environment="test", data_dir=tmp_path / "var", rate_limit_per_minute=3)
    with TestClient(create_app(settings, engine)) as client:
        a1 = make_key("agency", name="rl", scopes=["events"])
        a2 = make_key("agency", name="rl", scopes=["events"])
        assert [client.get("/v1/events", headers=bearer(a1)).status_code
                for _ in range(3)] == [200, 200, 200]
        over = client.get("/v1/events", headers=bearer(a1))
        _expect(over, 429, "rate_limited")
        assert int(over.headers["retry-after"]) >= 1
        # Another key of the same agency shares the agency's budget.
        _expect(client.get("/v1/events", headers=bearer(a2)), 429, "rate_limited")
        other = make_key("agency", name="rl-other", scopes=["events"])
        ok = client.get("/v1/events", headers=bearer(other))
        assert ok.status_code == 200, ok.text
        assert client.get("/healthz").status_code == 200
