"""FVC B-set loading and a cache of raw LEADER detections for the fingerprint benches.

Raw detections (every LEADER output with quality > 0, at 500 dpi, engine angle convention) are
cached per image under ``var/bench-cache/fingers/<set>-v<version>-<backend>/`` (the extractor
version and the LEADER backend, so comparing backends never reads the other one's detections),
so threshold and matcher experiments never re-run the network.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matching.fingerprint import EXTRACTOR_VERSION, loader
from matching.fingerprint.extract import detect, prepare

log = logging.getLogger(__name__)
CACHE = Path("var/bench-cache/fingers")
_NAME = re.compile(r"^(\d+)_(\d+)\.tif$")


@dataclass(frozen=True)
class Impression:
    finger: int
    impression: int
    path: Path


def db_dpi(db: Path) -> int:
    """FVC2002 DB2 is 569 dpi; every other set here is 500 dpi."""
    return 569 if "2002_DB2" in db.name.upper() else 500


def list_db(db: Path) -> list[Impression]:
    out = []
    for p in sorted(db.iterdir()):
        m = _NAME.match(p.name)
        if m:
            out.append(Impression(int(m.group(1)), int(m.group(2)), p))
    if not out:
        raise FileNotFoundError(f"no NNN_I.tif images in {db}")
    return out


def load_image(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("L"))


def detections(db: Path, cache: Path | None = CACHE, batch: int = 8) -> dict[Path, np.ndarray]:
    """Raw LEADER detections (n, 4) for every image of ``db``; cached on disk."""
    items = list_db(db)
    backend = loader.resolve_backend()
    folder = None if cache is None else cache / f"{db.name}-v{EXTRACTOR_VERSION}-{backend}"
    result: dict[Path, np.ndarray] = {}
    todo = []
    for it in items:
        f = None if folder is None else folder / (it.path.stem + ".npy")
        if f is not None and f.exists():
            result[it.path] = np.load(f)
        else:
            todo.append(it)
    dpi = db_dpi(db)
    t0 = time.perf_counter()
    for s in range(0, len(todo), batch):
        chunk = todo[s : s + batch]
        dets = detect([prepare(load_image(it.path), dpi) for it in chunk])
        for it, det in zip(chunk, dets, strict=True):
            result[it.path] = det
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
                np.save(folder / (it.path.stem + ".npy"), det)
        log.info(
            "%s: %d/%d images, %.1fs", db.name, s + len(chunk), len(todo), time.perf_counter() - t0
        )
    return result


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for arg in sys.argv[1:]:
        detections(Path(arg))
