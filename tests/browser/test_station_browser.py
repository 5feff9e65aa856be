"""The enrollment station in headless Chromium against a real server and the SBI simulator:
sign in, the form (an Arabic governorate), the devices discovered, ten fingers and a face
captured, a failing face re-captured, submitted → issued; the same person again → matched; an
adult with three fingers → the exception approved by a second operator → submitted; captures
from an unregistered device or with a broken signature → refused with their codes; the server
stopped, two packets queued, the browser closed, the server started → both sent once, in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from identity.platform.db import make_engine, session_factory
from identity.platform.migrate import upgrade
from models.enrollment import Enrollment
from tests.browser.conftest import SHOTS
from tests.browser.station_live import Server, chromium_available, open_browser
from tests.station import helpers as h

pytestmark = pytest.mark.browser

ALI = {"given_name": "علي", "father_name": "حسين", "grandfather_name": "كاظم",
       "surname": "الجبوري", "mother_name": "زينب", "maternal_grandfather_name": "جاسم",
       "sex": "M", "birth_date": "1984-03-17"}


@pytest.fixture
def server(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hawiya.db'}")
    upgrade(engine)
    srv = Server(engine, tmp_path / "var")
    srv.start()
    yield srv
    srv.stop()
    engine.dispose()


@pytest.fixture
def images(tmp_path: Path, shared_data: Path) -> Path:
    root = tmp_path / "images"
    h.make_profile(root, "1-ali", shared_data, bad_face_first=True)
    h.make_profile(root, "2-ali-again", shared_data, face="obama2.jpg", impression=2)
    h.make_profile(root, "3-hamid", shared_data, face="biden.jpg", db="FVC2002_DB2_B",
                   fingers=(1, 2, 3), exception_photo=True)
    h.make_profile(root, "4-karim", shared_data, face="obama3.jpg", db="FVC2002_DB3_B")
    h.make_profile(root, "5-salim", shared_data, face="obama.jpg", db="FVC2002_DB4_B")
    return root


def _register(server: Server, port: int) -> None:
    from enrollment.devices import client
    from identity.access import devices

    with session_factory(server.engine)() as s:
        for found in client.reported_devices(port):
            devices.register(s, found.spec, found.certificate_pem, actor="test")


def sign_in(page, key: str) -> None:
    page.goto("/station/")
    page.fill("#station-key", key)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")


def fill_form(page, demo: dict[str, str], governorate: str | None = None,
              country: str | None = None) -> None:
    for name, value in demo.items():
        if name == "sex":
            page.select_option("#sex", value)
        elif name == "birth_date":
            page.fill("#birth_date", value)
        else:
            page.fill(f"#{name}", value)
    if country:
        page.check("#born_abroad")
        page.select_option("#birth_country", label=country)
    else:
        page.select_option("#birthplace", label=governorate)


def to_capture(page) -> None:
    page.click("#demo-form button[type=submit]")
    page.wait_for_selector("#step-capture:not([hidden])")


def discover(page, count: int = 2) -> None:
    page.click("#discover")
    page.wait_for_selector(f"#devices[data-count='{count}']")


def capture_fingers(page, slaps: tuple[int, ...], expect_ok: int, images: int = 0) -> None:
    """Capture the slaps; wait for ``expect_ok`` fingers passing the gate (or, offline, for
    ``images`` fingers shown unchecked)."""
    for slap in slaps:
        page.click(f".slap[data-slap='{slap}']")
    if images:
        page.wait_for_function(
            "n => document.querySelectorAll('.fingers .tile img:not([hidden])').length >= n "
            "&& [...document.querySelectorAll('.fingers .tile .q')].filter("
            "q => q.textContent.includes('لم تُفحص')).length >= n", arg=images)
        return
    page.wait_for_function("n => document.querySelectorAll('.fingers .tile.ok').length >= n",
                           arg=expect_ok)


def capture_face(page, expect: str = "ok") -> None:
    """Capture the face; ``expect`` ok, bad, or unchecked (no server to ask)."""
    page.click("#face-capture")
    if expect == "unchecked":
        page.wait_for_function("() => document.querySelector('.face-tile .q')"
                               ".textContent.includes('لم تُفحص')")
        return
    page.wait_for_selector(f".face-tile.{expect}")


def submit(page) -> str:
    page.click(".step[data-step=review]")
    page.wait_for_selector("#step-review:not([hidden])")
    page.click("#submit")
    page.wait_for_selector("#step-result:not([hidden]), #submit-error:not([hidden])")
    return page.inner_text("#result-title") if page.is_visible("#step-result") else \
        page.inner_text("#submit-error")


def next_person(page) -> None:
    page.click("#next-person")
    page.wait_for_selector("#step-form:not([hidden])")


def test_station_issues_matches_takes_an_exception_and_refuses_untrusted(
        server: Server, images: Path, tmp_path: Path) -> None:
    chromium_available()
    from playwright.sync_api import sync_playwright

    key = server.key("station-karkh-01")
    second_operator = server.key("station-karkh-01")
    other_station = server.key("station-rusafa-02")
    with h.running(images, tmp_path / "keys") as sim, sync_playwright() as pw:
        _register(server, sim.port)
        ctx = open_browser(pw, tmp_path / "chromium", server.url)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        sign_in(page, key)
        assert page.get_attribute("html", "dir") == "rtl"
        # names are checked as they are typed: Latin letters and digits are refused at once
        page.fill("#given_name", "Ali1")
        assert "بالحروف العربية" in page.inner_text("#given_name + .hint")
        fill_form(page, ALI, governorate="بغداد — Baghdad")
        page.screenshot(path=str(SHOTS / "station_form.png"))
        to_capture(page)
        discover(page)
        capture_fingers(page, (1, 2, 3), expect_ok=10)
        capture_face(page, expect="bad")  # the first face frame shows two people
        assert "أكثر من وجه" in page.inner_text(".face-tile .q")
        page.screenshot(path=str(SHOTS / "station_recapture.png"))
        page.click(".step[data-step=review]")
        assert page.is_disabled("#submit")  # a failing sample blocks submission
        page.click(".step[data-step=capture]")
        capture_face(page)  # re-captured
        page.screenshot(path=str(SHOTS / "station_capture.png"))
        assert submit(page) == "صدرت هوية وطنية جديدة"
        nid = page.inner_text("#result-nid").replace(" ", "")
        assert len(nid) == 12 and nid.isdigit()
        page.screenshot(path=str(SHOTS / "station_result.png"))
        with session_factory(server.engine)() as s:
            row = s.scalars(select(Enrollment)).one()
            assert row.demographics["birthplace"] == "IQ-BG"

        # the same person, captured again
        sim.select("2-ali-again")
        next_person(page)
        fill_form(page, ALI, governorate="بغداد — Baghdad")
        to_capture(page)
        discover(page)
        capture_fingers(page, (1, 2, 3), expect_ok=10)
        capture_face(page)
        assert submit(page) == "الشخص مسجّل مسبقاً"
        assert page.inner_text("#result-nid").replace(" ", "") == nid

        # an adult with three fingers: seven declared amputated, an approved exception
        sim.select("3-hamid")
        next_person(page)
        fill_form(page, {**ALI, "given_name": "حامد", "father_name": "ڕێبوار",
                         "surname": "گەلاوێژ", "mother_name": "ژیلە"},
                  governorate="أربيل — Erbil")
        to_capture(page)
        discover(page)
        for pos in range(4, 11):
            page.select_option(f".tile[data-sample='finger_{pos}'] select.missing", "amputated")
        page.click(".slap[data-slap='2']")
        page.click(".slap[data-slap='3']")
        page.wait_for_function("() => document.querySelectorAll('.fingers .tile.ok').length >= 3")
        capture_face(page)
        page.click(".step[data-step=review]")
        assert page.is_visible("#exception-box")
        page.click("#exception-capture")
        page.wait_for_selector("#exception-img:not([hidden])")
        page.fill("#approver-key", other_station)  # not an operator of this station
        page.screenshot(path=str(SHOTS / "station_exception.png"))
        refused = submit(page)
        assert refused.startswith("مفتاح المشغّل الثاني غير صالح"), refused
        page.fill("#approver-key", second_operator)
        approved = submit(page)
        assert approved == "صدرت هوية وطنية جديدة", approved

        # a capture whose signature was altered after the device signed it
        sim.select("4-karim")
        next_person(page)
        fill_form(page, {**ALI, "given_name": "كريم"}, governorate="البصرة — Basra")
        to_capture(page)
        discover(page)
        capture_fingers(page, (2,), expect_ok=4)
        page.evaluate("""() => {
            const e = Packet.current.samples.finger_2.entry;
            const [h, b, s] = e.data.split('.');
            const p = JSON.parse(atob(b.replace(/-/g, '+').replace(/_/g, '/')));
            p.qualityScore = 100;
            const nb = btoa(JSON.stringify(p)).replace(/\\+/g, '-')
                .replace(/\\//g, '_').replace(/=+$/, '');
            e.data = [h, nb, s].join('.');
        }""")
        assert submit(page) == "توقيع الجهاز على الالتقاط غير صحيح"

    # captures from a device nobody registered
    with h.running(images, tmp_path / "rogue-keys", prefix="ROGUE") as rogue, \
            sync_playwright() as pw:
        rogue.select("4-karim")
        ctx = open_browser(pw, tmp_path / "chromium", server.url)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        sign_in(page, key)
        fill_form(page, {**ALI, "given_name": "كريم"}, governorate="البصرة — Basra")
        to_capture(page)
        discover(page)
        capture_fingers(page, (2,), expect_ok=4)
        assert submit(page) == "الجهاز الذي التقط العينة غير مسجّل لدى هوية"
        ctx.close()
    with session_factory(server.engine)() as s:
        assert len(s.scalars(select(Enrollment)).all()) == 3


def test_offline_packets_wait_in_the_queue_and_are_sent_once_in_order(
        server: Server, images: Path, tmp_path: Path) -> None:
    chromium_available()
    from playwright.sync_api import sync_playwright

    key = server.key("station-mosul-03")
    with h.running(images, tmp_path / "keys") as sim:
        _register(server, sim.port)
        with sync_playwright() as pw:
            ctx = open_browser(pw, tmp_path / "chromium", server.url)
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            sign_in(page, key)
            server.stop()  # the office loses the network
            page.wait_for_selector("#net-state.off")
            queued = []
            for profile, name, country in (("4-karim", "كريم", None),
                                           ("5-salim", "سليم", "سوريا — Syria")):
                sim.select(profile)
                fill_form(page, {**ALI, "given_name": name}, governorate="نينوى — Nineveh",
                          country=country)
                to_capture(page)
                discover(page)
                capture_fingers(page, (1, 2, 3), expect_ok=0, images=10)
                capture_face(page, expect="unchecked")  # no server: quality not checked
                page.click(".step[data-step=review]")
                page.click("#submit")
                page.wait_for_selector("#result[data-status=queued]")
                queued.append(page.inner_text("#result-note").split()[2])
                next_person(page)
            assert page.inner_text("#queue-count") == "2"
            page.click("#queue-open")
            page.wait_for_selector("#queue-rows tr[data-state=pending]")
            page.screenshot(path=str(SHOTS / "station_queue_offline.png"))
            ctx.close()  # the clerk closes the browser
        server.start()  # the network is back
        with sync_playwright() as pw:
            ctx = open_browser(pw, tmp_path / "chromium", server.url)
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            sign_in(page, key)
            page.click("#queue-open")
            page.wait_for_function(
                "() => document.querySelectorAll('#queue-rows tr[data-state=sent]').length == 2",
                timeout=300_000)
            assert page.inner_text("#queue-count") == "0"
            page.screenshot(path=str(SHOTS / "station_queue_sent.png"))
            ctx.close()
    with session_factory(server.engine)() as s:
        rows = s.scalars(select(Enrollment).order_by(Enrollment.id)).all()
    assert [r.capture_id for r in rows] == queued  # each once, in the order queued
    assert rows[1].demographics["birthplace"] == "SY"


def _webcam_packet(page, name: str) -> str:
    fill_form(page, {**ALI, "given_name": name}, governorate="كربلاء — Karbala")
    to_capture(page)
    discover(page)
    capture_fingers(page, (1, 2, 3), expect_ok=10)
    page.click("#webcam-start")
    page.wait_for_function("() => document.querySelector('#webcam-video').readyState >= 2")
    page.click("#webcam-go")
    page.wait_for_selector(".face-tile.ok, .face-tile.bad")
    assert page.inner_text(".face-tile .src") == "كاميرا الويب"
    return submit(page)


def test_webcam_face_passes_the_liveness_challenge_and_a_photo_does_not(
        server: Server, images: Path, tmp_path: Path, shared_data: Path) -> None:
    """Chromium's camera plays a person's photos at different poses (a head turn and a blink),
    then, for the second packet, one photo held still."""
    chromium_available()
    from playwright.sync_api import sync_playwright

    from models.devices import CaptureAttestation

    lfw = shared_data / "faces" / "lfw" / "images" / "Colin_Powell"
    turn = h.fake_camera_video(tmp_path / "turn.y4m", [
        lfw / f"Colin_Powell_{i}.jpg" for i in ("0198", "0071", "0234", "0049")])
    still = h.fake_camera_video(tmp_path / "still.y4m", [lfw / "Colin_Powell_0198.jpg"])
    key = server.key("station-karbala-04")
    with h.running(images, tmp_path / "keys") as sim:
        _register(server, sim.port)
        with sync_playwright() as pw:
            ctx = open_browser(pw, tmp_path / "chromium", server.url, video=turn)
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            sign_in(page, key)
            assert _webcam_packet(page, "رائد") == "صدرت هوية وطنية جديدة"
            ctx.close()
        sim.select("4-karim")
        with sync_playwright() as pw:
            ctx = open_browser(pw, tmp_path / "chromium-2", server.url, video=still)
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            sign_in(page, key)
            refused = _webcam_packet(page, "كريم")
            page.screenshot(path=str(SHOTS / "station_liveness_refused.png"))
            assert refused.startswith("لم يكتمل التحقق من الحيوية: أعد المحاولة واتبع التعليمات")
            assert "الالتفات يساراً" in refused
            ctx.close()
    with session_factory(server.engine)() as s:
        face = s.scalars(select(CaptureAttestation).where(
            CaptureAttestation.sample == "face")).one()
        assert face.source == "webcam" and face.device_id is None
        assert face.liveness["live"] is True and face.liveness["missing"] == []
        assert len(s.scalars(select(Enrollment)).all()) == 1
