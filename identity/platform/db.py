"""Engine and sessions. SQLite runs in WAL mode with synchronous=FULL (durable commits).

Two kinds of session share one engine:

- **writer** sessions (``session_factory``): on SQLite every transaction takes the write lock up
  front (``BEGIN IMMEDIATE``), so writers are serialized and a read-then-write (dedup decision,
  audit chain, outbox ids) never interleaves;
- **read** sessions (``read_session_factory``): the transaction begins deferred on SQLite (a WAL
  reader never waits for the writer, nor blocks it) and ``READ ONLY`` on PostgreSQL; both
  databases refuse a write in them (``PRAGMA query_only`` / the read-only transaction). Routes
  that only read use these; this is also the seam a PostgreSQL replica plugs into later.

A transaction waits at most ``lock_timeout_s`` for a lock (SQLite ``busy_timeout``, PostgreSQL
``lock_timeout``); past it the database raises ``OperationalError``, which the API answers with
503 and ``Retry-After`` (``api.errors``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from identity.platform.settings import Settings, get_settings

READ_ONLY = "hawiya_read_only"  # execution option that marks a read session's connection


def _sqlite_pragmas(busy_ms: int) -> Any:
    def connect(dbapi_conn: Any, _record: Any) -> None:
        # Let the "begin" hook below issue BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.close()

    return connect


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("PRAGMA query_only=ON")
        conn.exec_driver_sql("BEGIN")  # deferred: a WAL snapshot, no lock held against writers
    else:
        conn.exec_driver_sql("PRAGMA query_only=OFF")
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_begin(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def make_engine(url: str, *, lock_timeout_s: float | None = None) -> Engine:
    """The engine for ``url``; ``lock_timeout_s`` defaults to ``HAWIYA_DB_LOCK_TIMEOUT_SECONDS``."""
    if lock_timeout_s is None:
        lock_timeout_s = get_settings().db_lock_timeout_seconds
    wait_ms = max(1, int(lock_timeout_s * 1000))
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": lock_timeout_s})
        event.listen(engine, "connect", _sqlite_pragmas(wait_ms))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                           connect_args={"options": f"-c lock_timeout={wait_ms}"})
    event.listen(engine, "begin", _postgres_begin)
    return engine


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().resolved_database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """Writer sessions (``BEGIN IMMEDIATE`` on SQLite)."""
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


def read_session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """Read sessions: deferred (SQLite) / read-only (PostgreSQL) transactions that refuse writes."""
    bound = (engine or get_engine()).execution_options(**{READ_ONLY: True})
    return sessionmaker(bind=bound, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session for CLI jobs: the caller commits; an exception rolls back."""
    session = session_factory(engine)()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def read_engine(settings: Settings, primary: Engine) -> Engine:
    """The engine agencies' reads go to: a streaming replica (``HAWIYA_DATABASE_READ_URL``,
    read-only, a little behind the primary), or the primary itself when none is set. Writes
    (decisions, audit rows of a verify) always go to the primary."""
    url = settings.database_read_url
    if url and url != settings.resolved_database_url:
        return get_engine(url)
    return primary
