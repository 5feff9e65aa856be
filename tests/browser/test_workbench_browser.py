"""The workbench driven in headless Chromium against a real server: sign in, open the queue, open
a case, see both faces and the fingers, decide; find the person by either ID; unmerge. Every
page is Arabic and right to left: ``dir``/``lang``, its labels, no English word outside the
numbers, codes and names, the packet on the right of its candidate, images never mirrored.
``HAWIYA_SCREENSHOTS=docs`` writes the pictures README shows (docs/workbench-*.png)."""

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
from tests.browser.conftest import SHOTS, Live, arabic_rtl

pytestmark = pytest.mark.browser
FINGERS = (1, 2, 3, 4)
NONE = "لا يوجد"  # a person without aliases


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


def _right_to_left(page, selector: str) -> None:
    """The elements matched run from right to left (the first is the rightmost)."""
    xs = page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().x)")
    assert len(xs) >= 2 and xs == sorted(xs, reverse=True), (selector, xs)


def _sign_in(page, live: Live, shot: str | None = None) -> None:
    page.goto("/admin/")
    assert page.url.endswith("/admin/signin")
    arabic_rtl(page, "منصة التدقيق", "مفتاح المشرف", "دخول")
    if shot:
        page.fill("#key", "hwk_0000_not-a-key")
        page.click("button[type=submit]")
        page.wait_for_selector(".notice.error >> text=هذا المفتاح غير صالح.")
        arabic_rtl(page, "مفتاح المشرف")
        page.screenshot(path=str(SHOTS / shot), full_page=True)
    page.fill("#key", _key(live, "admin", "adjudicator-web"))
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["hawiya_admin"]["httpOnly"] and cookies["hawiya_admin"]["secure"]
    assert cookies["hawiya_admin"]["sameSite"] == "Strict"


def _images_loaded(page, selector: str) -> int:
    return int(page.eval_on_selector_all(
        selector, "els => els.filter(e => e.complete && e.naturalWidth > 0).length"))


def _open_case(page, case_id: int, fingers: int, shots: bool = False) -> None:
    page.goto("/admin/")
    arabic_rtl(page, "حالات التكرار المفتوحة", "المحافظة", "نطاق الدرجة", "تصفية", "خروج")
    row = page.locator(f"#queue tr[data-case='{case_id}']")
    assert row.count() == 1
    _right_to_left(page, "#queue thead th")
    if shots:
        page.screenshot(path=str(SHOTS / "workbench-cases.png"), full_page=True)
    row.locator("a").click()
    page.wait_for_url(f"**/admin/cases/{case_id}")
    for img in page.locator("img").all():
        img.scroll_into_view_if_needed()
    page.wait_for_function(
        "n => [...document.images].filter(i => i.complete && i.naturalWidth > 0).length >= n",
        arg=2 + fingers)
    assert _images_loaded(page, "img.face") == 2
    assert _images_loaded(page, "img.finger-img") == fingers
    arabic_rtl(page, "المرشح 1", "الوجهان", "البيانات الشخصية", "البصمات", "الحزمة الجديدة",
            "تسجيل القرار")
    # Side by side from the right: the new packet, then the candidate; field, packet, candidate.
    _right_to_left(page, "#candidate-1 .faces figure")
    _right_to_left(page, "#candidate-1 .finger:first-child .pair figure")
    _right_to_left(page, "#candidate-1 table.demographics thead th")
    assert page.eval_on_selector_all("img", "els => els.every(e => "
                                     "getComputedStyle(e).transform === 'none')")
    if shots:
        page.screenshot(path=str(SHOTS / "workbench-case.png"), full_page=True)


def _decide(page, decision: str, reason: str, note: str) -> None:
    page.check(f"input[name=decision][value={decision}]")
    page.select_option("#reason_code", reason)
    page.fill("#note", note)
    page.click("#submit-decision")
    page.wait_for_selector("text=سُجّل القرار.")
    arabic_rtl(page, "صدر القرار", "القرارات")


def _find(page, nid: str) -> tuple[str, str]:
    page.fill("header input[name=nid]", nid)
    page.click("header form[role=search] button")
    page.wait_for_selector("#current-nid")
    arabic_rtl(page, "الأرقام البديلة", "عمليات الدمج")
    return page.inner_text("#current-nid"), page.inner_text("#aliases")


def test_same_person_merge_then_find_by_either_id(live, page, shared_data: Path) -> None:
    nid_a = _enroll_a(live, shared_data)
    nid_b, case_id = _second_id(live, shared_data, nid_a)
    _sign_in(page, live, "workbench-signin.png")
    _open_case(page, case_id, fingers=8)
    assert page.locator("tr.diff[data-field=surname]").count() == 1
    _decide(page, "same", "biometric_match", "الوجه والأصابع الأربع متطابقة")
    assert page.inner_text("#decided") == "صدر القرار: الشخص نفسه"
    assert page.inner_text("#history tbody td:nth-child(4)").startswith("تطابق الوجه والبصمات")
    page.screenshot(path=str(SHOTS / "workbench-decided.png"))  # the top: notice and badge
    assert _find(page, nid_b) == (nid_a, nid_b)
    page.screenshot(path=str(SHOTS / "workbench-person.png"), full_page=True)
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
    _open_case(page, case_id, fingers=8, shots=True)  # packet 1-4, candidate 1-4
    _decide(page, "different", "twins_or_relatives", "twin brother, different given name")
    with session_factory(live.engine)() as s:  # type: ignore[arg-type]
        case = s.get(DuplicateCase, case_id)
        assert case is not None and case.decision == "different"
        enrollment = s.get(Enrollment, case.enrollment_id)
        assert enrollment is not None and enrollment.person_id is not None
        new_nid = s.scalars(select(Person.national_id).where(
            Person.id == enrollment.person_id)).one()
    assert new_nid != nid_a
    assert _find(page, new_nid) == (new_nid, NONE)
    assert _find(page, nid_a) == (nid_a, NONE)
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
    assert page.inner_text(f"#merges button[data-unmerge='{nid_b}']") == f"إلغاء دمج {nid_b}"
    page.click(f"#merges button[data-unmerge='{nid_b}']")
    page.wait_for_selector("text=أُلغي الدمج: أُعيد الرقمان وسجلاتهما.")
    assert page.inner_text("#merges td[data-status=unmerged]").startswith("أُلغي الدمج")
    page.screenshot(path=str(SHOTS / "workbench-unmerged.png"), full_page=True)
    assert _find(page, nid_b) == (nid_b, NONE)
    assert _find(page, nid_a) == (nid_a, NONE)
    page.click("header button:has-text('خروج')")
    page.wait_for_url("**/admin/signin?notice=signed_out")
    assert page.inner_text(".notice") == "خرجت من منصة التدقيق."
    arabic_rtl(page, "مفتاح المشرف")
