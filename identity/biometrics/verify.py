"""1:1 biometric verification of a prepared probe against one person's stored templates.

Probes come from ``identity.biometrics.probes.prepare`` (slow: call it before opening a
transaction; on SQLite every writing transaction holds the write lock). Only templates of the
current extractor versions are compared (a version change means re-extraction from the stored
samples, never a cross-version comparison); a stored template that fails to decrypt or parse is
logged and skipped by the template store. The result carries a band, never a score: callers
facing agencies must not pass scores on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from identity.biometrics import templates
from identity.biometrics.probes import Probe
from identity.platform.errors import Invalid
from matching import rescore, thresholds
from matching.fusion import fuse
from models.person import Person


@dataclass(frozen=True)
class VerifyResult:
    """``band``: match, review or no_match; ``match`` is band=match. ``modalities_used``:
    "face" and/or "finger_N" (ISO/IEC 19794-4 positions) compared."""

    match: bool
    band: str
    modalities_used: list[str]


# Raw comparison results (internal: never leaves the registry): the smallest face distance and
# the best LSS-R score per finger position, as the 1:N re-scoring computes them.
Evidence = rescore.Evidence


def compare_probe(session: Session, person: Person, probe: Probe) -> Evidence:
    """Compare a prepared probe with ``person``'s stored templates of the current versions."""
    held = templates.enrolled(session, [person.id], face=probe.face is not None,
                              positions=probe.finger_templates)
    return rescore.rescore(probe.face_vector, probe.finger_templates, held)[person.id]


def verify_band(llr: float) -> str:
    """The 1:1 band of a fused LLR: ``match`` at or above ``verify.match_llr``, ``review`` at or
    above ``verify.review_llr``, else ``no_match`` (1:1 rows, not the 1:N ``fusion.*`` bands)."""
    if llr >= thresholds.value("verify.match_llr"):
        return "match"
    if llr >= thresholds.value("verify.review_llr"):
        return "review"
    return "no_match"


def match_probe(session: Session, person: Person, probe: Probe) -> VerifyResult:
    """Compare a prepared probe with ``person``'s stored templates (reads only, no writes).

    Raises ``Invalid`` (``no_comparable_modality``) when the person has no stored template of
    the current version for any submitted modality.
    """
    evidence = compare_probe(session, person, probe)
    if evidence.face_distance is None and not evidence.finger_scores:
        raise Invalid("the person has no stored template for the submitted modalities",
                      code="no_comparable_modality")
    band = verify_band(fuse(evidence.face_distance, evidence.finger_scores).llr)
    used = (["face"] if evidence.face_distance is not None else []) + \
        [f"finger_{p}" for p in sorted(evidence.finger_scores)]
    return VerifyResult(match=band == "match", band=band, modalities_used=used)
