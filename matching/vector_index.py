"""1:N search over face vectors, ids = database keys (int64), distances L2 (lower = closer).

``VectorIndex`` is the interface the rest of the service codes against; ``FaissVectorIndex`` is
the embedded engine (a national deployment plugs a distributed engine behind the same protocol,
chosen by ``make_index(engine=...)``).

The FAISS index is exact (``IndexIDMap2(IndexFlatL2)``) while the gallery is small. When it grows
past ``IndexTuning.approx_min_size`` it is rebuilt once as an inverted file (``IndexIVFFlat``,
k-means trained on the gallery itself, ``nlist = lists_per_sqrt * sqrt(n)``) searched in a
fixed fraction of its lists (``probe_fraction``), and retrained when the gallery has grown
``retrain_growth`` times since. IVF because it removes ids in place (HNSW cannot), and because
on dlib-like vectors it reached the mates' recall sooner than HNSW did (``bench/search_bench``).
The face values are rows ``face.index.*`` of ``matching/thresholds.py``.

The index is a derived cache of the database: callers add vectors after the commit, and on start
reconcile ``ids()`` with the database. Not thread-safe by itself for writers; an internal lock
serialises every call.
"""

from __future__ import annotations

import json
import math
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import faiss
import numpy as np

from matching import thresholds
from matching.face import FACE_DIM, FACE_EXTRACTOR, FACE_EXTRACTOR_VERSION
from matching.snapshot import SnapshotError, read_snapshot, write_snapshot

SNAPSHOT_FORMAT = "faiss-vec-v1"
FACE_SPACE = f"{FACE_EXTRACTOR}/{FACE_EXTRACTOR_VERSION}"


@runtime_checkable
class VectorIndex(Protocol):
    """A 1:N vector index keyed by int64 database ids; distances are L2, lower is closer."""

    dim: int

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...
    def remove(self, ids: np.ndarray) -> int: ...
    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...
    def ids(self) -> np.ndarray: ...
    def __len__(self) -> int: ...
    def save(self, path: Path) -> None: ...


@dataclass(frozen=True)
class IndexTuning:
    """When the exact index turns approximate, and how the IVF is shaped and searched."""

    approx_min_size: int
    lists_per_sqrt: float
    probe_fraction: float  # share of the IVF lists scanned per search, in (0, 1]
    retrain_growth: float

    def nprobe(self, nlist: int) -> int:
        return max(1, min(nlist, math.ceil(self.probe_fraction * nlist)))

    @classmethod
    def face(cls) -> IndexTuning:
        """The face rows of the threshold table."""
        return cls(approx_min_size=int(thresholds.value("face.index.approx_min_size")),
                   lists_per_sqrt=thresholds.value("face.index.ivf_lists_per_sqrt"),
                   probe_fraction=thresholds.value("face.index.ivf_probe_fraction"),
                   retrain_growth=thresholds.value("face.index.ivf_retrain_growth"))


def _check_ids(ids: np.ndarray | list[int]) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"ids must be a 1-d integer array, got {arr.dtype} {arr.shape}")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < 0:
        raise ValueError("ids must be non-negative database keys")
    return arr


class FaissVectorIndex:
    """FAISS engine: exact while small, IVF past ``face.index.approx_min_size`` vectors."""

    def __init__(self, dim: int = 128, *, space: str = "",
                 tuning: IndexTuning | None = None) -> None:
        """``space`` names what the vectors are (e.g. ``"dlib_resnet_v1/1"``); checked on load.

        ``tuning`` defaults to the face rows of the threshold table.
        """
        self.dim = dim
        self.space = space
        self.tuning = tuning or IndexTuning.face()
        self._lock = threading.RLock()
        self._index: faiss.Index = faiss.IndexIDMap2(faiss.IndexFlatL2(dim))
        self._ids = np.empty(0, dtype=np.int64)  # sorted mirror of the ids in the index
        self._trained_size = 0  # gallery size the IVF quantizer was trained on (0: exact)

    # --- queries -------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._ids.size)

    def __contains__(self, id_: int) -> bool:
        pos = np.searchsorted(self._ids, id_)
        return bool(pos < self._ids.size and self._ids[pos] == id_)

    @property
    def is_exact(self) -> bool:
        return self._trained_size == 0

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
            dist2, ids = self._index.search(x, k)
        return ids, np.sqrt(np.maximum(dist2, 0.0))

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
            self._index.add_with_ids(x, ids)
            self._ids = np.union1d(self._ids, ids)
            self._maybe_rebuild()

    def remove(self, ids: np.ndarray) -> int:
        """Remove ``ids`` (absent ones are ignored); returns how many were removed."""
        ids = _check_ids(ids)
        with self._lock:
            present = ids[np.isin(ids, self._ids)]
            if present.size == 0:
                return 0
            # IVF's hashtable direct map only takes an explicit array; IDMap2 wants a set.
            sel = (faiss.IDSelectorBatch(present) if self.is_exact
                   else faiss.IDSelectorArray(present.size, faiss.swig_ptr(present)))
            removed = int(self._index.remove_ids(sel))
            self._ids = np.setdiff1d(self._ids, present, assume_unique=True)
            return removed

    # --- persistence ---------------------------------------------------------------------
    def save(self, path: Path, *, crash_at: str | None = None) -> None:
        """Atomic snapshot (tmp + fsync + rename, checksummed); see ``matching.snapshot``."""
        with self._lock:
            meta = json.dumps({"dim": self.dim, "space": self.space,
                               "trained_size": self._trained_size}).encode()
            blob = faiss.serialize_index(self._index).tobytes()
        write_snapshot(Path(path), struct.pack("<I", len(meta)) + meta + blob, SNAPSHOT_FORMAT,
                       crash_at=crash_at)

    @classmethod
    def load(cls, path: Path, *, space: str | None = None,
             tuning: IndexTuning | None = None) -> FaissVectorIndex:
        """Read a snapshot; ``SnapshotError`` if truncated, corrupt or of another ``space``."""
        payload = read_snapshot(Path(path), SNAPSHOT_FORMAT)
        try:
            (n,) = struct.unpack_from("<I", payload)
            meta = json.loads(payload[4 : 4 + n])
            index = faiss.deserialize_index(np.frombuffer(payload[4 + n :], dtype=np.uint8))
        except Exception as exc:
            raise SnapshotError(f"{Path(path).name}: unreadable index ({exc})") from exc
        if space is not None and meta["space"] != space:
            raise SnapshotError(f"{Path(path).name}: vectors of {meta['space']!r}, "
                                f"expected {space!r}")
        if index.d != meta["dim"]:
            raise SnapshotError(f"{Path(path).name}: dimension mismatch")
        self = cls.__new__(cls)
        FaissVectorIndex.__init__(self, meta["dim"], space=meta["space"], tuning=tuning)
        self._index = index
        self._trained_size = int(meta["trained_size"])
        if self._trained_size:
            ivf = faiss.extract_index_ivf(index)
            ivf.nprobe = self.tuning.nprobe(ivf.nlist)
        self._ids = np.sort(self._stored_ids())
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

    def _stored_ids(self) -> np.ndarray:
        if isinstance(self._index, faiss.IndexIDMap2):
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        invlists: Any = faiss.extract_index_ivf(self._index).invlists
        parts = [faiss.rev_swig_ptr(invlists.get_ids(lst), invlists.list_size(lst)).copy()
                 for lst in range(invlists.nlist) if invlists.list_size(lst)]
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)

    def _all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids (n,), vectors (n, dim)) of everything stored, in storage order."""
        if isinstance(self._index, faiss.IndexIDMap2):
            flat: Any = faiss.downcast_index(self._index.index)
            xb = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * self.dim)
            return self._stored_ids(), xb.reshape(-1, self.dim).copy()
        invlists: Any = faiss.extract_index_ivf(self._index).invlists
        ids, vecs = [], []
        for lst in range(invlists.nlist):
            size = invlists.list_size(lst)
            if size:
                ids.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
                codes = faiss.rev_swig_ptr(invlists.get_codes(lst), size * invlists.code_size)
                vecs.append(codes.copy().view(np.float32).reshape(size, self.dim))
        return np.concatenate(ids).astype(np.int64), np.vstack(vecs)

    def _maybe_rebuild(self) -> None:
        n = len(self)
        if self.is_exact and n < self.tuning.approx_min_size:
            return
        if not self.is_exact and n < self.tuning.retrain_growth * self._trained_size:
            return
        self.rebuild_ivf()

    def rebuild_ivf(self) -> None:
        """Train a fresh IVF on the current vectors and move them into it (O(n) time and RAM)."""
        with self._lock:
            ids, x = self._all_vectors()
            n = x.shape[0]
            nlist = max(1, min(int(self.tuning.lists_per_sqrt * math.sqrt(n)), n // 39))
            ivf = faiss.IndexIVFFlat(faiss.IndexFlatL2(self.dim), self.dim, nlist)
            ivf.cp.seed = 1234
            # 40 points per centroid, as FAISS recommends; more only slows k-means down.
            sample = x if n <= 40 * nlist else x[np.random.default_rng(1234).choice(
                n, 40 * nlist, replace=False)]
            ivf.train(sample)
            # hashtable id -> (list, offset): removes and reconstructs without scanning lists
            ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
            ivf.add_with_ids(x, ids)
            ivf.nprobe = self.tuning.nprobe(nlist)
            self._index = ivf
            self._trained_size = n


class FaceIndex(FaissVectorIndex):
    """The FAISS index of face templates of the current extractor (128-d, ``FACE_SPACE``)."""

    def __init__(self, tuning: IndexTuning | None = None) -> None:
        super().__init__(FACE_DIM, space=FACE_SPACE, tuning=tuning)

    @classmethod
    def load(cls, path: Path, *, space: str | None = FACE_SPACE,
             tuning: IndexTuning | None = None) -> FaissVectorIndex:
        """Read a face snapshot; ``SnapshotError`` if bad or of another extractor version."""
        return super().load(path, space=space, tuning=tuning)


def make_index(engine: str = "faiss", dim: int = 128, *, space: str = "") -> VectorIndex:
    """A new empty index of the configured engine (``Settings.vector_engine``)."""
    if engine == "faiss":
        return FaissVectorIndex(dim, space=space)
    raise ValueError(f"unknown vector engine {engine!r}")


def load_index(path: Path, engine: str = "faiss", *, space: str | None = None) -> VectorIndex:
    """Load a snapshot written by ``save`` of the configured engine (``SnapshotError`` if bad)."""
    if engine == "faiss":
        return FaissVectorIndex.load(path, space=space)
    raise ValueError(f"unknown vector engine {engine!r}")


