"""kill -9 in the middle of an import, then the same command again: the final state equals an
uninterrupted run's (persons, legacy links, cases, job rows, gallery), nothing done twice, and
no worker process outlives the killed job."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from identity.biometrics.gallery import Gallery
from identity.platform.db import session_factory
from identity.platform.migrate import upgrade
from identity.platform.settings import Settings, get_settings
from models.all import Base
from models.imports import ImportRecord
from tests.enrollment.batch.helpers import final_state, planted

REGISTER = "civil_status"
ROOT = Path(__file__).resolve().parents[3]


def _reset(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)


def _env(engine: Engine, data_dir: Path) -> dict[str, str]:
    return {**os.environ, "HAWIYA_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "HAWIYA_DATA_DIR": str(data_dir), "HAWIYA_ENVIRONMENT": "test",
            "PYTHONPATH": str(ROOT)}


def _committed(engine: Engine) -> int:
    try:
        with session_factory(engine)() as s:
            return s.scalar(select(func.count()).select_from(ImportRecord)) or 0
    except Exception:  # the job has not created its tables yet
        return 0


def _cli(args: list[str], env: dict[str, str], monkeypatch) -> str:
    from api.cli import app

    for key in ("HAWIYA_DATABASE_URL", "HAWIYA_DATA_DIR", "HAWIYA_ENVIRONMENT"):
        monkeypatch.setenv(key, env[key])
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, args, catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_kill_9_and_restart_gives_the_uninterrupted_state(engine, shared_data: Path,
                                                          tmp_path: Path, monkeypatch) -> None:
    truth = planted(tmp_path / "batch", shared_data)
    folder = truth["folders"][REGISTER]
    total = sum(1 for r in truth["records"] if r["register"] == REGISTER)
    args = ["import", folder, "--register", REGISTER]

    # The reference: one uninterrupted run (in this process: extraction is memoized).
    _cli([*args, "--workers", "0"], _env(engine, tmp_path / "ref"), monkeypatch)
    reference = final_state(engine)
    assert len(reference["records"]) == total
    _reset(engine)

    # The same command in a child process with a worker pool, killed once a record committed.
    env = _env(engine, tmp_path / "run")
    child = subprocess.Popen([sys.executable, "-m", "api.cli", *args, "--workers", "1"],
                             env=env, cwd=ROOT, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while _committed(engine) < 1 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert child.poll() is None, child.stderr.read().decode()[-2000:] if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        # The worker dies with the job (PR_SET_PDEATHSIG): nothing left in its process group.
        gone = time.monotonic() + 15
        while time.monotonic() < gone:
            try:
                os.killpg(child.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("a worker outlived the killed import")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
    done_before = _committed(engine)
    assert 1 <= done_before < total, "the kill did not land mid-run"

    # Restart: the same command; it continues where the killed run stopped.
    _cli([*args, "--workers", "0"], env, monkeypatch)
    after = final_state(engine)
    assert after == reference
    with session_factory(engine)() as s:
        runs = s.scalars(select(ImportRecord.run)).all()
        assert sorted(set(runs)) == [1, 2] and runs.count(1) == done_before
        # The gallery after the restart holds exactly the committed templates.
        gallery = Gallery(Settings(data_dir=tmp_path / "run").index_dir)
        gallery.load(s)
        assert len(gallery.faces) + len(gallery.fingers) == after["gallery_templates"]
