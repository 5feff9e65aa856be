"""The audit trail: ``hawiya audit verify`` finds an altered row; the access log; key CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select, text
from typer.testing import CliRunner

from api import cli
from identity.access import journal
from identity.platform.db import get_engine, session_factory
from identity.platform.settings import get_settings
from identity.registry import national_id
from models.person import NationalId, Person
from models.security import ApiKey
from tests.conftest import bearer


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def _cli(engine, *args: str) -> Ran:
    """Run the ``hawiya`` CLI in-process against ``engine``'s database."""
    url = engine.url.render_as_string(hide_password=False)
    old = os.environ.get("HAWIYA_DATABASE_URL")
    os.environ["HAWIYA_DATABASE_URL"] = url
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        result = CliRunner().invoke(cli.app, list(args))
    finally:
        if old is None:
            os.environ.pop("HAWIYA_DATABASE_URL", None)
        else:
            os.environ["HAWIYA_DATABASE_URL"] = old
        get_settings.cache_clear()
        for eng in (get_engine(url),):
            eng.dispose()
        get_engine.cache_clear()
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def _person(engine) -> tuple[int, str]:
    from datetime import date

    with session_factory(engine)() as s:
        nid = national_id.draw()
        p = Person(national_id=nid, given_name="علي", father_name="حسين",
                   grandfather_name="كاظم", surname="الجبوري", mother_name="زينب",
                   maternal_grandfather_name="جاسم", sex="M", birth_date=date(1980, 1, 1),
                   birthplace="Baghdad")
        s.add(p)
        s.flush()
        s.add(NationalId(national_id=nid, person_id=p.id, issued_to_id=p.id))
        s.commit()
        return p.id, nid


def test_audit_verify_names_the_first_altered_row(engine) -> None:
    with session_factory(engine)() as s:
        for i in range(5):
            journal.audit(s, actor="test", action="verify", outcome="match",
                          details={"i": i})
        s.commit()
    ok = _cli(engine, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM audit_log ORDER BY id"))]
        conn.execute(text("UPDATE audit_log SET outcome = 'no_match' WHERE id = :i"),
                     {"i": ids[2]})
    bad = _cli(engine, "audit", "verify")
    assert bad.returncode == 1
    assert f"row {ids[2]} was altered" in bad.stderr


def test_access_log_lists_who_checked_a_person(client, engine, make_key) -> None:
    person_id, nid = _person(engine)
    admin = make_key("admin", name="auditor")
    with session_factory(engine)() as s:
        journal.audit(s, actor="agency:k#9", agency="court-x", action="verify",
                      outcome="no_match", purpose="inheritance deed", subject_ref="ab" * 16,
                      person_id=person_id)
        journal.audit(s, actor="agency:k#9", agency="other", action="verify", outcome="match",
                      person_id=person_id + 1000)
        s.commit()
    resp = client.get(f"/v1/persons/{nid}/access-log", headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    entries = resp.json()["entries"]
    assert [(e["agency"], e["action"], e["outcome"], e["purpose"]) for e in entries] == [
        ("court-x", "verify", "no_match", "inheritance deed")]
    again = client.get(f"/v1/persons/{nid}/access-log", headers=bearer(admin)).json()["entries"]
    assert again[-1]["action"] == "person.access_log.read"  # the admin read is audited too
    agency = make_key("agency", name="court-y", scopes=["verify"])
    assert client.get(f"/v1/persons/{nid}/access-log",
                      headers=bearer(agency)).status_code == 403


def test_cli_agencies_and_keys(engine, client) -> None:
    made = _cli(engine, "agencies", "create", "Karkh Court", "--scope", "verify",
                "--scope", "heirs")
    assert made.returncode == 0, made.stderr
    assert "scopes=heirs,verify" in made.stdout
    dup = _cli(engine, "agencies", "create", "Karkh Court", "--scope", "verify")
    assert dup.returncode == 2 and "exists" in dup.stderr
    bad = _cli(engine, "agencies", "create", "X", "--scope", "admin")
    assert bad.returncode == 2
    key = _cli(engine, "keys", "create", "--role", "agency", "--name", "clerk-1",
               "--agency", "Karkh Court", "--scope", "verify").stdout.strip()
    assert key.startswith("hwk_")
    assert client.get("/v1/events", headers=bearer(key)).status_code == 403  # lacks events
    listed = _cli(engine, "keys", "list")
    assert "clerk-1" in listed.stdout and key not in listed.stdout
    with session_factory(engine)() as s:
        key_id = s.scalars(select(ApiKey.id).where(ApiKey.name == "clerk-1")).one()
    assert _cli(engine, "keys", "revoke", str(key_id)).returncode == 0
    resp = client.get("/v1/events", headers=bearer(key))
    assert resp.status_code == 401  # effective on the next request
    assert "revoked" in _cli(engine, "keys", "list").stdout
    assert _cli(engine, "keys", "revoke", "99999").returncode == 2
    assert _cli(engine, "audit", "verify").returncode == 0
