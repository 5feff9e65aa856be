"""The deed page in headless Chromium against a real server: an agency key in the header, the
Arabic page laid out right to left, every section present, printed to a screenshot."""

from __future__ import annotations

import httpx
import pytest

from identity.platform.db import session_factory
from tests.agencies.heirs.family import build_deed_family
from tests.browser.conftest import SHOTS, Live

pytestmark = pytest.mark.browser


def test_deed_page_in_chromium(live: Live, page) -> None:  # type: ignore[no-untyped-def]
    from identity.access.keys import create_key
    from models.security import Agency

    with session_factory(live.engine)() as s:  # type: ignore[arg-type]
        people = {k: v.national_id for k, v in build_deed_family(s).items()}
        court = Agency(name="Karkh Personal Status Court", scopes=["heirs"],
                       pseudonym_salt="1" * 32)
        s.add(court)
        s.commit()
        key = create_key(s, role="agency", name="clerk", scopes=["heirs"], agency_id=court.id)
    headers = {"Authorization": f"Bearer {key}"}
    resp = httpx.post(f"{live.url}/v1/heirs/report", headers=headers, timeout=60, json={
        "deceased_national_id": people["amina"], "school": "sunni",
        "case_reference": "KRK/2024/77"})
    assert resp.status_code == 201, resp.text
    page.context.set_extra_http_headers(headers)
    page.goto(f"/v1/heirs/reports/{resp.json()['report_id']}/deed")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.locator("h1").inner_text() == "القسام الشرعي"
    heirs = page.locator("#heirs tr")
    assert heirs.count() == 4  # header, the husband-cousin, Ali, Noor
    assert "يرث بالجهتين" not in page.locator("#heirs").inner_text()  # the cousin is blocked
    assert page.locator("table.bequest tr").count() == 3  # Hussein's son and daughter
    assert page.locator("table.chained tr").count() == 4  # Noor's husband, father, daughter
    assert "القسام النظامي" in page.locator("#nizami").inner_text()
    assert page.locator("#sources li").count() >= 5
    # Right to left: the first column (the name) sits at the right edge of the table.
    table = page.locator("#heirs").bounding_box()
    name = page.locator("#heirs th").first.bounding_box()
    assert table and name and name["x"] + name["width"] > table["x"] + table["width"] - 5
    # The copy in docs/ (heirs-deed.png) is refreshed by hand from this one: a test run never
    # writes into the checkout.
    page.screenshot(path=str(SHOTS / "deed.png"), full_page=True)
