"""Person search (face + 10 fingers) through Milvus vs the in-process FAISS engine, one run.

    .venv/bin/python -m bench.milvus_person_search --persons 20000 --uri http://127.0.0.1:19541 \
        --milvus-dir /tmp/milvus-dev

The synthetic gallery of ``bench.person_search_bench`` (50 chimeric FVC persons among N, faces
from the LFW Gaussian, distractor fingers from a bank of synthetic fingers with 10 bits of each
code flipped) is built in FAISS; the *same* face vectors and the *same* cylinder codes (read
back from the FAISS lists) are written to the Milvus collections of
``identity.biometrics.milvus_store`` (faces IVF_FLAT, each position's codes BIN_IVF_FLAT +
Hamming, flushed and indexed). Every probe is then searched through both engines back to back
(so machine noise hits both alike): ``matching.proposals.propose`` with the table's plan, the
``dedup.max_candidates`` best persons re-scored 1:1 (LSS-R, face L2) and fused — what a decision
does, minus the database. Reported: mates found by each (found = fused LLR at or above the
review bound for this gallery size, as ``bench.person_search_bench``), mates FAISS finds that
Milvus misses, median / p95 latency of each and their ratio, and memory per person (FAISS: the
process's RSS growth while building; Milvus: the server's RSS growth while loading).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import uuid
from pathlib import Path

import numpy as np

from bench import person_search_bench as psb
from bench.fingers_search import _real
from bench.search_bench import fit_dlib_model
from identity.biometrics.milvus_store import Collections, FaceSearcher, FingerSearcher
from identity.platform.settings import get_settings
from matching import posterior, proposals, thresholds
from matching.fingerprint import ivf as ivf_tuning

log = logging.getLogger("bench.milvus_person_search")


def server_rss_mb(milvus_dir: Path | None) -> float:
    if milvus_dir is None:
        return float("nan")
    pid = (milvus_dir / "milvus.pid").read_text().strip()
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_milvus(g: psb.Gallery, cols: Collections, batch: int) -> tuple[int, dict]:
    """Write the FAISS gallery's faces and codes to Milvus; (engine timestamp, timings)."""
    t0, at = time.perf_counter(), 0
    ids = (np.arange(g.persons, dtype=np.int64) * psb.STRIDE).tolist()
    for s in range(0, g.persons, batch):
        res = cols.face.insert([ids[s:s + batch], g.face_vectors[s:s + batch].tolist()])
        at = max(at, int(res.timestamp))
    codes_total = 0
    for pos in psb.POSITIONS:
        codes, owners = ivf_tuning.index_codes(g.fingers._ivf[pos])
        keys = np.arange(len(codes), dtype=np.int64)
        for s in range(0, len(codes), batch):
            res = cols.codes[pos].insert([keys[s:s + batch].tolist(),
                                          owners[s:s + batch].tolist(),
                                          [c.tobytes() for c in codes[s:s + batch]]])
            at = max(at, int(res.timestamp))
        codes_total += len(codes)
        log.info("milvus: position %d, %d codes", pos, len(codes))
    insert_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    import pymilvus

    for col in [cols.face, *cols.codes.values()]:
        col.flush()
        pymilvus.utility.wait_for_index_building_complete(col.name, using=cols.alias)
        col.load()
    return at, {"insert_s": insert_s, "flush_index_load_s": time.perf_counter() - t1,
                "codes": codes_total}


def search(g: psb.Gallery, probe: psb.Probe, faces: proposals.FaceSearch,
           fingers: proposals.FingerSearch, plan: proposals.Plan, pool,
           limit: int) -> list[tuple[int, float]]:
    """As ``person_search_bench.person_search``, with either engine's searches."""
    saved = g.fingers
    g.fingers = fingers  # type: ignore[assignment]
    try:
        return psb.person_search(g, probe, True, plan, faces, pool, limit)  # type: ignore[arg-type]
    finally:
        g.fingers = saved


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=20_000)
    ap.add_argument("--mated", type=int, default=350)
    ap.add_argument("--nonmated", type=int, default=50)
    ap.add_argument("--bank", type=int, default=5_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--build-threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument("--uri", default="http://127.0.0.1:19530")
    ap.add_argument("--milvus-dir", type=Path, default=None, help="for the server's RSS")
    ap.add_argument("--cache", type=Path, default=Path("var/bench-cache/lfw_faces.npz"))
    ap.add_argument("--out", type=Path, default=Path("bench/out/milvus_person_search.json"))
    args = ap.parse_args(argv)
    args.nlist = 0
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    rng = np.random.default_rng(20261201)
    real = _real(Path(get_settings().test_data) / "fingerprints")
    model = fit_dlib_model(args.cache)
    report: dict = {"persons": args.persons, "bank": args.bank, "search_threads": args.threads}
    g, centres, fingers_real = psb.build(args, real, model, rng, report)
    report["faiss_rss_mb"] = report["face_index"]["rss_mb"] + report["finger_index"]["rss_mb"]
    mated, non = psb.probes(argparse.Namespace(persons=args.persons, mated=args.mated,
                                               nonmated=args.nonmated), real, fingers_real,
                            model, centres, rng)
    cols = Collections(args.uri, f"bench_{uuid.uuid4().hex[:8]}", alias="bench")
    before = server_rss_mb(args.milvus_dir)
    cols.open()
    at, report["milvus_load"] = load_milvus(g, cols, args.batch)
    time.sleep(5)
    report["milvus_server_rss_mb"] = server_rss_mb(args.milvus_dir) - before
    plan = proposals.plan_for(10)
    limit = int(thresholds.value("dedup.max_candidates"))
    review, _ = posterior.llr_bounds(posterior.Prior(
        g.persons, thresholds.value("posterior.reenrollment_rate")))
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(args.threads) if args.threads > 1 else None
    engines = {"faiss": (g.faces, g.fingers),
               "milvus": (FaceSearcher(cols, at), FingerSearcher(cols, at))}
    times: dict[str, list[float]] = {k: [] for k in engines}
    found: dict[str, list[bool]] = {k: [] for k in engines}
    top_non: dict[str, list[float]] = {k: [] for k in engines}
    for n, p in enumerate([*mated, *non]):
        order = list(engines) if n % 2 == 0 else list(engines)[::-1]  # alternate who goes first
        for name in order:
            faces, fingers = engines[name]
            t = time.perf_counter()
            got = search(g, p, faces, fingers, plan, pool, limit)
            times[name].append(time.perf_counter() - t)
            if p.person is None:
                top_non[name].append(got[0][1] if got else -np.inf)
            else:
                found[name].append(dict(got).get(p.person, -np.inf) >= review)
    out: dict = {}
    for name in engines:
        t = np.array(times[name]) * 1e3
        out[name] = {"median_ms": float(np.median(t)), "p95_ms": float(np.percentile(t, 95)),
                     "mates_found": int(np.sum(found[name])), "mated": len(found[name]),
                     "nonmated_at_or_above_review": int(np.sum(np.array(top_non[name])
                                                               >= review))}
    missed = [i for i, (a, b) in enumerate(zip(found["faiss"], found["milvus"], strict=True))
              if a and not b]
    report.update(out)
    report["faiss_mates_milvus_missed"] = len(missed)
    report["latency_ratio_median"] = out["milvus"]["median_ms"] / out["faiss"]["median_ms"]
    report["per_person_bytes"] = {
        "faiss": report["faiss_rss_mb"] * 2**20 / args.persons,
        "milvus_server": report["milvus_server_rss_mb"] * 2**20 / args.persons}
    cols.drop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=float))
    log.info("%s", json.dumps({k: v for k, v in report.items() if k not in ("bank",)},
                              default=float))
    return report


if __name__ == "__main__":
    main()
