"""LFW folds 1-5 for the face evaluations: pair list, images, and a resumable encoding cache.

Encoding costs ~0.1-0.3 s per image on this machine, so every encoding is cached in one ``.npz``
under ``var/bench-cache`` (written to a temporary file and renamed every 100 images, so a killed
run resumes where it stopped). The cache key is the extractor version: a new version starts over.

Per image the cache keeps the vector, the box, the box size and how it was found:
``ok`` (exactly one usable face, as at enrollment), ``central`` (several faces: LFW labels the
centred one, so the box nearest the image centre is encoded) or ``fallback`` (no face found even
after upsampling: the fixed central LFW box is encoded, so every pair still gets a score).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from matching import face

log = logging.getLogger("bench.face_lfw")

LFW_CENTRAL_BOX: face.Box = (70, 180, 180, 70)  # LFW 250x250: face roughly centred
N_PAIR_LINES = 3000  # folds 1-5 of View 2 (10 folds x 600 lines in pairs.txt)


@dataclass(frozen=True)
class Pair:
    fold: int  # 1..5
    a: str  # image key "Name/Name_0001"
    b: str
    genuine: bool


def default_lfw() -> Path:
    base = Path(os.environ.get("HAWIYA_TEST_DATA", Path(__file__).resolve().parents[2] /
                               "shared" / "data"))
    return base / "faces" / "lfw"


def image_key(name: str, idx: int) -> str:
    return f"{name}/{name}_{idx:04d}"


def read_pairs(lfw: Path) -> list[Pair]:
    """The 3,000 pairs of folds 1-5 (300 genuine + 300 impostor per fold)."""
    lines = (lfw / "pairs.txt").read_text().splitlines()[1 : 1 + N_PAIR_LINES]
    pairs = []
    for i, line in enumerate(lines):
        parts = line.split()
        fold = i // 600 + 1
        if len(parts) == 3:
            pairs.append(Pair(fold, image_key(parts[0], int(parts[1])),
                              image_key(parts[0], int(parts[2])), True))
        else:
            pairs.append(Pair(fold, image_key(parts[0], int(parts[1])),
                              image_key(parts[2], int(parts[3])), False))
    return pairs


def all_image_keys(lfw: Path) -> list[str]:
    return sorted(f"{p.parent.name}/{p.stem}" for p in (lfw / "images").glob("*/*.jpg"))


def _encode_one(path: Path) -> tuple[np.ndarray, face.Box, str]:
    rgb = np.asarray(Image.open(path).convert("RGB"))
    try:
        enc = face.encode_face(rgb)
        return enc.vector, enc.box, "ok"
    except face.FaceQualityError as exc:
        boxes = face.detect_faces(rgb) if exc.reason != "no_face" else []
        if boxes:
            cy, cx = rgb.shape[0] / 2, rgb.shape[1] / 2
            box = min(boxes, key=lambda b: ((b[0] + b[2]) / 2 - cy) ** 2 +
                      ((b[1] + b[3]) / 2 - cx) ** 2)
            how = "central"
        else:
            box, how = LFW_CENTRAL_BOX, "fallback"
        return face.encode_face(rgb, box=box).vector, box, how


def _save(cache: Path, keys: list[str], vecs: list[np.ndarray], boxes: list[face.Box],
          hows: list[str]) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.name + ".tmp.npz")
    np.savez(tmp, keys=np.array(keys), vectors=np.array(vecs, dtype=np.float32).reshape(-1, 128),
             boxes=np.array(boxes, dtype=np.int32).reshape(-1, 4), how=np.array(hows),
             version=np.array(f"{face.FACE_EXTRACTOR}/{face.FACE_EXTRACTOR_VERSION}"))
    os.replace(tmp, cache)


def encode_all(lfw: Path, cache: Path) -> dict[str, np.ndarray]:
    """Encode every LFW image (resuming from ``cache``); returns the cache arrays."""
    keys: list[str] = []
    vecs: list[np.ndarray] = []
    boxes: list[face.Box] = []
    hows: list[str] = []
    version = f"{face.FACE_EXTRACTOR}/{face.FACE_EXTRACTOR_VERSION}"
    if cache.exists():
        old = np.load(cache)
        if str(old["version"]) == version:
            keys, vecs = list(old["keys"]), list(old["vectors"])
            boxes = [tuple(b) for b in old["boxes"].tolist()]
            hows = list(old["how"])
    done = set(keys)
    todo = [k for k in all_image_keys(lfw) if k not in done]
    t0 = time.perf_counter()
    for i, key in enumerate(todo, 1):
        vec, box, how = _encode_one(lfw / "images" / f"{key}.jpg")
        keys.append(key)
        vecs.append(vec)
        boxes.append(box)
        hows.append(how)
        if i % 100 == 0 or i == len(todo):
            _save(cache, keys, vecs, boxes, hows)
            rate = (time.perf_counter() - t0) / i
            log.info("encoded %d/%d (%.3f s/image, %s)", i, len(todo), rate,
                     "done" if i == len(todo) else f"~{rate * (len(todo) - i) / 60:.1f} min left")
    data = dict(np.load(cache))
    data["seconds_per_image"] = np.array((time.perf_counter() - t0) / len(todo) if todo else np.nan)
    return data


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    encode_all(default_lfw(), Path("var/bench-cache/lfw_faces.npz"))
