"""Import throughput: records per hour for a batch, extraction and search timed apart, and the
projection to 46 million records with N extraction workers.

    .venv/bin/python -m bench.import_bench --records 30 --fingers 10 --workers 1 \
        --out bench/out/import_bench.json

The batch is chimeric (say so when quoting it): record i = the face of LFW identity i (one
distinct identity per record while they last) + F fingers drawn at random, without repeats,
from the 50 fingers of the 5 FVC "B" sets at random impressions. Two records share a finger at
the same position with probability ~F/50 per position, so most pairs are non-mates as in a
real register, but the finger gallery holds only 50 distinct fingers: index candidate lists
are denser than in a real gallery (re-scoring is capped by ``dedup.max_candidates``, so the
search cost per record is bounded, yet it is *not* the cost of a 46M gallery). ``--mates``
plants that share of records a second time (another face image, other impressions of the
same fingers) to show they are found.

What it measures honestly: the extraction cost of a real face + F-finger record (decode,
quality, LEADER, MCC; per worker, one thread each) and the writer's cost per record at this
small gallery. The projection assumes extraction scales linearly with workers (it is
embarrassingly parallel) and takes the writer's cost from this run, or from ``--search-ms``
(e.g. the 1M-gallery search bench of issue 4) since a 46M gallery is searched by a distributed
engine, not measured here.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import text

from enrollment.batch.generator import FVC_SETS, _demographics
from enrollment.batch.nist_write import write_transaction

POPULATION = 46_000_000


def build_batch(out: Path, data: Path, records: int, fingers: int, mates: float,
                seed: int) -> int:
    rng = random.Random(seed)
    root = data / "faces" / "lfw" / "images"
    people = sorted(p for p in root.iterdir() if p.is_dir())
    rng.shuffle(people)
    pool = [(name, ppi, fid) for name, ppi in FVC_SETS for fid in range(101, 111)]
    folder = out / "civil_status"
    folder.mkdir(parents=True, exist_ok=True)
    specs = []
    for i in range(records):
        faces = sorted((people[i % len(people)]).glob("*.jpg"))
        chosen = rng.sample(pool, fingers)
        specs.append((faces, chosen, _demographics(rng), [rng.randint(1, 8) for _ in chosen]))
    n_mates = int(records * mates)
    for i in range(n_mates):
        faces, chosen, demo, imps = specs[i]
        specs.append((faces[1:] or faces, chosen, demo, [(k % 8) + 1 for k in imps]))
    rng.shuffle(specs)
    for n, (faces, chosen, demo, imps) in enumerate(specs):
        prints = {pos: (Image.open(data / "fingerprints" / name / f"{fid}_{imp}.tif"), ppi)
                  for pos, ((name, ppi, fid), imp) in enumerate(zip(chosen, imps, strict=True),
                                                                 start=1)}
        payload = write_transaction(number=f"CS-{n:08d}", register="civil_status",
                                    demographics=demo, face_jpeg=faces[0].read_bytes(),
                                    fingers=prints)
        (folder / f"cs-{n:06d}.nist").write_bytes(payload)
    return len(specs)


def project(extract_s: float, writer_s: float, workers: list[int]) -> list[dict[str, Any]]:
    """Records/hour and days for 46M with N workers: min(N extraction lanes, one writer)."""
    rows = []
    for n in workers:
        rate = min(n * 3600 / extract_s, 3600 / writer_s)
        rows.append({"workers": n, "records_per_hour": round(rate),
                     "bound": "extraction" if n * 3600 / extract_s < 3600 / writer_s
                     else "writer", "days_for_46M": round(POPULATION / rate / 24, 1)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=30)
    ap.add_argument("--fingers", type=int, default=10)
    ap.add_argument("--mates", type=float, default=0.1)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--search-ms", type=float, default=None,
                    help="writer cost per record at 46M to project with (default: measured)")
    ap.add_argument("--out", type=Path, default=Path("bench/out/import_bench.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from enrollment.batch.job import run_import
    from identity.platform.db import make_engine
    from identity.platform.migrate import upgrade
    from identity.platform.settings import Settings, get_settings

    data = Path(get_settings().test_data)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        n = build_batch(Path(tmp) / "batch", data, args.records, args.fingers, args.mates,
                        args.seed)
        built = time.perf_counter() - t0
        settings = Settings(environment="test", data_dir=Path(tmp) / "var")
        engine = make_engine(settings.resolved_database_url)
        upgrade(engine)
        t0 = time.perf_counter()
        report = run_import(Path(tmp) / "batch" / "civil_status", "civil_status",
                            engine=engine, settings=settings, workers=args.workers, bar=False)
        wall = time.perf_counter() - t0
        with engine.connect() as conn:
            per = conn.execute(text("SELECT extract_s, search_s, decide_s FROM import_records "
                                    "WHERE status != 'rejected' ORDER BY id")).all()
        engine.dispose()
    t = report["timing"]
    ex = sorted(r[0] for r in per) or [0.0]
    se = sorted(r[1] for r in per) or [0.0]
    de = sorted(r[2] for r in per) or [0.0]
    decided = max(1, report["records"] - report["outcomes"].get("rejected", 0))
    extract_s = statistics.median(ex)  # the first record of a worker also loads the models
    search_s = statistics.median(se)
    writer_s = (args.search_ms / 1000) if args.search_ms else statistics.median(de)
    result = {
        "batch": {"records": n, "fingers_per_record": args.fingers, "mates_planted":
                  int(args.records * args.mates), "build_s": round(built, 1)},
        "workers": args.workers, "cpu_count": os.cpu_count(),
        "outcomes": report["outcomes"], "rejects_by_reason": report["rejects_by_reason"],
        "duplicate_clusters": len(report["duplicate_clusters"]),
        "review_cases": len(report["review_cases"]),
        "wall_s": round(wall, 1),
        "records_per_hour_measured": round(report["records"] / wall * 3600, 1),
        "extract_s_per_record": {"median": round(extract_s, 3), "max": round(ex[-1], 3),
                                 "mean": round(t["extract_s_total"] / decided, 3)},
        "search_s_per_record": {"median": round(search_s, 4), "max": round(se[-1], 4)},
        "writer_s_per_record": {"median": round(statistics.median(de), 4),
                                "max": round(de[-1], 4)},
        "projection_writer_s_per_record": round(writer_s, 4),
        "projection": project(extract_s, writer_s, [1, 8, 64, 256, 1024]),
        "note": "extraction = median per record inside a worker (the max includes the "
                "worker's first model load); writer = 1:N search + decision + "
                "commit at this gallery size (<= records); projection assumes linear "
                "extraction scaling and a constant writer cost",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
