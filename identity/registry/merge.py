"""Merging two persons found to be one, and undoing it exactly.

A merge keeps one survivor: the absorbed person's row stays (``status="merged"``,
``merged_into_id``) with its data intact, its national IDs now point at the survivor (aliases
that still resolve), and every row of every table that references the absorbed person is moved
to the survivor — templates, enrollments, legacy numbers, vital records, ration rows — each one
recorded by primary key in the ``MergeRecord``. Unmerge moves exactly those rows back and gives
the IDs back to their original owner; rows created after the merge stay with the survivor.

The referencing tables are found from the schema (every foreign key to ``persons.id``), so a
new aggregate is moved without editing this module. Rows that would break a one-per-person rule
(two open ration memberships, two birth records of one child) refuse the merge with a 409
naming the table: that conflict is for the owning service to settle first.

Gallery: the indexes hold template ids, which a merge does not change, so nothing is re-indexed;
searches read each template's owner from the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.access import journal
from identity.platform.errors import Conflict, NotFound
from identity.registry.persons import national_id_row
from models.adjudication import MergeRecord, MergeStatus
from models.base import Base, utcnow
from models.person import NationalId, Person, PersonStatus

# References that are history, not the person's records: never moved.
_NOT_MOVED = {
    ("persons", "merged_into_id"),
    ("national_ids", "person_id"),  # moved separately (aliases), see below
    ("national_ids", "issued_to_id"),
    ("duplicate_candidates", "person_id"),
    ("distinct_pairs", "person_low"),
    ("distinct_pairs", "person_high"),
    ("merge_records", "survivor_id"),
    ("merge_records", "absorbed_id"),
    ("case_decisions", "target_person_id"),
}


def person_references() -> list[tuple[Table, str]]:
    """(table, column) of every foreign key to ``persons.id`` that a merge moves."""
    import models.all  # noqa: F401  (every table registered)

    out = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "persons" and fk.column.name == "id":
                col = fk.parent.name
                if (table.name, col) not in _NOT_MOVED:
                    out.append((table, col))
    return sorted(out, key=lambda tc: (tc[0].name, tc[1]))


def _move(session: Session, table: Table, column: str, src: int, dst: int,
          only: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Point ``table.column`` from ``src`` to ``dst`` (only the rows ``only`` when given)."""
    pk = list(table.primary_key.columns)
    col = table.c[column]
    if only is None:
        rows = session.execute(select(*pk).where(col == src)).all()
        keys = [{c.name: v for c, v in zip(pk, row, strict=True)} for row in rows]
    else:
        keys = only
    if not keys:
        return []
    try:
        with session.begin_nested():
            for key in keys:
                cond = and_(col == src, *[table.c[k] == v for k, v in key.items()])
                session.execute(update(table).where(cond).values({column: dst}))
    except IntegrityError as exc:
        raise Conflict(f"cannot move {table.name}.{column}: both persons hold a row that "
                       "may exist once per person; settle it there first",
                       code="merge_conflict", details={"table": table.name}) from exc
    return keys


def merge(session: Session, *, survivor: Person, absorbed: Person, actor: str,
          case_id: int | None = None, confirmed_by: str | None = None,
          reason: dict[str, Any] | None = None) -> MergeRecord:
    """Merge ``absorbed`` into ``survivor`` in the current transaction (no commit)."""
    if survivor.id == absorbed.id:
        raise Conflict("a person cannot be merged with itself", code="merge_same_person")
    for p in (survivor, absorbed):
        if p.status == PersonStatus.MERGED:
            raise Conflict(f"{p.national_id} is already merged into another person",
                           code="already_merged")
    if survivor.life_status != absorbed.life_status:
        raise Conflict("one person is recorded dead and the other alive: settle the death "
                       "record first", code="merge_conflict", details={"table": "persons"})
    moved: list[dict[str, Any]] = []
    for table, column in person_references():
        for key in _move(session, table, column, absorbed.id, survivor.id):
            moved.append({"table": table.name, "column": column, "pk": key})
    ids = list(session.scalars(
        select(NationalId.national_id).where(NationalId.person_id == absorbed.id)))
    session.execute(update(NationalId).where(NationalId.person_id == absorbed.id)
                    .values(person_id=survivor.id))
    record = MergeRecord(
        survivor_id=survivor.id, absorbed_id=absorbed.id, case_id=case_id,
        survivor_national_id=survivor.national_id, absorbed_national_id=absorbed.national_id,
        national_ids=sorted(ids), moved=moved,
        absorbed_before={"status": absorbed.status, "merged_into_id": absorbed.merged_into_id},
        status=MergeStatus.MERGED, merged_by=actor, confirmed_by=confirmed_by,
    )
    absorbed.status = PersonStatus.MERGED
    absorbed.merged_into_id = survivor.id
    session.add(record)
    session.flush()
    payload = {"survivor_national_id": survivor.national_id,
               "absorbed_national_id": absorbed.national_id, "aliases": sorted(ids),
               "merge_id": record.id}
    journal.emit(session, "person.merged", absorbed.national_id, payload)
    journal.audit(session, actor=actor, action="person.merge", outcome="merged",
                  person_id=survivor.id,
                  details={**payload, "case_id": case_id, "confirmed_by": confirmed_by,
                           "moved_rows": len(moved), **(reason or {})})
    return record


def latest_merge_of(session: Session, absorbed: Person) -> MergeRecord:
    record = session.scalars(
        select(MergeRecord).where(MergeRecord.absorbed_id == absorbed.id,
                                  MergeRecord.status == MergeStatus.MERGED)
        .order_by(MergeRecord.id.desc()).limit(1)
    ).first()
    if record is None:
        raise NotFound("this person was not merged", code="merge_not_found")
    return record


def find_absorbed(session: Session, national_id: str) -> Person:
    """The person whose own national ID this is, which must now be merged into another."""
    row = national_id_row(session, national_id)
    person = session.get(Person, row.issued_to_id)
    if person is None or person.status != PersonStatus.MERGED:
        raise NotFound("this national ID is not an alias of a merge", code="merge_not_found")
    return person


def unmerge(session: Session, *, absorbed: Person, actor: str,
            reason: dict[str, Any] | None = None) -> MergeRecord:
    """Reverse the merge of ``absorbed`` in the current transaction (no commit)."""
    record = latest_merge_of(session, absorbed)
    survivor = session.get(Person, record.survivor_id)
    assert survivor is not None
    if survivor.status == PersonStatus.MERGED:
        raise Conflict("the survivor was itself merged since: unmerge that merge first",
                       code="unmerge_order", details={"national_id": survivor.national_id})
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    by_table: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in record.moved:
        by_table.setdefault((item["table"], item["column"]), []).append(item["pk"])
    for (name, column), keys in sorted(by_table.items()):
        _move(session, tables[name], column, survivor.id, absorbed.id, only=keys)
    session.execute(update(NationalId).where(NationalId.national_id.in_(record.national_ids))
                    .values(person_id=absorbed.id))
    absorbed.status = str(record.absorbed_before.get("status") or PersonStatus.ACTIVE)
    absorbed.merged_into_id = record.absorbed_before.get("merged_into_id")
    record.status = MergeStatus.UNMERGED
    record.unmerged_by = actor
    record.unmerged_at = utcnow()
    record.unmerge_reason = str((reason or {}).get("note", ""))[:2000]
    session.flush()
    payload = {"survivor_national_id": survivor.national_id,
               "restored_national_id": absorbed.national_id,
               "restored_ids": record.national_ids, "merge_id": record.id}
    journal.emit(session, "person.unmerged", absorbed.national_id, payload)
    journal.audit(session, actor=actor, action="person.unmerge", outcome="unmerged",
                  person_id=absorbed.id, details={**payload, **(reason or {})})
    return record
