"""A planted batch imported register by register: every planted duplicate cluster ends as one
person (or an open case naming that person where the evidence is weak), every legacy number is
linked, malformed files are rejected with their reasons, and the reports say so."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from enrollment.batch.job import run_import
from identity.platform.db import session_factory
from models.dedup import DuplicateCandidate, DuplicateCase
from models.enrollment import Enrollment
from models.imports import ImportJob, ImportRecord
from models.person import LegacyId
from tests.enrollment.batch.helpers import import_all, planted


@pytest.mark.slow
def test_planted_batch_ends_as_the_truth(engine, settings, shared_data: Path,
                                         tmp_path: Path) -> None:
    truth = planted(tmp_path / "batch", shared_data)
    reports = import_all(truth, engine, settings)

    with session_factory(engine)() as s:
        rows = {(job.register, r.legacy_number, r.record_key): r
                for r, job in s.execute(select(ImportRecord, ImportJob)
                                        .join(ImportJob, ImportJob.id == ImportRecord.job_id))}
        by_file = {f"{reg}/{key}": r for (reg, _n, key), r in rows.items()}
        assert len(by_file) == len(truth["records"])

        # Malformed files: rejected, each with the reason the generator planted.
        for rec in truth["records"]:
            row = by_file[rec["file"]]
            if rec["expect"] == "reject":
                assert (row.status, row.reason) == ("rejected", rec["reason"]), rec
            else:
                assert row.status in ("issued", "matched", "review"), (rec, row.reason,
                                                                       row.detail)

        # Each synthetic person is one registry person; review records name it as candidate.
        person_of: dict[int, set[int]] = defaultdict(set)
        held: dict[int, list[ImportRecord]] = defaultdict(list)
        for rec in truth["records"]:
            if rec["person"] is None:
                continue
            row = by_file[rec["file"]]
            if row.status == "review":
                held[rec["person"]].append(row)
            else:
                assert row.person_id is not None
                person_of[rec["person"]].add(row.person_id)
        assert all(len(ids) == 1 for ids in person_of.values()), person_of
        owners = [next(iter(ids)) for ids in person_of.values()]
        assert len(owners) == len(set(owners)), "two synthetic persons merged into one"
        for person, rows_held in held.items():
            for row in rows_held:
                case = s.get(DuplicateCase, row.case_id)
                assert case is not None and case.status == "open"
                cands = s.scalars(select(DuplicateCandidate.person_id)
                                  .where(DuplicateCandidate.case_id == case.id)).all()
                assert next(iter(person_of[person])) in cands
                # The held enrollment keeps the number until an adjudicator decides.
                enrollment = s.get(Enrollment, case.enrollment_id)
                assert enrollment is not None and enrollment.person_id is None
                register = row.record_key.split("-")[0]
                assert enrollment.demographics["legacy_ids"] == {register: row.legacy_number}

        # Every planted cluster was found: not one new ID per record.
        clustered = [c for c in truth["clusters"] if c["records"]]
        assert clustered
        for cluster in clustered:
            matched = {r.person_id for r in rows.values()
                       if r.legacy_number in cluster["records"] and r.status != "review"}
            assert len(matched) == 1, cluster

        # Every legacy number of a decided record is linked to its person.
        links = {(x.register, x.number): x.person_id for x in s.scalars(select(LegacyId))}
        for (register, number, _key), row in rows.items():
            if row.status in ("issued", "matched"):
                assert number is not None and links[(register, number)] == row.person_id

    # Reports: counts add up, rejects by reason match the truth and the rejects file.
    cs = reports[0]
    assert cs["register"] == "civil_status" and cs["status"] == "done"
    assert sum(cs["outcomes"].values()) == cs["records"] == cs["records_in_source"]
    planted_reasons: dict[str, int] = defaultdict(int)
    for rec in truth["records"]:
        if rec["expect"] == "reject":
            planted_reasons[rec["reason"]] += 1
    assert cs["rejects_by_reason"] == dict(planted_reasons)
    with open(cs["files"]["rejects.csv"], encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    assert sorted(r["reason"] for r in rejects) == sorted(
        reason for reason, n in planted_reasons.items() for _ in range(n))
    assert all(r["detail"] for r in rejects)
    html = Path(cs["files"]["report.html"]).read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "Rejects by reason" in html
    on_disk = json.loads(Path(cs["files"]["report.json"]).read_text(encoding="utf-8"))
    assert on_disk["outcomes"] == cs["outcomes"]
    found = sum(len(r["duplicate_clusters"]) + len(r["review_cases"]) for r in reports)
    assert found >= len(clustered)
    assert all(r["timing"]["extract_s_total"] > 0 for r in reports)


def test_a_finished_job_run_again_does_nothing_twice(sqlite_engine, settings,
                                                     shared_data: Path, tmp_path: Path) -> None:
    truth = planted(tmp_path / "batch", shared_data)
    folder = Path(truth["folders"]["residence"])
    first = run_import(folder, "residence", engine=sqlite_engine, settings=settings,
                       workers=0, bar=False)
    again = run_import(folder, "residence", engine=sqlite_engine, settings=settings,
                       workers=0, bar=False)
    assert again["outcomes"] == first["outcomes"] and again["runs"] == 2
    # The same records under another source path are recognised by their register number.
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in folder.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    replay = run_import(copy, "residence", engine=sqlite_engine, settings=settings,
                        workers=0, bar=False)
    assert replay["outcomes"] == {"replayed": first["records"]}
    with session_factory(sqlite_engine)() as s:
        assert len(s.scalars(select(Enrollment)).all()) == first["records"]
