"""Schema migrations (Alembic, scripts in ``models/migrations``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from identity.db import get_engine

SCRIPTS = Path(__file__).resolve().parent.parent / "models" / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine | None = None) -> None:
    engine = engine or get_engine()
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")


def is_current(engine: Engine | None = None) -> bool:
    """True when the database is at the newest migration."""
    engine = engine or get_engine()
    heads = set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
