"""The workbench's Arabic catalogue: every code the pages show has its label, every outcome a
form redirects with has its notice, and ages and dates read as Arabic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from api.admin import words
from enrollment.adjudication import REASONS, UNMERGE_REASONS
from enrollment.decider import Status
from enrollment.workbench import FINGER_NAMES, age_text
from identity.registry.schemas import LEGACY_REGISTERS


def test_every_code_the_pages_show_has_an_arabic_label() -> None:
    reasons = {r for codes in REASONS.values() for r in codes} | set(UNMERGE_REASONS)
    wanted = {"decision": set(REASONS), "reason": reasons, "packet": {s.value for s in Status},
              "finger": {str(p) for p in FINGER_NAMES}, "register": set(LEGACY_REGISTERS),
              "band": {"match", "review", "no_match"}}
    for kind, codes in wanted.items():
        assert codes <= set(words.LABELS[kind]), (kind, codes - set(words.LABELS[kind]))
    for kind, labels in words.LABELS.items():
        assert all(any("\u0600" <= ch <= "\u06ff" for ch in text) for text in labels.values()), kind
    assert words.label("twins_or_relatives", "reason") == "توأمان أو قريبان"
    assert words.label(7, "finger") == "سبابة اليد اليسرى"
    assert words.label("unheard_of", "band") == "unheard_of"  # an unknown code shows as it is
    assert words.demographic("IQ-BA", "birthplace") == "البصرة"
    assert words.demographic("F", "sex") == "أنثى"
    assert words.demographic(None, "surname") == ""


def test_notices_are_arabic_and_tell_refusals_apart() -> None:
    assert words.notice("decided") == ("سُجّل القرار.", False)
    text, refused = words.notice("case_changed")
    assert refused and text.startswith("أشخاص سُجّلوا بعد فتح الحالة")
    assert words.notice("something_new") == ("رُفض الطلب (something_new).", True)
    latin = [code for code, text in words.NOTICES.items()
             if any("a" <= ch.lower() <= "z" for ch in text)]
    assert latin == [], latin


def test_ages_and_dates_read_in_arabic() -> None:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    cases = {timedelta(seconds=59): "أقل من دقيقة", timedelta(minutes=1): "دقيقة",
             timedelta(minutes=2): "دقيقتان",
             timedelta(minutes=7): "7 دقائق", timedelta(minutes=45): "45 دقيقة",
             timedelta(hours=2, minutes=5): "ساعتان و5 دقائق",
             timedelta(hours=13, minutes=10): "13 ساعة و10 دقائق",
             timedelta(days=3, hours=1): "3 أيام وساعة",
             timedelta(days=1, minutes=20): "يوم", timedelta(hours=11): "11 ساعة"}
    for ago, expected in cases.items():
        assert words.age(age_text(now - ago, now)) == expected, ago
    assert words.when(datetime(2026, 1, 5, 7, 4)) == "5 كانون الثاني 2026، 07:04 UTC"
    baghdad = timezone(timedelta(hours=3))
    assert words.when(datetime(2026, 12, 1, 2, 0, tzinfo=baghdad)) == \
        "30 تشرين الثاني 2026، 23:00 UTC"
    assert words.when(None) == "—"
    assert words.age("soon") == "soon"  # not an age_text: shown as it is
