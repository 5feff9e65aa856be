"""The one unit that decides identity and commits it.

Live enrollment, adjudication (decisions, unmerges, candidates added to a case) and the batch
import all decide through ``Decider.run``. A decision has two phases:

1. **Search ahead** (when the caller passes the packet's ``probe``): the 1:N search runs
   outside every lock, against a view of the gallery (``GalleryEngine.view``: every gallery
   template up to a high-water id is in the index). Deciders search in parallel.
2. **Decide and commit, serialised**: the database's decision lock (an advisory lock on
   PostgreSQL; on SQLite the writing transaction's ``BEGIN IMMEDIATE``), the deciding lease,
   the caller's decision — whose search re-checks only what was committed since the view (the
   gallery templates above the high-water id, an indexed range) and re-resolves the owners of
   what it found (``enrollment.search``) — the commit, and only then the gallery update
   (``Decision.gallery_add`` / ``gallery_remove``), announced before the commit
   (``GalleryEngine.pending``) so no view moves past it before it is applied.

So two packets of one person arriving together, at one decider or at several, are decided one
after the other, the second seeing the first's templates, and give one ID; a 2xx built from a
``Decision`` is always committed.

With the in-process FAISS gallery one process decides per database (the exclusive lease of
``identity.access.lease``, shared by every ``Decider`` of that gallery; a second process answers
503 ``not_the_decider``). With the shared Milvus gallery every decider holds its own shared
lease and any number of them, in any number of processes, may decide.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from enrollment import search
from identity.access import lease
from identity.biometrics.gallery import GalleryEngine

if TYPE_CHECKING:
    from enrollment.search import Candidate
    from identity.biometrics.probes import Probe

log = logging.getLogger("hawiya.decider")

_PG_DECISION_LOCK = 7_401_124


class Status(StrEnum):
    """What happened to a packet (``enrollments.status`` and the answer's ``status``)."""

    PENDING = "pending"
    ISSUED = "issued"  # a new national ID
    MATCHED = "matched"  # a new encounter of an existing person
    REVIEW = "review"  # held for an adjudicator, no ID
    FRAUD = "fraud"  # judged fraudulent by an adjudicator, no ID
    DISTINCT = "distinct"  # held, then judged a new person (issued by the adjudicator)
    UPDATED = "updated"  # a biometric update: new samples added to an existing ID


@dataclass
class SearchReport:
    """What the 1:N search of a decision saw: its time and candidates, best first."""

    seconds: float
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def best_llr(self) -> float | None:
        return self.candidates[0].llr if self.candidates else None


@dataclass
class Decision:
    """A committed decision: the HTTP status and body to answer with, the template ids the
    gallery gains or loses with the commit, and the search behind it (when there was one)."""

    status_code: int
    body: dict[str, Any]
    gallery_add: list[int] = field(default_factory=list)
    gallery_remove: list[int] = field(default_factory=list)
    search: SearchReport | None = None


class Decider:
    """Decides identity for one gallery (``app.state.decider``; import jobs make their own)."""

    def __init__(self, gallery: GalleryEngine, *, lease_seconds: float = 30.0,
                 holder: str | None = None) -> None:
        self.gallery = gallery
        if gallery.exclusive:  # one claim per process: every Decider of this gallery shares it
            shared = getattr(gallery, "lease", None)
            if shared is None:
                shared = lease.Holder(seconds=lease_seconds, name=holder)
                gallery.lease = shared  # type: ignore[attr-defined]
            self.lease = shared
        else:
            self.lease = lease.Holder(seconds=lease_seconds, name=holder, shared=True)

    def run(self, session: Session, decide: Callable[[Session], Decision], *,
            probe: Probe | None = None) -> Decision:
        """Run ``decide`` under the decision lock, commit, then apply its gallery changes.

        ``probe``: the packet ``decide`` will search for; its search then runs first, outside
        the lock, and ``decide``'s search only re-checks what was committed since. ``decide``
        writes in ``session`` and never commits; any exception rolls everything back (nothing
        reaches the gallery) and propagates.
        """
        ahead = None
        if probe is not None and self.gallery.ready:
            try:
                ahead = search.look_ahead(session, self.gallery, probe, release=True)
            finally:
                session.rollback()  # hold no transaction (nor SQLite's lock) while queued
        token: object = None
        with search.searched_ahead(probe, ahead):
            try:
                lock_decisions(session)
                self.lease.check_and_renew(session)
                decision = decide(session)
                token = self.gallery.pending(session, decision.gallery_add,
                                             decision.gallery_remove)
                session.commit()
            except BaseException:
                session.rollback()
                if token is not None:
                    self.gallery.settle(token, True)
                raise
        applied = False
        try:
            self.gallery.apply(sessionmaker(bind=session.get_bind()), decision.gallery_add,
                               decision.gallery_remove)
            applied = True
        except Exception:  # committed: the answer stands; the view stays below these ids
            log.exception("decision committed but the gallery update failed")
        finally:
            self.gallery.settle(token, applied)
        return decision

    def release(self, session: Session) -> None:
        """Give the lease back (clean shutdown) so another process may decide at once."""
        self.lease.release(session)


def lock_decisions(session: Session) -> None:
    """Take the database side of the decision lock: a transaction-scoped advisory lock on
    PostgreSQL; on SQLite the write lock of ``BEGIN IMMEDIATE`` (taken by the statement)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_DECISION_LOCK})
    else:
        session.execute(text("SELECT 1"))
