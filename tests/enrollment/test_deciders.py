"""Several deciders on one database (issue 18): the same person's packets spread across them at
the same moment give one ID — threads with their own ``Decider`` and session on either gallery
engine, and separate processes on the shared Milvus gallery; with the embedded FAISS gallery a
second deciding process refuses; a decider killed mid-commit (before or after its commit)
loses nothing and the retry gets the same outcome — including a real process SIGKILLed from
outside while it holds the decision lock in its commit. Real images, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bench.packets import DEMOGRAPHICS, face_path, finger_path
from enrollment.decider import _PG_DECISION_LOCK, Decider, Decision
from enrollment.packet import Packet
from enrollment.service import enroll
from identity.access.keys import Principal
from identity.biometrics import probes
from identity.biometrics.gallery import Gallery, GalleryEngine
from identity.biometrics.milvus_gallery import MilvusGallery
from identity.platform.db import session_factory
from identity.registry.schemas import Demographics
from models.dedup import DuplicateCase
from models.gallery import GalleryOutbox
from models.person import Person
from tests.conftest import MILVUS_PREFIX

ROOT = Path(__file__).resolve().parents[2]
STATION = Principal(1, "st", "station", frozenset(), None, None)
FACES = ("obama.jpg", "obama2.jpg", "obama3.jpg", "obama.jpg")


def _packet(shared: Path, n: int) -> Packet:
    """Capture ``n`` (impression n+1) of one person: a face and ten fingers."""
    return Packet("st", f"cap-{n}", Demographics.model_validate(DEMOGRAPHICS),
                  face=face_path(shared, FACES[n]).read_bytes(),
                  fingers={p: finger_path(shared, p, n + 1).read_bytes() for p in range(1, 11)},
                  missing_fingers={})


def _enroll(s, shared: Path, n: int, unit: Decider) -> dict:
    """Capture ``n`` through ``unit``: the answer's body."""
    return enroll(s, _packet(shared, n), STATION, max_pixels=4096 * 4096, decider=unit).body


def _gallery(kind: str, engine, request: pytest.FixtureRequest, tmp_path: Path,
             shared: GalleryEngine | None = None) -> GalleryEngine:
    if kind == "faiss":  # one process: its deciders share the in-process gallery
        gallery: GalleryEngine = shared or Gallery(tmp_path / "index")
    else:  # each decider its own client, as separate processes have
        gallery = MilvusGallery(request.getfixturevalue("milvus_uri"),
                                prefix=MILVUS_PREFIX, stale_seconds=2.0)
    if not gallery.ready:
        with session_factory(engine)() as s:
            gallery.load(s)
    return gallery


def _persons(engine) -> int:
    with session_factory(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(Person)) or 0)


@pytest.mark.parametrize("kind", ["faiss", pytest.param("milvus", marks=pytest.mark.milvus)])
@pytest.mark.parametrize("deciders", [2, 4])
def test_one_person_at_several_deciders_at_once_gets_one_id(
        kind: str, deciders: int, engine, request, tmp_path: Path, shared_data: Path) -> None:
    first = _gallery(kind, engine, request, tmp_path)
    units = [Decider(_gallery(kind, engine, request, tmp_path,
                              shared=first if kind == "faiss" else None), lease_seconds=30)
             for _ in range(deciders)]
    packets = [_packet(shared_data, n) for n in range(deciders)]
    for p in packets:  # extract once, one at a time (the run's memo): the race is the decision
        probes.prepare(p.face, p.fingers, max_pixels=4096 * 4096)
    barrier = threading.Barrier(deciders)
    results: list[Decision | BaseException] = []

    def run(unit: Decider, p: Packet) -> None:
        barrier.wait()
        with session_factory(engine)() as s:
            try:
                results.append(enroll(s, p, STATION, max_pixels=4096 * 4096, decider=unit))
            except BaseException as exc:  # surfaced below
                results.append(exc)

    threads = [threading.Thread(target=run, args=(u, p)) for u, p in zip(units, packets,
                                                                          strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, Decision) for r in results), results
    bodies = [r.body for r in results if isinstance(r, Decision)]
    assert sorted(b["status"] for b in bodies) == ["issued"] + ["matched"] * (deciders - 1)
    assert len({b["national_id"] for b in bodies}) == 1
    assert _persons(engine) == 1
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(DuplicateCase)) == 0
        assert s.scalars(select(GalleryOutbox)).all() == []  # every change applied


SCRIPT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from sqlalchemy import text
    from sqlalchemy.orm import Session
    from enrollment.decider import Decider
    from enrollment.service import enroll
    from identity.biometrics.gallery import Gallery
    from identity.biometrics.milvus_gallery import MilvusGallery
    from identity.platform.db import make_engine, session_factory
    from identity.platform.errors import DomainError
    from tests.enrollment.test_deciders import STATION, _packet  # noqa: E402

    url, shared, n, kind, where, start_at, crash = sys.argv[1:8]
    engine = make_engine(url)
    if kind == "faiss":
        gallery = Gallery(Path(where))
    else:
        gallery = MilvusGallery(where.split("|")[0], prefix=where.split("|")[1])
    with session_factory(engine)() as s:
        gallery.load(s)
    packet = _packet(Path(shared), int(n))
    if crash == "before_commit":  # the power goes out after every insert, before the commit
        Session.commit = lambda self: os._exit(137)
    elif crash == "after_commit":  # ...after the commit, before the gallery heard of it
        type(gallery).apply = lambda *a, **k: os._exit(137)
    elif crash.startswith("hold:"):  # in the decision's commit, until SIGKILLed from outside
        commit = Session.commit

        def held(self):
            if self.scalar(text("SELECT count(*) FROM persons")):  # the decision's transaction
                Path(crash[5:]).write_text(str(os.getpid()))
                time.sleep(600)
            commit(self)
        Session.commit = held
    time.sleep(max(0.0, float(start_at) - time.time()))
    with session_factory(engine)() as s:
        try:
            out = enroll(s, packet, STATION, max_pixels=4096 * 4096, decider=Decider(gallery))
            print(out.status_code, out.body.get("status"), out.body.get("national_id"))
        except DomainError as exc:
            print(exc.status_code, exc.code, "-")
""")


def _spawn(url: str, shared: Path, n: int, kind: str, where: str, start_at: float,
           crash: str = "none") -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", SCRIPT, url, str(shared.resolve()), str(n),
                             kind, where, str(start_at), crash], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.milvus
@pytest.mark.slow
def test_separate_processes_on_the_shared_gallery_give_one_id(engine, milvus_uri,
                                                              shared_data: Path) -> None:
    where = f"{milvus_uri}|{MILVUS_PREFIX}"
    start_at = time.time() + 60  # imports, the gallery's load, extraction: then all at once
    procs = [_spawn(_url(engine), shared_data, n, "milvus", where, start_at) for n in range(3)]
    outs = [p.communicate(timeout=600) for p in procs]
    lines = [o.strip().split() for o, _ in outs]
    assert all(p.returncode == 0 for p in procs), [e[-2000:] for _, e in outs]
    assert sorted(line[1] for line in lines) == ["issued", "matched", "matched"], lines
    assert len({line[2] for line in lines}) == 1 and _persons(engine) == 1


@pytest.mark.slow
def test_the_embedded_gallery_decides_in_one_process(engine, tmp_path: Path,
                                                     shared_data: Path) -> None:
    """A second process with the in-process gallery refuses (503 not_the_decider) while the
    first holds the lease; the first's decisions go on."""
    holder = Decider(_gallery("faiss", engine, None, tmp_path))  # type: ignore[arg-type]
    with session_factory(engine)() as s:
        assert holder.lease.try_acquire(s)
    proc = _spawn(_url(engine), shared_data, 1, "faiss", str(tmp_path / "other"), 0)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-2000:]
    assert out.split()[:2] == ["503", "not_the_decider"], out
    with session_factory(engine)() as s:
        assert enroll(s, _packet(shared_data, 0), STATION, max_pixels=4096 * 4096,
                      decider=holder).body["status"] == "issued"
        holder.release(s)


@pytest.mark.milvus
@pytest.mark.slow
@pytest.mark.parametrize("crash", ["before_commit", "after_commit"])
def test_a_decider_killed_mid_commit_loses_nothing(crash: str, engine, milvus_uri, request,
                                                   tmp_path: Path, shared_data: Path) -> None:
    where = f"{milvus_uri}|{MILVUS_PREFIX}"
    killed = _spawn(_url(engine), shared_data, 0, "milvus", where, 0, crash)
    _, err = killed.communicate(timeout=600)
    assert killed.returncode == 137, err[-2000:]
    assert _persons(engine) == (0 if crash == "before_commit" else 1)
    # Another decider goes on at once: the same person's next packet sees the committed
    # decision (in its delta: the killed decider never applied it) and matches it.
    gallery = MilvusGallery(milvus_uri, prefix=MILVUS_PREFIX, stale_seconds=1.0)
    with session_factory(engine)() as s:
        gallery.load(s)
    unit = Decider(gallery)
    with session_factory(engine)() as s:
        second, retried = _enroll(s, shared_data, 1, unit), _enroll(s, shared_data, 0, unit)
    assert retried["national_id"] == second["national_id"] and _persons(engine) == 1
    if crash == "after_commit":  # the first decision stands; the retry answers it again
        assert (second["status"], retried["status"]) == ("matched", "issued")
        deadline = time.monotonic() + 30  # the drainer applies the dead decider's changes
        with session_factory(engine)() as s:
            while s.scalars(select(GalleryOutbox)).all() and time.monotonic() < deadline:
                s.rollback()
                time.sleep(0.5)
            assert s.scalars(select(GalleryOutbox)).all() == []
    else:  # nothing was committed: the retry is decided afresh, as the same person
        assert (second["status"], retried["status"]) == ("issued", "matched")


def _decision_lock_holders(engine) -> list[int]:
    """Backend pids holding the decision lock (``enrollment.decider.lock_decisions``)."""
    with engine.connect() as conn:
        return list(conn.scalars(text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND ((classid::bigint << 32) | objid::bigint) = :k"), {"k": _PG_DECISION_LOCK}))


@pytest.mark.milvus
@pytest.mark.slow
def test_a_decider_sigkilled_while_it_holds_the_commit_loses_nothing(
        engine, milvus_uri, tmp_path: Path, shared_data: Path) -> None:
    """A real deciding process, SIGKILLed from outside while it holds the decision lock with
    its decision written but not committed (it signals that point through a file): nothing of
    it stays, the decider queued behind it goes on as soon as the database drops the dead
    connection, and the killed packet's retry is decided as the same person."""
    held = tmp_path / "held"
    killed = _spawn(_url(engine), shared_data, 0, "milvus", f"{milvus_uri}|{MILVUS_PREFIX}", 0,
                    f"hold:{held}")
    try:
        deadline = time.monotonic() + 600
        while not held.exists():
            assert killed.poll() is None, killed.communicate()[1][-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert int(held.read_text()) == killed.pid
        if engine.dialect.name == "postgresql":  # (SQLite: its write lock keeps every reader out)
            assert len(_decision_lock_holders(engine)) == 1  # held by the killed process
            assert _persons(engine) == 0  # its person is written, not committed
        gallery = MilvusGallery(milvus_uri, prefix=MILVUS_PREFIX, stale_seconds=1.0)
        queued: list[dict] = []

        def second() -> None:  # the same person's next packet, at another decider: it queues
            with session_factory(engine)() as s:
                gallery.load(s)
            with session_factory(engine)() as s:
                queued.append(_enroll(s, shared_data, 1, Decider(gallery)))

        waiter = threading.Thread(target=second)
        waiter.start()
        time.sleep(3.0)
    finally:  # a failed assertion above must not leave it holding the lock
        killed.kill()  # SIGKILL (a no-op once it is gone)
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    waiter.join(timeout=120)
    assert not waiter.is_alive() and queued and queued[0]["status"] == "issued", queued
    unit = Decider(gallery)
    with session_factory(engine)() as s:
        retried, again = _enroll(s, shared_data, 0, unit), _enroll(s, shared_data, 0, unit)
    assert retried["status"] == "matched" and retried["national_id"] == queued[0]["national_id"]
    assert again == retried  # the retry's answer stands
    assert _persons(engine) == 1
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(DuplicateCase)) == 0
        assert s.scalars(select(GalleryOutbox)).all() == []  # the dead decision left no row
    if engine.dialect.name == "postgresql":
        assert _decision_lock_holders(engine) == []
