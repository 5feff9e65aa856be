"""Kinship over HTTP (admin only) and through the CLI."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from identity.platform.db import session_factory
from models.vital import Birth, Marriage
from tests.agencies.heirs.family import births_csv, build_family, count, marriages_csv
from tests.conftest import bearer

CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def people(engine):
    with session_factory(engine)() as s:
        return build_family(s, link=False)


@pytest.fixture
def admin(make_key) -> dict[str, str]:
    return bearer(make_key("admin", name="registrar"))


def test_bulk_load_then_read_relations(client, engine, people, admin) -> None:
    resp = client.post("/v1/kinship/births/bulk", content=births_csv(people).encode(),
                       headers={**admin, **CSV})
    assert resp.status_code == 200, resp.text
    assert resp.json()["births"]["created"] == 13
    resp = client.post("/v1/kinship/marriages/bulk", content=marriages_csv(people).encode(),
                       headers={**admin, **CSV})
    assert resp.status_code == 200 and resp.json()["marriages"]["created"] == 4
    again = client.post("/v1/kinship/births/bulk", content=births_csv(people).encode(),
                        headers={**admin, **CSV})
    assert again.json()["births"] == {"created": 0, "updated": 0, "unchanged": 13}

    view = client.get(f"/v1/kinship/{people['deceased'].national_id}", headers=admin)
    assert view.status_code == 200
    rel = {r["national_id"]: r["relation"] for r in view.json()["relatives"]}
    assert rel[people["nephew"].national_id] == "full_brothers_son"
    assert rel[people["half_brother"].national_id] == "paternal_half_brother"
    wife = next(r for r in view.json()["relatives"] if r["relation"] == "wife")
    assert wife["marriage"]["regime"] == "statute"


def test_single_links_and_errors(client, engine, people, admin) -> None:
    birth = {"child_national_id": people["son"].national_id,
             "father_national_id": people["deceased"].national_id}
    assert client.post("/v1/kinship/births", json=birth, headers=admin).status_code == 201
    assert client.post("/v1/kinship/births", json=birth, headers=admin).status_code == 200
    wrong = client.post("/v1/kinship/births", headers=admin, json={
        "child_national_id": people["son"].national_id,
        "father_national_id": people["uncle"].national_id})
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "parentage_conflict"
    no_parent = client.post("/v1/kinship/births", headers=admin,
                            json={"child_national_id": people["son"].national_id})
    assert no_parent.status_code == 422
    marriage = {"husband_national_id": people["deceased"].national_id,
                "wife_national_id": people["wife"].national_id, "contract_date": "2001-01-01",
                "regime": "jafari"}
    assert client.post("/v1/kinship/marriages", json=marriage, headers=admin).status_code == 201
    bad_regime = client.post("/v1/kinship/marriages", headers=admin,
                             json={**marriage, "regime": "maliki"})
    assert bad_regime.status_code == 422


def test_bad_csv_stores_nothing(client, engine, people, admin) -> None:
    text = births_csv(people).replace(people["grandmother"].national_id,
                                      people["grandfather"].national_id)
    resp = client.post("/v1/kinship/births/bulk", content=text.encode(),
                       headers={**admin, **CSV})
    assert resp.status_code == 422
    assert {d["code"] for d in resp.json()["error"]["details"]} == {"wrong_sex"}
    assert {d["line"] for d in resp.json()["error"]["details"]} == {2, 3, 4}
    binary = client.post("/v1/kinship/births/bulk", content=b"\xff\xfe\x00",
                         headers={**admin, **CSV})
    assert binary.status_code == 422
    with session_factory(engine)() as s:
        assert count(s, Birth) == 0 and count(s, Marriage) == 0


def test_kinship_routes_are_admin_only(client, people, make_key) -> None:
    agency = bearer(make_key("agency", name="court", scopes=["heirs", "deaths"]))
    nid = people["deceased"].national_id
    assert client.get(f"/v1/kinship/{nid}", headers=agency).status_code == 403
    assert client.post("/v1/kinship/births/bulk", content=b"x", headers={**agency, **CSV}) \
        .status_code == 403
    assert client.get(f"/v1/kinship/{nid}").status_code == 401


def test_cli_load_and_show(engine, people, tmp_path, monkeypatch, backend) -> None:
    if backend != "sqlite":
        pytest.skip("the CLI reads the database from settings; one backend is enough")
    from api.cli import app
    from identity.platform import db, settings

    births = tmp_path / "births.csv"
    births.write_text(births_csv(people), encoding="utf-8")
    marriages = tmp_path / "marriages.csv"
    marriages.write_text(marriages_csv(people), encoding="utf-8")
    monkeypatch.setenv("HAWIYA_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        runner = CliRunner()
        out = runner.invoke(app, ["kinship", "load", "--births", str(births),
                                  "--marriages", str(marriages)])
        assert out.exit_code == 0, out.output
        assert '"created": 13' in out.output
        shown = runner.invoke(app, ["kinship", "show", people["deceased"].national_id])
        assert shown.exit_code == 0
        assert f"{people['cousin'].national_id}  full_paternal_uncles_son" in shown.output
        marriages.write_text(marriages_csv(people).replace("statute", "hanbali", 1))
        bad = runner.invoke(app, ["kinship", "load", "--marriages", str(marriages)])
        assert bad.exit_code == 2 and "line" in bad.output
    finally:
        settings.get_settings.cache_clear()
        db.get_engine.cache_clear()
