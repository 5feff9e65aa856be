"""Engine and session factory. SQLite runs in WAL mode with synchronous=FULL (durable commits)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from identity.platform.settings import Settings, get_settings


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook below issue BEGIN itself (pysqlite's own is deferred).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Every transaction takes SQLite's write lock up front: writers are serialized, so a
        # read-then-write (dedup decision, audit chain, outbox ids) can never interleave.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().resolved_database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


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
