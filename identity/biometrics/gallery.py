"""The 1:N gallery: FAISS indexes derived from the database (the source of truth).

Ids in the indexes are ``templates.id`` keys: the templates of persons and of packets held
for review (``templates.gallery_ids``). Vectors are added only after the commit that stored
their rows (``apply``, called by the decision unit after its commit); snapshots are written
atomically (``matching.snapshot``); on start the snapshots are loaded (a truncated or altered
one is rebuilt, never served) and reconciled with the database — ids missing from the index are
added, ids with no gallery row removed — before ``ready`` turns true and ``/readyz`` reports
200.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from identity.biometrics import templates
from matching import fingerprint as finger_engine
from matching.snapshot import SnapshotError
from matching.vector_index import FaceIndex
from models.enrollment import Template

log = logging.getLogger("hawiya.gallery")
FACE_FILE = "face.snap"
FINGER_FILE = "fingers.snap"
SNAPSHOT_EVERY = 500  # additions between automatic snapshots


class Gallery:
    def __init__(self, index_dir: Path, search_threads: int = 2) -> None:
        self.index_dir = Path(index_dir)
        self.search_threads = int(search_threads)
        self._pool: ThreadPoolExecutor | None = None
        self.faces = FaceIndex()
        self.fingers = finger_engine.FingerIndex()
        self.ready = False
        self.lock = threading.RLock()
        self._since_snapshot = 0
        self.rebuilt: list[str] = []  # which snapshots had to be rebuilt at the last load

    @property
    def pool(self) -> ThreadPoolExecutor | None:
        """Threads a search spreads its index calls over (None: one thread)."""
        if self.search_threads <= 1:
            return None
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.search_threads, thread_name_prefix="search")
        return self._pool

    # -- start-up ---------------------------------------------------------------------------
    def load(self, session: Session, progress: Callable[[int], None] | None = None) -> None:
        """Load snapshots, rebuild what cannot be trusted, reconcile with the database."""
        with self.lock:
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
            added, removed = self.reconcile(session, progress)
            log.info("gallery ready: %d faces, %d fingers (+%d, -%d)", len(self.faces),
                     len(self.fingers), added, removed)
            if added or removed or self.rebuilt:
                self.snapshot()
            self.ready = True

    def reconcile(self, session: Session,
                  progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        added = removed = 0
        for modality, index in (("face", self.faces), ("finger", self.fingers)):
            wanted = np.fromiter(session.scalars(templates.gallery_ids(modality)),
                                 dtype=np.int64)
            have = index.ids()
            stale = np.setdiff1d(have, wanted)
            if len(stale):
                removed += int(index.remove(stale))
            missing = np.setdiff1d(wanted, have)
            for start in range(0, len(missing), 1000):
                chunk = missing[start:start + 1000].tolist()
                rows = templates.by_ids(session, chunk)
                self._add_rows(rows)
                added += len(rows)
                if progress:
                    progress(len(rows))
        session.rollback()
        return added, removed

    # -- changes (call only after the commit) -----------------------------------------------
    def _add_rows(self, rows: Iterable[Template]) -> None:
        faces: list[tuple[int, np.ndarray]] = []
        fingers: list[tuple[int, int, finger_engine.FingerTemplate]] = []
        for row, parsed in templates.readable(rows):
            if isinstance(parsed, finger_engine.FingerTemplate):
                fingers.append((row.id, row.position, parsed))
            else:
                faces.append((row.id, parsed.vector))
        with self.lock:
            if faces:
                self.faces.add(np.array([f[0] for f in faces], np.int64),
                               np.stack([f[1] for f in faces]).astype(np.float32))
            if fingers:
                self.fingers.add(np.array([f[0] for f in fingers], np.int64),
                                 [f[1] for f in fingers], [f[2] for f in fingers])
                if self.fingers.maybe_retune():
                    log.info("finger index retuned: %d IVF lists for %d fingers",
                             self.fingers.nlist, len(self.fingers))

    def apply(self, session_factory: Callable[[], Session], add: list[int],
              remove: list[int]) -> None:
        """Bring the indexes in line with a commit: add the committed template rows ``add``
        (read back from the database; only those that belong in the gallery), drop ``remove``.
        The decision unit calls it after its commit, before the next decision searches."""
        if remove:
            arr = np.array(remove, np.int64)
            with self.lock:
                self.faces.remove(arr)
                self.fingers.remove(arr)
        if not add:
            return
        with session_factory() as session:
            rows = templates.by_ids(session, add)
        self._add_rows(rows)
        with self.lock:
            self._since_snapshot += len(add)
            if self._since_snapshot >= SNAPSHOT_EVERY:
                self.snapshot()

    def snapshot(self) -> None:
        with self.lock:
            self.faces.save(self.index_dir / FACE_FILE)
            self.fingers.save(self.index_dir / FINGER_FILE)
            self._since_snapshot = 0
