"""The two gallery engines on one gallery: the same proposals and the same candidates for the
same probes; deletions and reconciliation from the database; views across processes (the
outbox, the clock, a decider killed between its commit and its apply). Real images, real
FAISS, the real Milvus server ``make test`` starts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from bench.packets import OTHER_DEMOGRAPHICS, face_path, finger_path, packet
from enrollment import search
from identity.biometrics import probes
from identity.biometrics.gallery import Gallery, delta
from identity.biometrics.milvus_gallery import MilvusGallery
from identity.platform.db import session_factory
from models.enrollment import Enrollment, Template
from models.gallery import GalleryOutbox
from tests.conftest import MILVUS_PREFIX, bearer

pytestmark = pytest.mark.milvus
MAX_PIXELS = 4096 * 4096
# (FVC set standing for one person's hands, face or None, demographics)
PEOPLE = [("FVC2002_DB1_B", "obama.jpg", None), ("FVC2002_DB2_B", "biden.jpg",
                                                 OTHER_DEMOGRAPHICS),
          ("FVC2002_DB3_B", None, {**OTHER_DEMOGRAPHICS, "given_name": "سالم"})]


def _probe(shared: Path, db: str, face: str | None, impression: int,
           positions: tuple[int, ...]) -> probes.Probe:
    return probes.prepare(face_path(shared, face).read_bytes() if face else None,
                          {p: finger_path(shared, p, impression, db).read_bytes()
                           for p in positions}, max_pixels=MAX_PIXELS)


@pytest.fixture
def enrolled(client, make_key, shared_data: Path) -> list[str]:
    """Three persons enrolled through the API (ten fingers, two with faces)."""
    station = bearer(make_key("station", name="st-engines"))
    ids = []
    for n, (db, face, demo) in enumerate(PEOPLE):
        data, files = packet(shared_data, capture_id=f"p{n}", db=db, demographics=demo,
                             face=face_path(shared_data, face).read_bytes() if face else None)
        resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["national_id"])
    return ids


def _milvus(engine, uri: str, name: str, prefix: str = MILVUS_PREFIX) -> MilvusGallery:
    gallery = MilvusGallery(uri, prefix=prefix, search_threads=2,
                            stale_seconds=3600)  # the test drains by hand
    with session_factory(engine)() as s:
        gallery.load(s)
    return gallery


def test_same_candidates_through_either_engine(engine, enrolled, milvus_uri, tmp_path: Path,
                                               shared_data: Path) -> None:
    faiss_gallery = Gallery(tmp_path / "faiss-index")
    with session_factory(engine)() as s:
        faiss_gallery.load(s)
    # Collections of its own: the run's shared ones hold what earlier tests wrote and deleted
    # (after tests/enrollment/test_deciders.py a finger ranked second in Milvus, first in
    # FAISS: likely segments sealed and IVF-indexed with the national milvus.finger.nlist on a
    # few thousand codes, against FAISS's exact search at this size). One gallery, two engines.
    milvus = _milvus(engine, milvus_uri, "same", prefix=f"{MILVUS_PREFIX}_same")
    try:
        _same_candidates(engine, faiss_gallery, milvus, shared_data)
    finally:
        milvus.drop()
        milvus.close()


def _same_candidates(engine, faiss_gallery: Gallery, milvus: MilvusGallery,
                     shared_data: Path) -> None:
    assert milvus.counts() == faiss_gallery.counts() == (2, 30)
    cases = [(db, face, imp, pos) for db, face, _ in PEOPLE for imp, pos in
             ((2, tuple(range(1, 11))), (3, (1, 2, 3)), (4, (7,)))]
    found_mates = 0
    with session_factory(engine)() as s:
        for db, face, imp, pos in cases:
            probe = _probe(shared_data, db, face if imp == 2 else None, imp, pos)
            views = faiss_gallery.view(s), milvus.view(s)
            assert views[0].high_water == views[1].high_water
            weights = [g.propose(v, probe.face_vector, probe.finger_templates)
                       for g, v in zip((faiss_gallery, milvus), views, strict=True)]
            assert weights[0].keys() == weights[1].keys(), (db, imp, pos)
            for tid, w in weights[0].items():
                assert weights[1][tid] == pytest.approx(w), (db, imp, pos, tid)
            got = [search.search(s, g, probe) for g in (faiss_gallery, milvus)]
            assert [(c.owner, round(c.llr, 6)) for c in got[0]] \
                == [(c.owner, round(c.llr, 6)) for c in got[1]]
            found_mates += bool(got[0]) and got[0][0].llr > 0
    assert found_mates >= 6  # the ten- and three-finger probes find their person


def test_deletions_and_reconciliation_follow_the_database(engine, enrolled, milvus_uri) -> None:
    milvus = _milvus(engine, milvus_uri, "recon")
    with session_factory(engine)() as s:
        fingers = list(s.scalars(select(Template.id).where(Template.modality == "finger")
                                 .order_by(Template.id)))
        face = s.scalars(select(Template.id).where(Template.modality == "face")).first()
    assert face is not None
    # A crash between the database and the engine: vectors missing, a vector with no row.
    milvus.apply(session_factory(engine), [], [face, *fingers[:3]])
    milvus.cols.upsert_faces([987_654], np.full((1, 128), 0.05, np.float32))
    assert milvus.counts() == (2, 27)
    with session_factory(engine)() as s:
        assert milvus.reconcile(s) == (4, 1)
    assert milvus.counts() == (2, 30)
    assert sorted(milvus.cols.all_ids("finger").tolist()) == fingers


def test_a_decider_killed_after_its_commit_loses_nothing(engine, enrolled, milvus_uri) -> None:
    """The decision committed, its outbox row is there, Milvus never got its vectors: views
    stay below it (its templates are in every decision's delta) until any process applies it.
    """
    milvus = _milvus(engine, milvus_uri, "outbox")
    with session_factory(engine)() as s:
        last = s.scalars(select(Enrollment).order_by(Enrollment.id.desc())).first()
        assert last is not None
        tids = list(s.scalars(select(Template.id).where(Template.enrollment_id == last.id)))
        high = max(tids)
        assert milvus.view(s).high_water == high
        s.rollback()  # SQLite: one writer at a time
        milvus.apply(session_factory(engine), [], tids)  # as if never applied...
        token = milvus.pending(s, tids, [])  # ...by a decision that announced them
        s.commit()
        assert milvus.view(s).high_water == min(tids) - 1
        assert delta(s, milvus.view(s).high_water) == sorted(tids)
        s.rollback()
        assert milvus.drain(s.get_bind()) == 0  # its decider may still be at it
        assert milvus.drain(s.get_bind(), older_than=0.0) == 1  # presumed dead
        s.rollback()
        assert s.scalars(select(GalleryOutbox)).all() == []
        assert milvus.view(s).high_water == high and delta(s, high) == []
        assert set(tids) <= set(milvus.cols.all_ids("finger").tolist()) | set(
            milvus.cols.all_ids("face").tolist())
        s.rollback()
        milvus.settle(token, True)  # the late decider's settle finds nothing left: harmless
