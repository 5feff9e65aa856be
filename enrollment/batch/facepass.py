"""The all-vs-all mode of an import (``hawiya import --all-vs-all``): every face of the source
against every other at once, before any record is decided.

1. **Face pass**: the workers (local pool or Ray, ``job.stream``) read each record and extract
   its face only (``worker.prepare_face``: ~5% of a record's extraction). The vectors are kept
   under the data directory (``DATA_DIR/imports/job-N-REGISTER/face_vectors.npz``, never the
   report folder ``--out``: record keys and 128 floats each, no image), saved every
   ``SAVE_EVERY`` records, so a killed pass resumes where it stopped and a killed import does
   not redo it; the file is removed when the run ends (a later run of the same source, e.g.
   for completed holds, does its face pass again). An unreadable file is started over.
2. **All-vs-all** (``matching.face_pairs``, on the GPUs when FAISS has them): each face's
   nearest faces within ``face.pairs.max_distance``, kept as each record's *earlier* records.
3. **Decisions**, in the source's order as always (``writer.commit_record``): a record's
   earlier paired records, resolved to their owners at that moment (the person an issued or
   matched record belongs to, or the held packet of a record in review), join the candidates
   of the one decision unit (``dedup.assess``, ``also``), scored 1:1 and weighed like any
   search candidate. The usual index search still runs, so the gallery from before the job is
   searched as always; the pairs add exact recall inside the batch and never decide alone.

Memory: the pass holds every vector of the source, 512 bytes a record (23.5 GB for 46M, on
the machine that runs the job); the pairs hold at most ``dedup.max_candidates`` per record.
"""

from __future__ import annotations

import logging
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from enrollment.batch.records import Prepared, Task
from enrollment.batch.worker import prepare_face
from matching import face_pairs, thresholds

log = logging.getLogger("hawiya.import")
SAVE_EVERY = 1000
CACHE = "face_vectors.npz"
Stream = Callable[[list[Task], Callable[[Task], Prepared]], Iterator[Prepared]]


def _load(path: Path) -> dict[str, np.ndarray | None]:
    if not path.exists():
        return {}
    try:
        with np.load(path, allow_pickle=False) as z:
            keys, vectors, has = z["keys"].tolist(), z["vectors"], z["has"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # damaged: start over
        log.warning("face vectors in %s unreadable (%s): extracting them again", path, exc)
        return {}
    return {k: (vectors[i] if has[i] else None) for i, k in enumerate(keys)}


def discard(folder: Path) -> None:
    """Remove the saved face vectors of a finished run."""
    (folder / CACHE).unlink(missing_ok=True)


def _save(path: Path, found: dict[str, np.ndarray | None]) -> None:
    keys = list(found)
    vectors = np.zeros((len(keys), 128), np.float32)
    has = np.zeros(len(keys), bool)
    for i, k in enumerate(keys):
        v = found[k]
        if v is not None:
            vectors[i], has[i] = v, True
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, keys=np.array(keys, dtype=str), vectors=vectors, has=has)
    tmp.replace(path)  # a kill while saving leaves the previous file whole


def face_vectors(tasks: list[Task], stream: Stream, folder: Path
                 ) -> tuple[dict[str, np.ndarray | None], float]:
    """The face vector (or None) of every task, extracting only those not saved yet; and the
    CPU seconds the workers spent on this run's face pass."""
    path = folder / CACHE
    found = _load(path)
    todo = [t for t in tasks if t.key not in found]
    cpu = 0.0
    for n, prep in enumerate(stream(todo, prepare_face), start=1):
        face = prep.extracted.face_vector if prep.extracted is not None else None
        found[prep.key] = None if face is None else np.asarray(face, np.float32)
        cpu += prep.stages.get("face_pass", 0.0)
        if n % SAVE_EVERY == 0:
            _save(path, found)
    if todo:
        _save(path, found)
    return found, cpu


def earlier_pairs(tasks: list[Task], found: dict[str, np.ndarray | None], *,
                  gpu: bool | None = None) -> dict[str, list[str]]:
    """For each record key, the keys of the earlier records (in task order) whose faces pair
    with its face, closest first, at most ``dedup.max_candidates``."""
    keys = [t.key for t in tasks if found.get(t.key) is not None]
    if len(keys) < 2:
        return {}
    x = np.stack([found[k] for k in keys]).astype(np.float32)  # type: ignore[misc]
    by = face_pairs.pairs_by_record(x, thresholds.value("face.pairs.max_distance"), gpu=gpu)
    limit = int(thresholds.value("dedup.max_candidates"))
    return {keys[b]: [keys[a] for a, _ in cands[:limit]] for b, cands in by.items()}


def run(tasks: list[Task], stream: Stream, folder: Path) -> tuple[dict[str, list[str]],
                                                                   dict[str, Any]]:
    """Face pass and all-vs-all for ``tasks`` (the whole source, in order); the pairs by
    record key and what the report says about them."""
    found, cpu = face_vectors(tasks, stream, folder)
    started = time.perf_counter()
    pairs = earlier_pairs(tasks, found)
    seconds = time.perf_counter() - started
    faces = sum(v is not None for v in found.values())
    log.info("all-vs-all: %d faces, %d records with earlier pairs, %.1f s", faces, len(pairs),
             seconds)
    return pairs, {"faces": faces, "records_with_pairs": len(pairs),
                   "pairs": sum(len(v) for v in pairs.values()),
                   "pairs_s": round(seconds, 3), "face_pass_cpu_s": round(cpu, 3)}
