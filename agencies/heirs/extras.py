"""What a deed needs beyond the heirs: held shares (an unborn child, a missing heir) named by
the court, and the chained deeds (مناسخة) of heirs who died after the deceased, taken from the
registry (their own relatives and death)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from agencies.heirs.determine import Determination, determine
from agencies.heirs.schemas import HeirsReportRequest
from identity.platform.errors import Invalid, NotFound
from identity.registry import deaths, kinship, persons
from identity.registry.persons import Person


def missing_ids(session: Session, request: HeirsReportRequest, found: Determination) -> set[int]:
    """Person ids of the heirs the court holds missing; each must be a relative alive at the
    death (as far as the registry knows)."""
    out = set()
    for nid in request.missing_heirs:
        try:
            person = persons.get_by_national_id(session, nid)
        except NotFound as exc:
            raise Invalid(f"missing heir {nid}: unknown national ID",
                          code="missing_not_a_relative") from exc
        line = found.lines.get(person.id)
        if line is None or not line.keys or line.alive_at_death is not True:
            raise Invalid(f"missing heir {nid} is not a relative who outlived the deceased",
                          code="missing_not_a_relative")
        out.add(person.id)
    return out


def unborn_relations(session: Session, request: HeirsReportRequest, deceased: Person,
                     day: date) -> list[str]:
    """The relation each expected child would have: the widow's child is the deceased's child;
    the mother's child by the deceased's living father a full sibling, by another husband a
    uterine one."""
    out = []
    for item in request.unborn:
        mother = persons.get_by_national_id(session, item.mother_national_id)
        relations = kinship.relations_between(session, deceased, mother)
        if "wife" in relations:
            out.append("child")
            continue
        if "mother" in relations:
            father = kinship.parents(session, deceased)[1]
            husbands = [p for m, p in kinship.marriages(session, mother)
                        if kinship.married_at(m, day)]
            if father is not None and any(h.id == father.id for h in husbands):
                out.append("full_sibling")
            else:
                out.append("maternal_half_sibling")
            continue
        raise Invalid(f"unborn child of {item.mother_national_id}: she is neither the "
                      "deceased's widow nor mother in the registry", code="unborn_relation")
    return out


def chained_deeds(session: Session, found: Determination, *, rules: str, school: str,
                  depth: int = 1) -> list[dict[str, Any]]:
    """For every heir who died after the deceased: their own heirs from the registry and what
    each takes of this estate through them (the court decides whether the division came
    before)."""
    out: list[dict[str, Any]] = []
    for line in found.lines.values():
        if not (line.heir and line.died_after and line.share):
            continue
        record = deaths.active_death(session, line.person)
        if record is None:
            continue
        second = determine(session, line.person, deaths.death_period(record), rules=rules,
                           school=school)
        heirs = []
        for sub in second.lines.values():
            if sub.heir and sub.share is not None:
                heirs.append({"national_id": sub.person.national_id,
                              "name": " ".join((sub.person.given_name, sub.person.father_name,
                                                sub.person.surname)),
                              "relation_keys": list(sub.by_relation),
                              "share_of_their_estate": str(sub.share),
                              "share_of_this_estate": str(line.share * sub.share)})
        treasury = (second.shares or {}).get("treasury")
        out.append({"national_id": line.person.national_id, "relation_keys": line.keys,
                    "died": record.date_of_death.isoformat(), "share": str(line.share),
                    "heirs": heirs, "flags": (second.shares or {}).get("flags", []),
                    "treasury_of_this_estate": None if treasury is None
                    else str(line.share * Fraction(treasury)),
                    "notes": second.notes})
    return out
