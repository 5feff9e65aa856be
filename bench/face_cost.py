"""What an oversized or empty face costs: a blank 4096 x 4096 PNG through face detection,
before (HOG on the full image, then again after a 2x upsample) and now (a copy no larger than
``face.detect_max_side``, no upsample past ``face.upsample_max_pixels``), in CPU-seconds.

    .venv/bin/python -m bench.face_cost --out bench/out/face_cost.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from pathlib import Path

import numpy as np

from matching import face


def _cpu(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.process_time()
    fn()
    return round(time.process_time() - t, 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", type=int, default=4096)
    ap.add_argument("--out", type=Path, default=Path("bench/out/face_cost.json"))
    args = ap.parse_args()
    blank = np.full((args.side, args.side, 3), 255, np.uint8)
    models = face.load_models()
    models.detect(np.zeros((100, 100, 3), np.uint8), 0)  # warm

    def before() -> None:
        if not models.detect(blank, 0):
            models.detect(blank, 1)

    def now() -> None:
        with contextlib.suppress(face.FaceQualityError):
            face.encode_face(blank)

    row = {"side": args.side, "before_cpu_s": _cpu(before), "now_cpu_s": _cpu(now)}
    row["ratio"] = round(row["before_cpu_s"] / max(row["now_cpu_s"], 1e-3), 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(row, indent=2))
    print(json.dumps(row))


if __name__ == "__main__":
    main()
