"""1:N search of a packet against the gallery: index candidates, 1:1 re-scoring, fusion.

The indexes propose template ids; their persons are re-scored 1:1 against every gallery
template they hold (face L2 distance, LSS-R per finger position) and fused into one LLR.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from enrollment.extract import Extracted
from identity.gallery import Gallery, decrypt_template
from matching import face as face_engine
from matching import fingerprint as finger_engine
from matching import thresholds
from matching.fusion import FusedScore, fuse
from models.enrollment import Template


@dataclass
class Candidate:
    person_id: int
    fused: FusedScore
    face_distance: float | None
    finger_scores: dict[int, float] = field(default_factory=dict)

    @property
    def llr(self) -> float:
        return self.fused.llr


def _proposals(gallery: Gallery, extracted: Extracted) -> dict[int, float]:
    """Template id -> a rank weight (higher = proposed more strongly)."""
    weights: dict[int, float] = defaultdict(float)
    with gallery.lock:
        if extracted.face_vector is not None and len(gallery.faces):
            k = int(thresholds.value("dedup.face_k"))
            for rank, (tid, _dist) in enumerate(gallery.faces.search(extracted.face_vector, k)):
                weights[tid] += 1.0 / (1 + rank)
        if len(gallery.fingers):
            k = int(thresholds.value("dedup.finger_k"))
            for pos, tpl in extracted.finger_templates.items():
                for rank, (tid, _v) in enumerate(gallery.fingers.search(tpl, pos, k,
                                                                        neighbours=True)):
                    weights[tid] += 1.0 / (1 + rank)
    return weights


def search(session: Session, gallery: Gallery, extracted: Extracted) -> list[Candidate]:
    """Ranked candidates (best fused LLR first) for a packet's templates."""
    weights = _proposals(gallery, extracted)
    if not weights:
        return []
    owners = session.execute(
        select(Template.id, Template.person_id).where(Template.id.in_(list(weights)))
    ).all()
    per_person: dict[int, float] = defaultdict(float)
    for tid, pid in owners:
        if pid is not None:
            per_person[pid] += weights[tid]
    limit = int(thresholds.value("dedup.max_candidates"))
    shortlist = sorted(per_person, key=lambda p: (-per_person[p], p))[:limit]
    candidates = [rescore_person(session, pid, extracted) for pid in shortlist]
    return sorted(candidates, key=lambda c: (-c.llr, c.person_id))


def rescore_person(session: Session, person_id: int, extracted: Extracted) -> Candidate:
    rows = session.scalars(
        select(Template).where(Template.person_id == person_id)
    ).all()
    face_distance: float | None = None
    finger_scores: dict[int, float] = {}
    for row in rows:
        if row.modality == "face" and extracted.face_vector is not None:
            if row.extractor_version != face_engine.FACE_EXTRACTOR_VERSION:
                continue
            enc = face_engine.FaceEncoding.from_bytes(decrypt_template(row))
            d = float(face_engine.face_distance(extracted.face_vector, enc.vector))
            face_distance = d if face_distance is None else min(face_distance, d)
        elif row.modality == "finger" and row.position in extracted.finger_templates:
            if row.extractor_version != finger_engine.EXTRACTOR_VERSION:
                continue
            tpl = finger_engine.FingerTemplate.from_bytes(decrypt_template(row))
            score = float(finger_engine.compare(extracted.finger_templates[row.position], tpl))
            finger_scores[row.position] = max(score, finger_scores.get(row.position, 0.0))
    return Candidate(person_id, fuse(face_distance, finger_scores), face_distance, finger_scores)
