"""Shared helpers of the import tests: the planted batch, running imports, the final state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from enrollment.batch.generator import BatchSpec, make_batch
from enrollment.batch.job import run_import
from identity.platform.db import session_factory
from identity.platform.settings import Settings
from identity.registry.schemas import LEGACY_REGISTERS
from models.dedup import DuplicateCandidate, DuplicateCase
from models.enrollment import Enrollment, Template
from models.imports import ImportJob, ImportRecord
from models.person import LegacyId, Person

# Two persons, three fingers + a face per record (extraction is the cost: ~3 s a finger here):
# person 0 twice in civil_status (a duplicate inside one register) and once more with no face
# (weaker evidence); person 1 in two registers. Five malformed files in civil_status.
SPEC = BatchSpec(persons=2, fingers=3, duplicate_share=1.0, weak=1, max_copies=2,
                 malformed=5, seed=7)


def planted(out: Path, data: Path) -> dict[str, Any]:
    return make_batch(out, data, SPEC)


def import_all(truth: dict[str, Any], engine: Engine, settings: Settings) -> list[dict]:
    reports = []
    for register in LEGACY_REGISTERS:
        if register in truth["folders"]:
            reports.append(run_import(Path(truth["folders"][register]), register, engine=engine,
                                      settings=settings, workers=0, bar=False))
    return reports


def final_state(engine: Engine) -> dict[str, Any]:
    """The registry after an import, free of random IDs and row ids: persons as the sets of
    legacy numbers linked to them, cases as (held number, candidates' number sets)."""
    with session_factory(engine)() as s:
        numbers: dict[int, set[str]] = {}
        for row in s.scalars(select(LegacyId)):
            numbers.setdefault(row.person_id, set()).add(f"{row.register}:{row.number}")
        persons = s.scalars(select(Person.id)).all()
        cases = set()
        for case in s.scalars(select(DuplicateCase)):
            held = s.get(Enrollment, case.enrollment_id)
            assert held is not None
            cands = s.scalars(select(DuplicateCandidate.person_id)
                              .where(DuplicateCandidate.case_id == case.id)).all()
            cases.add((held.capture_id, case.status,
                       frozenset(frozenset(numbers.get(p, ())) for p in cands)))
        records = {(job.register, r.record_key): (r.status, r.reason)
                   for r, job in s.execute(select(ImportRecord, ImportJob)
                                           .join(ImportJob, ImportJob.id == ImportRecord.job_id))}
        return {
            "persons": {frozenset(numbers.get(p, ())) for p in persons},
            "n_persons": len(persons),
            "enrollments": sorted((e.station_id, e.capture_id, e.status)
                                  for e in s.scalars(select(Enrollment))),
            "templates": s.scalar(text("SELECT count(*) FROM templates")),
            "gallery_templates": len(s.scalars(select(Template.id)
                                               .where(Template.person_id.is_not(None))).all()),
            "cases": cases,
            "records": records,
        }
