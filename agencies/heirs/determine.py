"""Who inherits, from the registry: each relative's relation key, whether they outlived the
deceased, and their share from the share engine (``agencies.inheritance``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from agencies.inheritance import RELATIONS, InheritanceError, compute_shares
from identity.registry import deaths, kinship
from identity.registry.kinship import Relative
from models.person import Person

POSTHUMOUS_DAYS = 300  # a child born this long after the father's death can be his heir
SPOUSES = ("husband", "wife")


@dataclass
class Line:
    """One relative as the registry shows them, and whether and how they inherit."""

    person: Person
    labels: list[str]
    key: str | None = None
    alive_at_death: bool | None = None
    heir: bool = False
    reason: str = ""
    share: Fraction | None = None


@dataclass
class Determination:
    lines: dict[int, Line]
    shares: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)


def alive_at(session: Session, person: Person, death: tuple[date, date],
             labels: list[str], deceased: Person) -> tuple[bool | None, str | None]:
    """(alive at the death, why not): None when the order of the deaths cannot be told."""
    first, last = death
    if person.birth_date > last:
        posthumous = (set(labels) & {"son", "daughter"} and deceased.sex == "M"
                      and (person.birth_date - last).days <= POSTHUMOUS_DAYS)
        if posthumous:
            return True, "born after the death (posthumous child): heir if conceived before it"
        return False, "born after the death"
    record = deaths.active_death(session, person)
    if record is None:
        return True, None
    own_first, own_last = deaths.death_period(record)
    if own_last < first:
        when = record.date_of_death.isoformat()
        if record.date_precision != "day":
            when = when[:7] if record.date_precision == "month" else when[:4]
        return False, f"predeceased: died {when}, before the deceased"
    if own_first <= last:
        return None, "died about the same time as the deceased: the order of the deaths is " \
                     "uncertain (court to decide)"
    return True, "died after the deceased: the share passes to their own estate"


def _spouse_ok(relative: Relative, day: date) -> str | None:
    """None when the marriage stood at the death, else why the spouse does not inherit."""
    marriage = relative.marriage
    assert marriage is not None
    if kinship.married_at(marriage, day):
        return None
    if marriage.contract_date > day:
        return "married after the death"
    if marriage.end_reason == "divorce":
        return (f"divorced on {marriage.end_date}, before the death (a revocable divorce "
                "still in its waiting period would inherit: court to check)")
    return f"marriage ended ({marriage.end_reason}) on {marriage.end_date}, before the death"


def _lines(session: Session, deceased: Person, death: tuple[date, date]) -> dict[int, Line]:
    grouped: dict[int, list[Relative]] = {}
    for relative in kinship.relatives(session, deceased):
        if relative.person.id != deceased.id:
            grouped.setdefault(relative.person.id, []).append(relative)
    lines: dict[int, Line] = {}
    for relatives in grouped.values():
        person = relatives[0].person
        labels = sorted({r.relation for r in relatives})
        line = Line(person, labels)
        spouse_reasons = []
        eligible = []
        for r in relatives:
            if r.relation in SPOUSES:
                why = _spouse_ok(r, death[0])
                if why is None:
                    eligible.append(r.relation)
                else:
                    spouse_reasons.append(why)
            elif r.relation in RELATIONS:
                eligible.append(r.relation)
        line.key = next((k for k in RELATIONS if k in eligible), None)
        line.alive_at_death, why_not = alive_at(session, person, death, labels, deceased)
        if line.key is None:
            line.reason = spouse_reasons[0] if spouse_reasons else (
                "not among the share engine's heirs (distant kindred): court to consider")
        elif line.alive_at_death is not True:
            line.reason = why_not or ""
        else:
            line.reason = why_not or ""  # filled in once the shares are known
        lines[person.id] = line
    return lines


def determine(session: Session, deceased: Person, death: tuple[date, date], *, rules: str,
              school: str) -> Determination:
    """Every registry relative of ``deceased`` with their heir status and per-head share."""
    lines = _lines(session, deceased, death)
    counts = Counter(line.key for line in lines.values()
                     if line.key is not None and line.alive_at_death is True)
    notes: list[str] = []
    try:
        result = compute_shares(rules, dict(counts),
                                deceased="male" if deceased.sex == "M" else "female",
                                school=school)
    except InheritanceError as exc:
        notes.append(f"shares not computed: {exc.detail}")
        for line in lines.values():
            if line.key is not None and line.alive_at_death is True:
                line.heir, line.reason = True, f"{line.key}; share not computed"
        return Determination(lines, None, notes)
    for line in lines.values():
        if line.key is None or line.alive_at_death is not True:
            continue
        extra = f"; {line.reason}" if line.reason else ""
        if line.key in result.heirs:
            line.heir, line.share = True, result.heirs[line.key].per_head
            line.reason = f"heir as {line.key}" + extra
        else:
            line.reason = result.excluded.get(line.key, "not an heir under these rules") + extra
    if result.left_to_settlement:
        notes.append("part of the estate is left to settlement by the rule set (see flags)")
    return Determination(lines, result.to_json(), notes)
