"""The deciding lease: one process decides identity per database (embedded gallery).

The lease is one row (``decider_leases``, name ``identity``): its holder and an expiry. A
decider checks and renews it inside every decision transaction (under the decision lock, so
the check and the decision commit together) and a heartbeat thread renews it while the process
is idle. Another process finds it held and unexpired and refuses to decide (503
``not_the_decider``, naming the holder); when a holder dies without releasing (kill -9), the
lease expires after ``seconds`` and the next process takes it — at once when the holder ran on
this host and its process is gone (a restarted import resumes without waiting).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from identity.platform.errors import DomainError
from models.lease import DeciderLease

log = logging.getLogger("hawiya.lease")
NAME = "identity"


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
    """This process's claim on the lease."""

    def __init__(self, *, seconds: float, name: str | None = None) -> None:
        self.seconds = float(seconds)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._beat: threading.Thread | None = None
        self._stop = threading.Event()

    def check_and_renew(self, session: Session) -> None:
        """Inside the decision transaction: take or renew the lease, or raise ``NotTheDecider``
        when another live process holds it."""
        now = _now()
        row = session.get(DeciderLease, NAME, with_for_update=True)
        if (row is not None and row.holder != self.name and _aware(row.expires_at) > now
                and not _gone(row.holder)):
            raise NotTheDecider(
                f"another process ({row.holder}) decides identity on this database until "
                f"{_aware(row.expires_at).isoformat(timespec='seconds')}; run one deciding "
                "process per database (the embedded gallery lives in that process)",
                details={"holder": row.holder})
        if row is None:
            row = DeciderLease(name=NAME, holder=self.name, expires_at=now, renewed_at=now)
            session.add(row)
        elif row.holder != self.name:
            log.warning("taking over the deciding lease of %s (expired, or its process is "
                        "gone)", row.holder)
        row.holder = self.name
        row.renewed_at = now
        row.expires_at = now + timedelta(seconds=self.seconds)
        session.flush()
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
        self._stop.set()
        session.execute(delete(DeciderLease).where(DeciderLease.name == NAME,
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
                    row = session.get(DeciderLease, NAME, with_for_update=True)
                    if row is None or row.holder != self.name:
                        return  # released, or lost: the next decision says so
                    now = _now()
                    row.renewed_at = now
                    row.expires_at = now + timedelta(seconds=self.seconds)
                    session.commit()
            except Exception:  # a busy database must not kill the heartbeat
                log.exception("renewing the deciding lease failed; retrying")
