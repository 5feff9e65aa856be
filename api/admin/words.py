"""The workbench's words in Arabic: the label of every machine code the pages show (bands,
decisions, reasons, statuses, fingers, registers), the notices shown after a form, and readable
dates and ages. Text that a page shows once lives in its template; a code's label lives here
only. Codes stay the stable values the forms post and the API returns: only their display is
Arabic, and an unknown code is shown as it is."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from identity.registry.places import birthplace_label

LABELS: dict[str, dict[str, str]] = {
    "band": {"match": "تطابق", "review": "مراجعة", "no_match": "لا تطابق"},
    "decision": {"same": "الشخص نفسه", "different": "شخصان مختلفان", "fraud": "احتيال"},
    "reason": {
        "biometric_match": "تطابق الوجه والبصمات", "same_documents": "الوثائق نفسها",
        "name_spelling_variant": "اختلاف في كتابة الاسم", "other": "سبب آخر (اكتب ملاحظة)",
        "different_biometrics": "سمات حيوية مختلفة", "twins_or_relatives": "توأمان أو قريبان",
        "different_demographics": "بيانات شخصية مختلفة", "identity_theft": "انتحال هوية",
        "multiple_identities": "هويات متعددة لشخص واحد", "forged_documents": "وثائق مزوّرة",
        "merge_error": "دمج خاطئ", "court_order": "قرار محكمة",
    },
    "decision_status": {"proposed": "مقترح، ينتظر مشرفاً ثانياً", "applied": "نافذ",
                        "superseded": "استُبدل بغيره"},
    "merge_status": {"merged": "مدموج", "unmerged": "أُلغي الدمج"},
    "person_status": {"active": "فعّال", "merged": "مدموج في سجل آخر"},
    "life": {"alive": "على قيد الحياة", "deceased": "متوفى"},
    "packet": {"pending": "قيد المعالجة", "issued": "صدر له رقم جديد",
               "matched": "طابق شخصاً مسجلاً", "review": "محتجزة للمراجعة", "fraud": "احتيال",
               "distinct": "شخص جديد بقرار مشرف", "updated": "تحديث للسمات الحيوية"},
    "register": {"civil_status": "الأحوال المدنية", "nationality": "الجنسية",
                 "residence": "الإقامة", "ration": "البطاقة التموينية"},
    "channel": {"public": "راقبني (المواطن)", "portal": "بوابة الوزارة"},
    "sex": {"M": "ذكر", "F": "أنثى"},
    # Finger positions as ISO/IEC 19794-2 numbers them (1-5 right hand, 6-10 left).
    "finger": {"1": "إبهام اليد اليمنى", "2": "سبابة اليد اليمنى", "3": "وسطى اليد اليمنى",
               "4": "بنصر اليد اليمنى", "5": "خنصر اليد اليمنى", "6": "إبهام اليد اليسرى",
               "7": "سبابة اليد اليسرى", "8": "وسطى اليد اليسرى", "9": "بنصر اليد اليسرى",
               "10": "خنصر اليد اليسرى"},
}

NOTICES = {
    "decided": "سُجّل القرار.",
    "awaiting_second_admin": "اقتُرح الدمج: يجب أن يؤكده مشرف آخر.",
    "second_admin_required": "أنت من اقترح هذا الدمج: يجب أن يؤكده مشرف آخر.",
    "case_decided": "سبق أن صدر قرار في هذه الحالة.",
    "case_changed": "أشخاص سُجّلوا بعد فتح الحالة يطابقون الحزمة أيضاً، فأُضيفوا إليها. "
                    "راجعها من جديد.",
    "case_without_candidate": "لا مرشح في هذه الحالة.",
    "candidate_held": "المرشح الأول حزمة محتجزة في حالة أخرى: افصل في تلك الحالة أولاً.",
    "update_cannot_issue": "تحديث السمات الحيوية لا يُعطى رقماً جديداً: اختر «الشخص نفسه» "
                           "أو «احتيال».",
    "invalid_reason": "هذا السبب لا يناسب هذا القرار.",
    "invalid_decision": "اختر قراراً.",
    "note_required": "السبب «سبب آخر» يحتاج إلى ملاحظة.",
    "note_too_long": "الملاحظة أطول من المسموح.",
    "not_a_candidate": "هذا الرقم ليس من مرشحي هذه الحالة.",
    "merge_conflict": "رُفض الدمج: لكل من الشخصين سجل لا يكون إلا مرة واحدة للشخص "
                      "(يُسوّى أولاً في الجهة المالكة له).",
    "merge_same_person": "لا يُدمج الشخص مع نفسه.",
    "already_merged": "أحد الشخصين مدموج في سجل آخر.",
    "legacy_id_taken": "أحد الأرقام القديمة في الحزمة يعود إلى شخص آخر.",
    "unmerged": "أُلغي الدمج: أُعيد الرقمان وسجلاتهما.",
    "unmerge_order": "دُمج السجل الباقي مرة أخرى بعد ذلك: ألغِ ذلك الدمج أولاً.",
    "merge_not_found": "هذا الرقم ليس رقماً بديلاً من دمج.",
    "invalid_national_id": "الرقم الوطني 12 خانة مع خانة تحقق صحيحة.",
    "person_not_found": "لا يوجد شخص بهذا الرقم الوطني.",
    "signed_out": "خرجت من منصة التدقيق.",
    "invalid_key": "هذا المفتاح غير صالح.",
    "wrong_role": "منصة التدقيق تحتاج إلى مفتاح مشرف.",
    "csrf_failed": "رُفض النموذج: افتح الصفحة من جديد وأعد المحاولة.",
    "case_not_found": "لا توجد حالة بهذا الرقم.",
    "not_found": "الصفحة المطلوبة غير موجودة.",
    "rate_limited": "محاولات دخول فاشلة كثيرة من هذا العنوان: انتظر دقيقة ثم أعد المحاولة.",
    "step_recorded": "سُجّلت المرحلة.",
    "invalid_step": "اختر مرحلة تسمح بها الشكوى.",
    "invalid_transition": "لا تسمح حالة الشكوى بهذه المرحلة الآن.",
    "routed_to_required": "اذكر الجهة المحال إليها.",
}
OK_NOTICES = frozenset({"decided", "unmerged", "signed_out", "step_recorded"})

MONTHS = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
          "تشرين الأول", "تشرين الثاني", "كانون الأول")
# Unit: (one, two, three to ten): Arabic says one and two by the noun alone (singular, dual)
# and takes the plural from 3 to 10 only.
_AGE_UNITS = {"min": ("دقيقة", "دقيقتان", "دقائق"), "h": ("ساعة", "ساعتان", "ساعات"),
              "d": ("يوم", "يومان", "أيام")}


def label(code: object, kind: str) -> str:
    """The Arabic label of ``code`` among ``kind`` (a key of ``LABELS``); the code if none."""
    text = "" if code is None else str(code)
    return LABELS[kind].get(text, text)


def demographic(value: Any, key: str) -> str:
    """A demographic value as a person reads it: the birthplace by its Arabic name, the sex
    in words; names and dates as the record holds them."""
    if value is None or value == "":
        return ""
    if key == "birthplace":
        return birthplace_label(str(value))
    if key == "sex":
        return label(value, "sex")
    return str(value)


def notice(code: str) -> tuple[str, bool]:
    """The notice for a form's outcome ``code`` and whether it reports a refusal."""
    return NOTICES.get(code, f"رُفض الطلب ({code})."), code not in OK_NOTICES


def when(at: datetime | None) -> str:
    """A moment as the workbench shows it: day, Iraqi month name, year and UTC time."""
    if at is None:
        return "—"
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    at = at.astimezone(UTC)
    return f"{at.day} {MONTHS[at.month - 1]} {at.year}، {at:%H:%M} UTC"


def age(text: str) -> str:
    """An age as ``enrollment.workbench.age_text`` writes it ("2 h 5 min"), in Arabic."""
    found = re.findall(r"(\d+) (min|h|d)\b", text)
    parts = []
    for number, unit in found:
        one, two, some = _AGE_UNITS[unit]
        n = int(number)
        if n:
            parts.append(one if n == 1 else two if n == 2 else
                         f"{n} {some if 3 <= n <= 10 else one}")
    if not found:
        return text
    return " و".join(parts) or "أقل من دقيقة"
