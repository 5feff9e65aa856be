"""1:1 biometric verification of a probe against one person's stored templates.

Only templates of the current extractor versions are compared (a version change means
re-extraction from the stored samples, never a cross-version comparison). The result carries a
band, never a score: callers facing agencies must not pass scores on.

Slow work (face encoding, finger extraction) happens in ``prepare_probe``, which touches no
database; call it before opening a transaction (on SQLite every transaction holds the write
lock), then ``match_probe`` inside one. ``verify_person`` does both in one call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.platform import crypto
from identity.platform.errors import Invalid
from matching import face as face_engine
from matching import fingerprint as finger_engine
from matching import rescore, thresholds
from models.enrollment import Template
from models.person import Person

log = logging.getLogger("hawiya.verify")

def _threshold(name: str) -> float:
    """1:1 bands (``verify.*`` rows of ``matching/thresholds.py``): t = ln(1 / FMR), not the
    1:N ``fusion.*`` bands sized for a 46M gallery."""
    return float(thresholds.value(name))


DEFAULT_FINGER_DPI = 500
FINGER_POSITIONS = range(1, 11)


@dataclass(frozen=True)
class VerifyResult:
    """``band``: match, review or no_match (from ``matching.fusion``); ``match`` is band=match.
    ``modalities_used``: "face" and/or "finger_N" (ISO/IEC 19794-4 positions) compared."""

    match: bool
    band: str
    modalities_used: list[str]


@dataclass(frozen=True)
class Probe:
    """A live capture turned into templates: the face and the fingers by position."""

    face: face_engine.FaceEncoding | None = None
    fingers: dict[int, finger_engine.FingerTemplate] = field(default_factory=dict)


def prepare_probe(*, face: np.ndarray | None, fingers: dict[int, np.ndarray],
                  dpis: dict[int, int] | None = None) -> Probe:
    """Templates from a live capture. ``face``: (H, W, 3) uint8 RGB; ``fingers``: position →
    (H, W) uint8 grey; ``dpis``: position → resolution (500 where absent).

    Raises ``Invalid`` (422, ``probe_quality_failed``) naming every sample that failed, or
    ``Invalid`` (``empty_probe``) when nothing was submitted. Touches no database.
    """
    if face is None and not fingers:
        raise Invalid("submit a face and/or at least one finger", code="empty_probe")
    bad = sorted(set(fingers) - set(FINGER_POSITIONS))
    if bad:
        raise Invalid(f"finger positions are 1-10, got {bad}", code="invalid_finger_position")
    failures: list[dict[str, str]] = []
    encoding = None
    if face is not None:
        try:
            encoding = face_engine.encode_face(face)
        except face_engine.FaceQualityError as exc:
            failures.append({"sample": "face", "reason": exc.reason, "message": str(exc)})
        except ValueError as exc:
            failures.append({"sample": "face", "reason": "invalid_image", "message": str(exc)})
    templates: dict[int, finger_engine.FingerTemplate] = {}
    if fingers:
        positions = sorted(fingers)
        dpi_of = dpis or {}
        results = finger_engine.extract_templates(
            [fingers[p] for p in positions],
            [dpi_of.get(p) or DEFAULT_FINGER_DPI for p in positions])
        for pos, res in zip(positions, results, strict=True):
            if isinstance(res, finger_engine.FingerQualityError):
                failures.append({"sample": f"finger_{pos}", "reason": res.reason,
                                 "message": str(res)})
            else:
                templates[pos] = res
    if failures:
        raise Invalid(f"{len(failures)} probe sample(s) failed the quality check",
                      code="probe_quality_failed", details=failures)
    return Probe(face=encoding, fingers=templates)


def gallery_person_ids(session: Session, person: Person) -> list[int]:
    """The person and every record merged into it (their templates are the person's too)."""
    ids = [person.id]
    frontier = [person.id]
    while frontier:
        merged = list(session.scalars(
            select(Person.id).where(Person.merged_into_id.in_(frontier),
                                    Person.status == "merged")))
        frontier = [i for i in merged if i not in ids]
        ids.extend(frontier)
    return ids


def _stored(session: Session, person: Person, modality: str, extractor: str,
            version: str) -> list[Template]:
    return list(session.scalars(
        select(Template).where(Template.person_id.in_(gallery_person_ids(session, person)),
                               Template.modality == modality, Template.extractor == extractor,
                               Template.extractor_version == version).order_by(Template.id)))


def _plain(row: Template) -> bytes | None:
    try:
        return crypto.decrypt(row.ciphertext, crypto.context("templates", row.id, "data"))
    except Exception:
        log.error("template %s failed to decrypt; skipped", row.id)
        return None


def _readable(rows: list[Template], parse, error: type[Exception]) -> list:
    """The parsed templates of ``rows``; one that fails to decrypt or parse is logged and
    skipped (a damaged row must not turn an agency's check into a 500)."""
    out = []
    for row in rows:
        data = _plain(row)
        if data is None:
            continue
        try:
            out.append((row, parse(data)))
        except error:
            log.error("%s template %s is unreadable; skipped", row.modality, row.id)
    return out


def _enrolled(session: Session, person: Person, probe: Probe) -> rescore.Enrolled:
    held = rescore.Enrolled()
    if probe.face is not None:
        rows = _stored(session, person, "face", probe.face.extractor, probe.face.version)
        held.faces = [enc.vector for _, enc in _readable(
            rows, face_engine.FaceEncoding.from_bytes, face_engine.FaceTemplateError)]
    if probe.fingers:
        rows = [r for r in _stored(session, person, "finger", finger_engine.EXTRACTOR_NAME,
                                   finger_engine.EXTRACTOR_VERSION)
                if r.position in probe.fingers]
        for row, tpl in _readable(rows, finger_engine.FingerTemplate.from_bytes,
                                  finger_engine.TemplateError):
            held.fingers.setdefault(int(row.position), []).append(tpl)
    return held


# Raw comparison results (internal: never leaves the registry): the smallest face distance and
# the best LSS-R score per finger position, as the 1:N re-scoring computes them.
Evidence = rescore.Evidence


def compare_probe(session: Session, person: Person, probe: Probe) -> Evidence:
    """Compare a prepared probe with ``person``'s stored templates of the current versions."""
    face = probe.face.vector if probe.face is not None else None
    return rescore.rescore(face, probe.fingers, {person.id: _enrolled(session, person, probe)}
                             )[person.id]


def verify_band(llr: float) -> str:
    """The 1:1 band of a fused LLR: ``match`` at or above ``verify.match_llr``, ``review`` at or
    above ``verify.review_llr``, else ``no_match``."""
    if llr >= _threshold("verify.match_llr"):
        return "match"
    if llr >= _threshold("verify.review_llr"):
        return "review"
    return "no_match"


def match_probe(session: Session, person: Person, probe: Probe) -> VerifyResult:
    """Compare a prepared probe with ``person``'s stored templates (reads only, no writes).

    Raises ``Invalid`` (``no_comparable_modality``) when the person has no stored template of
    the current version for any submitted modality.
    """
    from matching.fusion import fuse

    evidence = compare_probe(session, person, probe)
    if evidence.face_distance is None and not evidence.finger_scores:
        raise Invalid("the person has no stored template for the submitted modalities",
                      code="no_comparable_modality")
    fused = fuse(evidence.face_distance, evidence.finger_scores)
    band = verify_band(fused.llr)
    used = (["face"] if evidence.face_distance is not None else []) + \
        [f"finger_{p}" for p in sorted(evidence.finger_scores)]
    return VerifyResult(match=band == "match", band=band, modalities_used=used)


def verify_person(session: Session, person: Person, *, face: np.ndarray | None,
                  fingers: dict[int, np.ndarray],
                  dpis: dict[int, int] | None = None) -> VerifyResult:
    """Verify a live capture against ``person`` (shapes as in ``prepare_probe``).

    Reads only; no commit. Extraction is slow: with SQLite, prefer ``prepare_probe`` before the
    transaction and ``match_probe`` inside it.
    """
    return match_probe(session, person, prepare_probe(face=face, fingers=fingers, dpis=dpis))
