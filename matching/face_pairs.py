"""All-vs-all face search for a first national run: every face against every other at once.

Instead of one 1:N search per record, ``candidate_pairs`` finds every pair of faces closer
than ``max_distance`` (L2 of dlib encodings; lower is more similar) in blocks: an exact
FAISS range search of each block of queries against the whole set (``IndexFlatL2``: no
approximation, so nothing is missed that the distance admits). On a machine where FAISS sees
GPUs the index is cloned to them (faiss-gpu); otherwise it runs on the CPU (tests, small sets).
The pairs go to the decision unit as candidates, exactly as a search's candidates would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from matching import thresholds


def _index(vectors: np.ndarray, gpu: bool | None) -> object:
    import faiss

    index: Any = faiss.IndexFlatL2(vectors.shape[1])
    use_gpu = (faiss.get_num_gpus() > 0) if gpu is None else gpu
    if use_gpu:
        index = faiss.index_cpu_to_all_gpus(index)
    index.add(vectors)
    return index


def candidate_pairs(vectors: np.ndarray, max_distance: float, *, block: int | None = None,
                    gpu: bool | None = None) -> Iterator[tuple[np.ndarray, np.ndarray,
                                                              np.ndarray]]:
    """Every pair ``i < j`` of rows of ``vectors`` (N, 128) float32 with L2 distance at most
    ``max_distance``, as blocks of arrays ``(i, j, distance)``; i ascending within a block.

    FAISS range search compares squared L2 with a strict ``<``; the bound is nudged so a pair
    exactly at ``max_distance`` is kept. ``block``: queries per range search (default
    ``face.pairs.block``). ``gpu``: None = GPUs when FAISS has them."""
    block = int(block or thresholds.value("face.pairs.block"))
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if x.ndim != 2 or len(x) < 2:
        return
    index = _index(x, gpu)
    radius = float(np.nextafter(np.float32(max_distance) ** 2, np.float32(np.inf)))
    for start in range(0, len(x), block):
        q = x[start:start + block]
        lims, dist2, labels = index.range_search(q, radius)  # type: ignore[attr-defined]
        rows = np.repeat(np.arange(start, start + len(q)), np.diff(lims).astype(np.int64))
        keep = labels > rows  # each pair once, never a face with itself
        if keep.any():
            yield (rows[keep].astype(np.int64), labels[keep].astype(np.int64),
                   np.sqrt(np.maximum(dist2[keep], 0.0)).astype(np.float32))


def pairs_by_record(vectors: np.ndarray, max_distance: float, **kw: object
                    ) -> dict[int, list[tuple[int, float]]]:
    """For each row, the earlier rows it pairs with (closest first): what an in-order import
    hands the decision unit as a record's face candidates."""
    out: dict[int, list[tuple[int, float]]] = {}
    for i, j, d in candidate_pairs(vectors, max_distance, **kw):  # type: ignore[arg-type]
        for a, b, dist in zip(i.tolist(), j.tolist(), d.tolist(), strict=True):
            out.setdefault(b, []).append((a, dist))
    for cands in out.values():
        cands.sort(key=lambda c: c[1])
    return out
