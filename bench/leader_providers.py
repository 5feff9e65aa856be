"""LEADER fingers per second per runtime/provider: onnxruntime CPU (the graph as shipped),
OpenVINO f32 (transpose-free graph) and onnxruntime CUDA (batched) where a GPU is present.

    .venv/bin/python -m bench.leader_providers --images 40 --out bench/out/leader_providers.json

CPU runtimes use one thread and one finger per call (fingers/s per core); CUDA sends
``--batch`` fingers per call (``extract_templates`` over many records' fingers). Where
onnxruntime has no CUDA provider the CUDA row says so instead of a figure.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.fingers_data import db_dpi, list_db, load_image
from matching.fingerprint import loader
from matching.fingerprint.extract import _detect_batch, prepare


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("../shared/data/fingerprints/FVC2002_DB1_B"))
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--out", type=Path, default=Path("bench/out/leader_providers.json"))
    args = ap.parse_args()
    dpi = db_dpi(args.db)
    images = [prepare(load_image(it.path), dpi) for it in list_db(args.db)[: args.images]]
    rows = []
    for name in ("onnxruntime", "openvino", "cuda"):
        if name == "cuda" and not loader.cuda_available():
            rows.append({"provider": "cuda", "fingers_per_s": None,
                         "note": "not measured: onnxruntime has no CUDA provider here "
                                 "(no GPU lent to this session)"})
            continue
        runner = loader.build(name, threads=1)
        step = args.batch if name == "cuda" else 1
        _detect_batch(runner, images[:step])  # warm-up / compile
        cpu, wall = time.process_time(), time.perf_counter()
        for s in range(0, len(images), step):
            _detect_batch(runner, images[s:s + step])
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        rows.append({"provider": name, "fingers": len(images),
                     "fingers_per_s": round(len(images) / wall, 2),
                     "fingers_per_cpu_s": round(len(images) / cpu, 2)})
        print(json.dumps(rows[-1]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2))
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
