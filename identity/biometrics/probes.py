"""Uploads → templates: the one path from image bytes to face and finger templates.

Enrollment packets, 1:1 verify probes, heirs probes and ration receipts all come through
``prepare``: strict decoding (``identity.platform.media``), then the face encoder and LEADER
(each finger resampled and segmented once, inside ``matching.fingerprint.extract_templates``)
in a worker of the bounded extraction pool (``extraction_pool``) or, without one, in the
calling thread. Every failing sample is named in one ``Invalid``
with its reason; nothing here touches the database (extraction is slow: call it before opening
a transaction).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from identity.biometrics import extraction_pool
from identity.platform.errors import DomainError, Invalid
from identity.platform.media import FACE_TYPES, FINGER_TYPES, DecodedImage, decode
from matching import face as face_engine
from matching import fingerprint as finger_engine

DEFAULT_FINGER_DPI = 500
FINGER_POSITIONS = range(1, 11)  # ISO/IEC 19794-4: 1 right thumb .. 10 left little


@dataclass(frozen=True)
class Sample:
    """One accepted sample: what was sent (``raw``), what it decoded to, its template bytes."""

    modality: str  # face | finger
    position: int  # 0 for the face
    raw: bytes
    image: DecodedImage
    template: bytes
    extractor: str
    version: str


@dataclass
class Probe:
    """A capture turned into templates: the face vector (128,) float32 and the fingers by
    position, with the samples they came from (what enrollment stores)."""

    samples: list[Sample] = field(default_factory=list)
    face: face_engine.FaceEncoding | None = None
    finger_templates: dict[int, finger_engine.FingerTemplate] = field(default_factory=dict)

    @property
    def face_vector(self) -> np.ndarray | None:
        return None if self.face is None else self.face.vector

    @property
    def empty(self) -> bool:
        return self.face is None and not self.finger_templates


def sample_name(position: int) -> str:
    return "face" if position == 0 else f"finger_{position}"


def _failure(position: int, reason: str, message: str) -> dict[str, str]:
    return {"sample": sample_name(position), "reason": reason, "message": message}


@dataclass
class Capture:
    """Decoded uploads, not yet extracted: position (0 = face) → (bytes as sent, image)."""

    images: dict[int, tuple[bytes, DecodedImage]] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)


def decode_capture(face: bytes | None, fingers: Mapping[int, bytes], *, max_pixels: int,
                   collect: bool = False) -> Capture:
    """Strictly decode a capture (cheap; no extraction). ``face``: JPEG/PNG bytes;
    ``fingers``: position (1-10) → PNG/TIFF/WSQ bytes.

    Raises ``UnsupportedMedia`` (415) for a file of the wrong type and ``Invalid`` (422,
    ``empty_probe`` / ``invalid_finger_position``) for a capture with nothing to ask. A file that
    does not decode raises its ``DecodeError`` (422) at once, or with ``collect`` is named in
    ``failures`` (enrollment reports every failing sample of a packet together).
    """
    if face is None and not fingers:
        raise Invalid("submit a face and/or at least one finger", code="empty_probe")
    pool = extraction_pool.current()
    if pool is not None:
        pool.check_capacity()  # refuse before decoding when extraction is full (503)
    bad = sorted(set(fingers) - set(FINGER_POSITIONS))
    if bad:
        raise Invalid(f"finger positions are 1-10, got {bad}", code="invalid_finger_position")
    out = Capture()
    items = ([(0, face, FACE_TYPES)] if face is not None else []) + \
        [(pos, fingers[pos], FINGER_TYPES) for pos in sorted(fingers)]
    for pos, raw, types in items:
        try:
            out.images[pos] = (raw, decode(raw, types, max_pixels=max_pixels, grey=pos != 0))
        except DomainError as exc:
            if exc.status_code == 415 or not collect:
                raise
            out.failures.append(_failure(pos, exc.code, exc.message))
    return out


def _run(job: extraction_pool.Job) -> extraction_pool.Outcome:
    pool = extraction_pool.current()
    return pool.run(job) if pool is not None else extraction_pool.run_job(job)


def plain_templates(plain: Mapping[int, bytes], *, max_pixels: int
                    ) -> dict[int, list[finger_engine.FingerTemplate | None]]:
    """Templates of the fingers of a card's plain impressions (positions 11-15), in
    ``matching.fingerprint.slaps.SLAPS`` order (``None`` for a finger that did not extract).
    An impression that does not decode or segment is left out: the card is then not checked
    on it (plain impressions never refuse a record)."""
    from matching.fingerprint import slaps

    owners: list[int] = []
    images: list[np.ndarray] = []
    for pos, raw in sorted(plain.items()):
        if pos not in slaps.SLAPS:
            continue
        try:
            img = decode(raw, FINGER_TYPES, max_pixels=max_pixels, grey=True)
        except DomainError:
            continue
        parts = slaps.segment(img.pixels, img.dpi or DEFAULT_FINGER_DPI, len(slaps.SLAPS[pos]))
        for part in parts or []:
            owners.append(pos)
            images.append(part)
    if not images:
        return {}
    _, results = _run(extraction_pool.Job(face=None, fingers=images, dpis=[500] * len(images)))
    out: dict[int, list[finger_engine.FingerTemplate | None]] = {}
    for pos, res in zip(owners, results, strict=True):
        out.setdefault(pos, []).append(None if isinstance(res, tuple) else res)
    return out


def extract(capture: Capture, *, failure_code: str) -> Probe:
    """Templates of a decoded capture: the face encoder and LEADER, in a worker of the
    extraction pool when the process has one (``extraction_pool``: 503 ``extraction_busy``
    when it is full), else in this thread. Raises ``Invalid`` (422, ``failure_code``) naming
    every sample that failed (``details``: sample, reason, message), those ``decode_capture``
    collected included."""
    failures = list(capture.failures)
    out = Probe()
    positions = sorted(p for p in capture.images if p != 0)
    job = extraction_pool.Job(
        face=capture.images[0][1].pixels if 0 in capture.images else None,
        fingers=[capture.images[p][1].pixels for p in positions],
        dpis=[capture.images[p][1].dpi or DEFAULT_FINGER_DPI for p in positions])
    face, fingers = _run(job)
    if isinstance(face, tuple):
        failures.append(_failure(0, face[1], face[2]))
    elif face is not None:
        raw, img = capture.images[0]
        out.face = face
        out.samples.append(Sample("face", 0, raw, img, face.to_bytes(), face.extractor,
                                  face.version))
    for pos, res in zip(positions, fingers, strict=True):
        if isinstance(res, tuple):
            failures.append(_failure(pos, res[1], res[2]))
            continue
        raw, img = capture.images[pos]
        out.finger_templates[pos] = res
        out.samples.append(Sample("finger", pos, raw, img, res.to_bytes(), res.extractor,
                                  res.version))
    if failures:
        failures.sort(key=lambda f: f["sample"] != "face")
        raise Invalid(f"{len(failures)} sample(s) failed the quality check", code=failure_code,
                      details=failures)
    return out


def prepare(face: bytes | None, fingers: Mapping[int, bytes], *, max_pixels: int,
            failure_code: str = "quality_failed") -> Probe:
    """``decode_capture`` (collecting decode failures) then ``extract``: every failing sample of
    the capture is named in one ``Invalid`` (422, ``failure_code``)."""
    return extract(decode_capture(face, fingers, max_pixels=max_pixels, collect=True),
                   failure_code=failure_code)
