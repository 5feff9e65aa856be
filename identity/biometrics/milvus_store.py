"""The Milvus collections of the shared gallery and the searches over them.

Collections (``PREFIX`` from ``HAWIYA_MILVUS_PREFIX``):

- ``PREFIX_face``: a face template per row, ``id`` = ``templates.id``, 128-d float vector, L2;
- ``PREFIX_finger_P`` for each finger position P (0 = unknown, 1-10): the finger's cylinder
  codes (``matching.fingerprint.codes``), one row a code, 256-bit binary vectors, Hamming, on
  ``BIN_IVF_FLAT``; the row key is ``templates.id * 32 + code number`` and ``finger`` holds the
  template id, so a finger's rows are found and deleted by key;
- ``PREFIX_fingers``: one row per finger template (``id`` = ``templates.id``, its position),
  what reconciliation and deletions read instead of every code.

Searches return what the in-process indexes return: faces as (template id, L2 distance) closest
first, fingers as the cylinder votes of ``matching.fingerprint.index`` — the same functions
count them — so ``matching.proposals`` weighs both engines' answers alike. Every search reads at
a stated timestamp (``guarantee_timestamp``): it sees every change applied before the view it
belongs to (read-your-writes across processes) without paying ``Strong`` consistency's wait for
each call. The index parameters are the ``milvus.*`` rows of ``matching.thresholds``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from typing import Any

import numpy as np

from matching import thresholds
from matching.face import FACE_DIM
from matching.fingerprint import FingerTemplate
from matching.fingerprint.codes import CODE_BITS, MAX_INDEXED_CYLINDERS, cylinder_codes
from matching.fingerprint.index import (
    NEIGHBOURS_PER_CYLINDER,
    POSITIONS,
    SearchPlan,
    _looks_in,
    _merge,
    _top,
    _votes,
)

CODE_SLOTS = 32  # row keys per finger: template id * 32 + code number
assert MAX_INDEXED_CYLINDERS <= CODE_SLOTS
ID_CHUNK = 2_000  # keys per delete / ``in`` expression


def _client() -> Any:
    import pymilvus

    return pymilvus


def code_keys(template_ids: Iterable[int]) -> list[int]:
    """Every row key a finger's codes may use."""
    return [int(t) * CODE_SLOTS + k for t in template_ids for k in range(CODE_SLOTS)]


class Collections:
    """Names, schemas and handles of one gallery's collections, on one connection."""

    def __init__(self, uri: str, prefix: str, alias: str) -> None:
        pm = _client()
        pm.connections.connect(alias=alias, uri=uri)
        self.alias, self.prefix = alias, prefix
        self.face: Any = None
        self.fingers: Any = None
        self.codes: dict[int, Any] = {}

    def disconnect(self) -> None:
        _client().connections.disconnect(self.alias)

    def names(self) -> list[str]:
        return ([f"{self.prefix}_face", f"{self.prefix}_fingers"]
                + [f"{self.prefix}_finger_{p}" for p in POSITIONS])

    def open(self) -> None:
        """Create what is missing (with its index) and load every collection."""
        pm = _client()
        dt, v = pm.DataType, thresholds.value

        def make(name: str, fields: list[Any], field: str, index: dict[str, Any]) -> Any:
            if not pm.utility.has_collection(name, using=self.alias):
                try:
                    col = pm.Collection(name, pm.CollectionSchema(fields), using=self.alias)
                    col.create_index(field, index)
                except pm.exceptions.MilvusException:  # another process made it meanwhile
                    if not pm.utility.has_collection(name, using=self.alias):
                        raise
            col = pm.Collection(name, using=self.alias)
            if not col.has_index():
                col.create_index(field, index)
            col.load()
            return col

        key = pm.FieldSchema("id", dt.INT64, is_primary=True)
        self.face = make(f"{self.prefix}_face",
                         [key, pm.FieldSchema("vector", dt.FLOAT_VECTOR, dim=FACE_DIM)],
                         "vector", {"index_type": "IVF_FLAT", "metric_type": "L2",
                                    "params": {"nlist": int(v("milvus.face.nlist"))}})
        self.fingers = make(f"{self.prefix}_fingers",
                            [key, pm.FieldSchema("position", dt.INT64),
                             pm.FieldSchema("mark", dt.BINARY_VECTOR, dim=8)],
                            "mark", {"index_type": "BIN_FLAT", "metric_type": "HAMMING",
                                     "params": {}})
        for p in POSITIONS:
            self.codes[p] = make(
                f"{self.prefix}_finger_{p}",
                [key, pm.FieldSchema("finger", dt.INT64),
                 pm.FieldSchema("code", dt.BINARY_VECTOR, dim=CODE_BITS)],
                "code", {"index_type": "BIN_IVF_FLAT", "metric_type": "HAMMING",
                         "params": {"nlist": int(v("milvus.finger.nlist"))}})

    def drop(self) -> None:
        pm = _client()
        for name in self.names():
            if pm.utility.has_collection(name, using=self.alias):
                pm.utility.drop_collection(name, using=self.alias)

    # -- writes (each returns the engine timestamp it is visible at) -------------------------
    def upsert_faces(self, ids: list[int], vectors: np.ndarray) -> int:
        res = self.face.upsert([ids, np.asarray(vectors, np.float32).tolist()])
        return int(res.timestamp)

    def upsert_fingers(self, fingers: list[tuple[int, int, FingerTemplate]]) -> int:
        at = 0
        by_pos: dict[int, tuple[list[int], list[int], list[bytes]]] = defaultdict(
            lambda: ([], [], []))
        for tid, pos, tpl in fingers:
            keys, owners, codes = by_pos[int(pos)]
            for k, code in enumerate(cylinder_codes(tpl)):
                keys.append(int(tid) * CODE_SLOTS + k)
                owners.append(int(tid))
                codes.append(code.tobytes())
        for pos, (keys, owners, codes) in by_pos.items():
            if keys:  # codes first: a finger row always has its codes
                at = max(at, int(self.codes[pos].upsert([keys, owners, codes]).timestamp))
        ids = [int(f[0]) for f in fingers]
        res = self.fingers.upsert([ids, [int(f[1]) for f in fingers], [b"\0"] * len(ids)])
        return max(at, int(res.timestamp))

    def delete(self, ids: list[int], positions: Mapping[int, int]) -> int:
        """Delete faces and fingers by template id; ``positions``: finger id -> position."""
        at = 0
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start:start + ID_CHUNK]
            at = max(at, int(self.face.delete(f"id in {chunk}").timestamp))
        by_pos: dict[int, list[int]] = defaultdict(list)
        for tid, pos in positions.items():
            by_pos[int(pos)].append(int(tid))
        for pos, tids in by_pos.items():
            keys = code_keys(tids)
            for start in range(0, len(keys), ID_CHUNK):
                res = self.codes[pos].delete(f"id in {keys[start:start + ID_CHUNK]}")
                at = max(at, int(res.timestamp))
        finger_ids = sorted(positions)
        for start in range(0, len(finger_ids), ID_CHUNK):
            res = self.fingers.delete(f"id in {finger_ids[start:start + ID_CHUNK]}")
            at = max(at, int(res.timestamp))
        return at

    # -- reads ------------------------------------------------------------------------------
    def all_ids(self, which: str) -> np.ndarray:
        """Every template id in the face (``face``) or finger (``finger``) collection."""
        col = self.face if which == "face" else self.fingers
        out: list[int] = []
        it = col.query_iterator(batch_size=16_384, expr="id >= 0", output_fields=["id"],
                                consistency_level="Strong")
        while batch := it.next():
            out += [int(r["id"]) for r in batch]
        it.close()
        return np.unique(np.asarray(out, np.int64))

    def positions(self, ids: list[int], at: int) -> dict[int, int]:
        """finger id -> position, for those of ``ids`` in the gallery."""
        out: dict[int, int] = {}
        for start in range(0, len(ids), ID_CHUNK):
            rows = self.fingers.query(f"id in {ids[start:start + ID_CHUNK]}",
                                      output_fields=["id", "position"],
                                      **_read_at(at))
            out.update({int(r["id"]): int(r["position"]) for r in rows})
        return out

    def count(self, which: str) -> int:
        col = self.face if which == "face" else self.fingers
        rows = col.query("", output_fields=["count(*)"], consistency_level="Strong")
        return int(rows[0]["count(*)"])


def _read_at(at: int) -> dict[str, Any]:
    """Search/query arguments that read everything applied up to engine timestamp ``at``."""
    if at <= 0:
        return {"consistency_level": "Strong"}
    return {"consistency_level": "Customized", "guarantee_timestamp": int(at)}


class FaceSearcher:
    """``matching.proposals.FaceSearch`` over the face collection, read at a timestamp."""

    def __init__(self, cols: Collections, at: int) -> None:
        self.cols, self.at = cols, at

    def __bool__(self) -> bool:  # another process may have added faces: always search
        return True

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        params = {"metric_type": "L2", "params": {"nprobe": int(thresholds.value(
            "milvus.face.nprobe"))}}
        hits = self.cols.face.search([np.asarray(vector, np.float32).tolist()], "vector",
                                     params, limit=int(k), **_read_at(self.at))[0]
        # Milvus reports squared L2 distances
        return [(int(h.id), float(np.sqrt(max(h.distance, 0.0)))) for h in hits]


class FingerSearcher:
    """``matching.proposals.FingerSearch`` over the finger collections, read at a timestamp.

    A packet's probe codes are grouped by the collection they are searched in (a finger's own
    position, position 0, and the neighbours when the plan says so): one Milvus call per
    collection, run on ``pool``; every stored code near a probe code votes as in FAISS."""

    def __init__(self, cols: Collections, at: int) -> None:
        self.cols, self.at = cols, at

    def __bool__(self) -> bool:
        return True

    def search_packet(self, probes: Mapping[int, FingerTemplate], k: int,
                      plan: SearchPlan | None = None,
                      pool: Executor | None = None) -> dict[int, list[tuple[int, float]]]:
        plan = plan or SearchPlan()
        nprobe = int(thresholds.value("milvus.finger.nprobe" if plan.nprobe is None
                                      else "milvus.finger.narrow_nprobe"))
        asks: dict[int, list[tuple[int, np.ndarray]]] = defaultdict(list)
        for pos, tpl in probes.items():
            codes = cylinder_codes(tpl, plan.probe_cylinders)
            if len(codes):
                for q in _looks_in(int(pos), plan.neighbours):
                    asks[q].append((int(pos), codes))

        def one(q: int) -> list[tuple[int, tuple[np.ndarray, np.ndarray]]]:
            batch = np.concatenate([c for _, c in asks[q]])
            dist, lab = self._search(q, batch, nprobe)
            out, at = [], 0
            for pos, codes in asks[q]:
                out.append((pos, _votes(dist[at:at + len(codes)], lab[at:at + len(codes)])))
                at += len(codes)
            return out

        parts: dict[int, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
        found = pool.map(one, list(asks)) if pool is not None and len(asks) > 1 else map(
            one, list(asks))
        for per_collection in found:
            for pos, votes in per_collection:
                parts[pos].append(votes)
        ranked = {pos: _top(*_merge(p), k) for pos, p in parts.items()}
        return {pos: r for pos, r in ranked.items() if r}

    def _search(self, position: int, codes: np.ndarray,
                nprobe: int) -> tuple[np.ndarray, np.ndarray]:
        """(distances, finger ids) of each code's nearest stored codes, -1 where fewer."""
        nn = NEIGHBOURS_PER_CYLINDER
        res = self.cols.codes[position].search(
            [c.tobytes() for c in codes], "code",
            {"metric_type": "HAMMING", "params": {"nprobe": nprobe}}, limit=nn,
            output_fields=["finger"], **_read_at(self.at))
        dist = np.full((len(codes), nn), CODE_BITS, np.float32)
        lab = np.full((len(codes), nn), -1, np.int64)
        for row, hits in enumerate(res):
            for col, h in enumerate(hits):
                dist[row, col] = h.distance
                lab[row, col] = int(h.entity.get("finger"))
        return dist, lab
