"""Calibrate "the same capture sent again": how close a re-sent image's template is to the one
on file, against how close two different captures of one person ever come.

Faces: LFW images, each re-encoded as a station might re-send it (JPEG quality 95 / 75 / 50, a
5% downscale); distances to the original's encoding, against the distances between different
photos of the same person (genuine pairs of folds 1-5). Fingers: FVC B impressions re-encoded
(PNG round trip, a 2% downscale at 500 dpi) against every genuine pair of different
impressions. Prints both distributions and writes bench/out/identical_calibration.json.

    .venv/bin/python -m bench.identical_calibrate --faces 150 --fingers 40
"""

from __future__ import annotations

import argparse
import io
import json
import random
from pathlib import Path

import numpy as np
from PIL import Image

from bench.face_lfw import default_lfw, read_pairs
from bench.fingers_data import db_dpi, list_db, load_image
from matching import face
from matching.fingerprint import compare, extract_templates


def _jpeg(rgb: np.ndarray, quality: int, scale: float = 1.0) -> np.ndarray:
    img = Image.fromarray(rgb)
    if scale != 1.0:
        img = img.resize((round(img.width * scale), round(img.height * scale)))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def _enc(rgb: np.ndarray) -> np.ndarray | None:
    try:
        return face.encode_face(rgb).vector
    except face.FaceQualityError:
        return None


def faces(n: int, seed: int) -> dict[str, list[float]]:
    lfw = default_lfw()
    pairs = [p for p in read_pairs(lfw) if p.genuine]
    random.Random(seed).shuffle(pairs)
    resent: list[float] = []
    genuine: list[float] = []
    for pair in pairs[:n]:
        a = np.asarray(Image.open(lfw / "images" / f"{pair.a}.jpg").convert("RGB"))
        b = np.asarray(Image.open(lfw / "images" / f"{pair.b}.jpg").convert("RGB"))
        va, vb = _enc(a), _enc(b)
        if va is None or vb is None:
            continue
        genuine.append(face.face_distance(va, vb))
        for q, s in ((95, 1.0), (75, 1.0), (50, 1.0), (90, 0.95)):
            vr = _enc(_jpeg(a, q, s))
            if vr is not None:
                resent.append(face.face_distance(va, vr))
    return {"resent": resent, "genuine_different_photos": genuine}


def fingers(root: Path, per_set: int) -> dict[str, list[float]]:
    resent: list[float] = []
    genuine: list[float] = []
    for db in sorted(root.glob("*_B")):
        dpi = db_dpi(db)
        by_finger: dict[int, list[np.ndarray]] = {}
        for imp in list_db(db):
            if imp.finger - 100 <= per_set // 2 and imp.impression <= 4:
                by_finger.setdefault(imp.finger, []).append(load_image(imp.path))
        for images in by_finger.values():
            originals = extract_templates(images, [dpi] * len(images))
            tpls = [t for t in originals if not isinstance(t, Exception)]
            for i in range(len(tpls)):
                for j in range(i + 1, len(tpls)):
                    genuine.append(float(compare(tpls[i], tpls[j])))
            small = [np.asarray(Image.fromarray(im).resize(
                (round(im.shape[1] * 0.98), round(im.shape[0] * 0.98)))) for im in images]
            again = extract_templates(images, [dpi] * len(images))
            shrunk = extract_templates(small, [round(dpi * 0.98)] * len(images))
            for o, r, s in zip(originals, again, shrunk, strict=True):
                if isinstance(o, Exception):
                    continue
                for x in (r, s):
                    if not isinstance(x, Exception):
                        resent.append(float(compare(o, x)))
    return {"resent": resent, "genuine_different_impressions": genuine}


def _summary(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values)
    return {"n": int(arr.size), "min": float(arr.min()), "p1": float(np.percentile(arr, 1)),
            "median": float(np.median(arr)), "p99": float(np.percentile(arr, 99)),
            "max": float(arr.max())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--faces", type=int, default=150)
    ap.add_argument("--fingers", type=int, default=40, help="fingers per FVC set")
    ap.add_argument("--root", type=Path, default=default_lfw().parents[1] / "fingerprints")
    ap.add_argument("--out", type=Path, default=Path("bench/out/identical_calibration.json"))
    args = ap.parse_args()
    f = faces(args.faces, 7)
    g = fingers(args.root, args.fingers)
    report = {"face_distance": {k: _summary(v) for k, v in f.items()},
              "finger_score": {k: _summary(v) for k, v in g.items()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
