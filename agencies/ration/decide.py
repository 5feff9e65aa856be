"""What the facts decide for one person and one category: blocked or not, from when, under
which rule version, because of which feed row, on which figures.

Income and tax are judged by the rule version in force on the period they report; a standing
fact (a membership, a stay abroad, a prison term, a nationality) by the version in force today,
and a block it opens never starts before that version does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from agencies.ration import facts
from agencies.ration.feed_rows import NOT_FOREIGN, streams_of
from agencies.ration.rules import rule_in_force
from models.ration import FeedRow, Rule


@dataclass(frozen=True)
class Decision:
    blocked: bool
    rule: Rule | None = None
    starts_on: date | None = None
    cause: FeedRow | None = None
    details: dict[str, Any] = field(default_factory=dict)
    signature: str | None = None
    no_rule: bool = False  # the facts would exclude, but no rule version is in force


NOT_BLOCKED = Decision(False)


def _standing(category: str, row: FeedRow, blocked: bool, start: date, today: date,
              session: Session, figures: list[Any], details: dict[str, Any]) -> Decision:
    """A standing fact: judged by the rule in force today, starting no earlier than it."""
    sig = facts.signature([category, *figures])
    if not blocked:
        return Decision(False, cause=row, details=details, signature=sig)
    rule = rule_in_force(session, category, facts.judged_on(start, today))
    if rule is None:
        return Decision(False, cause=row, details=details, signature=sig, no_rule=True)
    return Decision(True, rule, max(start, rule.effective_from), row, details, sig)


def _graded(session: Session, category: str, row: FeedRow, today: date) -> Decision:
    data = row.data
    grade = data.get("grade")
    rule = rule_in_force(session, category, facts.judged_on(row.ref_date or today, today))
    over_grade = (rule is not None and rule.max_grade is not None and grade is not None
                  and int(grade) > rule.max_grade)
    details = {"active": bool(data.get("active", True)), "grade": grade,
               "max_grade": rule.max_grade if rule else None}
    blocked = bool(data.get("active", True)) and not over_grade
    return _standing(category, row, blocked, row.ref_date or today, today, session,
                     [row.stream, details["active"], grade], details)


def _syndicate(session: Session, rows: list[FeedRow], today: date) -> Decision:
    active = [r for r in rows if r.data.get("active", True)]
    figures = sorted([str(r.stream), bool(r.data.get("active", True))] for r in rows)
    if not active:
        return Decision(False, cause=rows[-1] if rows else None,
                        signature=facts.signature(["medical_syndicate", *figures]))
    cause = max(active, key=lambda r: (r.ref_date or today, r.id))
    details = {"syndicates": sorted(str(r.stream)[10:] for r in active)}
    return _standing("medical_syndicate", cause, True, cause.ref_date or today, today,
                     session, figures, details)


def _tax(session: Session, row: FeedRow, today: date) -> Decision:
    amount = int(row.data.get("assessed_income_iqd", 0))
    ref = row.ref_date or today
    rule = rule_in_force(session, "tax", min(ref, today))
    sig = facts.signature(["tax", amount])
    details = {"assessed_income_iqd": amount, "tax_year": row.data.get("tax_year"),
               "threshold_iqd": rule.threshold_iqd if rule else None}
    if rule is None:
        return Decision(False, cause=row, details=details, signature=sig, no_rule=True)
    if rule.threshold_iqd is None or amount <= rule.threshold_iqd:
        return Decision(False, rule, cause=row, details=details, signature=sig)
    return Decision(True, rule, min(ref, today), row, details, sig)


def _abroad(session: Session, row: FeedRow, today: date) -> Decision:
    left = row.ref_date or today
    if row.data.get("movement") != "exit":
        return Decision(False, cause=row, signature=facts.signature(["abroad", "entry"]))
    rule = rule_in_force(session, "abroad", facts.judged_on(left, today))
    sig = facts.signature(["abroad", "exit", left])
    if rule is None:
        return Decision(False, cause=row, signature=sig, no_rule=True)
    starts = left + timedelta(days=(rule.min_days or 0) + 1)
    return Decision(True, rule, max(starts, rule.effective_from), row,
                    {"left_on": left.isoformat(), "allowed_days": rule.min_days}, sig)


def decide(session: Session, person_id: int, category: str, today: date) -> Decision:
    """The decision for a category decided by one person's own facts (not income)."""
    rows = facts.latest(session, [person_id], streams_of(category))
    mine = [r for (_, _s), r in sorted(rows.items())]
    if not mine:
        return NOT_BLOCKED
    row = mine[0]
    data = row.data
    ref = row.ref_date or today
    if category == "medical_syndicate":
        return _syndicate(session, mine, today)
    if category == "tax":
        return _tax(session, row, today)
    if category == "abroad":
        return _abroad(session, row, today)
    if category in ("contractor", "chamber_commerce", "chamber_industry"):
        return _graded(session, category, row, today)
    if category == "resident_abroad":
        blocked = data.get("movement") == "residence_abroad"
        figures: list[Any] = [data.get("movement"), ref]
    elif category == "prison":
        blocked = data.get("event") == "admitted"
        figures = [data.get("event"), ref]
    elif category == "non_iraqi":
        code = str(data.get("nationality"))
        blocked = code not in NOT_FOREIGN
        figures = [code]
    else:  # company_owner, shareholder, businessmen_union, terrorism, fugitive
        blocked = bool(data.get("active", True))
        figures = [blocked]
    return _standing(category, row, blocked, ref, today, session, figures,
                     {k: v for k, v in data.items() if k != "national_id"})
