"""Fingerprint engine timings on this machine: extraction per finger and per 10-finger packet,
1:1 comparison (median over many pairs), template size.

    python -m bench.fingers_timing --db ../shared/data/fingerprints/FVC2002_DB1_B --out t.json

Threads: onnxruntime intra-op = ``HAWIYA_ONNX_THREADS`` (default: CPU count, max 8); LSS-R is
single-threaded numba (no BLAS). Wall-clock and CPU time are both reported: on a shared machine
the wall clock includes waiting for the CPU.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from pathlib import Path

import numpy as np

from bench.fingers_data import db_dpi, list_db, load_image
from matching.fingerprint import FingerTemplate, compare, extract_templates
from matching.fingerprint.loader import leader_session, onnx_threads


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main(db: Path, out: Path, repeats: int = 3) -> dict:
    db, out = Path(db), Path(out)
    items = list_db(db)[:10]
    images = [load_image(it.path) for it in items]
    dpis = [db_dpi(db)] * len(images)
    _, load_s, _ = _timed(leader_session)
    extract_templates(images[:1], dpis[:1])  # warm: numba JIT, first ONNX run
    single, packet = [], []
    for _ in range(repeats):
        for im, dpi in zip(images, dpis, strict=True):
            single.append(_timed(lambda im=im, dpi=dpi: extract_templates([im], [dpi]))[1:])
        packet.append(_timed(lambda: extract_templates(images, dpis))[1:])
    tpl = [t for t in extract_templates(images, dpis) if isinstance(t, FingerTemplate)]
    compare(tpl[0], tpl[1])
    cmp_wall = []
    c0 = time.process_time()
    for _ in range(20):
        for a, b in itertools.combinations(tpl, 2):
            t0 = time.perf_counter()
            compare(a, b)
            cmp_wall.append(time.perf_counter() - t0)
    cmp_cpu = (time.process_time() - c0) / len(cmp_wall)
    res = {
        "db": db.name,
        "image_size": list(images[0].shape),
        "onnx_threads": onnx_threads(),
        "cpu_count": os.cpu_count(),
        "load_avg_1min": os.getloadavg()[0],
        "model_load_s": load_s,
        "extract_per_finger_s_median": float(np.median([w for w, _ in single])),
        "extract_per_finger_cpu_s_median": float(np.median([c for _, c in single])),
        "extract_10_finger_packet_s_median": float(np.median([w for w, _ in packet])),
        "extract_10_finger_packet_cpu_s_median": float(np.median([c for _, c in packet])),
        "compare_ms_median": 1000 * float(np.median(cmp_wall)),
        "compare_ms_p95": 1000 * float(np.percentile(cmp_wall, 95)),
        "compare_cpu_ms_mean": 1000 * cmp_cpu,
        "compare_pairs": len(cmp_wall),
        "minutiae_median": float(np.median([t.n_minutiae for t in tpl])),
        "template_bytes_median": float(np.median([len(t.to_bytes()) for t in tpl])),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n")
    return res


def cli(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="fingerprint engine timings")
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    print(json.dumps(main(args.db, args.out, args.repeats), indent=1))


if __name__ == "__main__":
    cli()
