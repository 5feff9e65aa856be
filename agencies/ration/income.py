"""Household income as the 2021 decision counts it.

A card is withheld when its household's *total* monthly income passes the ceiling; an unmarried
adult member is withheld alone when their *own* total passes it. So the household total sums
every income feed (payroll, pension: the latest row of each of a person's income streams) of
the members who are not unmarried adults — the head, spouses and other married members, minors —
and each unmarried adult member (not the head) is judged on their own total. A person on no
card is judged on their own total. Both are judged by the ceiling in force in the month the
latest figure speaks of.

Assumptions (stated, and in one place): adult = 18 years or older today; married = a marriage
in the registry in force today (``identity.registry.kinship``); a deceased member's income no
longer counts; a stream's latest figure stands until its feed reports a newer month (0 when the
payment stopped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from sqlalchemy.orm import Session

from agencies.ration import facts
from agencies.ration.decide import Decision
from agencies.ration.rules import rule_in_force
from identity.registry import kinship, persons
from models.ration import CardStatus, FeedRow, Household, Member

ADULT_AGE = 18
COUNTED = ("head", "married", "minor")  # in the household's total; the rest are judged alone


class IncomeRow(TypedDict):
    """One income line as the card's view (``IncomeLineView``) and the audit show it."""

    feed_row_id: int
    kind: str
    agency: str
    period: str  # YYYY-MM
    amount_iqd: int


@dataclass(frozen=True)
class IncomeLine:
    feed_row_id: int
    stream: str
    kind: str
    agency: str
    period: date
    amount_iqd: int

    def as_dict(self) -> IncomeRow:
        return {"feed_row_id": self.feed_row_id, "kind": self.kind, "agency": self.agency,
                "period": self.period.isoformat()[:7], "amount_iqd": self.amount_iqd}


@dataclass(frozen=True)
class MemberIncome:
    person_id: int
    national_id: str
    counted: bool  # in the household's total (else: an unmarried adult, or deceased)
    why: str  # head | married | minor | unmarried_adult | deceased
    lines: list[IncomeLine]

    @property
    def total_iqd(self) -> int:
        return sum(line.amount_iqd for line in self.lines)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def standing(session: Session, person_id: int, role: str | None, today: date) -> str:
    """How a person's income counts: ``deceased`` (not at all), ``no_card`` (alone: a
    household of one), ``head``, ``minor``, ``married`` (in the household's total) or
    ``unmarried_adult`` (alone). ``role``: the member's role on a card, None when on none."""
    person = persons.resolve_person(session, person_id)
    if person.life_status == persons.LifeStatus.DECEASED:
        return "deceased"
    if role is None:
        return "no_card"
    if role == "head":
        return "head"
    if _age(person.birth_date, today) < ADULT_AGE:
        return "minor"
    if any(kinship.married_at(m, today) for m, _ in kinship.marriages(session, person)):
        return "married"
    return "unmarried_adult"


def lines_of(session: Session, person_ids: list[int]) -> dict[int, list[IncomeLine]]:
    """Each person's income streams, the latest row of each."""
    out: dict[int, list[IncomeLine]] = {pid: [] for pid in person_ids}
    for (pid, stream), row in facts.latest(session, person_ids,
                                           prefix=facts.INCOME_PREFIX).items():
        _, kind, agency = stream.split(":", 2)
        assert row.ref_date is not None
        out[pid].append(IncomeLine(row.id, stream, kind, agency, row.ref_date,
                                   int(row.data.get("monthly_income_iqd", 0))))
    return out


def members_income(session: Session, members: list[Member], today: date) -> list[MemberIncome]:
    lines = lines_of(session, [m.person_id for m in members])
    out = []
    for m in members:
        why = standing(session, m.person_id, m.role, today)
        nid = persons.resolve_person(session, m.person_id).national_id
        out.append(MemberIncome(m.person_id, nid, why in COUNTED, why, lines[m.person_id]))
    return out


def _judge(session: Session, lines: list[IncomeLine], label: str,
           details: dict[str, Any]) -> Decision:
    total = sum(line.amount_iqd for line in lines)
    sig = facts.signature([label, sorted([line.stream, line.amount_iqd] for line in lines)])
    if not lines:
        return Decision(False, details={**details, "total_iqd": 0}, signature=sig)
    latest = max(lines, key=lambda line: (line.period, line.feed_row_id))
    rule = rule_in_force(session, "income", latest.period)
    details = {**details, "total_iqd": total, "month": latest.period.isoformat()[:7],
               "ceiling_iqd": rule.threshold_iqd if rule else None,
               "rule_id": rule.id if rule else None}
    if rule is None:
        return Decision(False, details=details, signature=sig, no_rule=True)
    over = rule.threshold_iqd is not None and total > rule.threshold_iqd
    cause = session.get(FeedRow, latest.feed_row_id)
    return Decision(over, rule, latest.period, cause, details, sig)


def decide_household(session: Session, household: Household, members: list[Member],
                     today: date) -> tuple[Decision, list[MemberIncome]]:
    """The household-total decision of a card and every member's income (the figures shown)."""
    incomes = members_income(session, members, today)
    counted = [mi for mi in incomes if mi.counted]
    lines = [line for mi in counted for line in mi.lines]
    details = {"members": [{"national_id": mi.national_id, "counted": True, "why": mi.why,
                            "total_iqd": mi.total_iqd,
                            "rows": [line.as_dict() for line in mi.lines]} for mi in counted]}
    if household.status != CardStatus.ACTIVE:
        return Decision(False), incomes
    return _judge(session, lines, f"household:{household.id}", details), incomes


def decide_member(session: Session, person_id: int, role: str | None,
                  today: date) -> Decision:
    """An unmarried adult member's own total (a person on no card counts as a household of
    one); for every other member the household total decides, so this is never a block."""
    why = standing(session, person_id, role, today)
    if why not in ("unmarried_adult", "no_card"):
        return Decision(False)
    lines = lines_of(session, [person_id])[person_id]
    details = {"why": why, "rows": [line.as_dict() for line in lines]}
    return _judge(session, lines, "member", details)
