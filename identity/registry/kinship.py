"""Kinship derived from the registry's links (births and marriages), never typed in by hand.

Labels name the relative from ``person``'s point of view and extend the share engine's relation
keys (``agencies.inheritance.relations``): ``father``, ``son``, ``sons_daughter``,
``full_brother``, ``paternal_half_sister`` (same father only, consanguine),
``maternal_half_brother`` (same mother only, uterine), ``full_brothers_son``,
``full_paternal_uncle``, ``paternal_half_uncle``, ``full_paternal_uncles_son``, plus relatives
who are not in the engine's keys (``daughters_son``, ``maternal_grandfather``,
``full_maternal_uncle``, ``full_sisters_son``, ...). Every label is a key of the share
engine's vocabulary (``agencies.inheritance.kin``), which the heirs tests check.

Links are read through merges: a link recorded on a person later merged into another counts
for the survivor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from identity.registry import persons
from models.person import Person, PersonStatus
from models.vital import Birth, Marriage

KINDS = ("full", "paternal_half", "maternal_half")  # full, consanguine, uterine


@dataclass(frozen=True)
class Relative:
    """``person`` is ``relation`` of the subject; ``via`` is the linking relative, if any.

    ``note`` says when a missing link leaves the relation open (a half sibling who may be a full
    one, and everyone reached through them): such a relative is ``uncertain``. ``evidence``
    names the birth records (source and document number) and marriage that make the link."""

    person: Person
    relation: str
    via: Person | None = None
    note: str | None = None
    marriage: Marriage | None = None
    evidence: tuple[str, ...] = ()

    @property
    def uncertain(self) -> bool:
        return self.note is not None


def _ids(session: Session, person: Person) -> list[int]:
    """The person's id and the ids of every record merged into it (their links count)."""
    ids = [person.id]
    frontier = [person.id]
    while frontier:
        merged = list(session.scalars(select(Person.id).where(
            Person.merged_into_id.in_(frontier), Person.status == PersonStatus.MERGED)))
        merged = [i for i in merged if i not in ids]
        ids.extend(merged)
        frontier = merged
    return ids


def _person(session: Session, person_id: int | None) -> Person | None:
    return None if person_id is None else persons.resolve_person(session, person_id)


def birth_of(session: Session, person: Person) -> Birth | None:
    return session.scalars(select(Birth).where(Birth.child_id.in_(_ids(session, person)))
                           .order_by(Birth.id)).first()


def parents(session: Session, person: Person) -> tuple[Person | None, Person | None]:
    """(mother, father) as the birth record names them (None where not recorded)."""
    birth = birth_of(session, person)
    if birth is None:
        return None, None
    return _person(session, birth.mother_id), _person(session, birth.father_id)


def children(session: Session, person: Person) -> list[Person]:
    ids = _ids(session, person)
    births = session.scalars(select(Birth).where(or_(Birth.mother_id.in_(ids),
                                                     Birth.father_id.in_(ids)))
                             .order_by(Birth.id)).all()
    out: dict[int, Person] = {}
    for birth in births:
        child = persons.resolve_person(session, birth.child_id)
        out.setdefault(child.id, child)
    return sorted(out.values(), key=lambda p: (p.birth_date, p.id))


def siblings(session: Session, person: Person) -> list[tuple[Person, str, str | None]]:
    """(sibling, kind, note): kind ``full``, ``paternal_half`` (consanguine) or
    ``maternal_half`` (uterine). The note says when a missing parent link leaves the kind open."""
    mother, father = parents(session, person)
    candidates: dict[int, Person] = {}
    for parent in (mother, father):
        if parent is not None:
            for child in children(session, parent):
                if child.id != person.id:
                    candidates.setdefault(child.id, child)
    out = []
    for sib in sorted(candidates.values(), key=lambda p: (p.birth_date, p.id)):
        s_mother, s_father = parents(session, sib)
        same_father = father is not None and s_father is not None and s_father.id == father.id
        same_mother = mother is not None and s_mother is not None and s_mother.id == mother.id
        kind = "full" if same_father and same_mother else (
            "paternal_half" if same_father else "maternal_half")
        note = None
        if kind != "full" and (None in (mother, s_mother) if same_father else
                               None in (father, s_father)):
            note = "a parent link is missing: the sibling may be a full sibling"
        out.append((sib, kind, note))
    return out


def marriages(session: Session, person: Person) -> list[tuple[Marriage, Person]]:
    """Every marriage of ``person`` (ended ones too) with the spouse, oldest first."""
    ids = _ids(session, person)
    rows = session.scalars(select(Marriage).where(or_(Marriage.husband_id.in_(ids),
                                                      Marriage.wife_id.in_(ids)))
                           .order_by(Marriage.contract_date, Marriage.id)).all()
    return [(m, persons.resolve_person(session, m.wife_id if m.husband_id in ids
                                       else m.husband_id)) for m in rows]


def married_at(marriage: Marriage, day: date) -> bool:
    """True when the marriage was contracted on or before ``day`` and not ended before it."""
    return marriage.contract_date <= day and (marriage.end_date is None
                                              or marriage.end_date >= day)


def _gendered(person: Person, male: str, female: str) -> str:
    return male if person.sex == "M" else female


def _birth_evidence(session: Session, person: Person) -> str:
    birth = birth_of(session, person)
    if birth is None:
        return f"{person.national_id}: no birth record"
    return f"{person.national_id}: birth {birth.source} {birth.document_number or '(no number)'}"


def _child(person: Person) -> str:
    return _gendered(person, "son", "daughter")


def _line(session: Session, person: Person, label: str, depth: int, _via: Person,
          note: str | None, evidence: tuple[str, ...]) -> list[Relative]:
    """``person``'s descendants ``depth`` generations down, labelled ``label`` + ``s_son``..."""
    out: list[Relative] = []
    if depth <= 0:
        return out
    for child in children(session, person):
        name = f"{label}s_{_child(child)}"
        ev = (*evidence, _birth_evidence(session, child))
        out.append(Relative(child, name, via=person, note=note, evidence=ev))
        out += _line(session, child, name, depth - 1, child, note, ev)
    return out


def _descendants(session: Session, person: Person) -> list[Relative]:
    out = []
    for child in children(session, person):
        ev = (_birth_evidence(session, child),)
        out.append(Relative(child, _child(child), evidence=ev))
        out += _line(session, child, _child(child), 2, child, None, ev)
    return out


def _ancestors(session: Session, mother: Person | None, father: Person | None,
               evidence: tuple[str, ...]) -> list[Relative]:
    out = []
    for parent, side in ((father, "paternal"), (mother, "maternal")):
        if parent is None:
            continue
        out.append(Relative(parent, _gendered(parent, "father", "mother"), evidence=evidence))
        gm, gf = parents(session, parent)
        ev = (*evidence, _birth_evidence(session, parent))
        for grand in (gf, gm):
            if grand is None:
                continue
            name = f"{side}_grand{_gendered(grand, 'father', 'mother')}"
            out.append(Relative(grand, name, via=parent, evidence=ev))
            ev2 = (*ev, _birth_evidence(session, grand))
            for great in parents(session, grand)[::-1]:
                if great is not None:
                    out.append(Relative(great, f"{name}s_{_gendered(great, 'father', 'mother')}",
                                        via=grand, evidence=ev2))
    return out


def _collaterals(session: Session, person: Person) -> list[Relative]:
    out = []
    for sib, kind, note in siblings(session, person):
        label = f"{kind}_{_gendered(sib, 'brother', 'sister')}"
        ev = (_birth_evidence(session, person), _birth_evidence(session, sib))
        out.append(Relative(sib, label, note=note, evidence=ev))
        out += _line(session, sib, label, 2, sib, note, ev)
    return out


_UNCLE = {("paternal", "full"): "full_paternal_", ("paternal", "paternal_half"): "paternal_half_",
          ("paternal", "maternal_half"): "maternal_half_paternal_",
          ("maternal", "full"): "full_maternal_",
          ("maternal", "paternal_half"): "paternal_half_maternal_",
          ("maternal", "maternal_half"): "maternal_half_maternal_"}


def _uncles(session: Session, mother: Person | None, father: Person | None) -> list[Relative]:
    out = []
    for parent, side in ((father, "paternal"), (mother, "maternal")):
        if parent is None:
            continue
        for sib, kind, note in siblings(session, parent):
            label = _UNCLE[(side, kind)] + _gendered(sib, "uncle", "aunt")
            ev = (_birth_evidence(session, parent), _birth_evidence(session, sib))
            out.append(Relative(sib, label, via=parent, note=note, evidence=ev))
            agnate = side == "paternal" and kind != "maternal_half" and sib.sex == "M"
            for cousin in children(session, sib):
                name = f"{label}s_{_child(cousin)}"
                ev2 = (*ev, _birth_evidence(session, cousin))
                out.append(Relative(cousin, name, via=sib, note=note, evidence=ev2))
                if agnate and cousin.sex == "M":
                    out += [r for r in _line(session, cousin, name, 1, cousin, note, ev2)
                            if r.relation.endswith("s_son")]
    grandfather = parents(session, father)[1] if father is not None else None
    if grandfather is not None:  # the father's paternal uncles and their agnatic line
        for sib, kind, note in siblings(session, grandfather):
            if sib.sex != "M" or kind == "maternal_half":
                continue
            label = f"fathers_{_UNCLE[('paternal', kind)]}uncle"
            ev = (_birth_evidence(session, grandfather), _birth_evidence(session, sib))
            out.append(Relative(sib, label, via=grandfather, note=note, evidence=ev))
            out += [r for r in _line(session, sib, label, 2, sib, note, ev)
                    if r.relation.endswith("son") and "daughter" not in r.relation]
    return out


def relatives(session: Session, person: Person) -> list[Relative]:
    """Everyone the links relate to ``person`` within the degrees inheritance looks at: parents,
    grandparents and great-grandparents; children, grandchildren and great-grandchildren;
    siblings, their children and grandchildren; uncles and aunts of both sides and every tie,
    their children, the paternal uncles' sons' sons; the father's paternal uncles and their sons
    and sons' sons; and spouses (every marriage, ``marriage`` set). A person related twice
    (cousin marriage) appears once per relation."""
    mother, father = parents(session, person)
    out = _ancestors(session, mother, father, (_birth_evidence(session, person),))
    out += _descendants(session, person)
    out += _collaterals(session, person)
    out += _uncles(session, mother, father)
    for marriage, spouse in marriages(session, person):
        out.append(Relative(spouse, _gendered(spouse, "husband", "wife"), marriage=marriage,
                            evidence=(f"marriage {marriage.contract_date} ({marriage.regime})",)))
    return out


def relations_between(session: Session, person: Person, other: Person) -> list[str]:
    """What ``other`` is to ``person`` according to the links (empty when unrelated)."""
    return sorted({r.relation for r in relatives(session, person) if r.person.id == other.id})


def ancestor_ids(session: Session, person: Person, limit: int = 64) -> set[int]:
    """Ids of every recorded ancestor (bounded walk, for the no-cycle check)."""
    seen: set[int] = set()
    frontier = [person]
    for _ in range(limit):
        nxt = []
        for p in frontier:
            for parent in parents(session, p):
                if parent is not None and parent.id not in seen:
                    seen.add(parent.id)
                    nxt.append(parent)
        if not nxt:
            break
        frontier = nxt
    return seen


def consanguinity(session: Session, a: Person, b: Person) -> str | None:
    """Why ``a`` and ``b`` are within the prohibited degrees of blood (Q 4:23), at any depth,
    or None: one descends from the other, or one descends from a parent of the other (siblings,
    nephews and nieces, uncles and aunts of every degree). Cousins are not."""
    anc_a, anc_b = ancestor_ids(session, a), ancestor_ids(session, b)
    if a.id in anc_b or b.id in anc_a:
        return "one descends from the other"
    parents_a = {p.id for p in parents(session, a) if p is not None}
    parents_b = {p.id for p in parents(session, b) if p is not None}
    if parents_a & parents_b:
        return "siblings"
    if parents_a & anc_b or parents_b & anc_a:
        return "one descends from a parent of the other (uncle or aunt, nephew or niece)"
    return None
