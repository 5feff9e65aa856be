"""The station's page and assets: public, Arabic and right to left, a strict CSP, nothing
loaded from another origin; its configuration for station keys only."""

from __future__ import annotations

import re

from api.routes.station import ASSETS, STATIC
from identity.registry.schemas import NAME_LETTERS
from tests.conftest import bearer


def test_page_and_assets_are_served_with_a_strict_policy(client) -> None:
    page = client.get("/station/")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "connect-src 'self' http://127.0.0.1:*" in csp  # the SBI services only
    for name, media in ASSETS.items():
        resp = client.get(f"/station/static/{name}")
        assert resp.status_code == 200 and resp.headers["content-type"].startswith(media)
    assert client.get("/station/static/secret.js").status_code == 404
    assert client.get("/station/static/..%2Fapp.py").status_code in (404, 422)


def test_no_asset_comes_from_another_origin() -> None:
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r"(?:https?:)?//[\w.-]+[:/][^\s\"'`)]*", text):
            assert url.startswith("http://127.0.0.1:"), f"{path.name}: {url}"  # SBI services
        assert "@import" not in text and "fonts.googleapis" not in text


def test_config_gives_the_form_its_reference_data(client, make_key) -> None:
    key = make_key("station", name="station-najaf-01")
    body = client.get("/v1/station/config", headers=bearer(key)).json()
    assert body["station"] == "station-najaf-01" and body["adult_age"] == 15
    assert len(body["governorates"]) == 19
    assert {"code": "IQ-BG", "ar": "بغداد", "en": "Baghdad"} in body["governorates"]
    assert any(c["code"] == "SY" and c["ar"] == "سوريا" for c in body["countries"])
    assert all(c["code"] != "IQ" for c in body["countries"])
    assert body["name_pattern"] == NAME_LETTERS
    names = re.compile(f"^[{body['name_pattern']}]+$")
    assert names.match("ڕێبوار گەلاوێژ") and not names.match("علي1")
    admin = make_key("admin", name="adm")
    assert client.get("/v1/station/config", headers=bearer(admin)).status_code == 403
