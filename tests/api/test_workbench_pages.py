"""The workbench pages over HTTP: sign-in cookie, CSRF, pages, PNG renderings, and 403 for
station and agency keys on every admin page and route."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.routing import APIRoute
from PIL import Image
from sqlalchemy import update

from api.app import PUBLIC_PATHS
from identity.platform.db import session_factory
from models.adjudication import AdminSession
from models.base import utcnow
from tests.api import workbench_helpers as wh
from tests.api.test_scopes import _url, api_routes
from tests.conftest import bearer

HTML = {"Accept": "text/html,application/xhtml+xml"}
RTL = '<html lang="ar" dir="rtl">'


def _sign_in(client, key: str) -> dict[str, str]:
    resp = client.post("/admin/signin", data={"key": key}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/admin/", resp.text
    cookie = resp.headers["set-cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/admin/", "Max-Age=7200"):
        assert flag.lower() in cookie.lower(), cookie
    token = re.match(r"hawiya_admin=([^;]+);", cookie)
    assert token is not None
    return {"Cookie": f"hawiya_admin={token[1]}"}


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found is not None
    return found[1]


@pytest.fixture
def case_id(client, engine, make_key, shared_data: Path) -> int:
    wh.wait_ready(client.app.state.gallery)
    station = bearer(make_key("station", name="station-1"))
    wh.enroll(client, station, shared_data, "a1", "obama.jpg", "FVC2002_DB1_B", 1, (1, 2, 3, 4))
    return wh.review(client, station, shared_data, "h1", given_name="عَلي", surname="الحسيني")


def test_sign_in_pages_images_and_a_decision_by_form(client, engine, make_key, case_id) -> None:
    signin = client.get("/admin/signin")
    assert signin.status_code == 200 and RTL in signin.text and ">دخول</button>" in signin.text
    station_key = make_key("station", name="st-web")
    refused = client.post("/admin/signin", data={"key": station_key}, follow_redirects=False)
    assert refused.headers["location"] == "/admin/signin?notice=wrong_role"
    assert "set-cookie" not in refused.headers
    bad = client.post("/admin/signin", data={"key": "hwk_x_y"}, follow_redirects=False)
    assert bad.headers["location"] == "/admin/signin?notice=invalid_key"

    cookie = _sign_in(client, make_key("admin", name="web-admin"))
    queue = client.get("/admin/", headers=cookie)
    assert queue.status_code == 200 and f'href="/admin/cases/{case_id}"' in queue.text
    assert RTL in queue.text and "<h1>حالات التكرار المفتوحة" in queue.text
    assert f'data-case="{case_id}"' in queue.text and "بغداد" in queue.text  # IQ-BG, by name
    assert queue.headers["cache-control"] == "no-store"
    for query, shown in (("station=elsewhere", False), ("governorate=Basra", False),
                         ("band=match", False), ("band=review&governorate=Baghdad", True)):
        filtered = client.get(f"/admin/?{query}", headers=cookie)
        assert (f"/admin/cases/{case_id}" in filtered.text) is shown, query

    page = client.get(f"/admin/cases/{case_id}", headers=cookie)
    assert page.status_code == 200
    html = page.text
    assert RTL in html and f"<h1>الحالة <span class=\"ltr\">#{case_id}</span>" in html
    base = f"/admin/cases/{case_id}/candidates/1"
    for src in (f"{base}/0/packet.png", f"{base}/0/candidate.png", f"{base}/1/packet.png",
                f"{base}/1/candidate.png", f"{base}/2/candidate.png", f"{base}/3/candidate.png"):
        assert f'src="{src}"' in html, src
    # Demographics: the given name differs only by a diacritic (folded equal), the surname
    # really differs: only the surname row is highlighted; values take their own direction.
    assert re.search(r'<tr class="diff" data-field="surname">', html)
    assert not re.search(r'<tr class="diff" data-field="given_name">', html)
    assert re.search(r'data-field="surname">\s*<td>اللقب <span class="code">surname</span></td>'
                     r'.*?<td><bdi>الحسيني</bdi></td>', html, re.S)

    face = client.get(f"{base}/0/candidate.png", headers=cookie)
    assert face.headers["content-type"] == "image/png" and wh.png_size(face.content)[0] <= 320
    def colourful(position: int) -> int:
        resp = client.get(f"{base}/{position}/candidate.png", headers=cookie)
        assert resp.status_code == 200 and resp.headers["content-type"] == "image/png"
        rgb = np.asarray(Image.open(io.BytesIO(resp.content)).convert("RGB")).astype(int)
        return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 100).sum())

    assert colourful(1) > 200 and colourful(3) > 200, "no paired minutiae drawn"
    assert client.get(f"{base}/5/packet.png", headers=cookie).status_code == 404

    # The cookie is for the workbench only: the JSON API stays bearer-only.
    assert client.get("/v1/duplicate-cases", headers=cookie).status_code == 401

    csrf = _csrf(html)
    form = {"decision": "same", "reason_code": "biometric_match", "note": "ok"}
    no_token = client.post(f"/admin/cases/{case_id}/decision", headers=cookie, data=form)
    # The signed-in browser gets the refusal as an Arabic page with its stable code.
    assert no_token.status_code == 403 and "text/html" in no_token.headers["content-type"]
    assert 'role="alert">رُفض النموذج: افتح الصفحة من جديد وأعد المحاولة.</div>' in no_token.text
    assert '<span class="code">csrf_failed</span>' in no_token.text and 'dir="rtl"' in no_token.text
    missing = client.get("/admin/cases/999999", headers=cookie)
    assert missing.status_code == 404 and "لا توجد حالة بهذا الرقم." in missing.text
    elsewhere = client.post(f"/admin/cases/{case_id}/decision", data={**form, "csrf": csrf},
                            headers={**cookie, "Origin": "https://evil.example"})
    assert elsewhere.status_code == 403
    wrong = client.post(f"/admin/cases/{case_id}/decision", headers=cookie,
                        data={**form, "reason_code": "twins_or_relatives", "csrf": csrf},
                        follow_redirects=False)
    assert wrong.headers["location"].endswith("?notice=invalid_reason")
    refused = client.get(wrong.headers["location"], headers=cookie).text
    assert '<div class="notice error" role="status">هذا السبب لا يناسب هذا القرار.</div>' in refused
    done = client.post(f"/admin/cases/{case_id}/decision", headers=cookie,
                       data={**form, "csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/admin/cases/{case_id}?notice=decided"
    after = client.get(done.headers["location"], headers=cookie).text
    assert '<div class="notice" role="status">سُجّل القرار.</div>' in after
    assert 'data-decision="same">صدر القرار: الشخص نفسه</span>' in after

    out = client.post("/admin/signout", headers=cookie, data={"csrf": csrf},
                      follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/admin/", headers=cookie).status_code == 401
    assert client.get("/admin/", headers={**cookie, **HTML},
                      follow_redirects=False).headers["location"] == "/admin/signin"


def test_expired_or_revoked_sessions_end(client, engine, make_key) -> None:
    cookie = _sign_in(client, make_key("admin", name="web-admin"))
    assert client.get("/admin/", headers=cookie).status_code == 200
    with session_factory(engine)() as s:
        s.execute(update(AdminSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    assert client.get("/admin/", headers=cookie).status_code == 401
    assert client.get("/admin/", headers={"Cookie": "hawiya_admin=forged"}).status_code == 401


def _admin_routes(app) -> list[tuple[str, APIRoute]]:
    mine = ("/admin", "/v1/duplicate-cases", "/v1/persons/{national_id}/unmerge")
    return [(p, r) for p, r in api_routes(app) if p.startswith(mine) and p not in PUBLIC_PATHS]


def test_station_and_agency_keys_get_403_on_every_admin_page_and_route(app, client,
                                                                       make_key) -> None:
    from identity.registry import national_id

    nid = national_id.draw()
    routes = _admin_routes(app)
    assert len(routes) >= 9
    keys = {"station": make_key("station", name="st-403"),
            "agency": make_key("agency", name="ag-403", scopes=["verify", "events"])}
    for path, route in routes:
        url = _url(path, nid).replace("{side}", "packet")
        for method in route.methods:
            for role, key in keys.items():
                resp = client.request(method, url, headers={**bearer(key), **HTML},
                                      follow_redirects=False)
                assert resp.status_code == 403, (method, path, role, resp.status_code)
                assert resp.json()["error"]["code"] == "wrong_role"
