"""The one unit that decides identity and commits it.

Live enrollment, adjudication (decisions, unmerges, candidates added to a case) and the batch
import all decide through ``Decider.run``: it takes the process lock and the database's decision
lock (an advisory lock on PostgreSQL; on SQLite the writing transaction's ``BEGIN IMMEDIATE``),
checks that this process holds the deciding lease, runs the caller's decision in that
transaction, commits, and only then brings the gallery in line with the commit
(``Decision.gallery_add`` / ``gallery_remove``), before the next decision can search. So two
packets of one person arriving together are decided one after the other and give one ID, and a
2xx built from a ``Decision`` is always committed.

One process decides per database while the gallery is the in-process FAISS one: the lease
(``identity.access.lease``) is taken on the first decision and renewed by each one and by a
heartbeat; a second process on the same database refuses to decide (503 ``not_the_decider``)
and says which process holds the lease.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from identity.access import lease
from identity.biometrics.gallery import Gallery

if TYPE_CHECKING:
    from enrollment.search import Candidate

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
    """Decides identity for one gallery; one per process (``app.state.decider``)."""

    def __init__(self, gallery: Gallery, *, lease_seconds: float = 30.0,
                 holder: str | None = None) -> None:
        self.gallery = gallery
        self.lease = lease.Holder(seconds=lease_seconds, name=holder)
        self._lock = threading.Lock()

    def run(self, session: Session, decide: Callable[[Session], Decision]) -> Decision:
        """Run ``decide`` under the decision locks, commit, then apply its gallery changes.

        ``decide`` writes in ``session`` and never commits; any exception rolls everything
        back (nothing reaches the gallery) and propagates.
        """
        with self._lock:
            try:
                lock_decisions(session)
                self.lease.check_and_renew(session)
                decision = decide(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            # Still under the lock: the next decision's search must see these vectors.
            self.gallery.apply(sessionmaker(bind=session.get_bind()), decision.gallery_add,
                               decision.gallery_remove)
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
