"""1:N search of a packet against the gallery: index proposals, 1:1 re-scoring, fusion.

The indexes propose template ids; their owners — persons, and packets still held for review
(a held packet is somebody too: a second packet of the same person must not get an ID while the
first waits) — are re-scored 1:1 against every current template they hold (face L2 distance,
LSS-R per finger position) and fused into one biometric LLR.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from identity.biometrics import templates
from identity.biometrics.gallery import Gallery
from identity.biometrics.probes import Probe
from matching import proposals, rescore, thresholds
from matching.demographic import DemographicEvidence
from matching.fusion import FusedScore, fuse

PERSON, HELD = "person", "held"
Owner = tuple[str, int]  # (PERSON, person id) or (HELD, enrollment id)


@dataclass
class Candidate:
    """A person (``person_id``) or a held packet (``held_enrollment_id``) and its evidence:
    the fused biometric score, and (filled by the decision) the demographic evidence, whether a
    template is near-identical to the packet's, the posterior and the band."""

    person_id: int | None
    fused: FusedScore
    face_distance: float | None
    finger_scores: dict[int, float] = field(default_factory=dict)
    held_enrollment_id: int | None = None
    demographic: DemographicEvidence | None = None
    identical: bool = False
    posterior: float = 0.0
    band: str = "no_match"

    @property
    def llr(self) -> float:
        """The fused biometric LLR (face + fingers)."""
        return self.fused.llr

    @property
    def demographic_llr(self) -> float:
        return 0.0 if self.demographic is None else self.demographic.llr

    @property
    def owner(self) -> Owner:
        if self.person_id is not None:
            return (PERSON, self.person_id)
        return (HELD, int(self.held_enrollment_id or 0))


def _owners(session: Session, tids: list[int]) -> dict[int, Owner]:
    out: dict[int, Owner] = {}
    for tid, pid, eid, status in templates.owners(session, tids):
        if pid is not None:
            out[tid] = (PERSON, pid)
        elif status == "review":
            out[tid] = (HELD, eid)
    return out


def search(session: Session, gallery: Gallery, probe: Probe,
           exclude_enrollment: int | None = None) -> list[Candidate]:
    """Ranked candidates (best fused LLR first) for a probe's templates; the held packet
    ``exclude_enrollment`` (the probe itself, searched again) is left out."""
    with gallery.lock:
        weights = proposals.propose(gallery.faces, gallery.fingers, probe.face_vector,
                                    probe.finger_templates, pool=gallery.pool)
    if not weights:
        return []

    def owner(tids: list[int]) -> dict[int, Owner]:
        return {t: o for t, o in _owners(session, tids).items()
                if o != (HELD, exclude_enrollment)}

    limit = int(thresholds.value("dedup.max_candidates"))
    found = rescore_owners(session, proposals.shortlist(weights, owner, limit), probe,
                           gallery.pool)
    return sorted(found, key=lambda c: (-c.llr, c.owner))


def rescore_owners(session: Session, owners: Sequence[Owner], probe: Probe,
                   pool: Executor | None = None) -> list[Candidate]:
    """Candidates for these owners, in the given order (1:1 re-scoring and fusion)."""
    face, positions = probe.face is not None, probe.finger_templates.keys()
    persons = [i for kind, i in owners if kind == PERSON]
    held = [i for kind, i in owners if kind == HELD]
    stored = {(PERSON, k): v for k, v in
              templates.enrolled(session, persons, face=face, positions=positions).items()}
    stored.update({(HELD, k): v for k, v in
                   templates.held(session, held, face=face, positions=positions).items()})
    keys = list(stored)
    evidence = rescore.rescore(probe.face_vector, probe.finger_templates,
                               {n: stored[k] for n, k in enumerate(keys)}, pool)
    by_owner = {k: evidence[n] for n, k in enumerate(keys)}
    out = []
    for kind, i in owners:
        ev = by_owner[(kind, i)]
        out.append(Candidate(i if kind == PERSON else None,
                             fuse(ev.face_distance, ev.finger_scores), ev.face_distance,
                             ev.finger_scores, i if kind == HELD else None))
    return out


def rescore_person(session: Session, person_id: int, probe: Probe) -> Candidate:
    return rescore_owners(session, [(PERSON, person_id)], probe)[0]
