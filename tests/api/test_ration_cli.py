"""``hawiya ration sync|report|rules`` against a real (SQLite) database."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from identity.platform.db import get_engine, session_factory
from identity.platform.settings import get_settings
from identity.registry import deaths
from identity.registry.vital_schemas import DeathReport
from tests.agencies.ration.helpers import card, citizen, health_agency, ministry


@pytest.fixture
def database(sqlite_engine, monkeypatch):
    monkeypatch.setenv("HAWIYA_DATABASE_URL", sqlite_engine.url.render_as_string())
    get_settings.cache_clear()
    get_engine.cache_clear()  # the CLI's engine is cached per URL argument, not per setting
    yield sqlite_engine
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_sync_applies_deaths_and_report_writes_json_and_page(database, tmp_path: Path) -> None:
    with session_factory(database)() as s:
        desk = ministry(s)
        head, wife = citizen(s), citizen(s, sex="F")
        card(s, desk, head, wife, governorate="Karbala")
        deaths.record_death(s, DeathReport.model_validate({
            "national_id": wife.national_id, "source_type": "court_proof_of_death",
            "document_number": "KR-1", "date_of_death": date.today().isoformat(),
            "place": "كربلاء"}), principal=health_agency(s))
    runner = CliRunner()
    synced = runner.invoke(cli, ["ration", "sync"])
    assert synced.exit_code == 0, synced.output
    assert "applied 1 life event" in synced.output
    page = tmp_path / "report.html"
    out = runner.invoke(cli, ["ration", "report", "--html", str(page)])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["eligible_by_governorate"] == [
        {"governorate": "Karbala", "eligible_persons": 1, "eligible_households": 1}]
    assert body["blocked_by_reason"] == [{"reason": "deceased", "persons": 1, "households": 0}]
    assert "<svg" in page.read_text(encoding="utf-8")
    rules = runner.invoke(cli, ["ration", "rules", "list"])
    assert rules.exit_code == 0 and '"category":"income"' in rules.stdout
    bad = runner.invoke(cli, ["ration", "report", "--on", "yesterday"])
    assert bad.exit_code == 2


def test_tasks_lists_the_staff_queue(database) -> None:
    with session_factory(database)() as s:
        desk = ministry(s)
        head, son = citizen(s, born="1960-01-01"), citizen(s, born="1990-01-01")
        card(s, desk, head, son)
        deaths.record_death(s, DeathReport.model_validate({
            "national_id": head.national_id, "source_type": "hospital_certificate",
            "document_number": "HC-77", "date_of_death": date.today().isoformat(),
            "place": "البصرة"}), principal=health_agency(s))
        son_nid = son.national_id
    runner = CliRunner()
    out = runner.invoke(cli, ["ration", "tasks"])
    assert out.exit_code == 0, out.output
    [task] = [json.loads(line) for line in out.stdout.splitlines()]
    assert (task["kind"], task["national_id"], task["state"]) == ("new_head", son_nid, "open")
    assert runner.invoke(cli, ["ration", "tasks", "--state", "lost"]).exit_code == 2
