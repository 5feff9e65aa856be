"""``hawiya import --all-vs-all``: the face pass and the all-vs-all pairs reach the one decision
unit as candidates. The proof: with the gallery's index blinded (it proposes nothing, the edge
this test controls), a person imported twice in one register gets a second ID by the usual
path and does not with the pairs; the face pass resumes from its saved vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from enrollment.batch import facepass
from enrollment.batch.generator import BatchSpec, make_batch
from enrollment.batch.job import prepared_stream, run_import
from enrollment.batch.records import Prepared, Task
from enrollment.batch.sources import list_tasks
from identity.biometrics.gallery import Gallery
from identity.platform.db import make_engine, session_factory
from identity.platform.migrate import upgrade
from models.dedup import DuplicateCandidate, DuplicateCase
from models.imports import ImportRecord

# person 0 twice in civil_status (face + 4 fingers: full packets, no name blocking), person 2
# once; the generator's seed fixes it (checked below).
SPEC = BatchSpec(persons=3, fingers=4, duplicate_share=1.0, weak=0, max_copies=2,
                 malformed=0, seed=7)


@pytest.fixture(scope="module")
def batch(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    truth = make_batch(tmp_path_factory.mktemp("batch"), shared_data, SPEC)
    records = [r for r in truth["records"] if r["register"] == "civil_status"]
    assert [r["person"] for r in records] == [0, 0, 2], records
    return {"folder": Path(truth["folders"]["civil_status"]), "records": records}


def _blind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Gallery, "propose", lambda self, view, face, fingers: {})


def _import(batch: dict[str, Any], tmp_path: Path, settings: Any, name: str,
            all_vs_all: bool) -> tuple[dict[str, Any], list[ImportRecord], Any]:
    engine = make_engine(f"sqlite:///{tmp_path / (name + '.db')}")
    upgrade(engine)
    report = run_import(batch["folder"], "civil_status", engine=engine, settings=settings,
                        workers=0, bar=False, out_dir=tmp_path / name, all_vs_all=all_vs_all)
    with session_factory(engine)() as s:
        rows = list(s.scalars(select(ImportRecord).order_by(ImportRecord.record_key)))
        s.expunge_all()
    return report, rows, engine


@pytest.mark.slow
def test_pairs_find_the_duplicate_the_blinded_index_misses(batch, settings, tmp_path,
                                                           monkeypatch) -> None:
    _blind(monkeypatch)
    settings.data_dir = tmp_path / "data"

    _, plain, _ = _import(batch, tmp_path, settings, "plain", all_vs_all=False)
    assert [r.status for r in plain] == ["issued", "issued", "issued"]  # the miss: two IDs

    report, rows, engine = _import(batch, tmp_path, settings, "pairs", all_vs_all=True)
    first, second, other = rows
    assert (first.status, other.status) == ("issued", "issued")
    assert second.status in ("matched", "review"), second.reason
    if second.status == "matched":
        assert second.person_id == first.person_id
    else:
        with session_factory(engine)() as s:
            case = s.scalars(select(DuplicateCase)
                             .where(DuplicateCase.enrollment_id == second.enrollment_id)).one()
            named = s.scalars(select(DuplicateCandidate.person_id)
                              .where(DuplicateCandidate.case_id == case.id)).all()
        assert first.person_id in named
    assert other.person_id not in (first.person_id, second.person_id)
    stats = report["all_vs_all"]
    assert stats["faces"] == 3 and stats["records_with_pairs"] >= 1
    # the vectors lived under the data directory, never the report folder, and are gone
    assert not list(tmp_path.glob(f"**/{facepass.CACHE}"))


@pytest.mark.slow
def test_the_face_pass_resumes_from_its_saved_vectors(batch, settings, tmp_path) -> None:
    tasks = list_tasks(batch["folder"], "civil_status",
                       max_pixels=settings.max_image_pixels, profile=None)
    asked: list[list[str]] = []

    def stream(ts: list[Task], fn: Any) -> Any:
        asked.append([t.key for t in ts])
        return prepared_stream(ts, 0, fn)

    found, cpu = facepass.face_vectors(tasks[:2], stream, tmp_path)
    assert asked == [[t.key for t in tasks[:2]]] and cpu > 0
    again, _ = facepass.face_vectors(tasks, stream, tmp_path)  # a later, longer run
    assert asked[1] == [tasks[2].key]  # only what was not saved
    for key in found:
        np.testing.assert_array_equal(found[key], again[key])
    pairs = facepass.earlier_pairs(tasks, again, gpu=False)
    assert pairs.get(tasks[1].key, [None])[0] == tasks[0].key  # the same person, paired


def test_a_damaged_vector_file_is_started_over(tmp_path) -> None:
    tasks = [Task(key=f"k{i}", kind="nist", register="civil_status", max_pixels=1)
             for i in range(2)]
    (tmp_path / facepass.CACHE).write_bytes(b"PK\x03\x04 cut short by a full disk")
    asked: list[list[str]] = []

    def stream(ts: list[Task], fn: Any) -> Any:
        asked.append([t.key for t in ts])
        return iter([Prepared(t.key, reason="no_face") for t in ts])

    found, _ = facepass.face_vectors(tasks, stream, tmp_path)
    assert asked == [["k0", "k1"]] and found == {"k0": None, "k1": None}
    facepass.discard(tmp_path)
    assert not (tmp_path / facepass.CACHE).exists()


def test_a_record_without_a_usable_face_has_no_vector(tmp_path) -> None:
    tasks = [Task(key=f"k{i}", kind="nist", register="civil_status", max_pixels=1)
             for i in range(3)]

    def stream(ts: list[Task], fn: Any) -> Any:
        return iter([Prepared(t.key, reason="no_face") for t in ts])

    found, _ = facepass.face_vectors(tasks, stream, tmp_path)
    assert found == {"k0": None, "k1": None, "k2": None}
    assert facepass.earlier_pairs(tasks, found) == {}
