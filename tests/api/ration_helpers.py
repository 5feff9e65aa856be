"""Helpers for the ration API tests: the ministry's desk key, agents, citizens, cards."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from identity.platform.db import session_factory
from models.security import ApiKey
from tests.agencies.ration.helpers import citizen
from tests.conftest import bearer

MINISTRY = "Ministry of Trade"
FLOUR_G = 9000


def key_id(engine, key: str) -> int:
    with session_factory(engine)() as s:
        return int(s.scalars(select(ApiKey.id).where(ApiKey.prefix == key.split("_")[1])).one())


def desk(make_key) -> dict[str, str]:
    return bearer(make_key("agency", name="mot-desk", scopes=["ration"], agency=MINISTRY))


def agent(client, engine, make_key, desk_headers: dict[str, str], licence: str) -> dict[str, str]:
    """A ministry key registered as a licensed agent; returns its headers."""
    key = make_key("agency", name=f"agent-{licence}", scopes=["ration"], agency=MINISTRY)
    resp = client.post("/v1/ration/agents", headers=desk_headers, json={
        "licence": licence, "key_id": key_id(engine, key), "governorate": "Basra",
        "centre": "BS-01"})
    assert resp.status_code == 201, resp.text
    return bearer(key)


def citizens(engine, n: int) -> list[str]:
    with session_factory(engine)() as s:
        return [citizen(s).national_id for _ in range(n)]


def create_card(client, headers: dict[str, str], head: str, *members: str,
                authorised: tuple[str, ...] = (), governorate: str = "Basra") -> dict[str, Any]:
    resp = client.post("/v1/ration/households", headers=headers, json={
        "governorate": governorate, "centre": "BS-01", "head": head,
        "members": [{"national_id": m, "authorised": m in authorised} for m in members]})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def open_round(client, headers: dict[str, str], code: str = "2026-11") -> dict[str, Any]:
    today = date.today()
    resp = client.post("/v1/ration/rounds", headers=headers, json={
        "code": code, "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=20)).isoformat(),
        "items": [{"item": "flour", "unit": "g", "per_person": FLOUR_G},
                  {"item": "rice", "unit": "g", "per_person": 3000},
                  {"item": "oil", "unit": "ml", "per_person": 1000}]})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def person(engine, *, born: str = "1980-01-01", sex: str = "M") -> str:
    """One citizen's national ID, born on ``born``."""
    with session_factory(engine)() as s:
        return citizen(s, born=born, sex=sex).national_id


def send_feed(client, headers: dict[str, str], kind: str, ref: str,
              rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST a feed batch; the rows' results."""
    resp = client.post(f"/v1/ration/feeds/{kind}", headers=headers,
                       json={"batch_ref": ref, "rows": rows})
    assert resp.status_code == 200, resp.text
    return list(resp.json()["rows"])


def card_view(client, headers: dict[str, str], number: str) -> dict[str, Any]:
    resp = client.get(f"/v1/ration/households/{number}", headers=headers)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def pay(national_id: str, period: str, amount: int) -> dict[str, Any]:
    return {"national_id": national_id, "period": period, "monthly_income_iqd": amount}
