"""Eligibility rules as data: exclusion categories, their scope, and dated rule versions.

The rule rows live in ``ration_rules`` (seeded by migration ``0004_ration`` with the defaults of
DOMAIN.md); a change in law is a new row with its own ``effective_from``, never an edit of
code. A feed row is judged by the rule version in force on the row's reference date.
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
SCOPES = (HOUSEHOLD_IF_HEAD, MEMBER)


@dataclass(frozen=True)
class Category:
    name: str
    scope: str
    temporary: bool
    feed: str  # the feed kind (or "events") that raises it
    label: str


CATEGORIES: dict[str, Category] = {c.name: c for c in (
    Category("income", HOUSEHOLD_IF_HEAD, False, "payroll",
             "monthly income above the threshold"),
    Category("tax", HOUSEHOLD_IF_HEAD, False, "tax", "taxpayer assessed above the threshold"),
    Category("contractor", HOUSEHOLD_IF_HEAD, False, "company_registry",
             "contractor of grade 1 to the maximum grade"),
    Category("company_owner", HOUSEHOLD_IF_HEAD, False, "company_registry", "company owner"),
    Category("shareholder", HOUSEHOLD_IF_HEAD, False, "company_registry",
             "company shareholder"),
    Category("chamber_member", HOUSEHOLD_IF_HEAD, False, "company_registry",
             "chamber of commerce or industry member"),
    Category("medical_syndicate", HOUSEHOLD_IF_HEAD, False, "syndicates",
             "doctors', dentists' or pharmacists' syndicate member"),
    Category("abroad", MEMBER, True, "travel", "abroad more than the allowed days"),
    Category("resident_abroad", MEMBER, False, "travel",
             "resident abroad or holder of the host nationality"),
    Category("prison", MEMBER, True, "prison", "prison inmate"),
    Category("deceased", MEMBER, False, "events", "deceased (from the identity event feed)"),
)}

# Syndicates whose members are excluded (Cabinet decision of 2021).
MEDICAL_SYNDICATES = frozenset({"doctors", "dentists", "pharmacists"})


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
    known = CATEGORIES.get(category)
    if known is None or known.feed == "events":
        raise Invalid(f"unknown rule category {category!r}", code="unknown_category")
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
    rule = Rule(category=category, scope=scope or known.scope, temporary=known.temporary,
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
