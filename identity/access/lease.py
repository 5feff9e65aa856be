"""The deciding lease: who may decide identity on this database.

Each lease is a row of ``decider_leases``: its holder and an expiry. A decider checks and renews
its lease inside every decision transaction (under the decision lock, so the check and the
decision commit together) and a heartbeat thread renews it while the process is idle. When a
holder dies without releasing (kill -9), its lease expires after ``seconds`` — at once when the
holder ran on this host and its process is gone (a restarted import resumes without waiting).

Two modes, after the gallery engine:

- **exclusive** (the in-process FAISS gallery): one row, name ``identity``. The index lives in
  the deciding process, so one process decides per database; another finds the lease held and
  refuses to decide (503 ``not_the_decider``, naming the holder).
- **shared** (the Milvus gallery): one row per decider, name ``shared:<nonce>``. Any number may
  decide at once — the commits are serialised by the decision lock and each decision re-checks
  what was committed since its search's view — so a shared lease never excludes another shared
  one. It exists so that neither mode runs beside the other: a shared decider refuses while an
  exclusive holder lives (that process's in-memory index would miss the others' additions),
  and an exclusive one refuses while shared deciders live. Their rows also say who decides.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from identity.platform.errors import DomainError
from models.lease import DeciderLease

log = logging.getLogger("hawiya.lease")
NAME = "identity"
SHARED_PREFIX = "shared:"


class NotTheDecider(DomainError):
    status_code = 503
    code = "not_the_decider"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _gone(holder: str) -> bool:
    """True when ``holder`` (host:pid:nonce) ran on this host and that process no longer runs."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class Holder:
    """This decider's claim (exclusive: the process's; shared: one per decider)."""

    def __init__(self, *, seconds: float, name: str | None = None, shared: bool = False) -> None:
        self.seconds = float(seconds)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.shared = shared
        self.row_name = f"{SHARED_PREFIX}{uuid.uuid4().hex[:16]}" if shared else NAME
        self.held = False  # renewed by a decision or taken at start, not released since
        self._beat: threading.Thread | None = None
        self._stop = threading.Event()

    def _live(self, row: DeciderLease | None, now: datetime) -> bool:
        return (row is not None and row.holder != self.name
                and _aware(row.expires_at) > now and not _gone(row.holder))

    def _refuse_other_mode(self, session: Session, now: datetime) -> None:
        if self.shared:
            exclusive = session.get(DeciderLease, NAME)
            if self._live(exclusive, now):
                assert exclusive is not None
                raise NotTheDecider(
                    f"a process with the embedded gallery ({exclusive.holder}) decides identity "
                    "on this database: stop it before deciding with the shared gallery",
                    details={"holder": exclusive.holder})
            return
        for row in session.scalars(select(DeciderLease).where(
                DeciderLease.name.startswith(SHARED_PREFIX))):
            if self._live(row, now):
                raise NotTheDecider(
                    f"deciders on the shared gallery ({row.holder}) decide identity on this "
                    "database: the embedded gallery would miss their additions",
                    details={"holder": row.holder})

    def check_and_renew(self, session: Session) -> None:
        """Inside the decision transaction: take or renew the lease, or raise ``NotTheDecider``
        when another live process holds it (or deciders of the other mode live)."""
        now = _now()
        row = session.get(DeciderLease, self.row_name, with_for_update=True)
        if not self.shared and self._live(row, now):
            assert row is not None
            raise NotTheDecider(
                f"another process ({row.holder}) decides identity on this database until "
                f"{_aware(row.expires_at).isoformat(timespec='seconds')}; run one deciding "
                "process per database (the embedded gallery lives in that process)",
                details={"holder": row.holder})
        self._refuse_other_mode(session, now)
        if row is None:
            row = DeciderLease(name=self.row_name, holder=self.name, expires_at=now,
                               renewed_at=now)
            session.add(row)
        elif row.holder != self.name:
            log.warning("taking over the deciding lease of %s (expired, or its process is "
                        "gone)", row.holder)
        row.holder = self.name
        row.renewed_at = now
        row.expires_at = now + timedelta(seconds=self.seconds)
        session.flush()
        self.held = True
        self._start_heartbeat(session.get_bind())

    def try_acquire(self, session: Session) -> bool:
        """Take the lease at start-up when it is free (commits); False when another holds it."""
        try:
            self.check_and_renew(session)
            session.commit()
            return True
        except NotTheDecider as exc:
            session.rollback()
            log.warning("%s", exc.message)
            return False

    def release(self, session: Session) -> None:
        self.held = False
        self._stop.set()
        session.execute(delete(DeciderLease).where(DeciderLease.name == self.row_name,
                                                   DeciderLease.holder == self.name))
        session.commit()

    def _start_heartbeat(self, bind: Engine | object) -> None:
        if self._beat is not None or not isinstance(bind, Engine):
            return
        factory = sessionmaker(bind=bind)
        self._beat = threading.Thread(target=self._heartbeat, args=(factory,), daemon=True,
                                      name="decider-lease")
        self._beat.start()

    def _heartbeat(self, factory: sessionmaker[Session]) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                with factory() as session:
                    row = session.get(DeciderLease, self.row_name, with_for_update=True)
                    if row is None or row.holder != self.name:
                        return  # released, or lost: the next decision says so
                    now = _now()
                    row.renewed_at = now
                    row.expires_at = now + timedelta(seconds=self.seconds)
                    session.commit()
            except Exception:  # a busy database must not kill the heartbeat
                log.exception("renewing the deciding lease failed; retrying")
