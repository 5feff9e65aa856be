"""Time of one enrollment (face + 10 fingers) through the API, on a fresh SQLite database.

    .venv/bin/python -m bench.enrollment_bench [--data ../shared/data] [--runs 3]

Reports the cold first request (models load) and warm requests (new persons, so each one is a
full 1:N search too), with extraction timed apart. Real images from the shared test data.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from identity.access.keys import create_key
from identity.platform.db import make_engine, session_factory
from identity.platform.migrate import upgrade
from identity.platform.settings import Settings

FACES = ["obama.jpg", "biden.jpg", "obama2.jpg", "obama3.jpg"]
SETS = ["FVC2002_DB1_B", "FVC2002_DB2_B", "FVC2002_DB3_B", "FVC2002_DB4_B", "FVC2004_DB2_B"]
DEMO = {"given_name": "علي", "father_name": "حسين", "grandfather_name": "كاظم",
        "surname": "الجبوري", "mother_name": "زينب", "maternal_grandfather_name": "جاسم",
        "sex": "M", "birth_date": "1984-03-17", "birthplace": "Baghdad"}


def _files(data: Path, n: int) -> list[tuple[str, tuple[str, bytes, str]]]:
    face = data / "faces/ageitgey_face_recognition/tests/test_images" / FACES[n % len(FACES)]
    out = [("face", ("face.jpg", face.read_bytes(), "image/jpeg"))]
    fvc = data / "fingerprints" / SETS[n % len(SETS)]
    for pos in range(1, 11):
        img = fvc / f"{100 + pos}_{1 + n // len(SETS)}.tif"
        out.append((f"finger_{pos}", (img.name, img.read_bytes(), "image/tiff")))
    return out


def _extraction_only(data: Path) -> dict[str, float]:
    from matching import face, fingerprint

    fvc = data / "fingerprints" / SETS[0]
    imgs = [np.asarray(Image.open(fvc / f"{100 + p}_2.tif").convert("L")) for p in range(1, 11)]
    rgb = np.asarray(Image.open(data / "faces/ageitgey_face_recognition/tests/test_images"
                                / FACES[0]).convert("RGB"))
    t0 = time.perf_counter()
    fingerprint.extract_templates(imgs, [500] * 10)
    t1 = time.perf_counter()
    face.encode_face(rgb)
    t2 = time.perf_counter()
    return {"fingers_10_s": round(t1 - t0, 3), "face_s": round(t2 - t1, 3)}


def main(data: Path, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp))
        engine = make_engine(settings.resolved_database_url)
        upgrade(engine)
        with session_factory(engine)() as s:
            key = create_key(s, role="station", name="bench")
        times = []
        with TestClient(create_app(settings, engine)) as client:
            for n in range(runs + 1):
                t = time.perf_counter()
                resp = client.post("/v1/enrollments", headers={"Authorization": f"Bearer {key}"},
                                   data={"capture_id": f"b{n}", "demographics": json.dumps(DEMO)},
                                   files=_files(data, n))
                times.append(time.perf_counter() - t)
                assert resp.status_code in (200, 201, 202), resp.text
        result = {
            "cold_first_s": round(times[0], 3),
            "warm_median_s": round(statistics.median(times[1:]), 3),
            "warm_runs_s": [round(x, 3) for x in times[1:]],
            "extraction_only": _extraction_only(data),
        }
        engine.dispose()
    return result


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(json.dumps(main(args.data, args.runs), indent=2))
