"""The all-vs-all face search (``matching.face_pairs``): its radius on LFW, its time at scale.

    .venv/bin/python -m bench.face_pairs_bench --lfw --sizes 20000 100000
    # on a GPU machine (faiss-gpu): --sizes 1000000 10000000

``--lfw``: genuine pairs lost and impostor pairs admitted at ``face.pairs.max_distance`` and
its neighbours, on every pair of the cached LFW encodings (``var/bench-cache/lfw_faces.npz``,
written by ``bench.face_eval``): the row's calibration. ``--sizes``: synthetic dlib-like faces
(``bench.search_bench``'s Gaussian model fitted on the same cache; each person enrolled twice,
so every face has a true pair), the exact all-vs-all of ``face_pairs.candidate_pairs`` timed,
the share of true pairs found, and the projection to 46 million faces: the search is N x N,
so time scales with N squared (``seconds x (46e6 / N)^2``) on the same hardware. CPU runs use
every FAISS thread of this machine; with ``--gpu`` (default: when FAISS sees GPUs) the index
is sharded over the GPUs in float16.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.search_bench import draw, fit_dlib_model
from matching import face_pairs, thresholds

NATION = 46_000_000


def lfw_radius(cache: Path) -> dict[str, Any]:
    from bench.face_eval import all_pairs

    data = np.load(cache)
    names = np.array([str(k).split("/")[0] for k in data["keys"]])
    genuine, impostor = all_pairs(data["vectors"], names)
    here = thresholds.value("face.pairs.max_distance")
    rows = {}
    for r in sorted({0.547, 0.6, 0.626, here, 0.7, 0.75}):
        rows[f"{r:.3f}"] = {"genuine_beyond": round(float((genuine > r).mean()), 5),
                            "impostor_within": round(float((impostor <= r).mean()), 5)}
    return {"genuine": int(genuine.size), "impostor": int(impostor.size),
            "max_distance": here, "by_radius": rows}


def timed(n: int, model: dict[str, np.ndarray], gpu: bool | None, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    half = n // 2
    enrolled, again = draw(model, half, rng)
    x = np.vstack([enrolled, again])  # face i and face i + half are one person
    radius = thresholds.value("face.pairs.max_distance")
    started = time.perf_counter()
    cpu = time.process_time()
    found: set[int] = set()  # a pair may come from both of its faces: count it once
    pairs = 0
    for i, j, _ in face_pairs.candidate_pairs(x, radius, gpu=gpu):
        pairs += len(i)
        found.update(i[(j - i) == half].tolist())
    seconds = time.perf_counter() - started
    return {"faces": len(x), "seconds": round(seconds, 2),
            "cpu_s": round(time.process_time() - cpu, 2),
            "pairs_yielded": pairs, "true_pairs_found": round(len(found) / half, 4),
            "projected_46M_s": round(seconds * (NATION / len(x)) ** 2, 0),
            "projected_46M_h": round(seconds * (NATION / len(x)) ** 2 / 3600, 1)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path("var/bench-cache/lfw_faces.npz"))
    ap.add_argument("--lfw", action="store_true", help="the radius's statistics on LFW")
    ap.add_argument("--sizes", type=int, nargs="*", default=[20_000],
                    help="synthetic faces per timed run")
    ap.add_argument("--gpu", action=argparse.BooleanOptionalAction, default=None)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path("bench/out/face_pairs.json"))
    args = ap.parse_args(argv)
    import faiss

    if not args.cache.exists():
        raise SystemExit(f"{args.cache} is missing: run .venv/bin/python -m bench.face_eval")
    report: dict[str, Any] = {"gpus": faiss.get_num_gpus(), "cpus": os.cpu_count(),
                              "k": int(thresholds.value("dedup.max_candidates"))}
    if args.lfw:
        report["lfw"] = lfw_radius(args.cache)
        print(json.dumps(report["lfw"], indent=2), flush=True)
    model = fit_dlib_model(args.cache)
    report["runs"] = []
    for n in args.sizes:
        row = timed(n, model, args.gpu, args.seed)
        report["runs"].append(row)
        print(json.dumps(row), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
