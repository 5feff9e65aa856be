"""Agencies' reads have a replica-ready path: ``HAWIYA_DATABASE_READ_URL`` names the engine
they may read from; unset, they read the primary."""

from __future__ import annotations

from pathlib import Path

from api.app import create_app
from identity.platform.settings import Settings


def test_read_engine_follows_the_read_url(sqlite_engine, tmp_path: Path) -> None:
    primary = create_app(Settings(environment="test", data_dir=tmp_path / "a"), sqlite_engine)
    assert primary.state.read_engine is sqlite_engine
    replica_url = f"sqlite:///{tmp_path / 'replica.db'}"
    app = create_app(Settings(environment="test", data_dir=tmp_path / "b",
                              database_read_url=replica_url), sqlite_engine)
    assert app.state.read_engine is not sqlite_engine
    assert str(app.state.read_engine.url) == replica_url
    assert app.state.engine is sqlite_engine  # decisions and audit rows: the primary
