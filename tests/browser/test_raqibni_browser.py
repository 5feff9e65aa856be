"""Raqibni in headless Chromium against a real server, on a 390 px phone screen: a citizen
files a complaint (the page solves the proof-of-work challenge), follows it by tracking
number, staff route and answer it in the admin pages, and the citizen reads the answer. No
request leaves the server's origin; the page never scrolls sideways."""

from __future__ import annotations

import io
from datetime import date, timedelta

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from identity.access.agencies import create_agency
from identity.access.keys import create_key
from identity.platform.db import session_factory
from models.security import ApiKey
from tests.browser.conftest import SHOTS, Live, arabic_rtl

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
ANSWER = "تم التحقق من الشكوى وإنذار الوكيل، وسيُعوَّض النقص في الوجبة القادمة."


def _ministry(live: Live) -> tuple[dict[str, str], str]:
    """The ministry's desk key, an agent registered with licence BS-A-0042, a round open;
    returns the desk's headers and an admin key for the staff pages."""
    with session_factory(live.engine)() as s:  # type: ignore[arg-type]
        agency = create_agency(s, name="Ministry of Trade", scopes=["ration"])
        desk = create_key(s, role="agency", name="desk", scopes=["ration"], agency_id=agency.id)
        create_key(s, role="agency", name="agent", scopes=["ration"], agency_id=agency.id)
        admin = create_key(s, role="admin", name="complaints-desk")
        key_id = s.scalars(select(ApiKey.id).where(ApiKey.name == "agent")).one()
    headers = {"Authorization": f"Bearer {desk}"}
    assert httpx.post(f"{live.url}/v1/ration/agents", headers=headers, json={
        "licence": "BS-A-0042", "key_id": key_id, "governorate": "Basra",
        "centre": "BS-01"}).status_code == 201
    today = date.today()
    assert httpx.post(f"{live.url}/v1/ration/rounds", headers=headers, json={
        "code": "2026-11", "opens_on": (today - timedelta(days=5)).isoformat(),
        "closes_on": (today + timedelta(days=20)).isoformat(),
        "items": [{"item": "flour", "unit": "g", "per_person": 9000}]}).status_code == 201
    return headers, admin


def _photo() -> bytes:
    img = Image.new("RGB", (800, 600), (235, 225, 200))
    for x in range(100, 700):
        for y in range(250, 350):
            img.putpixel((x, y), (120, 90, 40))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _no_side_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_file_track_answer_read_on_a_phone(live: Live, browser) -> None:
    _, admin_key = _ministry(live)
    phone = browser.new_context(viewport=PHONE, base_url=live.url, locale="ar-IQ")
    citizen = phone.new_page()
    citizen.set_default_timeout(60_000)
    requests: list[str] = []
    citizen.on("request", lambda r: requests.append(r.url))

    citizen.goto("/raqibni/")
    assert citizen.evaluate("document.documentElement.dir") == "rtl"
    citizen.check("input[name=about][value=item]")
    citizen.fill("#agent_licence", "BS-A-0042")
    citizen.fill("#round", "2026-11")
    citizen.select_option("#item", "flour")
    citizen.fill("#text", "استلمت ٧ كيلوغرامات من الطحين بدل ٩ لكل فرد، والكيس مفتوح.")
    citizen.set_input_files("#photo", files=[{"name": "flour.jpg", "mimeType": "image/jpeg",
                                              "buffer": _photo()}])
    _no_side_scroll(citizen)
    citizen.screenshot(path=str(SHOTS / "raqibni-file.png"), full_page=True)
    citizen.click("#send")
    citizen.wait_for_selector("#done:not([hidden])")
    number = citizen.inner_text("#tracking").strip()
    assert number.startswith("RQ-")
    citizen.screenshot(path=str(SHOTS / "raqibni-filed.png"), full_page=True)

    citizen.click("#done a.button")
    citizen.wait_for_url("**/raqibni/track")
    assert citizen.input_value("#tracking_number") == number  # kept in this tab only
    citizen.click("#track button[type=submit]")
    citizen.wait_for_selector("#result:not([hidden])")
    assert citizen.inner_text("#r-state") == "مُقدَّمة"
    assert citizen.is_hidden("#r-answer-box")

    staff = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live.url)
    desk = staff.new_page()
    desk.goto("/admin/signin")
    desk.fill("#key", admin_key)
    desk.click("button[type=submit]")
    desk.wait_for_url("**/admin/")
    desk.click("header a[href='/admin/complaints']")
    arabic_rtl(desk, "شكاوى راقبني", "رقم المتابعة", "مادة تموينية", "طحين")
    row = f"#complaints tr[data-tracking='{number}']"
    assert desk.inner_text(f"{row} td:nth-child(7)") == "مُقدَّمة"
    desk.screenshot(path=str(SHOTS / "raqibni-staff-list.png"), full_page=True)
    desk.click(f"{row} a")
    desk.wait_for_url(f"**/admin/complaints/{number}")
    arabic_rtl(desk, "رخصة الوكيل", "المراحل", "المرحلة التالية", "تسجيل المرحلة")
    assert desk.locator("figure img").evaluate("i => i.complete && i.naturalWidth > 0")
    desk.select_option("#state", "routed")
    desk.fill("#routed_to", "Basra supply inspection")
    desk.click("#step button[type=submit]")
    desk.wait_for_selector("text=سُجّلت المرحلة.")
    desk.select_option("#state", "answered")
    desk.fill("#note", ANSWER)
    desk.click("#step button[type=submit]")
    desk.wait_for_selector("text=سُجّلت المرحلة.")
    assert desk.inner_text("#current-state") == "تمّت الإجابة"
    assert desk.inner_text("#steps tr[data-state=answered] td:last-child") == ANSWER
    desk.screenshot(path=str(SHOTS / "raqibni-staff.png"), full_page=True)

    citizen.click("#track button[type=submit]")
    citizen.wait_for_selector("#r-answer-box:not([hidden])")
    assert citizen.inner_text("#r-answer") == ANSWER
    assert citizen.inner_text("#r-state") == "تمّت الإجابة"
    assert "Basra supply inspection" not in citizen.content()
    _no_side_scroll(citizen)
    citizen.screenshot(path=str(SHOTS / "raqibni-track.png"), full_page=True)
    assert requests and all(u.startswith(live.url) for u in requests), requests
    staff.close()
    phone.close()
