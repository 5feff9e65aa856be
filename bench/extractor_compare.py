"""Extractor 1.0 against 2.0, side by side in one run, on every FVC development set.

1.0 (today's): LEADER as shipped under onnxruntime (CPU provider, ``HAWIYA_ONNX_THREADS``
threads, default the CPU count), one padded batch per ten-finger packet. 2.0: the rewritten
graph (``matching.fingerprint.graph``) under OpenVINO f32, one thread, one finger per call.
For each set and each extractor: CPU-seconds (this process, all threads) per ten-finger
packet of extraction (LEADER, minutiae, MCC cylinders), wall seconds, EER / FMR100 / FMR1000
on the FVC protocol's pairs (all genuine, all impostor), and the share of 1.0's reliable
minutiae that 2.0 finds (2 px, 0.2 rad). The two run alternately per set so machine load hits
both alike; compile time of OpenVINO (once per image size, cached) is reported apart.

    .venv/bin/python -m bench.extractor_compare --out bench/out/extractor_compare.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.fingers_data import db_dpi, list_db, load_image
from bench.fingers_eval import _score
from bench.fingers_metrics import error_rates
from matching.fingerprint import FingerQualityError, loader
from matching.fingerprint.extract import _detect_batch, prepare, template_from_detections
from matching.thresholds import value


def _runner(version: str, v1_threads: int | None = None) -> Any:
    if version == "1.0":
        r = loader.build("onnxruntime", threads=v1_threads)
        r.batched = True  # type: ignore[attr-defined]
        return r
    return loader.build("openvino", threads=1)


def _extract(runner: Any, images: list[np.ndarray]) -> tuple[list[np.ndarray], list[Any], float,
                                                              float]:
    cpu, wall = time.process_time(), time.perf_counter()
    dets: list[np.ndarray] = []
    for s in range(0, len(images), 10):  # ten-finger packets
        packet = images[s:s + 10]
        if runner.batched:
            dets += _detect_batch(runner, packet)
        else:
            dets += [d for im in packet for d in _detect_batch(runner, [im])]
    tpls: list[Any] = []
    for d in dets:
        try:
            tpls.append(template_from_detections(d))
        except FingerQualityError as err:
            tpls.append(err)
    return dets, tpls, time.process_time() - cpu, time.perf_counter() - wall


def _rates(keys: list[tuple[int, int]], tpls: list[Any]) -> dict[str, float]:
    tpl = dict(zip(keys, tpls, strict=True))
    genuine, impostor = [], []
    ks = sorted(tpl)
    for a in range(len(ks)):
        for b in range(a + 1, len(ks)):
            s = _score(tpl[ks[a]], tpl[ks[b]])
            (genuine if ks[a][0] == ks[b][0] else impostor).append(s)
    return error_rates(np.array(genuine), np.array(impostor))


def _agreement(ref: list[np.ndarray], new: list[np.ndarray]) -> float:
    q = value("finger.leader_quality")
    found = total = 0
    for r, n in zip(ref, new, strict=True):
        r, n = r[r[:, 3] >= q], n[n[:, 3] >= q]
        for x, y, ang, _ in r:
            d = np.hypot(n[:, 0] - x, n[:, 1] - y)
            da = np.abs(np.angle(np.exp(1j * (n[:, 2] - ang))))
            found += int(np.any((d <= 2) & (da <= 0.2)))
            total += 1
    return found / max(1, total)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path("../shared/data/fingerprints"))
    ap.add_argument("--out", type=Path, default=Path("bench/out/extractor_compare.json"))
    ap.add_argument("--sets", default="*_B", help="glob of the sets under --root")
    ap.add_argument("--v1-threads", type=int, default=None,
                    help="onnxruntime threads of 1.0 (default: HAWIYA_ONNX_THREADS or the CPU "
                         "count, as the service ran it); 1 for a per-core comparison")
    args = ap.parse_args()
    runners = {"1.0": _runner("1.0", args.v1_threads), "2.0": _runner("2.0")}
    rows = []
    for db in sorted(args.root.glob(args.sets)):
        items = list_db(db)
        dpi = db_dpi(db)
        images = [prepare(load_image(it.path), dpi) for it in items]
        keys = [(it.finger, it.impression) for it in items]
        t = time.perf_counter()
        _detect_batch(runners["2.0"], [images[0]])  # compile this size (cached afterwards)
        compile_s = time.perf_counter() - t
        _detect_batch(runners["1.0"], images[:1])
        out: dict[str, Any] = {}
        for v in ("1.0", "2.0"):
            dets, tpls, cpu, wall = _extract(runners[v], images)
            out[v] = {"dets": dets, "cpu_per_packet": cpu / (len(images) / 10),
                      "wall_per_packet": wall / (len(images) / 10), **_rates(keys, tpls),
                      "fte": sum(isinstance(x, FingerQualityError) for x in tpls)}
        row = {"db": db.name, "images": len(images), "openvino_compile_s": round(compile_s, 2),
               "minutiae_agreement": round(_agreement(out["1.0"]["dets"], out["2.0"]["dets"]), 4)}
        for v in ("1.0", "2.0"):
            o = out[v]
            row[v] = {k: round(float(o[k]), 4) for k in ("cpu_per_packet", "wall_per_packet",
                                                          "eer", "fmr100", "fmr1000")}
            row[v]["fte"] = int(o["fte"])
        row["cpu_ratio"] = round(row["1.0"]["cpu_per_packet"] / row["2.0"]["cpu_per_packet"], 2)
        rows.append(row)
        print(json.dumps(row), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"onnx_threads_1.0": args.v1_threads or loader.onnx_threads(),
                                    "sets": rows},
                                   indent=2))
    print("| set | CPU-s/packet 1.0 | 2.0 | ratio | EER 1.0 | EER 2.0 | FMR1000 1.0 | 2.0 | "
          "minutiae kept |")
    for r in rows:
        a, b = r["1.0"], r["2.0"]
        print(f"| {r['db']} | {a['cpu_per_packet']:.2f} | {b['cpu_per_packet']:.2f} | "
              f"{r['cpu_ratio']:.2f}x | {a['eer']:.2%} | {b['eer']:.2%} | {a['fmr1000']:.2%} | "
              f"{b['fmr1000']:.2%} | {r['minutiae_agreement']:.1%} |")


if __name__ == "__main__":
    main()
