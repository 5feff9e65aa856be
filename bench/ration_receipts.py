"""Ration receipts per second with the 1:1 biometric verify, end to end through the API.

Enrolls people through ``POST /v1/enrollments`` (three fingers each from the FVC B sets:
fingers 1-3, 4-6 and 7-9 of one set are three people), registers a card for each, opens one
round per measured setting, then records every card's receipt with a genuine probe (impression
2 of the same fingers) from W concurrent agents (threads, one agent key each); then every
card once more (refused 409 before the verify: the cost of the database side alone). Everything runs
in process on a fresh SQLite database in a temporary folder; prints JSON.

    .venv/bin/python -m bench.ration_receipts --workers 1 2 4

Needs the shared data (``HAWIYA_TEST_DATA``, default ../shared/data).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SETS = ("FVC2002_DB1_B", "FVC2002_DB3_B", "FVC2002_DB4_B", "FVC2004_DB2_B")
QUADS = ((1, 2, 3, 4), (5, 6, 7, 8))  # FVC fingers dealt to positions 1-4: a full packet
GIVEN = ("علي", "حسن", "محمد", "عباس", "كريم", "يوسف", "سالم", "نوري")
FATHERS = ("جاسم", "كاظم", "صالح", "مهدي", "رشيد", "حميد", "فاضل", "ستار")
MINISTRY = "Ministry of Trade"


def _finger(shared: Path, db: str, finger: int, impression: int) -> bytes:
    return (shared / "fingerprints" / db / f"{100 + finger}_{impression}.tif").read_bytes()


def _files(shared: Path, db: str, quad: tuple[int, ...], impression: int) -> list[Any]:
    return [(f"finger_{pos}", (f"{pos}.tif", _finger(shared, db, f, impression), "image/tiff"))
            for pos, f in zip((1, 2, 3, 4), quad, strict=True)]


def _setup(client: Any, engine: Any, shared: Path, people: int) -> tuple[list[dict], Any]:
    from sqlalchemy import select

    from bench.packets import DEMOGRAPHICS
    from identity.access.keys import create_key
    from identity.platform.db import session_factory
    from models.security import Agency, ApiKey

    with session_factory(engine)() as s:
        s.add(Agency(name=MINISTRY, scopes=["ration"], pseudonym_salt=secrets.token_hex(16)))
        s.commit()
        ministry_id = s.scalars(select(Agency.id).where(Agency.name == MINISTRY)).one()
        station = create_key(s, role="station", name="bench-station")
        desk = create_key(s, role="agency", name="desk", scopes=["ration"], agency_id=ministry_id)
    desk_h = {"Authorization": f"Bearer {desk}"}
    cards = []
    for n, (db, quad) in enumerate([(d, q) for d in SETS for q in QUADS][:people]):
        files = _files(shared, db, quad, 1)
        demo = dict(DEMOGRAPHICS, given_name=GIVEN[n % 8], father_name=FATHERS[n % 8],
                    birth_date=f"{1960 + n}-0{1 + n % 9}-1{n % 9}")  # eight families
        resp = client.post("/v1/enrollments", files=files, headers={
            "Authorization": f"Bearer {station}"}, data={
            "capture_id": f"bench-{n}", "demographics": json.dumps(demo),
            "missing_fingers": json.dumps({str(p): "not_captured" for p in range(5, 11)}),
        })
        body = resp.json()
        if resp.status_code != 201 or body.get("status") != "issued":
            print(f"# person {n} ({db} {quad}) not issued: {resp.status_code} {body}")
            continue
        card = client.post("/v1/ration/households", headers=desk_h, json={
            "governorate": "Basra", "centre": "BS-01", "head": body["national_id"]})
        assert card.status_code == 201, card.text
        cards.append({"card": card.json()["card_number"], "nid": body["national_id"],
                      "probe": _files(shared, db, quad, 2)})

    def agent_key(i: int) -> dict[str, str]:
        with session_factory(engine)() as s:
            key = create_key(s, role="agency", name=f"agent-{i}", scopes=["ration"],
                             agency_id=ministry_id)
            kid = s.scalars(select(ApiKey.id).where(ApiKey.prefix == key.split("_")[1])).one()
        r = client.post("/v1/ration/agents", headers=desk_h, json={
            "licence": f"BS-A-{i:04d}", "key_id": kid, "governorate": "Basra",
            "centre": "BS-01"})
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {key}"}

    return cards, (desk_h, agent_key)


def _round(client: Any, desk_h: dict[str, str], code: str) -> None:
    today = date.today()
    r = client.post("/v1/ration/rounds", headers=desk_h, json={
        "code": code, "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "items": [{"item": "flour", "unit": "g", "per_person": 9000}]})
    assert r.status_code == 201, r.text


def _measure(app: Any, cards: list[dict], agents: list[dict[str, str]],
             code: str) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    queue = list(enumerate(cards))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}

    def work(headers: dict[str, str]) -> None:
        with TestClient(app) as c:
            while True:
                with lock:
                    if not queue:
                        return
                    _, entry = queue.pop()
                t0 = time.perf_counter()
                r = c.post("/v1/ration/receipts", headers=headers, files=entry["probe"], data={
                    "card_number": entry["card"], "round": code,
                    "collector_national_id": entry["nid"]})
                dt = time.perf_counter() - t0
                key = str(r.status_code) if r.status_code == 201 else \
                    f"{r.status_code}:{r.json()['error']['code']}"
                with lock:
                    latencies.append(dt)
                    statuses[key] = statuses.get(key, 0) + 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(h,)) for h in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    return {"workers": len(agents), "requests": len(lat), "statuses": statuses,
            "wall_s": round(wall, 2),
            "receipts_per_s": round(statuses.get("201", 0) / wall, 3),
            "p50_s": round(statistics.median(lat), 3),
            "p95_s": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=12, help="cards (at most 12)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from api.app import create_app
    from identity.platform.db import make_engine
    from identity.platform.migrate import upgrade
    from identity.platform.settings import Settings, get_settings

    shared = Path(get_settings().test_data)
    if not shared.is_dir():
        raise SystemExit(f"shared data not found at {shared}")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/hawiya.db")
        upgrade(engine)
        settings = Settings(environment="test", data_dir=Path(tmp) / "var",
                            rate_limit_per_minute=100_000)
        app = create_app(settings, engine)
        with TestClient(app) as client:
            t0 = time.perf_counter()
            cards, (desk_h, agent_key) = _setup(client, engine, shared, args.people)
            print(f"# enrolled {len(cards)} people with cards in "
                  f"{time.perf_counter() - t0:.1f}s")
            results = []
            pool = [agent_key(i) for i in range(max(args.workers))]
            for n, w in enumerate(args.workers):
                code = f"bench-{n}"
                _round(client, desk_h, code)
                results.append(_measure(app, cards, pool[:w], code))
                print(json.dumps(results[-1]))
            # The same cards again: refused 409 before any biometric work (the database side).
            duplicate = _measure(app, cards, pool[:1], "bench-0")
            duplicate["note"] = "second receipt, refused before the verify"
            print(json.dumps(duplicate))
        engine.dispose()
    print(json.dumps({"database": "sqlite (temporary file)", "cards": len(cards),
                      "probe": "3 fingers (FVC impression 2), no face", "results": results,
                      "duplicate_refusals": duplicate},
                     indent=2))


if __name__ == "__main__":
    main()
