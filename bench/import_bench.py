"""Import throughput: records per hour with 1, 2 and all local workers and on a local Ray
cluster of 2 and 4 worker nodes, CPU-seconds per record by stage, and the projection to 46
million records (machines, days).

    .venv/bin/python -m bench.import_bench --records 12 --fingers 10 \
        --out bench/out/import_bench.json

On a shared 2-core machine the wall-clock figures move with the load of others: the CPU-seconds
per record by stage are the robust numbers, the scaling ratios between modes the useful ones.

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
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

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


def project(extract_cpu_s: float, writer_per_hour: float, days: float = 30.0,
            cores_per_machine: int = 16, ram_gb_per_worker: float = 2.0) -> dict[str, Any]:
    """Machines and days for 46M: extraction is embarrassingly parallel (one core a lane at
    ``extract_cpu_s`` CPU-seconds a record); decisions go through the deciders at
    ``writer_per_hour`` each."""
    need = POPULATION / (days * 24)  # records/hour for the target
    lanes = need * extract_cpu_s / 3600
    machines = -(-int(lanes + 0.999) // cores_per_machine)
    rows = []
    for m in (1, 2, 4, machines, machines * 2):
        rate_x = m * cores_per_machine * 3600 / extract_cpu_s
        rows.append({"machines": m, "cores": m * cores_per_machine,
                     "extraction_records_per_hour": round(rate_x),
                     "days_extraction_only": round(POPULATION / rate_x / 24, 1),
                     "days_with_one_decider": round(POPULATION / min(rate_x, writer_per_hour)
                                                    / 24, 1)})
    return {"target_days": days, "records_per_hour_needed": round(need),
            "extraction_cores_needed": round(lanes, 1),
            "machines_of": f"{cores_per_machine} cores, {cores_per_machine * ram_gb_per_worker:.0f}"
                           f" GB RAM ({ram_gb_per_worker} GB a worker), no GPU",
            "machines_needed": machines,
            "deciders_needed_at_writer_rate": round(need / writer_per_hour + 0.5),
            "writer_records_per_hour": writer_per_hour, "rows": rows}


def _run(batch: Path, mode: str) -> dict[str, Any]:
    """One import of the batch into a fresh database: ``local:N`` (process pool) or ``ray:N``
    (a local Ray cluster of N one-CPU worker nodes and a head with no CPU); a ``+avs`` suffix
    runs it with ``--all-vs-all`` (face pass, all-vs-all pairs)."""
    from enrollment.batch.job import run_import
    from identity.platform.db import make_engine
    from identity.platform.migrate import upgrade
    from identity.platform.settings import Settings

    base, _, flag = mode.partition("+")
    kind, _, n = base.partition(":")
    workers = (os.cpu_count() or 2) if n == "all" else int(n)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp) / "var")
        engine = make_engine(settings.resolved_database_url)
        upgrade(engine)
        cluster = None
        if kind == "ray":
            from ray.cluster_utils import Cluster

            cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
            for _ in range(workers):
                cluster.add_node(num_cpus=1)
        try:
            t0 = time.perf_counter()
            report = run_import(batch, "civil_status", engine=engine, settings=settings,
                                workers=workers, bar=False,
                                cluster=cluster.address if cluster else None,
                                all_vs_all=flag == "avs")
            wall = time.perf_counter() - t0
        finally:
            if cluster is not None:
                import ray

                ray.shutdown()
                cluster.shutdown()
            engine.dispose()
    return {"mode": mode, "workers": workers, "records": report["records"],
            "outcomes": report["outcomes"], "wall_s": round(wall, 1),
            "records_per_hour": round(report["records"] / wall * 3600),
            "cpu_s_per_record": report["cpu_s_per_record"],
            **({"all_vs_all": report["all_vs_all"]} if "all_vs_all" in report else {})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=12)
    ap.add_argument("--fingers", type=int, default=10)
    ap.add_argument("--mates", type=float, default=0.1)
    ap.add_argument("--modes", default="local:1,local:2,local:all,ray:2,ray:4",
                    help="comma-separated local:N|ray:N, each optionally +avs (--all-vs-all)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--writer-per-hour", type=float, default=7600.0,
                    help="decisions an hour of one decider at national gallery size (default: "
                         "the single-writer figure measured in issue 17)")
    ap.add_argument("--out", type=Path, default=Path("bench/out/import_bench.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from identity.platform.settings import get_settings

    data = Path(get_settings().test_data)
    result: dict[str, Any] = {"cpu_count": os.cpu_count(), "fingers": args.fingers,
                              "load_average_start": os.getloadavg(), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        n = build_batch(Path(tmp) / "batch", data, args.records, args.fingers, args.mates,
                        args.seed)
        result["records"] = n
        for mode in args.modes.split(","):
            row = _run(Path(tmp) / "batch" / "civil_status", mode)
            result["runs"].append(row)
            print(json.dumps(row), flush=True)
    result["load_average_end"] = os.getloadavg()
    best = min(result["runs"], key=lambda r: sum(v for k, v in r["cpu_s_per_record"].items()
                                                  if k != "writer"))
    extract_cpu = sum(v for k, v in best["cpu_s_per_record"].items() if k != "writer")
    result["extract_cpu_s_per_record"] = round(extract_cpu, 3)
    result["writer_cpu_s_per_record"] = best["cpu_s_per_record"].get("writer")
    result["two_core_ceiling_records_per_hour"] = round(
        2 * 3600 / (extract_cpu + (best["cpu_s_per_record"].get("writer") or 0.0)))
    result["projection"] = project(extract_cpu, args.writer_per_hour)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
