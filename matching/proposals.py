"""Candidate proposals for a 1:N person search: which gallery templates to re-score.

The face index and every finger position's index are searched; each proposed template gets a
weight of ``1 / (1 + rank)`` in the list that proposed it, and a person's weight is the sum
over its templates, so a person proposed by several fingers and the face rises to the top.
A packet with many fingers searches narrowly (fewer probe cylinders, fewer IVF lists, no
neighbouring positions): its person is found if any few of its fingers find it, and the
1:1 re-scoring of the shortlisted persons (``matching.rescore``) then uses every template.
A packet with few fingers searches wide. The plan's numbers are the ``dedup.*`` rows of
``matching.thresholds``.

Pure: indexes and templates in, weights out; the database maps template ids to persons. The
indexes are anything with the searches below (``FaceSearch``, ``FingerSearch``): the in-process
FAISS indexes, or a distributed engine's collections (``identity.biometrics.milvus_gallery``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from matching import thresholds
from matching.fingerprint import FingerTemplate
from matching.fingerprint.index import SearchPlan, _omp_threads


class FaceSearch(Protocol):
    """k nearest face templates: (template id, L2 distance), closest first. False (empty) when
    there is certainly nothing to search."""

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...
    def __bool__(self) -> bool: ...


class FingerSearch(Protocol):
    """Per probe position, the top-k finger template ids with their votes (see
    ``matching.fingerprint.index.FingerIndex.search_packet``)."""

    def search_packet(self, probes: Mapping[int, FingerTemplate], k: int,
                      plan: SearchPlan | None = None,
                      pool: Executor | None = None) -> dict[int, list[tuple[int, float]]]: ...
    def __bool__(self) -> bool: ...


@dataclass(frozen=True)
class Plan:
    face_k: int
    finger_k: int
    fingers: SearchPlan


def plan_for(n_fingers: int) -> Plan:
    """The search plan for a packet with ``n_fingers`` usable finger templates."""
    v = thresholds.value
    if n_fingers >= v("dedup.narrow_min_fingers"):
        fingers = SearchPlan(probe_cylinders=int(v("dedup.narrow_probe_cylinders")),
                             nprobe=int(v("dedup.narrow_nprobe")), neighbours=False)
    else:
        fingers = SearchPlan(neighbours=True)
    return Plan(face_k=int(v("dedup.face_k")), finger_k=int(v("dedup.finger_k")),
                fingers=fingers)


def _face_search(faces: FaceSearch, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    with _omp_threads():
        return faces.search(vector, k)


def propose(
    faces: FaceSearch,
    fingers: FingerSearch,
    face_vector: np.ndarray | None,
    finger_templates: Mapping[int, FingerTemplate],
    plan: Plan | None = None,
    pool: Executor | None = None,
) -> dict[int, float]:
    """Template id -> weight (higher = proposed more strongly) from both indexes."""
    plan = plan or plan_for(len(finger_templates))
    weights: dict[int, float] = defaultdict(float)
    face_job: Future[list[tuple[int, float]]] | None = None
    ranked_faces: list[tuple[int, float]] = []
    if face_vector is not None and faces:
        if pool is not None:
            face_job = pool.submit(_face_search, faces, face_vector, plan.face_k)
        else:
            ranked_faces = _face_search(faces, face_vector, plan.face_k)
    if finger_templates and fingers:
        found = fingers.search_packet(finger_templates, plan.finger_k, plan.fingers, pool)
        for ranked in found.values():
            for rank, (tid, _votes) in enumerate(ranked):
                weights[tid] += 1.0 / (1 + rank)
    if face_job is not None:
        ranked_faces = face_job.result()
    for rank, (tid, _dist) in enumerate(ranked_faces):
        weights[tid] += 1.0 / (1 + rank)
    return dict(weights)


Owner = TypeVar("Owner", int, tuple[str, int])  # person id, or (kind, id)


def shortlist(
    weights: Mapping[int, float], owner: Callable[[list[int]], Mapping[int, Owner]], limit: int
) -> list[Owner]:
    """The ``limit`` owners with the highest summed weight; ``owner`` maps template ids to their
    owners (person ids, or ``(kind, id)`` keys of persons and held packets); templates it does
    not know are dropped."""
    per_person: dict[Owner, float] = defaultdict(float)
    for tid, pid in owner(list(weights)).items():
        per_person[pid] += weights[tid]
    return sorted(per_person, key=lambda p: (-per_person[p], p))[: int(limit)]

