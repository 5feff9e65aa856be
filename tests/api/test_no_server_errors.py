"""No 500s (issue 16, item 5): reads never wait for the writer; a busy database is 503 with
Retry-After; deeply nested JSON is 422; integer ids past 64 bits are 422 on every route."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from api.app import create_app
from bench.packets import DEMOGRAPHICS
from identity.platform.db import make_engine, read_session_factory, session_factory
from identity.platform.settings import Settings
from models.security import Agency
from tests.agencies.heirs.family import person
from tests.api.test_scopes import keyed_routes
from tests.conftest import bearer

LOCK_WAIT_S = 0.5
DEATH = {"source_type": "hospital_certificate", "document_number": "H-1",
         "date_of_death": "2024-03-09", "place": "بغداد"}


def _short_wait_engine(engine: Engine) -> Engine:
    """A second engine on the same database that waits only ``LOCK_WAIT_S`` for a lock."""
    return make_engine(engine.url.render_as_string(hide_password=False),
                       lock_timeout_s=LOCK_WAIT_S)


@contextmanager
def writer_holding_locks(engine: Engine, person_id: int) -> Iterator[None]:
    """Another connection in the middle of a long write: SQLite's write lock, or on PostgreSQL
    the person's row lock that a death report needs."""
    conn = engine.connect()
    try:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE (the writer's begin hook)
        else:
            conn.execute(text("SELECT id FROM persons WHERE id = :p FOR UPDATE"), {"p": person_id})
        yield
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def busy(engine, tmp_path: Path, make_key):
    short = _short_wait_engine(engine)
    with session_factory(short)() as s:
        p = person(s, born="1950-01-01")
        s.commit()
        nid, pid = p.national_id, p.id
    key = make_key("agency", name="health", scopes=["deaths", "events"])
    app = create_app(Settings(environment="test", data_dir=tmp_path / "var"), short)
    with TestClient(app) as client:
        yield client, bearer(key), nid, pid, short
    short.dispose()


def test_reads_go_on_while_a_writer_holds_the_lock(busy) -> None:
    client, key, _nid, pid, engine = busy
    with writer_holding_locks(engine, pid):
        events = client.get("/v1/events", headers=key)
        record = client.get("/v1/death-records/dr_0000000000000000", headers=key)
    # A read that waited for the writer would have given up after LOCK_WAIT_S and answered
    # 503 (the next test shows it for a write): the answers themselves show that none waited,
    # with no clock to misread on a busy machine.
    assert events.status_code == 200, events.text
    assert record.status_code == 404 and record.json()["error"]["code"] == \
        "death_record_not_found"


def test_a_writer_that_cannot_get_the_lock_is_503_with_retry_after(busy) -> None:
    client, key, nid, pid, engine = busy
    with writer_holding_locks(engine, pid):
        resp = client.post("/v1/death-records", json={"national_id": nid, **DEATH}, headers=key)
    assert resp.status_code == 503, resp.text
    assert resp.json()["error"]["code"] == "database_busy"
    assert int(resp.headers["retry-after"]) >= 1
    again = client.post("/v1/death-records", json={"national_id": nid, **DEATH}, headers=key)
    assert again.status_code == 201, again.text  # nothing half-written: the retry succeeds


def test_read_sessions_refuse_writes(engine) -> None:
    with read_session_factory(engine)() as s:
        s.add(Agency(name="sneaky", scopes=[], pseudonym_salt="0" * 32))
        with pytest.raises(DBAPIError):
            s.flush()
        s.rollback()
    with session_factory(engine)() as s:
        assert s.query(Agency).filter_by(name="sneaky").count() == 0


NESTED = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(("field", "code"), [("demographics", "invalid_demographics"),
                                             ("missing_fingers", "invalid_missing_fingers")])
def test_deeply_nested_json_in_form_fields_is_422(client, make_key, field, code) -> None:
    station = bearer(make_key("station", name="st-nest"))
    data = {"capture_id": "cap-nest", "demographics": json.dumps(DEMOGRAPHICS),
            field: NESTED[:3500] + NESTED[-3500:]}
    if field == "missing_fingers":
        data[field] = NESTED[:1000] + NESTED[-1000:]
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    resp = client.post("/v1/enrollments", data=data, files={"finger_1": ("f.png", png)},
                       headers=station)
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == code


def test_deeply_nested_json_body_is_422(client, make_key) -> None:
    key = bearer(make_key("agency", name="health", scopes=["deaths"]))
    for body in (NESTED, '{"national_id": ' + NESTED + "}"):
        resp = client.post("/v1/death-records", content=body,
                           headers={**key, "content-type": "application/json"})
        assert resp.status_code == 422, resp.text


def _int_params(route) -> tuple[list[str], list[str]]:
    def ints(params) -> list[str]:
        return [p.name for p in params if p.field_info.annotation is int
                or getattr(p.field_info.annotation, "__args__", None) == (int, type(None))]
    return ints(route.dependant.path_params), ints(route.dependant.query_params)


def test_integer_ids_past_64_bits_are_422_on_every_route(app, client, make_key) -> None:
    keys = {("admin", None): make_key("admin", name="admin-big"),
            ("station", None): make_key("station", name="st-big")}
    checked = 0
    for kr in keyed_routes(app):
        paths, queries = _int_params(kr.route)
        if not paths and not queries:
            continue
        key = keys.get((kr.role, kr.scope)) or make_key(
            "agency", name=f"ag-{kr.scope}", scopes=[kr.scope])
        keys[(kr.role, kr.scope)] = key
        for huge in (2**63, 2**64, 10**30):
            url = re.sub(r"\{([a-z_]+)\}",
                         lambda m, h=huge, p=paths: str(h) if m[1] in p else "1", kr.path)
            variants = [url] if paths else []
            variants += [f"{url}?{q}={huge}" for q in queries]
            for method in kr.methods:
                for target in variants:
                    resp = client.request(method, target, headers=bearer(key))
                    assert resp.status_code == 422, (method, target, resp.text)
                    checked += 1
    assert checked >= 10
