"""A record held for review keeps its legacy number on the held enrollment; the adjudicator's
"same" decision links it to the person. (Face + two fingers of one person match on a one-person
gallery; the match bound is raised here so that the record is held: what is tested is the
linking, not the bound.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from enrollment.adjudication import decide
from enrollment.batch.generator import BatchSpec, make_batch
from enrollment.batch.job import run_import
from enrollment.decider import Decider
from identity.access.keys import authenticate, create_key
from identity.biometrics.gallery import Gallery
from identity.platform.db import session_factory
from matching import thresholds
from models.enrollment import Enrollment
from models.imports import ImportRecord
from models.person import LegacyId

SPEC = BatchSpec(persons=1, fingers=2, duplicate_share=1.0, weak=0, seed=7)


@pytest.mark.slow  # cheap after test_import (same images, memoized); slow alone
def test_held_record_is_linked_when_decided(sqlite_engine, settings, shared_data: Path,
                                            tmp_path: Path, monkeypatch) -> None:
    row = thresholds.THRESHOLDS["posterior.match_min"]
    monkeypatch.setitem(thresholds.THRESHOLDS, row.name,
                        dataclasses.replace(row, value=1 - 1e-15))
    truth = make_batch(tmp_path / "batch", shared_data, SPEC)
    report = run_import(Path(truth["folders"]["civil_status"]), "civil_status",
                        engine=sqlite_engine, settings=settings, workers=0, bar=False)
    assert report["outcomes"] == {"issued": 1, "review": 1}, report["fused_llrs"]
    [case] = report["review_cases"]
    with session_factory(sqlite_engine)() as s:
        held = s.scalars(select(ImportRecord).where(ImportRecord.status == "review")).one()
        issued = s.scalars(select(ImportRecord).where(ImportRecord.status == "issued")).one()
        assert held.case_id == case["case_id"] and held.person_id is None
        assert s.scalars(select(LegacyId).where(LegacyId.number == held.legacy_number)).all() \
            == []
        enrollment = s.get(Enrollment, held.enrollment_id)
        assert enrollment is not None
        assert enrollment.demographics["legacy_ids"] == {"civil_status": held.legacy_number}

        admin = authenticate(s, create_key(s, role="admin", name="adm"))
        gallery = Gallery(settings.index_dir)
        gallery.load(s)
        decide(s, case_id=case["case_id"], principal=admin, decision="same",
               reason_code="biometric_match", decider=Decider(gallery), two_admins=False)
        link = s.scalars(select(LegacyId).where(LegacyId.number == held.legacy_number)).one()
        assert link.person_id == issued.person_id
