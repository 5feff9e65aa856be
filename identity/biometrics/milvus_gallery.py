"""The shared gallery on Milvus (``HAWIYA_GALLERY_ENGINE=milvus``, ``HAWIYA_MILVUS_URI``).

Every deciding and serving process opens the same collections (``milvus_store``), so any number
of them may decide at once. The database stays the source of truth: vectors are written after
the commit that stored their rows, and on start the collections are reconciled with the
database exactly as the FAISS snapshots are (``gallery.Reconciling``).

**Views across processes.** A decision announces its gallery changes in ``gallery_outbox``, in
its own transaction (``pending``); after the commit its decider writes them to Milvus, records
the engine timestamp they are visible at in ``gallery_clock`` (``apply``), then deletes the
outbox row (``settle``). ``view`` then reads, in one statement, the lowest template
id still in the outbox, the highest template id and that timestamp: every gallery template
below the outbox's lowest id (or up to the highest, when the outbox is empty) was applied before
the timestamp, and searches read Milvus at that timestamp, so they see all of it. A decider
killed between its commit and its apply leaves its outbox row: after ``STALE_S`` seconds the
next view applies it (idempotent upserts and deletes, of the rows that still belong in the
gallery) and removes it, so nothing committed is lost and the high-water mark moves on.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta

import numpy as np
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.biometrics.gallery_engine import Faces, Fingers, Reconciling, View
from identity.biometrics.milvus_store import Collections, FaceSearcher, FingerSearcher
from matching import fingerprint as finger_engine
from matching import proposals
from models.base import utcnow
from models.enrollment import Template
from models.gallery import GalleryClock, GalleryOutbox

log = logging.getLogger("hawiya.gallery.milvus")


class MilvusGallery(Reconciling):
    """The Milvus engine of ``gallery.GalleryEngine``."""

    exclusive = False

    def __init__(self, uri: str, *, prefix: str = "hawiya", search_threads: int = 2,
                 stale_seconds: float = 30.0) -> None:
        """``stale_seconds``: an outbox row this old is applied by whichever process sees it
        (the deciding lease's length: its decider is presumed dead)."""
        self.uri, self.prefix = uri, prefix
        self.search_threads = int(search_threads)
        self.stale_seconds = float(stale_seconds)
        self._pool = None
        self.ready = False
        self.rebuilt: list[str] = []
        self.cols = Collections(uri, prefix, alias=f"hawiya-{uuid.uuid4().hex[:12]}")
        self._opened = False
        self._applied_at = 0  # engine timestamp of this process's last write (reconcile)
        self._local = threading.local()  # the timestamp of this thread's last write
        self._stop = threading.Event()
        self._drainer: threading.Thread | None = None

    def _open(self) -> None:
        if not self._opened:
            self.cols.open()
            self._opened = True

    # -- start-up ---------------------------------------------------------------------------
    def load(self, session: Session, progress: Callable[[int], None] | None = None) -> None:
        """Open (create) the collections and reconcile them with the database."""
        self.ready = False
        self._open()
        self._applied_at = 0
        added, removed = self.reconcile(session, progress)
        _start_clock(session.get_bind(), self.prefix, self._applied_at)  # type: ignore[arg-type]
        log.info("milvus gallery %s ready (+%d, -%d)", self.prefix, added, removed)
        self.ready = True
        if self._drainer is None:
            self._drainer = threading.Thread(target=self._drain_forever,
                                             args=(session.get_bind(),), daemon=True,
                                             name="gallery-outbox")
            self._drainer.start()

    def close(self) -> None:
        self._stop.set()
        super().close()
        self.cols.disconnect()

    def drop(self) -> None:
        """Drop every collection of this gallery (``hawiya rebuild-index``)."""
        self.cols.drop()
        self._opened = False

    def _index_ids(self, modality: str) -> np.ndarray:
        return self.cols.all_ids("face" if modality == "face" else "finger")

    def counts(self) -> tuple[int, int]:
        self._open()
        return self.cols.count("face"), self.cols.count("finger")

    def snapshot(self) -> None:
        """Nothing to write: Milvus persists its own segments."""

    # -- searching --------------------------------------------------------------------------
    def view(self, session: Session) -> View:
        low, high, at = session.execute(select(
            select(func.min(GalleryOutbox.first_id)).scalar_subquery(),
            select(func.max(Template.id)).scalar_subquery(),
            select(GalleryClock.applied_at).where(GalleryClock.name == self.prefix)
            .scalar_subquery())).one()
        return View(int(low) - 1 if low is not None else int(high or 0), int(at or 0))

    def propose(self, view: View, face_vector: np.ndarray | None,
                finger_templates: Mapping[int, finger_engine.FingerTemplate]
                ) -> dict[int, float]:
        return proposals.propose(FaceSearcher(self.cols, view.at),
                                 FingerSearcher(self.cols, view.at), face_vector,
                                 finger_templates, pool=self.pool)

    # -- changes ----------------------------------------------------------------------------
    def pending(self, session: Session, add: list[int], remove: list[int]) -> object:
        """In the decision's transaction: its changes, until applied; the token is
        ``(outbox row id, engine)``."""
        if not add and not remove:
            return None
        row = GalleryOutbox(first_id=min(add) if add else None, add_ids=sorted(add),
                            remove_ids=sorted(remove), holder=self.cols.alias)
        session.add(row)
        session.flush()
        return (row.id, session.get_bind())

    def apply(self, session_factory: Callable[[], Session], add: list[int],
              remove: list[int]) -> None:
        """Write committed changes to Milvus, then move the gallery's clock to them."""
        with session_factory() as session:
            self._write(session, add, remove)
            session.rollback()
            with session.begin():
                _advance_clock(session, self.prefix, getattr(self._local, "at", 0))

    def settle(self, token: object, applied: bool) -> None:
        """Once applied (and the clock moved): the outbox row goes. Not applied (or rolled
        back: then there is no row): left for the drainer."""
        if token is None or not applied:
            return
        assert isinstance(token, tuple)
        self._done(token[1], int(token[0]))

    def _done(self, bind: Engine, outbox_id: int) -> None:
        with Session(bind=bind) as session, session.begin():
            session.execute(delete(GalleryOutbox).where(GalleryOutbox.id == outbox_id))

    def _write(self, session: Session, add: list[int], remove: list[int]) -> None:
        """Apply additions (rows that still belong in the gallery) and removals to Milvus."""
        self._local.at = 0
        if remove:
            self._remove(np.array(remove, np.int64))
        if add:
            self._add_rows(self._rows_to_add(session, add))

    def _drain_forever(self, bind: Engine) -> None:
        while not self._stop.wait(max(1.0, self.stale_seconds / 3)):
            try:
                self.drain(bind)
            except Exception:  # the database or Milvus is away: try again later
                log.exception("applying left gallery changes failed; retrying")

    def drain(self, bind: Engine, older_than: float | None = None) -> int:
        """Apply outbox rows older than ``older_than`` seconds (default ``stale_seconds``:
        their decider died after its commit); returns how many."""
        age = self.stale_seconds if older_than is None else older_than
        with Session(bind=bind) as session:
            rows = [(r.id, list(r.add_ids), list(r.remove_ids), r.holder, r.created_at)
                    for r in session.scalars(select(GalleryOutbox).where(
                        GalleryOutbox.created_at < utcnow() - timedelta(seconds=age))
                        .order_by(GalleryOutbox.id))]
            session.rollback()
            for outbox_id, add, remove, holder, since in rows:
                log.warning("applying gallery changes of %s left since %s", holder, since)
                self._write(session, add, remove)
                session.rollback()
                with session.begin():
                    _advance_clock(session, self.prefix, getattr(self._local, "at", 0))
                self._done(bind, outbox_id)
        return len(rows)

    def _add(self, faces: Faces, fingers: Fingers) -> None:
        at = 0
        if faces:
            at = self.cols.upsert_faces([f[0] for f in faces], np.stack([f[1] for f in faces]))
        if fingers:
            at = max(at, self.cols.upsert_fingers(fingers))
        self._note(at)

    def _remove(self, ids: np.ndarray) -> None:
        wanted = [int(i) for i in ids]
        self._note(self.cols.delete(wanted, self.cols.positions(wanted, 0)))

    def _note(self, at: int) -> None:
        self._local.at = max(getattr(self._local, "at", 0), at)
        self._applied_at = max(self._applied_at, at)


def _advance_clock(session: Session, name: str, at: int) -> None:
    """Move the gallery's clock forward to ``at`` (never back: deciders race)."""
    if at > 0:
        session.execute(update(GalleryClock).where(GalleryClock.name == name,
                                                   GalleryClock.applied_at < at)
                        .values(applied_at=at))


def _start_clock(bind: Engine, name: str, at: int) -> None:
    """The gallery's clock row exists (and includes a reconciliation's writes)."""
    try:
        with Session(bind=bind) as session, session.begin():
            if session.get(GalleryClock, name) is None:
                session.add(GalleryClock(name=name, applied_at=at))
            else:
                _advance_clock(session, name, at)
    except IntegrityError:  # another process created it at the same moment
        with Session(bind=bind) as session, session.begin():
            _advance_clock(session, name, at)
