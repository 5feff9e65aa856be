"""Schema migrations (Alembic, scripts in ``models/migrations``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from identity.platform.db import get_engine

SCRIPTS = Path(__file__).resolve().parents[2] / "models" / "migrations"


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
    """True when every migration head is applied (directly or as an ancestor of one that is:
    a revision with ``depends_on`` makes Alembic record only the dependent head)."""
    engine = engine or get_engine()
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    applied = {rev.revision for rev in script.iterate_revisions(current, "base") if rev}
    return set(script.get_heads()) <= applied
