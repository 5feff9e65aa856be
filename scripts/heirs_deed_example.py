"""Runs the deed example of docs/heirs-example.md against the in-process app on a fresh SQLite
database and prints every request and answer (``python -m scripts.heirs_deed_example``)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from identity.access.keys import create_key
from identity.platform.db import make_engine, session_factory
from identity.platform.migrate import upgrade
from identity.platform.settings import Settings
from models.security import Agency
from tests.agencies.heirs.family import build_deed_family


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{tmp / 'hawiya.db'}")
    upgrade(engine)
    with session_factory(engine)() as s:
        people = {k: v.national_id for k, v in build_deed_family(s).items()}
        court = Agency(name="Karkh Personal Status Court", scopes=["heirs"],
                       pseudonym_salt="1" * 32)
        s.add(court)
        s.commit()
        key = create_key(s, role="agency", name="clerk", scopes=["heirs"], agency_id=court.id)
    print("people:", json.dumps(people))
    app = create_app(Settings(environment="test", data_dir=tmp / "var"), engine)
    with TestClient(app) as client:
        h = {"Authorization": f"Bearer {key}"}
        body = {"deceased_national_id": people["amina"], "case_reference": "KRK/2024/77"}
        r = client.post("/v1/heirs/report", headers=h, json=body)
        print("POST /v1/heirs/report without school ->", r.status_code, r.text)
        r = client.post("/v1/heirs/report", headers=h, json={**body, "school": "sunni"})
        print("POST /v1/heirs/report ->", r.status_code)
        print(json.dumps(r.json(), ensure_ascii=False, indent=1))
        deed = client.get(f"/v1/heirs/reports/{r.json()['report_id']}/deed", headers=h)
        print("GET deed ->", deed.status_code, deed.headers["content-type"], len(deed.text),
              "characters")


if __name__ == "__main__":
    main()
