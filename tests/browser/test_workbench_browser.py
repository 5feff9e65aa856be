"""The workbench driven in headless Chromium against a real server: sign in, open the queue, open
a case, see both faces and the fingers, decide; find the person by either ID; unmerge."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bench.packets import DEMOGRAPHICS, face_path, finger_path, packet
from identity.access.keys import create_key
from identity.platform.db import session_factory
from models.dedup import DuplicateCase
from models.enrollment import Enrollment
from models.person import Person
from tests.api import workbench_helpers as wh
from tests.browser.conftest import SHOTS, Live

pytestmark = pytest.mark.browser
FINGERS = (1, 2, 3, 4)


def _key(live: Live, role: str, name: str) -> str:
    with session_factory(live.engine)() as s:  # type: ignore[arg-type]
        return create_key(s, role=role, name=name)


def _enroll_a(live: Live, shared: Path) -> str:
    data, files = packet(
        shared, capture_id="a1", demographics=DEMOGRAPHICS,
        face=face_path(shared, "obama.jpg").read_bytes(),
        fingers={p: finger_path(shared, p, 1).read_bytes() for p in FINGERS},
        missing={p: "not_captured" for p in range(1, 11) if p not in FINGERS})
    station = _key(live, "station", "station-1")
    resp = httpx.post(f"{live.url}/v1/enrollments", data=data, files=files, timeout=120,
                      headers={"Authorization": f"Bearer {station}"})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["national_id"])


def _second_id(live: Live, shared: Path, nid_a: str) -> tuple[str, int]:
    p = wh.make_packet(shared, "legacy-1", "obama2.jpg", "FVC2002_DB1_B", 2, FINGERS,
                       surname="الجبوريي")
    nid_b, enrollment_b = wh.issue_direct(live.engine, live.gallery, p)  # type: ignore[arg-type]
    return nid_b, wh.pair_case(live.engine, enrollment_b, nid_a)  # type: ignore[arg-type]


def _sign_in(page, live: Live) -> None:
    page.goto("/admin/")
    assert page.url.endswith("/admin/signin")
    page.fill("#key", _key(live, "admin", "adjudicator-web"))
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["hawiya_admin"]["httpOnly"] and cookies["hawiya_admin"]["secure"]
    assert cookies["hawiya_admin"]["sameSite"] == "Strict"


def _images_loaded(page, selector: str) -> int:
    return int(page.eval_on_selector_all(
        selector, "els => els.filter(e => e.complete && e.naturalWidth > 0).length"))


def _open_case(page, case_id: int, shot: str, fingers: int) -> None:
    page.goto("/admin/")
    row = page.locator(f"#queue tr[data-case='{case_id}']")
    assert row.count() == 1
    page.screenshot(path=str(SHOTS / f"hawiya_workbench_{shot}_queue.png"), full_page=True)
    row.locator("a").click()
    page.wait_for_url(f"**/admin/cases/{case_id}")
    for img in page.locator("img").all():
        img.scroll_into_view_if_needed()
    page.wait_for_function(
        "n => [...document.images].filter(i => i.complete && i.naturalWidth > 0).length >= n",
        arg=2 + fingers)
    assert _images_loaded(page, "img.face") == 2
    assert _images_loaded(page, "img.finger-img") == fingers
    page.screenshot(path=str(SHOTS / f"hawiya_workbench_{shot}_case.png"), full_page=True)


def _decide(page, decision: str, reason: str, note: str) -> None:
    page.check(f"input[name=decision][value={decision}]")
    page.select_option("#reason_code", reason)
    page.fill("#note", note)
    page.click("#submit-decision")
    page.wait_for_selector("text=Decision recorded.")


def _find(page, nid: str) -> tuple[str, str]:
    page.fill("header input[name=nid]", nid)
    page.click("header form[role=search] button")
    page.wait_for_selector("#current-nid")
    return page.inner_text("#current-nid"), page.inner_text("#aliases")


def test_same_person_merge_then_find_by_either_id(live, page, shared_data: Path) -> None:
    nid_a = _enroll_a(live, shared_data)
    nid_b, case_id = _second_id(live, shared_data, nid_a)
    _sign_in(page, live)
    _open_case(page, case_id, "same", fingers=8)
    assert page.locator("tr.diff[data-field=surname]").count() == 1
    _decide(page, "same", "biometric_match", "face and four fingers agree")
    page.screenshot(path=str(SHOTS / "hawiya_workbench_same_decided.png"), full_page=True)
    assert _find(page, nid_b) == (nid_a, nid_b)
    page.screenshot(path=str(SHOTS / "hawiya_workbench_same_person.png"), full_page=True)
    assert _find(page, nid_a) == (nid_a, nid_b)


def test_different_persons_issue_a_new_id(live, page, shared_data: Path) -> None:
    nid_a = _enroll_a(live, shared_data)
    data, files = wh.review_packet(shared_data, "h1", given_name="حسن")
    station = _key(live, "station", "station-2")
    resp = httpx.post(f"{live.url}/v1/enrollments", data=data, files=files, timeout=120,
                      headers={"Authorization": f"Bearer {station}"})
    assert resp.status_code == 202, resp.text  # the real decision holds it for review
    case_id = int(resp.json()["case_id"])
    _sign_in(page, live)
    _open_case(page, case_id, "different", fingers=8)  # packet 1-4, candidate 1-4
    _decide(page, "different", "twins_or_relatives", "twin brother, different given name")
    with session_factory(live.engine)() as s:  # type: ignore[arg-type]
        case = s.get(DuplicateCase, case_id)
        assert case is not None and case.decision == "different"
        enrollment = s.get(Enrollment, case.enrollment_id)
        assert enrollment is not None and enrollment.person_id is not None
        new_nid = s.scalars(select(Person.national_id).where(
            Person.id == enrollment.person_id)).one()
    assert new_nid != nid_a
    assert _find(page, new_nid) == (new_nid, "none")
    assert _find(page, nid_a) == (nid_a, "none")
    page.goto("/admin/")
    assert page.locator(f"#queue tr[data-case='{case_id}']").count() == 0


def test_unmerge_restores_both_ids(live, page, shared_data: Path) -> None:
    nid_a = _enroll_a(live, shared_data)
    nid_b, case_id = _second_id(live, shared_data, nid_a)
    _sign_in(page, live)
    page.goto(f"/admin/cases/{case_id}")
    _decide(page, "same", "same_documents", "same civil-status record")
    assert _find(page, nid_b) == (nid_a, nid_b)
    page.fill("#merges input[name=note]", "twins: merged in error")
    page.click(f"#merges button:has-text('Unmerge {nid_b}')")
    page.wait_for_selector("text=Unmerged: both IDs and their records are restored.")
    page.screenshot(path=str(SHOTS / "hawiya_workbench_unmerged.png"), full_page=True)
    assert _find(page, nid_b) == (nid_b, "none")
    assert _find(page, nid_a) == (nid_a, "none")
