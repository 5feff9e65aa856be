"""The 1:N gallery: indexes derived from the database (the source of truth), on one of two
engines behind one protocol (``GalleryEngine``):

- ``Gallery``: in-process FAISS (the default: ``make run``, a district office, the tests).
  Snapshots are written atomically (``matching.snapshot``); a truncated or altered one is
  rebuilt, never served. The indexes live in one process, so one process decides per database
  (the exclusive deciding lease of ``identity.access.lease``).
- ``identity.biometrics.milvus_gallery.MilvusGallery`` (``HAWIYA_GALLERY_ENGINE=milvus``):
  collections shared by every process, so several deciders and API processes may run.

Ids in the indexes are ``templates.id`` keys: the templates of persons and of packets held for
review (``templates.gallery_ids``). Vectors are added only after the commit that stored their
rows (``apply``, called by the decision unit); on start the index is reconciled with the
database — ids missing from it are added, ids with no gallery row removed — before ``ready``
turns true and ``/readyz`` reports 200.

**Views.** A decision searches outside the decision lock, against a *view*: ``view`` returns a
template id H such that every gallery template with an id up to H is in the index when the
search runs. Template rows are inserted only inside serialised decisions, so ids grow in commit
order and whatever was committed after the view has an id above H: the decision re-checks
exactly that delta under the lock (``enrollment.search``). A decision announces its additions
before its commit (``pending``) and clears them once applied (``settle``); H stays below any
addition not yet applied.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from identity.biometrics.gallery_engine import (
    Faces,
    Fingers,
    GalleryEngine,
    ReadWriteLock,
    Reconciling,
    View,
    delta,
    max_template_id,
)
from matching import fingerprint as finger_engine
from matching import proposals, thresholds
from matching.snapshot import SnapshotError
from matching.vector_index import FaceIndex

if TYPE_CHECKING:
    from identity.platform.settings import Settings

log = logging.getLogger("hawiya.gallery")
FACE_FILE = "face.snap"
FINGER_FILE = "fingers.snap"


def make_gallery(settings: Settings) -> GalleryEngine:
    """The gallery engine the settings name (``HAWIYA_GALLERY_ENGINE``)."""
    if settings.gallery_engine == "milvus":
        from identity.biometrics.milvus_gallery import MilvusGallery

        return MilvusGallery(settings.milvus_uri, prefix=settings.milvus_prefix,
                             search_threads=settings.search_threads,
                             stale_seconds=settings.decider_lease_seconds)
    return Gallery(settings.index_dir, settings.search_threads)


class Gallery(Reconciling):
    """The in-process FAISS engine: ``FaceIndex`` + ``FingerIndex``, snapshots on disk."""

    exclusive = True

    def __init__(self, index_dir: Path, search_threads: int = 2) -> None:
        self.index_dir = Path(index_dir)
        self.search_threads = int(search_threads)
        self._pool = None
        self.faces = FaceIndex()
        self.fingers = finger_engine.FingerIndex()
        self.ready = False
        self.lock = ReadWriteLock()
        self._since_snapshot = 0
        self.rebuilt: list[str] = []  # which snapshots had to be rebuilt at the last load
        self._marks = threading.Lock()
        self._applied = 0  # every gallery template up to this id is in the indexes...
        self._pending: dict[int, int] = {}  # ...except these additions (token -> lowest id)
        self._tokens = 0
        self.lease: Any = None  # the process's deciding lease (``enrollment.decider``)

    # -- start-up ---------------------------------------------------------------------------
    def load(self, session: Session, progress: Callable[[int], None] | None = None) -> None:
        """Load snapshots, rebuild what cannot be trusted, reconcile with the database."""
        with self.lock.write():
            self.ready = False
            self.rebuilt = []
            try:
                self.faces = FaceIndex.load(self.index_dir / FACE_FILE)  # type: ignore[assignment]
            except SnapshotError as exc:
                log.warning("face snapshot not usable (%s): rebuilding from the database", exc)
                self.faces = FaceIndex()
                self.rebuilt.append("face")
            try:
                self.fingers = finger_engine.FingerIndex.load(self.index_dir / FINGER_FILE)
            except SnapshotError as exc:
                log.warning("finger snapshot not usable (%s): rebuilding from the database", exc)
                self.fingers = finger_engine.FingerIndex()
                self.rebuilt.append("fingers")
        high = max_template_id(session)
        added, removed = self.reconcile(session, progress)
        with self._marks:
            self._applied = max(self._applied, high)
        log.info("gallery ready: %d faces, %d fingers (+%d, -%d)", len(self.faces),
                 len(self.fingers), added, removed)
        if added or removed or self.rebuilt:
            self.snapshot()
        self.ready = True

    def _index_ids(self, modality: str) -> np.ndarray:
        return (self.faces if modality == "face" else self.fingers).ids()

    # -- searching --------------------------------------------------------------------------
    def view(self, session: Session) -> View:
        with self._marks:
            if self._pending:
                return View(min(self._pending.values()) - 1)
            return View(self._applied)

    def propose(self, view: View, face_vector: np.ndarray | None,
                finger_templates: Mapping[int, finger_engine.FingerTemplate]
                ) -> dict[int, float]:
        with self.lock.read():
            return proposals.propose(self.faces, self.fingers, face_vector, finger_templates,
                                     pool=self.pool)

    def counts(self) -> tuple[int, int]:
        return len(self.faces), len(self.fingers)

    # -- changes (call only after the commit) -----------------------------------------------
    def _add(self, faces: Faces, fingers: Fingers) -> None:
        with self.lock.write():
            if faces:
                self.faces.add(np.array([f[0] for f in faces], np.int64),
                               np.stack([f[1] for f in faces]).astype(np.float32))
            if fingers:
                self.fingers.add(np.array([f[0] for f in fingers], np.int64),
                                 [f[1] for f in fingers], [f[2] for f in fingers])
                if self.fingers.maybe_retune():
                    log.info("finger index retuned: %d IVF lists for %d fingers",
                             self.fingers.nlist, len(self.fingers))

    def _remove(self, ids: np.ndarray) -> None:
        with self.lock.write():
            self.faces.remove(ids)
            self.fingers.remove(ids)

    def pending(self, session: Session, add: list[int], remove: list[int]) -> object:
        """Before the commit: the additions of this decision are not in the index yet."""
        with self._marks:
            self._tokens += 1
            if add:
                self._pending[self._tokens] = min(add)
            return self._tokens

    def settle(self, token: object, applied: bool) -> None:
        """After ``apply``, or after a rollback (``applied=True``: nothing is left to add), the
        view may move past this decision's ids. Additions that failed to apply after their
        commit (``applied=False``) keep the view below them: every decision re-checks them
        until the next start reconciles the index."""
        key = int(token)  # type: ignore[call-overload]
        with self._marks:
            if key not in self._pending:
                return
            if applied:
                del self._pending[key]
            else:
                log.error("gallery additions from template %d not applied: searches re-check "
                          "them until the next start", self._pending[key])

    def apply(self, session_factory: Callable[[], Session], add: list[int],
              remove: list[int]) -> None:
        """Bring the indexes in line with a commit: add the committed template rows ``add``
        (read back from the database; only those that belong in the gallery), drop ``remove``.
        """
        if remove:
            self._remove(np.array(remove, np.int64))
        if not add:
            return
        with session_factory() as session:
            rows = self._rows_to_add(session, add)
        self._add_rows(rows)
        with self._marks:
            self._applied = max(self._applied, max(add))
        self._since_snapshot += len(add)
        if self._since_snapshot >= thresholds.value("gallery.snapshot_every"):
            self.snapshot()

    def snapshot(self) -> None:
        with self.lock.write():
            self.faces.save(self.index_dir / FACE_FILE)
            self.fingers.save(self.index_dir / FINGER_FILE)
            self._since_snapshot = 0


__all__ = ["FACE_FILE", "FINGER_FILE", "Gallery", "GalleryEngine", "View", "delta",
           "make_gallery", "max_template_id"]
