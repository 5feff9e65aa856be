"""Loading births and marriages, one at a time or in bulk from CSV, with validation.

A load is all or nothing: every row is checked (people exist, sexes, plausible ages, no cycle,
no conflicting parentage, no overlapping marriage of a wife, at most four wives, no marriage
within the prohibited degrees) and when any row fails nothing is stored and every failing row
is named. Loading the same rows again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypedDict, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from identity.access import journal
from identity.platform.errors import DomainError, Invalid, TooLarge
from identity.platform.settings import get_settings
from identity.registry import deaths, kinship, persons
from identity.registry.vital_schemas import BirthIn, MarriageIn
from models.person import Person
from models.vital import Birth, Marriage

M = TypeVar("M", bound=BaseModel)


class RowError(Invalid):
    code = "invalid_row"


class Outcome(StrEnum):
    """What storing one birth or marriage link did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class Counts(TypedDict):
    created: int
    updated: int
    unchanged: int


class BirthRecorded(TypedDict):
    outcome: Outcome
    birth_id: int


class MarriageRecorded(TypedDict):
    outcome: Outcome
    marriage_id: int


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)

    def count(self, outcome: Outcome, row_id: int) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.ids.append(row_id)

    def to_json(self) -> Counts:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _get(session: Session, nid: str | None, role: str, sex: str | None = None) -> Person | None:
    if not nid:
        return None
    try:
        person = persons.get_by_national_id(session, nid)
    except DomainError as exc:
        raise RowError(f"{role}: {exc.message}", code=exc.code) from exc
    if sex is not None and person.sex != sex:
        raise RowError(f"{role} must be {'male' if sex == 'M' else 'female'}", code="wrong_sex")
    return person


def _check_parent(session: Session, child: Person, parent: Person, role: str) -> None:
    s = get_settings()
    if parent.id == child.id:
        raise RowError(f"{role} is the child", code="cycle")
    if child.id in kinship.ancestor_ids(session, parent):
        raise RowError(f"{role} descends from the child", code="cycle")
    oldest = s.kinship_max_mother_age if role == "mother" else s.kinship_max_father_age
    age = _age(parent.birth_date, child.birth_date)
    if not s.kinship_min_parent_age <= age <= oldest:
        raise RowError(f"{role} would be {age} at the child's birth (plausible: "
                       f"{s.kinship_min_parent_age}-{oldest})", code="implausible_parent_age")
    death = deaths.active_death(session, parent)
    if death is not None:
        last = deaths.death_period(death)[1]
        grace = 0 if role == "mother" else 310  # a father may die during the pregnancy
        if (child.birth_date - last).days > grace:
            raise RowError(f"{role} died before the child was born",
                           code="parent_dead_before_birth")


def add_birth(session: Session, item: BirthIn, *, actor: str) -> tuple[Outcome, Birth]:
    """Validate and store one birth link (no commit): ``created``, ``updated`` (a parent that
    was not recorded is added) or ``unchanged``. Raises ``RowError`` (422) or ``Conflict``."""
    child = _get(session, item.child_national_id, "child")
    mother = _get(session, item.mother_national_id, "mother", "F")
    father = _get(session, item.father_national_id, "father", "M")
    assert child is not None
    existing = kinship.birth_of(session, child)
    for parent, role, column in ((mother, "mother", "mother_id"), (father, "father", "father_id")):
        if parent is None:
            continue
        recorded = getattr(existing, column) if existing is not None else None
        if recorded is not None and persons.resolve_person(session, recorded).id != parent.id:
            raise RowError(f"the registry names another {role} for this child (a correction "
                           "needs a court judgment)", code="parentage_conflict", status_code=409)
        _check_parent(session, child, parent, role)
    if existing is None:
        birth = Birth(child_id=child.id, mother_id=mother.id if mother else None,
                      father_id=father.id if father else None, source=item.source,
                      document_number=item.document_number, actor=actor)
        session.add(birth)
        session.flush()
        journal.emit(session, "birth.recorded", child.national_id, {
            "child_national_id": child.national_id,
            "mother_national_id": mother.national_id if mother else None,
            "father_national_id": father.national_id if father else None,
            "birth_date": child.birth_date.isoformat()})
        return Outcome.CREATED, birth
    outcome = Outcome.UNCHANGED
    if mother is not None and existing.mother_id is None:
        existing.mother_id, outcome = mother.id, Outcome.UPDATED
    if father is not None and existing.father_id is None:
        existing.father_id, outcome = father.id, Outcome.UPDATED
    session.flush()
    return outcome, existing


def _check_marriage(session: Session, item: MarriageIn, husband: Person, wife: Person) -> None:
    minimum = get_settings().kinship_min_marriage_age
    for person, role in ((husband, "husband"), (wife, "wife")):
        if _age(person.birth_date, item.contract_date) < minimum:
            raise RowError(f"{role} is under {minimum} at the contract date",
                           code="implausible_marriage_age")
    related = kinship.consanguinity(session, husband, wife)
    if related:
        raise RowError(f"the spouses are within the prohibited degrees: {related}",
                       code="prohibited_degree")
    end = item.end_date or date.max
    for marriage, spouse in kinship.marriages(session, wife):
        if spouse.id != husband.id and marriage.contract_date <= end and (
                marriage.end_date is None or marriage.end_date > item.contract_date):
            raise RowError("the wife is married to another husband at that time",
                           code="wife_already_married")
    wives = {s.id for m, s in kinship.marriages(session, husband)
             if s.id != wife.id and kinship.married_at(m, item.contract_date)}
    if len(wives) >= 4:
        raise RowError("the husband already has four wives at that date", code="too_many_wives")


def add_marriage(session: Session, item: MarriageIn, *, actor: str) -> tuple[Outcome, Marriage]:
    """Validate and store one marriage (no commit): ``created``, ``updated`` (its end is
    recorded) or ``unchanged``. Raises ``RowError`` (422/409)."""
    husband = _get(session, item.husband_national_id, "husband", "M")
    wife = _get(session, item.wife_national_id, "wife", "F")
    assert husband is not None and wife is not None
    existing = next((m for m, s in kinship.marriages(session, husband)
                     if s.id == wife.id and m.contract_date == item.contract_date), None)
    if existing is not None:
        if existing.regime != item.regime:
            raise RowError("the registry records another regime for this marriage",
                           code="marriage_conflict", status_code=409)
        if existing.end_date == item.end_date and existing.end_reason == item.end_reason:
            return Outcome.UNCHANGED, existing
        if existing.end_date is not None or item.end_date is None:
            raise RowError("the registry records another end for this marriage",
                           code="marriage_conflict", status_code=409)
        existing.end_date, existing.end_reason = item.end_date, item.end_reason
        session.flush()
        _emit_marriage(session, "marriage.ended", existing, husband, wife)
        return Outcome.UPDATED, existing
    _check_marriage(session, item, husband, wife)
    marriage = Marriage(husband_id=husband.id, wife_id=wife.id,
                        contract_date=item.contract_date, regime=item.regime,
                        end_date=item.end_date, end_reason=item.end_reason, source=item.source,
                        document_number=item.document_number, actor=actor)
    session.add(marriage)
    session.flush()
    _emit_marriage(session, "marriage.recorded", marriage, husband, wife)
    if marriage.end_date is not None:
        _emit_marriage(session, "marriage.ended", marriage, husband, wife)
    return Outcome.CREATED, marriage


def _emit_marriage(session: Session, kind: str, marriage: Marriage, husband: Person,
                   wife: Person) -> None:
    """``marriage.recorded`` / ``marriage.ended`` on the event feed (the wife's ID as subject):
    agencies such as the ration card act on them."""
    journal.emit(session, kind, wife.national_id, {
        "husband_national_id": husband.national_id, "wife_national_id": wife.national_id,
        "contract_date": marriage.contract_date.isoformat(),
        "end_date": marriage.end_date.isoformat() if marriage.end_date else None,
        "end_reason": marriage.end_reason})


def parse_csv(text: str, model: type[M]) -> list[M]:
    """Rows of a CSV with a header naming ``model``'s fields (empty cell = absent)."""
    s = get_settings()
    if len(text.encode()) > s.kinship_max_csv_bytes:
        raise TooLarge(f"CSV larger than {s.kinship_max_csv_bytes} bytes", code="csv_too_large")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    known = set(model.model_fields)
    header = set(reader.fieldnames or [])
    if not header or header - known:
        raise Invalid(f"CSV columns must be among: {', '.join(model.model_fields)}",
                      code="invalid_csv_header", details={"unknown": sorted(header - known)})
    rows: list[M] = []
    errors: list[dict[str, Any]] = []
    for number, raw in enumerate(reader, start=2):
        if len(rows) + len(errors) >= s.kinship_max_csv_rows:
            raise TooLarge(f"CSV has more than {s.kinship_max_csv_rows} rows",
                           code="csv_too_many_rows")
        data = {k: v.strip() for k, v in raw.items() if k is not None and v and v.strip()}
        if None in raw:
            errors.append({"line": number, "code": "extra_cells", "message": "too many cells"})
            continue
        try:
            rows.append(model.model_validate(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            errors.append({"line": number, "code": "invalid_row",
                           "message": f"{'.'.join(map(str, first['loc']))}: {first['msg']}"})
    if errors:
        raise Invalid(f"{len(errors)} CSV row(s) are invalid; nothing was stored",
                      code="invalid_csv_rows", details=errors)
    return rows


def _add(result: tuple[Outcome, Birth] | tuple[Outcome, Marriage]) -> tuple[Outcome, int]:
    return result[0], result[1].id


def load(session: Session, *, births: list[BirthIn] | None = None,
         marriages: list[MarriageIn] | None = None, actor: str,
         source: str = "api") -> dict[str, Counts]:
    """Store births then marriages in one transaction; any failing row stores nothing and
    raises ``Invalid`` naming every failing row (``line`` counts the CSV header). Commits."""
    results = {"births": LoadResult(), "marriages": LoadResult()}
    errors: list[dict[str, Any]] = []
    jobs: list[tuple[str, list[Any]]] = [("births", births or []), ("marriages", marriages or [])]
    for kind, items in jobs:
        for line, item in enumerate(items, start=2):
            try:
                outcome, row_id = (_add(add_birth(session, item, actor=actor)) if kind == "births"
                                   else _add(add_marriage(session, item, actor=actor)))
            except DomainError as exc:
                errors.append({"file": kind, "line": line, "code": exc.code,
                               "message": exc.message})
                continue
            results[kind].count(outcome, row_id)
    if errors:
        session.rollback()
        raise Invalid(f"{len(errors)} row(s) failed validation; nothing was stored",
                      code="invalid_kinship_rows", details=errors)
    summary = {k: v.to_json() for k, v in results.items()}
    digest = hashlib.sha256(repr([i.model_dump(mode="json") for _, items in jobs
                                  for i in items]).encode()).hexdigest()
    journal.audit(session, actor=actor, action="kinship.load", outcome="loaded",
                  details={"source": source, "sha256": digest, **summary})
    session.commit()
    return summary


def record_birth(session: Session, item: BirthIn, *, actor: str) -> BirthRecorded:
    """One birth link (the admin route): validate, store, audit, commit."""
    outcome, birth = add_birth(session, item, actor=actor)
    journal.audit(session, actor=actor, action="kinship.birth", outcome=outcome,
                  person_id=persons.resolve_person(session, birth.child_id).id,
                  details={"birth_id": birth.id, "source": item.source})
    session.commit()
    return {"outcome": outcome, "birth_id": birth.id}


def record_marriage(session: Session, item: MarriageIn, *, actor: str) -> MarriageRecorded:
    """One marriage (the admin route): validate, store, audit, commit."""
    outcome, marriage = add_marriage(session, item, actor=actor)
    journal.audit(session, actor=actor, action="kinship.marriage", outcome=outcome,
                  details={"marriage_id": marriage.id, "regime": item.regime})
    session.commit()
    return {"outcome": outcome, "marriage_id": marriage.id}
