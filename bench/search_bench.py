"""Face 1:N search on a synthetic gallery: FaceIndex's compressed scan against exact search.

    .venv/bin/python -m bench.search_bench --persons 100000 [--probes 1000] [--out DIR]

Synthetic persons resemble dlib embeddings: a Gaussian model fitted on the cached LFW encodings
(``var/bench-cache/lfw_faces.npz``, written by ``bench.face_eval``): the mean vector, the
within-person covariance (deviations from each person's mean, persons with >= 2 images) and the
between-person covariance (total minus within, clipped to be positive semi-definite). A person is
a centre drawn from N(mean, between); the enrolled vector and the mated probe are two independent
draws around it from N(0, within). The run reports genuine and impostor distances of the synthetic
data next to LFW's, so the resemblance can be checked. Non-mated probes are fresh persons.

Timings are single searches, one after the other, on one FAISS thread (a dedup search is one
query at a time; the machine has 2 cores shared with the service); builds use ``--build-threads``.
Recall of mates: of the mated probes whose mate exact search returns in its top ``--k`` (the
dedup candidate list), the share the compressed scan also returns in its top ``--k``; and the
same at rank 1. ``--refine`` sweeps the re-rank factor.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import time
from pathlib import Path

import faiss
import numpy as np

from matching.vector_index import FaissVectorIndex, IndexTuning

log = logging.getLogger("bench.search_bench")
DIM = 128


def fit_dlib_model(cache: Path) -> dict[str, np.ndarray]:
    """Mean, and Cholesky factors of the between- and within-person covariance, from LFW."""
    data = np.load(cache)
    x = data["vectors"].astype(np.float64)
    names = np.array([str(k).split("/")[0] for k in data["keys"]])
    mean = x.mean(axis=0)
    dev = []
    for name in np.unique(names):
        rows = x[names == name]
        if len(rows) >= 2:
            dev.append((rows - rows.mean(axis=0)) * np.sqrt(len(rows) / (len(rows) - 1)))
    d = np.vstack(dev)
    within = d.T @ d / len(d)
    between = np.cov(x.T) - within
    w, v = np.linalg.eigh(between)
    between = (v * np.maximum(w, 1e-6)) @ v.T
    return {"mean": mean, "between": np.linalg.cholesky(between),
            "within": np.linalg.cholesky(within)}


def draw(model: dict[str, np.ndarray], n: int, rng: np.random.Generator,
         chunk: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """(enrolled (n, 128), mated probe (n, 128)) float32 for ``n`` new synthetic persons."""
    enrolled = np.empty((n, DIM), np.float32)
    probe = np.empty((n, DIM), np.float32)
    for s in range(0, n, chunk):
        m = min(chunk, n - s)
        centre = model["mean"] + rng.standard_normal((m, DIM)) @ model["between"].T
        enrolled[s : s + m] = centre + rng.standard_normal((m, DIM)) @ model["within"].T
        probe[s : s + m] = centre + rng.standard_normal((m, DIM)) @ model["within"].T
    return enrolled, probe


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def timed_searches(index: FaissVectorIndex, probes: np.ndarray, k: int) -> dict:
    faiss.omp_set_num_threads(1)
    ids = np.empty((len(probes), k), np.int64)
    times = np.empty(len(probes))
    for i, p in enumerate(probes):
        t = time.perf_counter()
        got, _ = index.search_batch(p[None, :], k)
        times[i] = time.perf_counter() - t
        ids[i] = got[0]
    return {"ids": ids, "median_ms": float(np.median(times) * 1e3),
            "p95_ms": float(np.percentile(times, 95) * 1e3),
            "searches_per_s": float(len(times) / times.sum())}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--probes", type=int, default=1000)
    ap.add_argument("--refine", type=int, nargs="*", default=[2, 5, 10, 20])
    ap.add_argument("--pq-m", type=int, default=None)
    ap.add_argument("--k", type=int, default=50)
    ap.add_argument("--cache", type=Path, default=Path("var/bench-cache/lfw_faces.npz"))
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    ap.add_argument("--build-threads", type=int, default=1)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    rng = np.random.default_rng(20261126)
    model = fit_dlib_model(args.cache)
    n = args.persons
    t = time.perf_counter()
    gallery, mated = draw(model, n, rng)
    nonmated, _ = draw(model, args.probes, rng)
    log.info("drew %d persons in %.1f s", n, time.perf_counter() - t)
    ids = np.arange(n, dtype=np.int64) * 7 + 1_000_003  # sparse database-like keys
    pick = rng.choice(n, size=args.probes, replace=False)
    probes = mated[pick]
    gen = np.linalg.norm(gallery[pick] - probes, axis=1)
    imp = np.linalg.norm(gallery[pick] - gallery[np.roll(pick, 1)], axis=1)

    base = rss_mb()
    exact = FaissVectorIndex(DIM, tuning=IndexTuning(10**12, 1, 1, 4.0))
    faiss.omp_set_num_threads(args.build_threads)
    t = time.perf_counter()
    exact.add(ids, gallery)
    exact_build = time.perf_counter() - t
    exact_mem = rss_mb() - base
    ex = timed_searches(exact, probes, args.k)
    ex_non = timed_searches(exact, nonmated, args.k)
    want = ids[pick]
    exact_rank1 = ex["ids"][:, 0] == want
    exact_topk = (ex["ids"] == want[:, None]).any(axis=1)
    log.info("exact: %.2f ms median", ex["median_ms"])

    default = IndexTuning.face()
    pq_m = args.pq_m or default.pq_m
    base = rss_mb()
    approx = FaissVectorIndex(DIM, tuning=IndexTuning(0, pq_m, default.refine_factor, 10**9))
    faiss.omp_set_num_threads(args.build_threads)
    t = time.perf_counter()
    approx.add(ids, gallery)
    approx_build = time.perf_counter() - t
    approx_mem = rss_mb() - base
    log.info("compressed copy built in %.1f s", approx_build)
    sweep = []
    for refine in args.refine:
        approx.tuning = IndexTuning(0, pq_m, refine, 10**9)
        r = timed_searches(approx, probes, args.k)
        rn = timed_searches(approx, nonmated, args.k)
        top1 = r["ids"][:, 0] == want
        topk = (r["ids"] == want[:, None]).any(axis=1)
        sweep.append({
            "refine_factor": refine, "median_ms": r["median_ms"], "p95_ms": r["p95_ms"],
            "searches_per_s": r["searches_per_s"], "nonmated_median_ms": rn["median_ms"],
            f"recall_top{args.k}_of_exact_mates": float(np.mean(topk[exact_topk])),
            "recall_rank1_of_exact_rank1_mates": float(np.mean(top1[exact_rank1])),
            "missed_mates": int(np.sum(exact_topk & ~topk)),
        })
        log.info("compressed: %s", sweep[-1])
    result = {
        "persons": n, "probes": args.probes, "k": args.k, "search_threads": 1,
        "build_threads": args.build_threads,
        "synthetic_vs_lfw": {"genuine_mean": float(gen.mean()), "impostor_mean": float(imp.mean()),
                             "note": "compare with bench/out/face_eval.json all_pairs means"},
        "exact": {"index": "IndexIDMap2(IndexFlatL2)", "build_s": exact_build,
                  "memory_mb": exact_mem, "median_ms": ex["median_ms"], "p95_ms": ex["p95_ms"],
                  "searches_per_s": ex["searches_per_s"],
                  "nonmated_median_ms": ex_non["median_ms"],
                  "mate_rank1_rate": float(exact_rank1.mean()),
                  f"mate_top{args.k}_rate": float(exact_topk.mean())},
        "compressed": {"index": f"IndexIDMap(IndexPQFastScan(128, {pq_m}, 4)) + exact re-rank "
                       "from the IndexIDMap2(IndexFlatL2) above",
                       "build_s": approx_build, "memory_mb": approx_mem,
                       "extra_bytes_per_vector": pq_m // 2 + 8,
                "sweep": sweep},
    }
    return write_report(args.out / f"search_bench_{n}.json", result)


def write_report(path: Path, report: dict) -> dict:
    """Write a bench's JSON result (creating its folder) and echo it on stdout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    log.info("wrote %s", path)
    json.dump(report, sys.stdout, indent=2)
    return report


if __name__ == "__main__":
    main()
