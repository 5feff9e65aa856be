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
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity.biometrics import templates
from matching import fingerprint as finger_engine
from matching import proposals
from matching.snapshot import SnapshotError
from matching.vector_index import FaceIndex
from models.enrollment import Template

if TYPE_CHECKING:
    from identity.platform.settings import Settings

log = logging.getLogger("hawiya.gallery")
FACE_FILE = "face.snap"
FINGER_FILE = "fingers.snap"
SNAPSHOT_EVERY = 500  # additions between automatic snapshots
Faces = list[tuple[int, np.ndarray]]  # (template id, 128-d vector)
Fingers = list[tuple[int, int, finger_engine.FingerTemplate]]  # (template id, position, tpl)


@dataclass(frozen=True)
class View:
    """A consistent view to search: every gallery template with an id up to ``high_water`` is
    in the index; ``at`` is the engine's read timestamp for it (Milvus; 0 in process)."""

    high_water: int
    at: int = 0


class GalleryEngine(Protocol):
    """What the decision unit, the search and the service need from a gallery engine."""

    ready: bool
    rebuilt: list[str]
    exclusive: bool  # True: the index lives in this process, one deciding process per database

    @property
    def pool(self) -> Executor | None: ...
    def load(self, session: Session, progress: Callable[[int], None] | None = None) -> None: ...
    def reconcile(self, session: Session,
                  progress: Callable[[int], None] | None = None) -> tuple[int, int]: ...
    def view(self, session: Session) -> View: ...
    def propose(self, view: View, face_vector: np.ndarray | None,
                finger_templates: Mapping[int, finger_engine.FingerTemplate]
                ) -> dict[int, float]: ...
    def pending(self, session: Session, add: list[int], remove: list[int]) -> object: ...
    def apply(self, session_factory: Callable[[], Session], add: list[int],
              remove: list[int]) -> None: ...
    def settle(self, token: object, applied: bool) -> None: ...
    def counts(self) -> tuple[int, int]: ...
    def snapshot(self) -> None: ...
    def close(self) -> None: ...


def make_gallery(settings: Settings) -> GalleryEngine:
    """The gallery engine the settings name (``HAWIYA_GALLERY_ENGINE``)."""
    if settings.gallery_engine == "milvus":
        from identity.biometrics.milvus_gallery import MilvusGallery

        return MilvusGallery(settings.milvus_uri, prefix=settings.milvus_prefix,
                             search_threads=settings.search_threads,
                             stale_seconds=settings.decider_lease_seconds)
    return Gallery(settings.index_dir, settings.search_threads)


def max_template_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Template.id))) or 0)


def delta(session: Session, high_water: int) -> list[int]:
    """Gallery template ids above ``high_water`` (committed since a view): an indexed range."""
    out: list[int] = []
    for modality in ("face", "finger"):
        out += session.scalars(templates.gallery_ids(modality).where(Template.id > high_water))
    return sorted(int(i) for i in out)


class ReadWriteLock:
    """Many searches at once, or one writer (FAISS searches are read-only and thread-safe)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class Reconciling:
    """What both engines share: reconcile with the database, add committed rows, the pool."""

    ready: bool
    search_threads: int
    _pool: ThreadPoolExecutor | None

    @property
    def pool(self) -> Executor | None:
        """Threads a search spreads its index calls over (None: one thread)."""
        if self.search_threads <= 1:
            return None
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.search_threads, thread_name_prefix="search")
        return self._pool

    def close(self) -> None:
        """Stop the search threads (and the engine's own, if any)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def _index_ids(self, modality: str) -> np.ndarray:
        raise NotImplementedError

    def _add(self, faces: Faces, fingers: Fingers) -> None:
        raise NotImplementedError

    def _remove(self, ids: np.ndarray) -> None:
        raise NotImplementedError

    def reconcile(self, session: Session,
                  progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Make the index hold exactly the database's gallery templates; (added, removed).

        The index's ids are read before the database's, so an id another process applies
        meanwhile (after its commit) is never taken for stale."""
        added = removed = 0
        for modality in ("face", "finger"):
            have = self._index_ids(modality)
            wanted = np.fromiter(session.scalars(templates.gallery_ids(modality)),
                                 dtype=np.int64)
            stale = np.setdiff1d(have, wanted)
            if len(stale):
                self._remove(stale)
                removed += len(stale)
            missing = np.setdiff1d(wanted, have)
            for start in range(0, len(missing), 1000):
                rows = templates.by_ids(session, missing[start:start + 1000].tolist())
                self._add_rows(rows)
                added += len(rows)
                if progress:
                    progress(len(rows))
        session.rollback()
        return added, removed

    def _add_rows(self, rows: Iterable[Template]) -> None:
        faces: Faces = []
        fingers: Fingers = []
        for row, parsed in templates.readable(rows):
            if isinstance(parsed, finger_engine.FingerTemplate):
                fingers.append((row.id, row.position, parsed))
            else:
                faces.append((row.id, parsed.vector))
        if faces or fingers:
            self._add(faces, fingers)

    def _rows_to_add(self, session: Session, add: list[int]) -> list[Template]:
        """The rows of ``add`` that still belong in the gallery (a later decision may have
        taken some out before a delayed apply runs)."""
        belong = set()
        for modality in ("face", "finger"):
            belong |= set(session.scalars(templates.gallery_ids(modality)
                                          .where(Template.id.in_(add))))
        return templates.by_ids(session, sorted(belong)) if belong else []


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
        if self._since_snapshot >= SNAPSHOT_EVERY:
            self.snapshot()

    def snapshot(self) -> None:
        with self.lock.write():
            self.faces.save(self.index_dir / FACE_FILE)
            self.fingers.save(self.index_dir / FINGER_FILE)
            self._since_snapshot = 0
