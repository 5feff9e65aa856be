"""1:N search of a packet against the gallery: index candidates, 1:1 re-scoring, fusion.

The indexes propose template ids; their persons are re-scored 1:1 against every gallery
template they hold (face L2 distance, LSS-R per finger position) and fused into one LLR.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from enrollment.extract import Extracted
from identity.biometrics.gallery import Gallery, decrypt_template
from matching import face as face_engine
from matching import fingerprint as finger_engine
from matching import proposals, rescore, thresholds
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


def search(session: Session, gallery: Gallery, extracted: Extracted) -> list[Candidate]:
    """Ranked candidates (best fused LLR first) for a packet's templates."""
    with gallery.lock:
        weights = proposals.propose(gallery.faces, gallery.fingers, extracted.face_vector,
                                    extracted.finger_templates, pool=gallery.pool)
    if not weights:
        return []

    def owner(tids: list[int]) -> dict[int, int]:
        rows = session.execute(
            select(Template.id, Template.person_id).where(Template.id.in_(tids))
        ).all()
        return {tid: pid for tid, pid in rows if pid is not None}

    limit = int(thresholds.value("dedup.max_candidates"))
    shortlist = proposals.shortlist(weights, owner, limit)
    candidates = rescore_persons(session, shortlist, extracted, gallery.pool)
    return sorted(candidates, key=lambda c: (-c.llr, c.person_id))


def enrolled_templates(session: Session, person_ids: list[int],
                       extracted: Extracted) -> dict[int, rescore.Enrolled]:
    """The current-version gallery templates of these persons that the packet can be compared
    with (faces when it has a face, fingers at the positions it has), decrypted."""
    out = {pid: rescore.Enrolled() for pid in person_ids}
    if not person_ids:
        return out
    rows = session.scalars(select(Template).where(Template.person_id.in_(person_ids))).all()
    face_v, finger_v = face_engine.FACE_EXTRACTOR_VERSION, finger_engine.EXTRACTOR_VERSION
    for row in rows:
        e = out[int(row.person_id or 0)]
        if row.modality == "face" and extracted.face_vector is not None \
                and row.extractor_version == face_v:
            e.faces.append(face_engine.FaceEncoding.from_bytes(decrypt_template(row)).vector)
        elif row.modality == "finger" and row.position in extracted.finger_templates \
                and row.extractor_version == finger_v:
            tpl = finger_engine.FingerTemplate.from_bytes(decrypt_template(row))
            e.fingers.setdefault(int(row.position), []).append(tpl)
    return out


def rescore_persons(session: Session, person_ids: list[int], extracted: Extracted,
                    pool: Executor | None = None) -> list[Candidate]:
    """Candidates for these persons, in the given order (1:1 re-scoring and fusion)."""
    enrolled = enrolled_templates(session, person_ids, extracted)
    evidence = rescore.rescore(extracted.face_vector, extracted.finger_templates, enrolled,
                                 pool)
    return [Candidate(pid, fuse(ev.face_distance, ev.finger_scores), ev.face_distance,
                      ev.finger_scores) for pid, ev in ((p, evidence[p]) for p in person_ids)]


def rescore_person(session: Session, person_id: int, extracted: Extracted) -> Candidate:
    return rescore_persons(session, [person_id], extracted)[0]


def stored_packet(session: Session, enrollment_id: int) -> Extracted:
    """The templates a stored enrollment holds (a held packet), decrypted, for a new search."""
    out = Extracted()
    rows = session.scalars(select(Template).where(Template.enrollment_id == enrollment_id))
    for row in rows:
        blob = decrypt_template(row)
        if row.modality == "face":
            out.face_vector = face_engine.FaceEncoding.from_bytes(blob).vector
        else:
            out.finger_templates[int(row.position)] = finger_engine.FingerTemplate.from_bytes(blob)
    return out
