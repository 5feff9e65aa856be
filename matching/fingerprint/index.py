"""1:N candidate search over compact cylinder codes in FAISS binary IVF indexes.

Each enrolled finger contributes up to 24 cylinder codes of 32 bytes (``codes``), stored in one
``faiss.IndexBinaryIVF`` per finger position with the finger's id (the caller's database key).
A probe's cylinder codes each fetch their nearest stored codes; every stored finger collects,
per probe cylinder, a vote that falls with Hamming distance, and fingers are ranked by their
summed votes (Cappelli-style cylinder voting). RAM is 40 bytes a code (FAISS stores an int64
id with each), so at most 960 bytes a finger plus 9 bytes of bookkeeping; full templates stay in
the database and the top candidates are re-scored 1:1 with ``compare`` (``matching.rescore``).

With ``nlist=1`` (the default) search is exhaustive over the codes; for large galleries call
``train`` on a sample of templates while the index is empty, then ``add``.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import params as P
from .codes import cylinder_codes

# Re-exported for identity.biometrics.milvus_store (its row in ``params``).
from .params import NEIGHBOURS_PER_CYLINDER as NEIGHBOURS_PER_CYLINDER
from .template import FingerTemplate

POSITIONS = range(0, 11)  # 0 = unknown, 1-10 = ISO/IEC 19794-4 finger positions
_FAISS_MIN_TRAIN = 39  # rows per list below which FAISS warns while training
_FMT = "hw-finger-idx1"
_MAGIC = b"HWFI"


@contextmanager
def _omp_threads(threads: int = 1) -> Iterator[None]:
    """FAISS OpenMP at one thread for our calls (more only for offline builds): with
    busy-waiting OpenMP workers a loaded 2-core machine is many times slower; a search gets
    its parallelism from the search pool's threads instead."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(int(threads))
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _new_ivf(nlist: int) -> Any:
    import faiss

    quantizer: Any = faiss.IndexBinaryFlat(P.CODE_BITS)
    ivf = faiss.IndexBinaryIVF(quantizer, P.CODE_BITS, nlist)
    ivf.own_fields = True
    quantizer.this.disown()
    return ivf


def _clone(index: Any) -> Any:
    import faiss

    return faiss.deserialize_index_binary(faiss.serialize_index_binary(index))


class FingerIndex:
    """Per-position FAISS binary IVF over cylinder codes; ids are caller database keys.

    Not thread-safe: the caller serialises ``add``/``remove`` with searches (one writer, as
    dedup decisions are serialised anyway). Reconcile with the database through ``ids()``.
    """

    def __init__(self, nlist: int = 1, nprobe: int = 1) -> None:
        self.nlist, self.nprobe = int(nlist), int(nprobe)
        self._template: Any = _new_ivf(self.nlist)
        if self.nlist == 1:
            self._template.train(np.zeros((_FAISS_MIN_TRAIN, P.CODE_BITS // 8), np.uint8))
        self._ivf: dict[int, Any] = {}
        self._ids = np.zeros(0, np.int64)
        self._pos = np.zeros(0, np.int8)
        self.trained_codes = 0  # codes at the largest position when the IVF was trained

    # -- building ---------------------------------------------------------------------------
    def train(self, templates: list[FingerTemplate]) -> None:
        """Train the IVF coarse quantizer on sample templates (only while empty)."""
        if len(self):
            raise ValueError("train() only on an empty index")
        self.train_codes(np.concatenate([cylinder_codes(t) for t in templates]))

    def train_codes(self, codes: np.ndarray) -> None:
        """``train`` from precomputed ``codes.cylinder_codes`` output."""
        if len(self):
            raise ValueError("train() only on an empty index")
        if len(codes) < self.nlist:
            raise ValueError(f"need at least {self.nlist} cylinder codes to train")
        with _omp_threads():
            self._template.train(codes)
        self._ivf.clear()

    def maybe_retune(self) -> bool:
        """Rebuild as (or re-train) an IVF when the gallery outgrew its layout; see ``ivf``."""
        from . import ivf as tuning

        def most_fingers() -> int:  # a count over every finger: only when it decides
            return int(np.bincount(self._pos.astype(np.int64)).max()) if len(self) else 0

        codes = max((int(ix.ntotal) for ix in self._ivf.values()), default=0)
        fingers = most_fingers() if self.nlist == 1 else 0  # an IVF follows its codes
        if not tuning.needs_retune(self.nlist, self.trained_codes, fingers, codes):
            return False
        self.retune(tuning.wanted_lists(fingers or most_fingers(), codes))
        return True

    def retune(self, nlist: int, nprobe: int | None = None) -> None:
        """Rebuild every position's index with ``nlist`` lists from the codes it holds."""
        from matching import thresholds

        from . import ivf as tuning

        parts = {pos: tuning.index_codes(ix) for pos, ix in self._ivf.items()}
        every = [c for c, _ in parts.values() if len(c)]
        template = _new_ivf(int(nlist))
        with _omp_threads():
            if nlist == 1:
                template.train(np.zeros((_FAISS_MIN_TRAIN, P.CODE_BITS // 8), np.uint8))
            else:
                template.train(tuning.training_sample(np.concatenate(every), int(nlist)))
        self._template, self._ivf, self.nlist = template, {}, int(nlist)
        self.nprobe = int(nprobe or (1 if nlist == 1 else thresholds.value("finger.index.nprobe")))
        with _omp_threads():
            for pos, (codes, ids) in parts.items():
                if len(codes):
                    self._index_for(pos).add_with_ids(codes, ids)
        self.trained_codes = max((len(c) for c in every), default=0)

    def _index_for(self, position: int) -> Any:
        if position not in self._ivf:
            ivf = _clone(self._template)
            ivf.nprobe = self.nprobe
            self._ivf[position] = ivf
        return self._ivf[position]

    def add(self, ids: np.ndarray, positions: list[int], templates: list[FingerTemplate]) -> None:
        """Add fingers (after their rows are committed). Re-adding an id replaces it."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if not len(ids) == len(positions) == len(templates):
            raise ValueError("ids, positions and templates differ in length")
        if any(int(p) not in POSITIONS for p in positions):
            raise ValueError("finger positions are 0 (unknown) or 1-10")
        self.remove(ids)
        by_pos: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        for fid, pos, tpl in zip(ids, positions, templates, strict=True):
            codes = cylinder_codes(tpl)
            acc = by_pos.setdefault(int(pos), ([], []))
            acc[0].append(codes)
            acc[1].append(np.full(len(codes), fid, np.int64))
        with _omp_threads():
            for pos, (codes_list, id_list) in by_pos.items():
                codes = np.concatenate(codes_list)
                if len(codes):
                    self._index_for(pos).add_with_ids(codes, np.concatenate(id_list))
        self._ids = np.concatenate([self._ids, ids])
        self._pos = np.concatenate([self._pos, np.asarray(positions, np.int8)])

    def add_codes(
        self,
        ids: np.ndarray,
        positions: list[int] | np.ndarray,
        codes: np.ndarray,
        counts: np.ndarray,
        threads: int = 1,
    ) -> None:
        """Bulk add precomputed ``codes.cylinder_codes`` output (rebuilds, workers, benches).

        ``codes`` is the concatenation of each finger's codes, ``counts[i]`` how many are
        finger ``ids[i]``'s. Ids must not be in the index yet. ``threads`` > 1 lets FAISS
        assign codes to IVF lists on that many OpenMP threads (offline builds only).
        """
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        counts = np.asarray(counts, dtype=np.int64)
        pos = np.asarray(positions, np.int8)
        if not len(ids) == len(pos) == len(counts) or int(counts.sum()) != len(codes):
            raise ValueError("ids, positions, counts and codes disagree")
        owner = np.repeat(ids, counts)
        code_pos = np.repeat(pos, counts)
        with _omp_threads(threads):
            for p in np.unique(pos):
                sel = code_pos == p
                if sel.any():
                    self._index_for(int(p)).add_with_ids(codes[sel], owner[sel])
        self._ids = np.concatenate([self._ids, ids])
        self._pos = np.concatenate([self._pos, pos])

    def remove(self, ids: np.ndarray) -> int:
        """Remove fingers by id; unknown ids are ignored. Returns how many were removed."""
        import faiss

        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        hit = np.isin(self._ids, ids)
        if not hit.any():
            return 0
        gone = self._ids[hit]
        with _omp_threads():
            for pos in np.unique(self._pos[hit]):
                self._ivf[int(pos)].remove_ids(faiss.IDSelectorBatch(gone))
        self._ids, self._pos = self._ids[~hit], self._pos[~hit]
        return int(hit.sum())

    def ids(self) -> np.ndarray:
        return self._ids.copy()

    def __len__(self) -> int:
        return int(self._ids.shape[0])

    def __bool__(self) -> bool:
        return self._ids.shape[0] > 0

    # -- searching --------------------------------------------------------------------------
    def search(
        self, template: FingerTemplate, position: int | None, k: int, neighbours: bool = False
    ) -> list[tuple[int, float]]:
        """Top ``k`` candidate finger ids with their vote scores (higher = more likely).

        ``position`` limits the search to that finger position (and to fingers enrolled with
        position 0, unknown); ``None`` searches all. ``neighbours`` also searches the adjacent
        fingers of the same hand (a mislabelled finger is usually a neighbour).
        """
        if position is None:
            codes = cylinder_codes(template, P.PROBE_CYLINDERS)
            parts = [self._search_index(q, codes, None) for q in list(self._ivf)]
            return _top(*_merge(parts), k)
        plan = SearchPlan(neighbours=neighbours)
        return self.search_packet({int(position): template}, k, plan).get(int(position), [])

    def search_packet(
        self,
        probes: Mapping[int, FingerTemplate],
        k: int,
        plan: SearchPlan | None = None,
        pool: Executor | None = None,
    ) -> dict[int, list[tuple[int, float]]]:
        """Top ``k`` candidate finger ids per probe position, for all fingers of a packet.

        Each probe finger is searched in its own position's index (and position 0's, and its
        neighbours' when ``plan.neighbours``). With ``pool`` the fingers are searched on its
        threads: FAISS and the numba code projection release the GIL, and each FAISS call
        stays on one OpenMP thread.
        """
        plan = plan or SearchPlan()

        def one(item: tuple[int, FingerTemplate]) -> tuple[int, list[tuple[int, float]]]:
            pos, tpl = int(item[0]), item[1]
            codes = cylinder_codes(tpl, plan.probe_cylinders)
            if not len(codes):
                return pos, []
            parts = [self._search_index(q, codes, plan.nprobe)
                     for q in _looks_in(pos, plan.neighbours)]
            return pos, _top(*_merge(parts), k)

        items = list(probes.items())
        found = pool.map(one, items) if pool is not None and len(items) > 1 else map(one, items)
        return {pos: ranked for pos, ranked in found if ranked}

    def _search_index(
        self, q: int, codes: np.ndarray, nprobe: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(finger ids, summed votes) from one position's index (one FAISS call)."""
        import faiss

        ivf = self._ivf.get(q)
        if ivf is None or ivf.ntotal == 0:
            return _NO_VOTES
        nn = min(P.NEIGHBOURS_PER_CYLINDER, int(ivf.ntotal))
        params: Any = faiss.SearchParametersIVF()
        params.nprobe = int(nprobe or self.nprobe)
        with _omp_threads():
            dist, lab = ivf.search(codes, nn, params=params)
        return _votes(dist, lab)

    # -- persistence ------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        import faiss

        buf = io.BytesIO()
        meta = {"nlist": self.nlist, "nprobe": self.nprobe, "code_bits": P.CODE_BITS,
                "trained_codes": self.trained_codes}
        blobs = {"template": faiss.serialize_index_binary(self._template).tobytes()}
        for pos, ivf in self._ivf.items():
            blobs[str(pos)] = faiss.serialize_index_binary(ivf).tobytes()
        arrays: dict[str, Any] = {f"ivf_{k}": np.frombuffer(v, np.uint8) for k, v in blobs.items()}
        arrays["ids"], arrays["pos"] = self._ids, self._pos
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        np.savez(buf, **arrays)
        body = buf.getvalue()
        return _MAGIC + struct.pack("<Q", len(body)) + body

    @classmethod
    def from_bytes(cls, data: bytes) -> FingerIndex:
        """Inverse of ``to_bytes``; ``ValueError`` on anything it did not write."""
        try:
            return cls._from_bytes(bytes(data))
        except ValueError:
            raise
        except Exception as exc:  # zipfile, faiss (RuntimeError), json errors alike
            raise ValueError(f"corrupt finger index: {exc}") from exc

    @classmethod
    def _from_bytes(cls, data: bytes) -> FingerIndex:
        import faiss

        if len(data) < 12 or data[:4] != _MAGIC:
            raise ValueError("not a finger index (bad magic)")
        if struct.unpack("<Q", data[4:12])[0] != len(data) - 12:
            raise ValueError("finger index truncated")
        arrays = np.load(io.BytesIO(data[12:]), allow_pickle=False)
        meta = json.loads(arrays["meta"].tobytes().decode())
        if meta.get("code_bits") != P.CODE_BITS:
            raise ValueError("finger index of another code format: rebuild it")
        self = cls.__new__(cls)
        self.nlist, self.nprobe = int(meta["nlist"]), int(meta["nprobe"])
        self.trained_codes = int(meta.get("trained_codes", 0))
        self._template = faiss.deserialize_index_binary(arrays["ivf_template"])
        self._ivf = {}
        for key in arrays.files:
            if key.startswith("ivf_") and key != "ivf_template":
                ivf: Any = faiss.deserialize_index_binary(arrays[key])
                ivf.nprobe = self.nprobe
                self._ivf[int(key[4:])] = ivf
        self._ids = arrays["ids"].astype(np.int64)
        self._pos = arrays["pos"].astype(np.int8)
        return self

    def save(self, path: Path) -> None:
        """Atomic snapshot (tmp + fsync + rename) via ``matching.snapshot``."""
        from matching.snapshot import write_snapshot

        write_snapshot(Path(path), self.to_bytes(), _FMT)

    @classmethod
    def load(cls, path: Path) -> FingerIndex:
        """Load a snapshot; ``SnapshotError`` if missing, truncated, altered or foreign."""
        from matching.snapshot import SnapshotError, read_snapshot

        payload = read_snapshot(Path(path), _FMT)
        try:
            return cls.from_bytes(payload)
        except ValueError as exc:
            raise SnapshotError(f"{Path(path).name}: {exc}") from exc


@dataclass(frozen=True)
class SearchPlan:
    """How widely a search looks: probe cylinders, IVF lists visited, neighbouring fingers.

    ``nprobe=None`` keeps the index's own setting. A packet with many fingers can look
    narrowly per finger, because its person is proposed by any of them (``matching.proposals``).
    """

    probe_cylinders: int = P.PROBE_CYLINDERS
    nprobe: int | None = None
    neighbours: bool = False


def _looks_in(position: int, neighbours: bool) -> list[int]:
    """Index positions a probe finger at ``position`` is searched in."""
    wanted = [position] if position == 0 else [position, 0]
    if neighbours and 1 <= position <= 10:
        hand = range(1, 6) if position <= 5 else range(6, 11)
        wanted += [p for p in (position - 1, position + 1) if p in hand]
    return wanted


_NO_VOTES = (np.zeros(0, np.int64), np.zeros(0, np.float64))


def _merge(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Votes of several indexes for one probe, summed per finger id."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _NO_VOTES
    if len(parts) == 1:
        return parts[0]
    fids = np.concatenate([p[0] for p in parts])
    uniq, inv = np.unique(fids, return_inverse=True)
    return uniq, np.bincount(inv, weights=np.concatenate([p[1] for p in parts]))


def _top(fids: np.ndarray, sums: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` best (finger id, votes): most votes first, ties by the smaller id."""
    order = np.lexsort((fids, -sums))[: int(k)]
    return list(zip(fids[order].tolist(), sums[order].tolist(), strict=True))


def _votes(dist: np.ndarray, lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per finger: sum over probe cylinders of the best vote that cylinder gave it."""
    radius = P.VOTE_RADIUS
    w = np.clip((radius - dist.astype(np.float32)) / radius, 0.0, None) ** P.VOTE_POWER
    ok = (lab >= 0) & (w > 0)
    rows = np.repeat(np.arange(dist.shape[0]), dist.shape[1])[ok.ravel()]
    fids, wts = lab.ravel()[ok.ravel()], w.ravel()[ok.ravel()]
    if not len(fids):
        return _NO_VOTES
    # best vote per (probe cylinder, finger), then summed per finger
    order = np.lexsort((-wts, fids, rows))
    rows, fids, wts = rows[order], fids[order], wts[order]
    first = np.ones(len(rows), bool)
    first[1:] = (rows[1:] != rows[:-1]) | (fids[1:] != fids[:-1])
    uniq, inv = np.unique(fids[first], return_inverse=True)
    return uniq.astype(np.int64), np.bincount(inv, weights=wts[first])

