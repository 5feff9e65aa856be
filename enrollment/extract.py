"""Packet → decoded samples and templates, with the quality gate.

Every failing sample is named in one 422 (``quality_failed``) with its reason; nothing is stored
for a rejected packet. Extraction runs before any database write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from enrollment.packet import Packet
from identity.platform.errors import DomainError, Invalid
from identity.platform.media import FACE_TYPES, FINGER_TYPES, DecodedImage, decode
from matching import face as face_engine
from matching import fingerprint as finger_engine

DEFAULT_FINGER_DPI = 500


@dataclass
class ExtractedSample:
    modality: str  # face | finger
    position: int  # 0 for the face
    raw: bytes
    image: DecodedImage
    template: bytes
    extractor: str
    version: str


@dataclass
class Extracted:
    samples: list[ExtractedSample] = field(default_factory=list)
    face_vector: np.ndarray | None = None
    finger_templates: dict[int, finger_engine.FingerTemplate] = field(default_factory=dict)


def _sample_name(position: int) -> str:
    return "face" if position == 0 else f"finger_{position}"


def extract(packet: Packet, *, max_pixels: int) -> Extracted:
    failures: list[dict[str, str]] = []
    out = Extracted()

    if packet.face is not None:
        try:
            img = decode(packet.face, FACE_TYPES, max_pixels=max_pixels, grey=False)
            enc = face_engine.encode_face(img.pixels)
            out.face_vector = enc.vector
            out.samples.append(ExtractedSample("face", 0, packet.face, img, enc.to_bytes(),
                                               enc.extractor, enc.version))
        except face_engine.FaceQualityError as exc:
            failures.append({"sample": "face", "reason": exc.reason, "message": str(exc)})
        except DomainError as exc:
            if exc.status_code == 415:
                raise
            failures.append({"sample": "face", "reason": exc.code, "message": exc.message})

    decoded: dict[int, DecodedImage] = {}
    for pos in sorted(packet.fingers):
        try:
            img = decode(packet.fingers[pos], FINGER_TYPES, max_pixels=max_pixels, grey=True)
            finger_engine.check_image(img.pixels, img.dpi or DEFAULT_FINGER_DPI)
            decoded[pos] = img
        except finger_engine.FingerQualityError as exc:
            failures.append({"sample": _sample_name(pos), "reason": exc.reason,
                             "message": str(exc)})
        except DomainError as exc:
            if exc.status_code == 415:
                raise
            failures.append({"sample": _sample_name(pos), "reason": exc.code,
                             "message": exc.message})

    if decoded:
        positions = sorted(decoded)
        results = finger_engine.extract_templates(
            [decoded[p].pixels for p in positions],
            [decoded[p].dpi or DEFAULT_FINGER_DPI for p in positions],
        )
        for pos, res in zip(positions, results, strict=True):
            if isinstance(res, finger_engine.FingerQualityError):
                failures.append({"sample": _sample_name(pos), "reason": res.reason,
                                 "message": str(res)})
                continue
            out.finger_templates[pos] = res
            out.samples.append(ExtractedSample("finger", pos, packet.fingers[pos], decoded[pos],
                                               res.to_bytes(), res.extractor, res.version))

    if failures:
        raise Invalid(f"{len(failures)} sample(s) failed the quality check",
                      code="quality_failed", details=failures)
    return out
