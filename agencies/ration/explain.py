"""Why, in Arabic and English: the sentence a citizen, an agent or a desk officer reads for a
block (with its rule version and feed row) and for a life-event proposal."""

from __future__ import annotations

from typing import Any

from agencies.ration.facts import FeedSource
from agencies.ration.rules import HOUSEHOLD, HOUSEHOLD_IF_HEAD, category
from models.ration import Block, Rule

_LIFTED_BY_AR = {"feed": "بيانات جديدة من الجهة المزودة", "appeal": "قرار اعتراض",
                 "event": "سجل الأحوال المدنية", "membership": "تغيير أفراد البطاقة"}


def _iqd(value: object) -> str:
    return f"{int(value):,}" if isinstance(value, int | float) else "?"


def _rule(rule: Rule | None) -> tuple[str, str]:
    if rule is None:
        return "", ""
    until = rule.effective_to.isoformat() if rule.effective_to else None
    return (f" (rule {rule.id}, in force from {rule.effective_from}"
            f"{' to ' + until if until else ''}: {rule.basis})",
            (f" (القاعدة {rule.id}، نافذة من {rule.effective_from}"
                f"{' إلى ' + until if until else ''})"))


def _what(block: Block, d: dict[str, Any], source: FeedSource | None) -> tuple[str, str]:
    name = block.category
    if name in ("household_income", "income"):
        who_en = "The household's total" if name == "household_income" else \
            "The member's own (an unmarried adult)"
        who_ar = "مجموع الدخل الشهري للأسرة" if name == "household_income" else \
            "مجموع الدخل الشهري للفرد البالغ غير المتزوج"
        total, ceiling, month = _iqd(d.get("total_iqd")), _iqd(d.get("ceiling_iqd")), \
            d.get("month", "?")
        return (f"{who_en} monthly income, {total} IQD in {month}, is above the ceiling of "
                f"{ceiling} IQD",
                (f"{who_ar} {total} دينار في {month} يتجاوز السقف البالغ {ceiling} دينار"))
    if name == "tax":
        amount, limit = _iqd(d.get("assessed_income_iqd")), _iqd(d.get("threshold_iqd"))
        return (f"Income assessed for tax year {d.get('tax_year')} is {amount} IQD, above "
                f"{limit} IQD a year",
                (f"الدخل الخاضع للتحاسب الضريبي لسنة {d.get('tax_year')} يبلغ {amount} "
                    f"دينار، أكثر من {limit} دينار سنوياً"))
    if name == "abroad":
        return (f"Left Iraq on {d.get('left_on')} and abroad more than {d.get('allowed_days')} "
                f"days: withheld from {block.starts_on} until the return is recorded",
                (f"غادر العراق في {d.get('left_on')} وتجاوز غيابه {d.get('allowed_days')} "
                    f"يوماً: تُحجب حصته من {block.starts_on} لحين تسجيل عودته"))
    if name == "deceased":
        return (f"Recorded deceased (identity event {block.event_id})",
                (f"مسجل متوفى (حدث السجل {block.event_id})"))
    known = category(name)
    en, ar = known.label_en[:1].upper() + known.label_en[1:], known.label_ar
    if d.get("grade") is not None:
        en += f" (grade {d['grade']}; withheld up to {d.get('max_grade')})"
        ar += (f" (الدرجة {d['grade']}؛ تُحجب حتى {d.get('max_grade')})")
    if name == "non_iraqi" and d.get("nationality"):
        en += f" (nationality {d['nationality']})"
        ar += f" (الجنسية {d['nationality']})"
    return en, ar


def block_reasons(block: Block, rule: Rule | None,
                  source: FeedSource | None) -> tuple[str, str]:
    """(English, Arabic) explanation of a block: what, since when, which rule and feed row."""
    d: dict[str, Any] = dict(block.details or {})
    what_en, what_ar = _what(block, d, source)
    rule_en, rule_ar = _rule(rule)
    reach_en, reach_ar = {
        HOUSEHOLD: ("the whole card is withheld", "تُحجب البطاقة كلها"),
        HOUSEHOLD_IF_HEAD: ("the whole card when it is the head's, else the member",
                            "البطاقة كلها إن كان رب الأسرة، وإلا الفرد وحده"),
    }.get(block.scope, ("this member is withheld", "يُحجب هذا الفرد"))
    en = f"{what_en}{rule_en}: {reach_en} from {block.starts_on}."
    ar = f"{what_ar}{rule_ar}: {reach_ar} اعتباراً من {block.starts_on}."
    if source is not None:
        en += (f" Reported by {source['agency']} ({source['kind']} feed, batch "
               f"{source['batch_ref']}, row {source['row_no']}, dated {source['ref_date']}).")
        ar += (f" المصدر: {source['agency']} (بيانات {source['kind']}، الدفعة "
                  f"{source['batch_ref']}، السطر {source['row_no']}، بتاريخ "
                  f"{source['ref_date']}).")
    if block.lifted_at is not None:
        en += f" Lifted on {block.lifted_at.date()} by {block.lifted_by}: {block.lift_reason}."
        ar += (f" رُفع الحجب في {block.lifted_at.date()} بموجب "
                  f"{_LIFTED_BY_AR.get(block.lifted_by or '', block.lifted_by)}: "
                  f"{block.lift_reason}.")
    return en, ar


_PROPOSALS: dict[str, tuple[str, str]] = {
    "new_head": ("The head {about} died on {died_on}; proposed next head: {person} ({why_en}). "
                 "The collection right moves when staff confirm.",
                 "توفي رب الأسرة {about} في {died_on}؛ المقترح رباً للأسرة: {person} ({why_ar}). "
                 "ينتقل حق الاستلام بعد تأكيد الموظف."),
    "head_needed": ("The head {about} died on {died_on}; no adult member to propose: staff "
                    "must name the head.",
                    "توفي رب الأسرة {about} في {died_on}؛ لا يوجد فرد بالغ يُقترح: على الموظف "
                    "تسمية رب الأسرة."),
    "add_newborn": ("Birth recorded: add the newborn {person} (born {birth_date}) to the card "
                    "of the {parent} {about}.",
                    "سُجلت ولادة: إضافة المولود {person} (مواليد {birth_date}) إلى بطاقة "
                    "{parent_ar} {about}."),
    "move_spouse": ("Marriage of {about} and {person} on {contract_date}: move the wife from "
                    "card {from_card} to the husband's card {card}; her old membership closes "
                    "the same day.",
                    "زواج {about} و{person} في {contract_date}: نقل الزوجة من البطاقة "
                    "{from_card} إلى بطاقة الزوج {card}، وتُغلق عضويتها القديمة في اليوم نفسه."),
    "add_spouse": ("Marriage of {about} and {person} on {contract_date}: add the wife, on no "
                   "card, to the husband's card {card}.",
                   "زواج {about} و{person} في {contract_date}: إضافة الزوجة، غير المسجلة على "
                   "بطاقة، إلى بطاقة الزوج {card}."),
    "return_after_divorce": ("Divorce recorded ({end_date}): return {person} from card "
                             "{from_card} to her father's card {card}.",
                             "سُجل طلاق ({end_date}): إعادة {person} من البطاقة {from_card} "
                             "إلى بطاقة أبيها {card}."),
}
_WHY_AR = {"spouse": "الزوج/الزوجة", "eldest_adult": "أكبر الأفراد البالغين سناً"}
_WHY_EN = {"spouse": "the spouse", "eldest_adult": "the eldest adult member"}
_PARENT_AR = {"mother": "الأم", "father": "الأب"}


def proposal_reasons(kind: str, values: dict[str, Any]) -> tuple[str, str]:
    """(English, Arabic) reason of a life-event proposal; ``values`` fills the templates."""
    en, ar = _PROPOSALS[kind]
    filled = {"died_on": "?", "why": "?", "birth_date": "?", "parent": "parent",
              "contract_date": "?", "end_date": "?", "from_card": "-", **values}
    filled["why_ar"] = _WHY_AR.get(str(filled["why"]), str(filled["why"]))
    filled["why_en"] = _WHY_EN.get(str(filled["why"]), str(filled["why"]))
    filled["parent_ar"] = _PARENT_AR.get(str(filled["parent"]), str(filled["parent"]))
    return en.format(**filled), (ar.format(**filled))
