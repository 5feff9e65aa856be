"""1:N search over face vectors, ids = database keys (int64), distances L2 (lower = closer).

``FaissVectorIndex`` is the in-process engine (``FaceIndex`` for the face templates); the
gallery chooses between it and the shared engine (``identity.biometrics.gallery_engine``).

Every vector is kept exactly in ``IndexIDMap2(IndexFlatL2)``, and while the gallery is small
search is exhaustive over it. Past ``IndexTuning.approx_min_size`` vectors a compressed copy is
built: a 4-bit product quantizer scanned with SIMD "fast scan" (``IndexPQFastScan``, ``pq_m / 2``
bytes a vector), whose best ``k * refine_factor`` candidates are re-ranked with the exact vectors,
so returned distances are exact. The quantizer is trained on the gallery and retrained when it
has grown ``retrain_growth`` times. FAISS's fast-scan codes do not survive ``remove_ids`` (a
vector added after a removal is never found again: faiss-cpu 1.x), so removed or replaced ids
stay in the compressed copy as stale entries that the exact re-rank drops, and the copy is
re-encoded once they pass ``face.index.stale_share`` of the gallery.

Why not IVF or HNSW: on dlib-like vectors a mate sits about half as far from its probe as a
stranger does, so it often falls across an IVF cell boundary or off the HNSW path; at 1M both
needed to scan a large share of the gallery to keep 99.9% of the mates. A compressed scan over
everyone has no such boundary (numbers in ``bench/search_bench.py``'s output). The face values
are rows ``face.index.*`` of ``matching/thresholds.py``.

The index is a derived cache of the database: callers add vectors after the commit, and on start
reconcile ``ids()`` with the database. An internal lock serialises every call.
"""

from __future__ import annotations

import json
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from matching import thresholds
from matching.face import FACE_DIM, FACE_EXTRACTOR, FACE_EXTRACTOR_VERSION
from matching.snapshot import SnapshotError, read_snapshot, write_snapshot

SNAPSHOT_FORMAT = "faiss-vec-v2"
FACE_SPACE = f"{FACE_EXTRACTOR}/{FACE_EXTRACTOR_VERSION}"
_PQ_BITS = 4  # FAISS's fast-scan PQ codes are 4-bit


@dataclass(frozen=True)
class IndexTuning:
    """When the exact scan gets a compressed first pass, and how that pass is shaped."""

    approx_min_size: int
    pq_m: int  # sub-quantizers of the 4-bit PQ (bytes per vector = pq_m / 2; divides dim)
    refine_factor: int  # compressed candidates re-ranked exactly = k * refine_factor
    retrain_growth: float

    @classmethod
    def face(cls) -> IndexTuning:
        """The face rows of the threshold table."""
        return cls(approx_min_size=int(thresholds.value("face.index.approx_min_size")),
                   pq_m=int(thresholds.value("face.index.pq_m")),
                   refine_factor=int(thresholds.value("face.index.refine_factor")),
                   retrain_growth=thresholds.value("face.index.retrain_growth"))


def _check_ids(ids: np.ndarray | list[int]) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"ids must be a 1-d integer array, got {arr.dtype} {arr.shape}")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < 0:
        raise ValueError("ids must be non-negative database keys")
    return arr


class FaissVectorIndex:
    """FAISS engine: exact scan while small, PQ fast-scan + exact re-rank past a size."""

    def __init__(self, dim: int = 128, *, space: str = "",
                 tuning: IndexTuning | None = None) -> None:
        """``space`` names what the vectors are (e.g. ``"dlib_resnet_v1/1"``); checked on load.

        ``tuning`` defaults to the face rows of the threshold table.
        """
        self.dim = dim
        self.space = space
        self.tuning = tuning or IndexTuning.face()
        self._lock = threading.RLock()
        self._exact: Any = faiss.IndexIDMap2(faiss.IndexFlatL2(dim))
        self._pq: Any = None  # IndexIDMap(IndexPQFastScan) once past approx_min_size
        self._stale = 0  # entries of _pq whose id was removed or replaced since it was built
        self._ids = np.empty(0, dtype=np.int64)  # sorted mirror of the ids in the index
        self._trained_size = 0  # gallery size the PQ was trained on (0: exact only)

    # --- queries -------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._ids.size)

    def __bool__(self) -> bool:
        return self._ids.size > 0

    def __contains__(self, id_: int) -> bool:
        pos = np.searchsorted(self._ids, id_)
        return bool(pos < self._ids.size and self._ids[pos] == id_)

    @property
    def is_exact(self) -> bool:
        return self._pq is None

    def ids(self) -> np.ndarray:
        """Every id in the index, sorted ascending (int64 copy)."""
        with self._lock:
            return self._ids.copy()

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest ids to ``vector`` (dim,), as (id, L2 distance), closest first."""
        ids, dists = self.search_batch(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        return [(int(i), float(d)) for i, d in zip(ids[0], dists[0], strict=True) if i >= 0]

    def search_batch(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(n, dim) queries -> ids (n, k) int64 (-1 where fewer exist), L2 distances (n, k)."""
        x = self._check_vectors(vectors)
        if k < 1:
            raise ValueError("k must be at least 1")
        with self._lock:
            if self._pq is None or len(self) == 0:
                dist2, ids = self._exact.search(x, k)
                return ids, np.sqrt(np.maximum(dist2, 0.0))
            # widen the candidate list by the share of stale entries in the compressed copy
            wanted = k * self.tuning.refine_factor * self._pq.ntotal / len(self)
            _, cand = self._pq.search(x, min(self._pq.ntotal, int(np.ceil(wanted))))
            out_ids = np.full((len(x), k), -1, np.int64)
            out_d = np.full((len(x), k), np.inf, np.float32)
            for row, (q, c) in enumerate(zip(x, cand, strict=True)):
                c = np.unique(c[c >= 0])
                c = c[self._ids[np.minimum(np.searchsorted(self._ids, c), len(self) - 1)] == c]
                d = np.linalg.norm(self._exact.reconstruct_batch(c) - q, axis=1)
                best = np.argsort(d, kind="stable")[:k]
                out_ids[row, : best.size] = c[best]
                out_d[row, : best.size] = d[best]
            return out_ids, out_d

    # --- writes --------------------------------------------------------------------------
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add ``vectors`` (n, dim) under ``ids`` (n,); an id already present is replaced."""
        ids = _check_ids(ids)
        x = self._check_vectors(vectors)
        if ids.size != x.shape[0]:
            raise ValueError(f"{ids.size} ids for {x.shape[0]} vectors")
        if np.unique(ids).size != ids.size:
            raise ValueError("duplicate ids in one add")
        if ids.size == 0:
            return
        with self._lock:
            self.remove(ids)
            self._exact.add_with_ids(x, ids)
            if self._pq is not None:
                self._pq.add_with_ids(x, ids)  # stale copies of replaced ids were counted
            self._ids = np.union1d(self._ids, ids)
            self._maybe_rebuild()

    def remove(self, ids: np.ndarray) -> int:
        """Remove ``ids`` (absent ones are ignored); returns how many were removed."""
        ids = _check_ids(ids)
        with self._lock:
            present = ids[np.isin(ids, self._ids)]
            if present.size == 0:
                return 0
            removed = int(self._exact.remove_ids(faiss.IDSelectorBatch(present)))
            self._ids = np.setdiff1d(self._ids, present, assume_unique=True)
            if self._pq is not None:
                self._stale += removed
                if self._stale > thresholds.value("face.index.stale_share") * len(self):
                    self.rebuild_compressed()
            return removed

    # --- persistence ---------------------------------------------------------------------
    def save(self, path: Path, *, crash_at: str | None = None) -> None:
        """Atomic snapshot (tmp + fsync + rename, checksummed); see ``matching.snapshot``."""
        with self._lock:
            blobs = [faiss.serialize_index(self._exact).tobytes()]
            if self._pq is not None:
                blobs.append(faiss.serialize_index(self._pq).tobytes())
            meta = json.dumps({"dim": self.dim, "space": self.space,
                               "trained_size": self._trained_size, "stale": self._stale,
                               "blobs": [len(b) for b in blobs]}).encode()
        payload = b"".join([struct.pack("<I", len(meta)), meta, *blobs])
        write_snapshot(Path(path), payload, SNAPSHOT_FORMAT, crash_at=crash_at)

    @classmethod
    def load(cls, path: Path, *, space: str | None = None,
             tuning: IndexTuning | None = None) -> FaissVectorIndex:
        """Read a snapshot; ``SnapshotError`` if truncated, corrupt or of another ``space``."""
        name = Path(path).name
        payload = read_snapshot(Path(path), SNAPSHOT_FORMAT)
        try:
            (n,) = struct.unpack_from("<I", payload)
            meta = json.loads(payload[4 : 4 + n])
            indexes, at = [], 4 + n
            for size in meta["blobs"]:
                blob = np.frombuffer(payload, np.uint8, count=size, offset=at)
                indexes.append(faiss.deserialize_index(blob))
                at += size
        except Exception as exc:
            raise SnapshotError(f"{name}: unreadable index ({exc})") from exc
        if space is not None and meta["space"] != space:
            raise SnapshotError(f"{name}: vectors of {meta['space']!r}, expected {space!r}")
        if any(ix.d != meta["dim"] for ix in indexes) or (
                len(indexes) > 1 and indexes[1].ntotal != indexes[0].ntotal + meta["stale"]):
            raise SnapshotError(f"{name}: inconsistent index parts")
        self = cls.__new__(cls)
        FaissVectorIndex.__init__(self, meta["dim"], space=meta["space"], tuning=tuning)
        self._exact = indexes[0]
        self._pq = indexes[1] if len(indexes) > 1 else None
        self._trained_size = int(meta["trained_size"])
        self._stale = int(meta["stale"])
        self._ids = np.sort(faiss.vector_to_array(self._exact.id_map).astype(np.int64))
        return self

    # --- internals -----------------------------------------------------------------------
    def _check_vectors(self, vectors: np.ndarray) -> np.ndarray:
        x = np.asarray(vectors, dtype=np.float32)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"vectors must be (n, {self.dim}), got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError("vectors hold non-finite values")
        return np.ascontiguousarray(x)

    def _all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids (n,), vectors (n, dim)) of everything stored, in storage order."""
        flat: Any = faiss.downcast_index(self._exact.index)
        xb = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * self.dim)
        ids = faiss.vector_to_array(self._exact.id_map).astype(np.int64)
        return ids, xb.reshape(-1, self.dim).copy()

    def _maybe_rebuild(self) -> None:
        n = len(self)
        if self._pq is None and n < self.tuning.approx_min_size:
            return
        if self._pq is not None and n < self.tuning.retrain_growth * self._trained_size:
            return
        self.rebuild_compressed()

    def rebuild_compressed(self) -> None:
        """Train a fresh PQ on the current vectors and encode them all (O(n) time); below
        ``approx_min_size`` vectors drop the compressed copy and scan exactly."""
        with self._lock:
            ids, x = self._all_vectors()
            if len(x) < self.tuning.approx_min_size:
                self._pq, self._stale, self._trained_size = None, 0, 0
                return
            want = int(thresholds.value("face.index.train_sample"))
            sample = x if len(x) <= want else x[np.random.default_rng(1234).choice(
                len(x), want, replace=False)]
            pq = faiss.IndexPQFastScan(self.dim, self.tuning.pq_m, _PQ_BITS)
            # One OpenMP thread: with the 2 shared cores busy, OpenMP's spinning made this
            # training 20x slower (21 s vs 1 s for 20k vectors) than running on one thread.
            threads = faiss.omp_get_max_threads()
            faiss.omp_set_num_threads(1)
            try:
                pq.train(sample)
                pq_map: Any = faiss.IndexIDMap(pq)
                pq_map.add_with_ids(x, ids)
            finally:
                faiss.omp_set_num_threads(threads)
            self._pq = pq_map
            self._stale = 0
            self._trained_size = len(x)


class FaceIndex(FaissVectorIndex):
    """The FAISS index of face templates of the current extractor (128-d, ``FACE_SPACE``)."""

    def __init__(self, tuning: IndexTuning | None = None) -> None:
        super().__init__(FACE_DIM, space=FACE_SPACE, tuning=tuning)

    @classmethod
    def load(cls, path: Path, *, space: str | None = FACE_SPACE,
             tuning: IndexTuning | None = None) -> FaissVectorIndex:
        """Read a face snapshot; ``SnapshotError`` if bad or of another extractor version."""
        return super().load(path, space=space, tuning=tuning)

