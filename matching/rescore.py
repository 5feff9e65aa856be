"""1:1 re-scoring of a probe against persons' stored templates, reduced to evidence.

Shared by the 1:N search (its shortlisted persons) and 1:1 verification: the smallest face
distance and, per finger position, the best LSS-R score over a person's templates there.
Pure, and free of the 1:N indexes (agency routes verify without reaching the gallery).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from matching.face import face_distance
from matching.fingerprint import FingerTemplate, compare


@dataclass
class Enrolled:
    """What the gallery holds of one person, decrypted: face vectors, finger templates."""

    faces: list[np.ndarray] = field(default_factory=list)
    fingers: dict[int, list[FingerTemplate]] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    face_distance: float | None
    finger_scores: dict[int, float]


def rescore(
    face_vector: np.ndarray | None,
    finger_templates: Mapping[int, FingerTemplate],
    enrolled: Mapping[int, Enrolled],
    pool: Executor | None = None,
) -> dict[int, Evidence]:
    """1:1 evidence per person: the smallest face distance and, per finger position the
    probe has, the best LSS-R score over that person's templates there. The LSS-R
    comparisons (the cost of a re-score) run on ``pool``'s threads in a few chunks."""
    jobs = [(pid, pos, tpl) for pid, e in enrolled.items() for pos, tpls in e.fingers.items()
            if pos in finger_templates for tpl in tpls]

    def chunk(part: list[tuple[int, int, FingerTemplate]]) -> list[float]:
        return [compare(finger_templates[pos], tpl) for _pid, pos, tpl in part]

    n = 1 if pool is None else max(1, min(len(jobs), 4))
    parts = [jobs[i::n] for i in range(n)]
    scored = pool.map(chunk, parts) if pool is not None and n > 1 else map(chunk, parts)
    finger_scores: dict[int, dict[int, float]] = {pid: {} for pid in enrolled}
    for part, scores in zip(parts, scored, strict=True):
        for (pid, pos, _tpl), score in zip(part, scores, strict=True):
            best = finger_scores[pid]
            best[pos] = max(float(score), best.get(pos, 0.0))
    out = {}
    for pid, e in enrolled.items():
        dist = None
        if face_vector is not None and e.faces:
            dist = min(face_distance(face_vector, f) for f in e.faces)
        out[pid] = Evidence(dist, finger_scores[pid])
    return out
