"""The registry's service functions for persons and national IDs.

``Person`` is the row these functions return; callers above the registry (agencies) annotate
with it and read its fields, and reach persons only through these functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.access import journal
from identity.platform.errors import Conflict, Invalid, NotFound
from identity.registry import name_index, national_id
from identity.registry.schemas import Demographics
from models.person import LegacyId, NationalId
from models.person import Person as Person  # re-exported: what the services return

_MAX_DRAWS = 50
NATIONALITY = re.compile(r"^[A-Z]{3}$")  # ICAO 9303 alpha-3 (IRQ, PSE, XXA, XXB, XXC, XXX)


def _fresh_national_id(session: Session) -> str:
    for _ in range(_MAX_DRAWS):
        candidate = national_id.draw()
        if session.get(NationalId, candidate) is None:
            return candidate
    raise RuntimeError("could not draw an unused national ID")  # 1e11 space: never in practice


def issue_person(session: Session, demographics: Demographics, *, actor: str,
                 source: dict[str, Any] | None = None,
                 legacy_taken: Literal["raise", "skip"] = "raise") -> Person:
    """Create a person with a new national ID in the current transaction (no commit).
    ``legacy_taken``: what a legacy number another person holds does (``link_legacy_ids``)."""
    nid = _fresh_national_id(session)
    person = Person(national_id=nid, **demographics.person_fields())
    session.add(person)
    session.flush()
    session.add(NationalId(national_id=nid, person_id=person.id, issued_to_id=person.id))
    link_legacy_ids(session, person, demographics.legacy_ids, on_taken=legacy_taken, actor=actor)
    name_index.index_person(session, person, demographics.person_fields())
    journal.emit(session, "id.issued", nid, {"national_id": nid, **(source or {})})
    journal.audit(session, actor=actor, action="id.issue", outcome="issued", person_id=person.id,
                  details={"national_id": nid, **(source or {})})
    return person


@dataclass(frozen=True)
class LegacyConflict:
    """A legacy number a packet claims that another person already holds.

    ``holder_id`` / ``holder_national_id``: the person holding it now (merges followed). The
    enrollment decision turns these into a duplicate case with the holders as candidates; a
    legacy number never decides alone, and never blocks its owner.
    """

    register: str
    number: str
    holder_id: int
    holder_national_id: str


def legacy_conflicts(session: Session, legacy: dict[str, str], *,
                     person_id: int | None = None) -> list[LegacyConflict]:
    """The numbers of ``legacy`` ({register: number}) linked to someone other than
    ``person_id`` (None: to anyone), in register order. Reads only."""
    out: list[LegacyConflict] = []
    for register, number in sorted(legacy.items()):
        row = session.scalars(
            select(LegacyId).where(LegacyId.register == register, LegacyId.number == number)
        ).first()
        if row is None:
            continue
        holder = resolve_person(session, row.person_id)
        if holder.id != person_id:
            out.append(LegacyConflict(register, number, holder.id, holder.national_id))
    return out


def link_legacy_ids(session: Session, person: Person, legacy: dict[str, str], *,
                    on_taken: Literal["raise", "skip"] = "raise",
                    actor: str = "system") -> list[LegacyConflict]:
    """Link the free numbers of ``legacy`` to ``person`` (no commit). A number another person
    holds is never moved: ``on_taken="raise"`` refuses with 409 ``legacy_id_taken`` (nothing
    linked), ``"skip"`` links the rest, audits each number left with its holder (for the
    register that issued it to settle) and returns them."""
    taken = legacy_conflicts(session, legacy, person_id=person.id)
    if taken and on_taken == "raise":
        raise Conflict(f"legacy {taken[0].register} number already linked to another person",
                       code="legacy_id_taken")
    for c in taken:
        journal.audit(session, actor=actor, action="legacy.left_with_holder", outcome="conflict",
                      person_id=person.id, details={"register": c.register, "number": c.number,
                                                    "holder_national_id": c.holder_national_id})
    skip = {(c.register, c.number) for c in taken}
    for register, number in legacy.items():
        if (register, number) in skip:
            continue
        exists = session.scalars(
            select(LegacyId.id).where(LegacyId.register == register, LegacyId.number == number)
        ).first()
        if exists is None:
            session.add(LegacyId(person_id=person.id, register=register, number=number))
    session.flush()
    return taken


def resolve_person(session: Session, person_id: int) -> Person:
    """Follow merges to the surviving person."""
    person = session.get(Person, person_id)
    seen = set()
    while person is not None and person.status == "merged" and person.merged_into_id:
        if person.id in seen:
            break
        seen.add(person.id)
        person = session.get(Person, person.merged_into_id)
    if person is None:
        raise NotFound("no such person", code="person_not_found")
    return person


def national_id_row(session: Session, nid: str) -> NationalId:
    """The registry row of an issued ID (422 for a malformed ID, 404 for an unknown one)."""
    if not national_id.is_valid(nid):
        raise Invalid("national ID must be 12 digits with a valid check digit",
                      code="invalid_national_id")
    row = session.get(NationalId, nid)
    if row is None:
        raise NotFound("no person has this national ID", code="person_not_found")
    return row


def get_by_national_id(session: Session, nid: str) -> Person:
    """The person an ID belongs to now (an alias after a merge resolves to the survivor)."""
    return resolve_person(session, national_id_row(session, nid).person_id)


def aliases(session: Session, person: Person) -> list[str]:
    return sorted(
        n for n in session.scalars(
            select(NationalId.national_id).where(NationalId.person_id == person.id)
        ) if n != person.national_id
    )


def demographics_of(person: Person) -> dict[str, Any]:
    return {
        "given_name": person.given_name, "father_name": person.father_name,
        "grandfather_name": person.grandfather_name, "surname": person.surname,
        "mother_name": person.mother_name,
        "maternal_grandfather_name": person.maternal_grandfather_name,
        "sex": person.sex, "birth_date": person.birth_date.isoformat(),
        "birthplace": person.birthplace,
    }


def legacy_ids_of(session: Session, person: Person) -> dict[str, str]:
    """The person's legacy document numbers, register → number."""
    rows = session.scalars(select(LegacyId).where(LegacyId.person_id == person.id))
    return {row.register: row.number for row in rows}


def with_merged(session: Session, person: Person) -> list[int]:
    """The person's id and the ids of every record merged into it (at any depth)."""
    ids = [person.id]
    frontier = [person.id]
    while frontier:
        merged = list(session.scalars(
            select(Person.id).where(Person.merged_into_id.in_(frontier),
                                    Person.status == "merged")))
        frontier = [i for i in merged if i not in ids]
        ids.extend(frontier)
    return ids


def set_nationality(session: Session, person_id: int, code: str, *, actor: str,
                    source: str) -> bool:
    """Record the nationality register's answer for a person (ICAO 9303 alpha-3, e.g. ``IRQ``,
    ``PSE``, ``XXA`` stateless, ``XXB`` refugee); audited, no commit. True when it changed."""
    if not NATIONALITY.match(code):
        raise Invalid("nationality must be an ICAO 9303 alpha-3 code", code="invalid_nationality")
    person = resolve_person(session, person_id)
    if person.nationality == code:
        return False
    before, person.nationality = person.nationality, code
    journal.audit(session, actor=actor, action="person.nationality", outcome="recorded",
                  person_id=person.id, details={"from": before, "to": code, "source": source})
    return True
