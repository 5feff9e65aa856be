"""All-vs-all face search for a first national run: every face against every other at once.

Instead of one 1:N search per record, ``candidate_pairs`` finds for every face its ``k``
nearest other faces closer than ``max_distance`` (L2 of dlib encodings; lower is more similar),
in blocks of queries: an exact FAISS k-nearest-neighbour search of each block against the whole
set (``IndexFlatL2``: no approximation, so no neighbour is missed). A pair is kept when either
face has the other among its neighbours, so every face gets at least its own ``k`` nearest.
Bounding the neighbours, not only the distance, bounds the output: at 46 million faces any
radius wide enough for recall holds millions of strangers for each face, while ``k`` nearest
are what a 1:N search of that face would have proposed (``dedup.max_candidates``).

On a machine where FAISS sees GPUs the index is cloned to them (faiss-gpu, float16 storage);
otherwise it runs on the CPU (tests, small sets). ``pairs_by_record`` turns the pairs into each
record's earlier records: what an in-order import hands the decision unit as extra candidates
(``enrollment.batch.facepass``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from matching import thresholds


def _index(vectors: np.ndarray, gpu: bool | None) -> Any:
    import faiss

    index: Any = faiss.IndexFlatL2(vectors.shape[1])
    use_gpu = (faiss.get_num_gpus() > 0) if gpu is None else gpu
    if use_gpu:
        options = faiss.GpuMultipleClonerOptions()
        options.useFloat16 = True  # half the memory and twice the tensor-core rate
        options.shard = True  # 46M x 128 floats split over the GPUs, not copied to each
        index = faiss.index_cpu_to_all_gpus(index, co=options)
    index.add(vectors)
    return index


def candidate_pairs(vectors: np.ndarray, max_distance: float, k: int | None = None, *,
                    block: int | None = None, gpu: bool | None = None
                    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Pairs ``i < j`` of rows of ``vectors`` (N, 128) float32 where one of the two is among
    the other's ``k`` nearest (default ``dedup.max_candidates``) at L2 distance at most
    ``max_distance``, as blocks of arrays ``(i, j, distance)``. A pair may come twice (once
    from each side, in different blocks); ``pairs_by_record`` keeps it once.

    ``block``: queries per search (default ``face.pairs.block``). ``gpu``: None = GPUs when
    FAISS has them."""
    block = int(block or thresholds.value("face.pairs.block"))
    k = int(k or thresholds.value("dedup.max_candidates"))
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if x.ndim != 2 or len(x) < 2:
        return
    index = _index(x, gpu)
    want = min(k + 1, len(x))  # + the face itself
    bound = np.float32(max_distance) ** 2
    for start in range(0, len(x), block):
        q = x[start:start + block]
        dist2, labels = index.search(q, want)
        rows = np.repeat(np.arange(start, start + len(q)), want).reshape(len(q), want)
        keep = (labels >= 0) & (labels != rows) & (dist2 <= bound)
        if not keep.any():
            continue
        a, b = rows[keep].astype(np.int64), labels[keep].astype(np.int64)
        d = np.sqrt(np.maximum(dist2[keep], 0.0)).astype(np.float32)
        yield np.minimum(a, b), np.maximum(a, b), d


def pairs_by_record(vectors: np.ndarray, max_distance: float, k: int | None = None,
                    **kw: Any) -> dict[int, list[tuple[int, float]]]:
    """For each row, the earlier rows it pairs with (closest first, each once): what an
    in-order import hands the decision unit as a record's face candidates."""
    best: dict[int, dict[int, float]] = {}
    for i, j, d in candidate_pairs(vectors, max_distance, k, **kw):
        for a, b, dist in zip(i.tolist(), j.tolist(), d.tolist(), strict=True):
            seen = best.setdefault(b, {})
            seen[a] = min(dist, seen.get(a, dist))
    return {b: sorted(c.items(), key=lambda item: (item[1], item[0]))
            for b, c in best.items()}
