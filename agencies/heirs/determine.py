"""Who inherits, from the registry: every relative the links show, each relationship they hold,
whether they outlived the deceased, the stocks of relatives who died before (PSL art 74 and
representation), and their shares from the share engine (``agencies.inheritance``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from agencies.inheritance import RELATIONS, InheritanceError, compute_shares
from agencies.inheritance.kin import child_key
from agencies.inheritance.labels import label_ar
from identity.registry import deaths, kinship
from identity.registry.kinship import Relative
from identity.registry.persons import Person

POSTHUMOUS_DAYS = 300  # a child born this long after the father's death can be his heir
SPOUSES = ("husband", "wife")


@dataclass
class Line:
    """One relative as the registry shows them, and whether and how they inherit."""

    person: Person
    labels: list[str]
    keys: list[str] = field(default_factory=list)  # engine keys they may inherit under
    alive_at_death: bool | None = None
    heir: bool = False
    reason: str = ""
    reason_ar: str = ""
    share: Fraction | None = None
    by_relation: dict[str, Fraction] = field(default_factory=dict)
    uncertain: str | None = None
    evidence: list[str] = field(default_factory=list)
    bequest: Fraction | None = None
    died_after: bool = False
    stock_of: int | None = None  # the person id of the predeceased parent (stocks)
    stock_key: str | None = None  # the key they are counted under by that stock

    @property
    def key(self) -> str | None:
        return self.keys[0] if self.keys else None


@dataclass
class Determination:
    lines: dict[int, Line]
    shares: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)
    stocks: list[dict[str, Any]] = field(default_factory=list)


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


def _lines(session: Session, deceased: Person, death: tuple[date, date]
           ) -> tuple[dict[int, Line], list[Relative]]:
    grouped: dict[int, list[Relative]] = {}
    found = [r for r in kinship.relatives(session, deceased) if r.person.id != deceased.id]
    for relative in found:
        grouped.setdefault(relative.person.id, []).append(relative)
    lines: dict[int, Line] = {}
    for relatives in grouped.values():
        person = relatives[0].person
        line = Line(person, sorted({r.relation for r in relatives}))
        spouse_reasons = []
        for r in relatives:
            line.evidence += [e for e in r.evidence if e not in line.evidence]
            if r.uncertain and line.uncertain is None:
                line.uncertain = r.note
            if r.relation in SPOUSES:
                why = _spouse_ok(r, death[0])
                if why is None:
                    line.keys.append(r.relation)
                else:
                    spouse_reasons.append(why)
            elif r.relation in RELATIONS and not r.uncertain:
                line.keys.append(r.relation)
        line.keys = [k for k in RELATIONS if k in line.keys]
        line.alive_at_death, why_not = alive_at(session, person, death, line.labels, deceased)
        line.died_after = bool(why_not and why_not.startswith("died after"))
        if line.uncertain and not line.keys:
            line.reason = (f"uncertain link ({line.uncertain}): not counted until the court "
                           "settles it")
        elif not line.keys:
            line.reason = spouse_reasons[0] if spouse_reasons else (
                "related beyond the degrees the share engine knows: court to consider")
        else:
            line.reason = why_not or ""
        lines[person.id] = line
    return lines, found


def _stocks(lines: dict[int, Line], found: list[Relative]) -> list[dict[str, Any]]:
    """The children of every relative who died before the deceased, grouped per parent."""
    stocks: dict[int, dict[str, Any]] = {}
    for r in found:
        parent = lines.get(r.via.id) if r.via is not None else None
        child = lines.get(r.person.id)
        if parent is None or child is None or parent.alive_at_death is not False \
                or child.alive_at_death is not True or not parent.keys or child.uncertain:
            continue
        if "predeceased" not in parent.reason or child.stock_of is not None:
            continue
        key = child_key(parent.keys[0], r.person.sex)
        if key is None or key not in child.keys:
            continue
        stock = stocks.setdefault(parent.person.id, {"parent": parent.keys[0], "sons": 0,
                                                     "daughters": 0, "person": parent.person,
                                                     "members": []})
        stock["sons" if r.person.sex == "M" else "daughters"] += 1
        stock["members"].append(child.person)
        child.stock_of, child.stock_key = parent.person.id, key
    return list(stocks.values())


def family_of(lines: dict[int, Line], stocks: list[dict[str, Any]],
              missing: set[int], unborn: list[str]) -> dict[str, Any]:
    """The heirs object for the engine: counts of the living certain relatives (stock members
    counted by their stock), stocks, people holding two relationships, missing, unborn."""
    counts: Counter[str] = Counter()
    for line in lines.values():
        if line.alive_at_death is not True:
            continue
        for key in line.keys:
            if key != line.stock_key:
                counts[key] += 1
    heirs: dict[str, Any] = dict(counts)
    if stocks:
        heirs["predeceased"] = [{"parent": s["parent"], "sons": s["sons"],
                                 "daughters": s["daughters"]} for s in stocks]
    same = [line.keys for line in lines.values()
            if line.alive_at_death is True and len(line.keys) > 1]
    if same:
        heirs["same_person"] = same
    gone = Counter(lines[i].keys[0] for i in missing if lines[i].keys)
    if gone:
        heirs["missing"] = dict(gone)
    if unborn:
        heirs["unborn"] = unborn
    return heirs


def determine(session: Session, deceased: Person, death: tuple[date, date], *, rules: str,
              school: str, missing: set[int] | None = None,
              unborn: list[str] | None = None) -> Determination:
    """Every registry relative of ``deceased`` with their heir status and per-head share."""
    lines, found = _lines(session, deceased, death)
    stocks = _stocks(lines, found)
    heirs = family_of(lines, stocks, missing or set(), unborn or [])
    notes: list[str] = []
    try:
        result = compute_shares(rules, heirs, deceased="male" if deceased.sex == "M" else
                                "female", school=school)
    except InheritanceError as exc:
        notes.append(f"shares not computed: {exc.detail}")
        for line in lines.values():
            if line.keys and line.alive_at_death is True:
                line.heir, line.reason = True, f"{line.key}; share not computed"
        return Determination(lines, None, notes, stocks)
    _apply(lines, result, stocks, missing or set())
    if result.left_to_settlement:
        notes.append("part of the estate is left to settlement by the rule set (see flags)")
    return Determination(lines, result.to_json(), notes, stocks)


def _apply(lines: dict[int, Line], result: Any, stocks: list[dict[str, Any]],
           missing: set[int]) -> None:
    bequest = {}
    for stock, b in zip([s for s in stocks if s["parent"] in ("son", "daughter")],
                        result.bequests, strict=False):
        for person in stock["members"]:
            bequest[person.id] = b.per_son if person.sex == "M" else b.per_daughter
    for pid, line in lines.items():
        if pid in bequest:
            line.bequest = bequest[pid]
        if not line.keys or line.alive_at_death is not True:
            line.reason_ar = _ar_reason(line)
            continue
        extra = f"; {line.reason}" if line.reason else ""
        for key in line.keys:
            if key in result.heirs and pid not in missing:
                line.by_relation[key] = result.heirs[key].per_head
        if line.by_relation:
            line.heir = True
            line.share = sum(line.by_relation.values(), Fraction(0))
            line.reason = "heir as " + " and ".join(line.by_relation) + extra
            line.reason_ar = "وارث بصفته " + " و".join(label_ar(k) for k in line.by_relation)
        elif pid in missing:
            line.reason = "missing (مفقود): the share is held until the court rules" + extra
            line.reason_ar = "مفقود: نصيبه موقوف حتى يحكم القاضي"
        else:
            key = line.keys[0]
            line.reason = result.excluded.get(key, "not an heir under these rules") + extra
            line.reason_ar = result.excluded_ar.get(key, line.reason)
        if line.bequest is not None:
            line.reason += f"; takes {line.bequest} as obligatory bequest (PSL art 74)"
            line.reason_ar += f"؛ يأخذ {line.bequest} وصيةً واجبة (م 74)"


def _ar_reason(line: Line) -> str:
    if line.uncertain:
        return "صلة غير مؤكدة (رابط ناقص في السجل): لا تُحتسب حتى تفصل المحكمة"
    if line.alive_at_death is False:
        return "متوفى قبل المورث" if "predeceased" in line.reason else "ولد بعد الوفاة"
    if line.alive_at_death is None and line.keys:
        return "ترتيب الوفاتين غير معلوم: تفصل فيه المحكمة"
    if "beyond" in line.reason:
        return "قرابة أبعد مما يعرفه محرك الأنصبة: للمحكمة النظر"
    return line.reason
