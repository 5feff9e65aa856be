"""Eligibility rules as data: exclusion categories, their scope, and dated rule versions.

The rule rows live in ``ration_rules`` (seeded by migrations ``0004_ration`` and
``0020_ration_law`` with the Cabinet decision in force 1 June 2021 and the later 2,000,000 IQD
ceiling); a change in law is a new row with its own ``effective_from``, never an edit of code.
Income and tax rows are judged by the version in force on the period they report; standing
facts (memberships, a stay abroad, prison) by the version in force today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from identity.access import journal
from identity.platform.errors import Conflict, Invalid
from models.ration import Rule

HOUSEHOLD_IF_HEAD = "household_if_head"  # the whole card when it hits the head, else the member
MEMBER = "member"  # only the member, whoever they are
HOUSEHOLD = "household"  # the card as a whole (its total income), whoever earns it
SCOPES = (HOUSEHOLD_IF_HEAD, MEMBER, HOUSEHOLD)
FEED_SOURCES = ("events", "legacy")  # categories no feed row decides


@dataclass(frozen=True)
class Category:
    """A reason for exclusion. ``rule`` names the rule whose dated versions govern it (default:
    the category itself); ``source`` the feed kind that reports it, or ``events``/``legacy``."""

    name: str
    scope: str
    temporary: bool
    source: str
    label_en: str
    label_ar: str
    rule: str | None = None

    @property
    def rule_name(self) -> str:
        return self.rule or self.name


_HIH, _M = HOUSEHOLD_IF_HEAD, MEMBER
CATEGORIES: dict[str, Category] = {c.name: c for c in (
    Category("household_income", HOUSEHOLD, False, "payroll, pension",
             "the household's total monthly income is above the ceiling",
             "مجموع الدخل الشهري للأسرة يتجاوز السقف", rule="income"),
    Category("income", _M, False, "payroll, pension",
             "an unmarried adult member's own monthly income is above the ceiling",
             "مجموع الدخل الشهري لفرد بالغ غير متزوج يتجاوز السقف", rule="income"),
    Category("tax", _HIH, False, "tax", "taxpayer assessed above the threshold a year",
             "تحاسب ضريبي يتجاوز الحد السنوي"),
    Category("contractor", _HIH, False, "company_registry",
             "contractor of grade 1 to the maximum grade", "مقاول مصنف ضمن الدرجات المحجوبة"),
    Category("company_owner", _HIH, False, "company_registry", "company owner",
             "صاحب شركة مسجلة"),
    Category("shareholder", _HIH, False, "company_registry", "company shareholder",
             "مساهم في شركة مسجلة"),
    Category("chamber_commerce", _HIH, False, "company_registry",
             "chamber of commerce member up to the maximum grade",
             "عضو اتحاد الغرف التجارية حتى الدرجة المحددة"),
    Category("chamber_industry", _HIH, False, "company_registry",
             "federation of industries member up to the maximum category",
             "عضو اتحاد الصناعات حتى الفئة المحددة"),
    Category("businessmen_union", _HIH, False, "company_registry", "businessmen's union member",
             "عضو اتحاد رجال الأعمال"),
    Category("medical_syndicate", _HIH, False, "syndicates",
             "doctors', dentists' or pharmacists' syndicate member",
             "عضو نقابة الأطباء أو أطباء الأسنان أو الصيادلة"),
    Category("abroad", _M, True, "travel", "abroad more than the allowed days",
             "مسافر خارج العراق أكثر من المدة المسموحة"),
    Category("resident_abroad", _M, False, "travel",
             "resident abroad or holder of the host nationality",
             "مقيم خارج العراق أو حامل لجنسية البلد المضيف"),
    Category("prison", _M, True, "prison", "prison inmate", "نزيل في السجن"),
    Category("terrorism", _M, False, "security", "member of a terrorist organisation",
             "منتمٍ إلى تنظيم إرهابي"),
    Category("fugitive", _M, False, "security", "fugitive from justice", "هارب من العدالة"),
    Category("non_iraqi", _M, False, "nationality",
             "not Iraqi: an Arab or foreign national or a refugee (Palestinian families "
             "excepted)", "غير عراقي: عربي أو أجنبي أو لاجئ (عدا الأسر الفلسطينية)"),
    Category("deceased", _M, False, "events", "deceased (from the identity event feed)",
             "متوفى (من سجل الوفيات)"),
    Category("chamber_member", _HIH, False, "legacy",
             "chamber member of any grade (recorded before grades were modelled)",
             "عضو غرفة تجارية أو صناعية (سُجّل قبل اعتماد الدرجات)"),
)}
RULE_NAMES = frozenset(c.rule_name for c in CATEGORIES.values() if c.source not in FEED_SOURCES)

# Syndicates whose members are excluded (Cabinet decision of 2021).
MEDICAL_SYNDICATES = frozenset({"doctors", "dentists", "pharmacists"})


def category(name: str) -> Category:
    """The category ``name`` (an unknown name gets a neutral entry: old rows stay readable)."""
    return CATEGORIES.get(name) or Category(name, MEMBER, False, "legacy", name, name)


def rule_in_force(session: Session, category: str, on: date) -> Rule | None:
    """The version of ``category``'s rule in force on ``on`` (None: not excluded then)."""
    return session.scalars(
        select(Rule).where(Rule.category == category, Rule.effective_from <= on,
                           or_(Rule.effective_to.is_(None), Rule.effective_to >= on))
        .order_by(Rule.effective_from.desc()).limit(1)).first()


def list_rules(session: Session) -> list[Rule]:
    return list(session.scalars(select(Rule).order_by(Rule.category, Rule.effective_from)))


def add_rule_version(session: Session, *, category: str, effective_from: date, basis: str,
                     actor: str, threshold_iqd: int | None = None, min_days: int | None = None,
                     max_grade: int | None = None, scope: str | None = None) -> Rule:
    """Add a rule version from ``effective_from``; the open version before it ends the day
    before. A version starting on or before an existing later version is refused. Commits."""
    if category not in RULE_NAMES:
        raise Invalid(f"unknown rule category {category!r}", code="unknown_category")
    known = CATEGORIES[category]
    if scope is not None and scope not in SCOPES:
        raise Invalid(f"scope must be one of {', '.join(SCOPES)}", code="invalid_scope")
    later = session.scalars(select(Rule).where(Rule.category == category,
                                               Rule.effective_from >= effective_from)).first()
    if later is not None:
        raise Conflict("a version of this rule already starts on or after that date",
                       code="rule_version_exists")
    previous = rule_in_force(session, category, effective_from)
    if previous is not None:
        previous.effective_to = effective_from - timedelta(days=1)
    rule = Rule(category=category, scope=scope or (previous.scope if previous else known.scope),
                temporary=known.temporary,
                threshold_iqd=threshold_iqd if threshold_iqd is not None else (
                    previous.threshold_iqd if previous else None),
                min_days=min_days if min_days is not None else (
                    previous.min_days if previous else None),
                max_grade=max_grade if max_grade is not None else (
                    previous.max_grade if previous else None),
                effective_from=effective_from, effective_to=None, basis=basis[:200])
    session.add(rule)
    session.flush()
    journal.audit(session, actor=actor, action="ration.rule.add", outcome="added",
                  details={"rule_id": rule.id, "category": category,
                           "effective_from": effective_from.isoformat()})
    session.commit()
    return rule
