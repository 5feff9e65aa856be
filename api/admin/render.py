"""PNG renderings of a case's samples, decrypted in memory for an admin and never stored.

A finger is drawn at 500 dpi (the templates' coordinate frame) with every minutia of its
template in grey and the minutiae that LSS-R paired with the counterpart finger in colour,
numbered alike on both sides (pair 1 = strongest).
"""

from __future__ import annotations

import colorsys
import threading
from collections import OrderedDict

import cv2
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.biometrics.gallery import decrypt_template
from identity.platform import crypto
from identity.platform.errors import NotFound
from identity.platform.media import FACE_TYPES, FINGER_TYPES, decode
from identity.registry import persons
from matching import fingerprint as finger_engine
from matching.fingerprint.pairs import MinutiaPair, paired_minutiae
from models.dedup import DuplicateCandidate, DuplicateCase
from models.enrollment import Sample, Template

FACE_WIDTH = 320
# Display only: a pair whose relaxed similarity is below this is drawn thin (a forced pairing
# of unrelated minutiae; LSS-R always takes its n_P best pairs, even between strangers).
STRONG_PAIR = 0.2
_BASE_DPI = 500
# (template id, nonce) of the packet's and the candidate's templates -> the comparison. Nonces
# are random per encryption, so a key never matches a template of another database.
_CacheKey = tuple[tuple[int, bytes], ...]
_cache: OrderedDict[_CacheKey, tuple[int, list[MinutiaPair]]] = OrderedDict()
_cache_lock = threading.Lock()


def _sample_bytes(sample: Sample) -> bytes:
    return crypto.decrypt(sample.ciphertext, crypto.context("samples", sample.id, "image"))


def _png(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", img)
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise RuntimeError("PNG encoding failed")
    return buf.tobytes()


def _case_and_person(session: Session, case_id: int, rank: int) -> tuple[DuplicateCase, int]:
    case = session.get(DuplicateCase, case_id)
    if case is None:
        raise NotFound("no such duplicate case", code="case_not_found")
    cand = session.scalars(select(DuplicateCandidate).where(
        DuplicateCandidate.case_id == case_id, DuplicateCandidate.rank == rank)).first()
    if cand is None:
        raise NotFound("no such candidate", code="candidate_not_found")
    return case, persons.resolve_person(session, cand.person_id).id


def _templates(session: Session, position: int, *, enrollment_id: int | None = None,
               person_id: int | None = None) -> list[Template]:
    modality = "face" if position == 0 else "finger"
    q = select(Template).where(Template.position == position, Template.modality == modality)
    if enrollment_id is not None:
        q = q.where(Template.enrollment_id == enrollment_id)
    if person_id is not None:
        q = q.where(Template.person_id == person_id)
    return list(session.scalars(q.order_by(Template.id.desc())))


def face_png(session: Session, case_id: int, rank: int, side: str, max_pixels: int) -> bytes:
    case, person_id = _case_and_person(session, case_id, rank)
    rows = (_templates(session, 0, enrollment_id=case.enrollment_id) if side == "packet"
            else _templates(session, 0, person_id=person_id))
    if not rows:
        raise NotFound("no face on this side", code="sample_not_found")
    sample = session.get(Sample, rows[0].sample_id)
    assert sample is not None
    rgb = decode(_sample_bytes(sample), FACE_TYPES, max_pixels=max_pixels, grey=False).pixels
    h, w = rgb.shape[:2]
    if w > FACE_WIDTH:
        rgb = cv2.resize(rgb, (FACE_WIDTH, round(h * FACE_WIDTH / w)),
                         interpolation=cv2.INTER_AREA)
    return _png(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def _pairs(packet: Template, candidates: list[Template]) -> tuple[int, list[MinutiaPair]]:
    """(the candidate template that scores best against the packet's, its minutia pairs)."""
    key = tuple((t.id, bytes(t.ciphertext[1:13])) for t in (packet, *candidates))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    probe = finger_engine.FingerTemplate.from_bytes(decrypt_template(packet))
    best: tuple[float, Template, finger_engine.FingerTemplate] | None = None
    for row in candidates:
        if row.extractor_version != finger_engine.EXTRACTOR_VERSION:
            continue
        tpl = finger_engine.FingerTemplate.from_bytes(decrypt_template(row))
        score = float(finger_engine.compare(probe, tpl))
        if best is None or score > best[0]:
            best = (score, row, tpl)
    result = (candidates[0].id, []) if best is None else (best[1].id,
                                                          paired_minutiae(probe, best[2]))
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > 512:
            _cache.popitem(last=False)
    return result


def _colour(i: int, n: int) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb((i * 0.61803) % 1.0, 0.9, 0.95)
    return int(b * 255), int(g * 255), int(r * 255)


def _draw(grey500: np.ndarray, minutiae: np.ndarray,
          paired: dict[int, tuple[int, float]]) -> np.ndarray:
    """Unpaired minutiae grey; pairs numbered in colour, thick when the pair is strong."""
    img = cv2.cvtColor(grey500, cv2.COLOR_GRAY2BGR)
    for row, (x, y, _angle) in enumerate(minutiae):
        if row in paired:
            continue
        p = (round(float(x)), round(float(y)))
        cv2.circle(img, p, 4, (150, 150, 150), 1, cv2.LINE_AA)
    n = max(1, len(paired))
    for row, (number, strength) in sorted(paired.items(), key=lambda kv: -kv[1][0]):
        x, y, angle = (float(v) for v in minutiae[row])
        colour = _colour(number, n)
        width = 2 if strength >= STRONG_PAIR else 1
        p = (round(x), round(y))
        tip = (round(x + 14 * np.cos(angle)), round(y + 14 * np.sin(angle)))
        cv2.circle(img, p, 7, colour, width, cv2.LINE_AA)
        cv2.line(img, p, tip, colour, width, cv2.LINE_AA)
        cv2.putText(img, str(number), (p[0] + 8, p[1] - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(img, str(number), (p[0] + 8, p[1] - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    colour, 1, cv2.LINE_AA)
    return img


def finger_png(session: Session, case_id: int, rank: int, position: int, side: str,
               max_pixels: int) -> bytes:
    """One side of a finger comparison with its minutiae; ``side`` is packet or candidate."""
    case, person_id = _case_and_person(session, case_id, rank)
    mine = _templates(session, position, enrollment_id=case.enrollment_id)
    theirs = _templates(session, position, person_id=person_id)
    theirs = [t for t in theirs if t.enrollment_id != case.enrollment_id]
    own = mine if side == "packet" else theirs
    if not own:
        raise NotFound("no finger at this position on this side", code="sample_not_found")
    row = own[0]
    pairs: list[MinutiaPair] = []
    if mine and theirs:
        best_id, pairs = _pairs(mine[0], theirs)
        if side == "candidate":
            row = next(t for t in theirs if t.id == best_id)
    tpl = finger_engine.FingerTemplate.from_bytes(decrypt_template(row))
    sample = session.get(Sample, row.sample_id)
    assert sample is not None
    grey = decode(_sample_bytes(sample), FINGER_TYPES, max_pixels=max_pixels, grey=True).pixels
    dpi = sample.dpi or _BASE_DPI
    if dpi != _BASE_DPI:
        scale = _BASE_DPI / dpi
        grey = cv2.resize(grey, (round(grey.shape[1] * scale), round(grey.shape[0] * scale)),
                          interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    paired = {(p.a if side == "packet" else p.b): (n, p.strength)
              for n, p in enumerate(pairs, start=1)}
    return _png(_draw(grey, tpl.minutiae, paired))
