"""What an adjudicator looks at, read and compared for one side of a case: the face sample, and
a finger's sample with its minutiae and the minutiae LSS-R paired with the other side.

Samples are decrypted in memory through the template store and never stored; rendering (PNG,
drawing) is the workbench pages' business. The minutia pairs of a comparison are cached by the
templates' ids and nonces (random per encryption, so never reused across databases).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from enrollment.adjudication import candidate_person
from enrollment.workbench import get_case
from identity.biometrics import templates
from identity.platform.errors import NotFound
from matching import fingerprint as finger_engine
from matching.fingerprint.pairs import MinutiaPair, paired_minutiae
from models.dedup import DuplicateCandidate, DuplicateCase
from models.enrollment import Sample, Template

_CacheKey = tuple[tuple[int, bytes], ...]
_cache: OrderedDict[_CacheKey, tuple[int, list[MinutiaPair]]] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 512


@dataclass(frozen=True)
class SampleImage:
    data: bytes  # the image as the station sent it
    media_type: str
    dpi: int | None


@dataclass(frozen=True)
class FingerEvidence:
    """One side of a finger comparison: its sample, every minutia of its template (n, 3:
    x, y, angle at 500 dpi) and the paired ones (row → (pair number, strength))."""

    sample: SampleImage
    minutiae: np.ndarray
    paired: dict[int, tuple[int, float]]


@dataclass(frozen=True)
class _Sides:
    case: DuplicateCase
    person_id: int | None
    held_enrollment_id: int | None


def _sides(session: Session, case_id: int, rank: int) -> _Sides:
    case = get_case(session, case_id)
    cand = session.scalars(select(DuplicateCandidate).where(
        DuplicateCandidate.case_id == case_id, DuplicateCandidate.rank == rank)).first()
    if cand is None:
        raise NotFound("no such candidate", code="candidate_not_found")
    person = candidate_person(session, cand)
    if person is not None:
        return _Sides(case, person.id, None)
    return _Sides(case, None, cand.held_enrollment_id)


def _templates(session: Session, position: int, sides: _Sides, side: str) -> list[Template]:
    modality = "face" if position == 0 else "finger"
    q = select(Template).where(Template.position == position, Template.modality == modality)
    if side == "packet":
        q = q.where(Template.enrollment_id == sides.case.enrollment_id)
    elif sides.person_id is not None:
        q = q.where(Template.person_id == sides.person_id,
                    Template.enrollment_id != sides.case.enrollment_id)
    else:
        q = q.where(Template.enrollment_id == sides.held_enrollment_id)
    return list(session.scalars(q.order_by(Template.id.desc())))


def _image(session: Session, row: Template) -> SampleImage:
    sample = session.get(Sample, row.sample_id)
    assert sample is not None
    return SampleImage(templates.sample_bytes(sample), sample.media_type, sample.dpi)


def face(session: Session, case_id: int, rank: int, side: str) -> SampleImage:
    """The face sample of one side (``packet`` or ``candidate``) of a case's candidate."""
    rows = _templates(session, 0, _sides(session, case_id, rank), side)
    if not rows:
        raise NotFound("no face on this side", code="sample_not_found")
    return _image(session, rows[0])


def _pairs(packet: Template, candidates: list[Template]) -> tuple[int, list[MinutiaPair]]:
    """(the candidate template that scores best against the packet's, its minutia pairs)."""
    key = tuple((t.id, bytes(t.ciphertext[1:13])) for t in (packet, *candidates))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    probe = templates.finger(packet)
    best: tuple[float, Template, finger_engine.FingerTemplate] | None = None
    for row, tpl in templates.readable(candidates):
        if not isinstance(tpl, finger_engine.FingerTemplate):
            continue
        score = float(finger_engine.compare(probe, tpl))
        if best is None or score > best[0]:
            best = (score, row, tpl)
    result = (candidates[0].id, []) if best is None else (best[1].id,
                                                          paired_minutiae(probe, best[2]))
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def finger(session: Session, case_id: int, rank: int, position: int,
           side: str) -> FingerEvidence:
    """One side of a finger comparison with its minutiae and the pairs LSS-R made."""
    sides = _sides(session, case_id, rank)
    mine = _templates(session, position, sides, "packet")
    theirs = _templates(session, position, sides, "candidate")
    own = mine if side == "packet" else theirs
    if not own:
        raise NotFound("no finger at this position on this side", code="sample_not_found")
    row = own[0]
    pairs: list[MinutiaPair] = []
    if mine and theirs:
        best_id, pairs = _pairs(mine[0], theirs)
        if side == "candidate":
            row = next(t for t in theirs if t.id == best_id)
    tpl = templates.finger(row)
    paired = {(p.a if side == "packet" else p.b): (n, p.strength)
              for n, p in enumerate(pairs, start=1)}
    return FingerEvidence(_image(session, row), tpl.minutiae, paired)
