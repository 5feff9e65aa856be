"""What both gallery engines share (``identity.biometrics.gallery``): the protocol the decision
unit and the search code against, the view a search reads, reconciliation with the database,
and the gallery ids committed since a view (the delta a decision re-checks)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity.biometrics import templates
from matching import fingerprint as finger_engine
from matching import thresholds
from models.enrollment import Template

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

def max_template_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Template.id))) or 0)


def delta(session: Session, high_water: int) -> list[int]:
    """Gallery template ids above ``high_water`` (committed since a view): an indexed range."""
    out: list[int] = []
    for modality in templates.GALLERY_MODALITIES:
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
        for modality in templates.GALLERY_MODALITIES:
            have = self._index_ids(modality)
            wanted = np.fromiter(session.scalars(templates.gallery_ids(modality)),
                                 dtype=np.int64)
            stale = np.setdiff1d(have, wanted)
            if len(stale):
                self._remove(stale)
                removed += len(stale)
            missing = np.setdiff1d(wanted, have)
            chunk = int(thresholds.value("gallery.reconcile_chunk"))
            for start in range(0, len(missing), chunk):
                rows = templates.by_ids(session, missing[start:start + chunk].tolist())
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
        for modality in templates.GALLERY_MODALITIES:
            belong |= set(session.scalars(templates.gallery_ids(modality)
                                          .where(Template.id.in_(add))))
        return templates.by_ids(session, sorted(belong)) if belong else []


