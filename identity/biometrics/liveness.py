"""The active liveness challenge on a frame sequence (webcam enrollments, agencies' verify).

Frames are decoded strictly (JPEG/PNG, ``identity.platform.media``); in each the largest face is
found, its 68 landmarks read and its template computed. The sequence passes when every face is
the same person as the first (``liveness.same_face``), enough frames show a face
(``liveness.min_frames``) and ``matching.liveness.assess`` sees both turns and a blink.
Refusals are 422 ``liveness_failed`` naming the missing steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from identity.platform.errors import DomainError, Invalid
from identity.platform.media import FACE_TYPES, decode
from matching import face as face_engine
from matching import liveness, thresholds

MAX_FRAMES = 12


@dataclass(frozen=True)
class LivenessResult:
    assessment: liveness.Assessment
    frames: int  # frames received
    faces: int  # frames with a face
    best_frame: int  # index (in the frames received) of the most frontal open-eyed frame

    def evidence(self) -> dict[str, Any]:
        a = self.assessment
        return {"live": a.live, "frames": self.frames, "faces": self.faces,
                "yaws": a.yaws, "openness": a.openness, "missing": a.missing,
                "best_frame": self.best_frame}


def _largest(boxes: list[face_engine.Box]) -> face_engine.Box:
    return max(boxes, key=face_engine.box_size)


def measure(frames: Sequence[bytes], *, max_pixels: int) -> LivenessResult:
    """Landmarks and templates of each frame, then the challenge's assessment (no raise on a
    failed challenge: callers that measure want the numbers)."""
    if not frames:
        raise Invalid("send the challenge's frames", code="liveness_required")
    if len(frames) > MAX_FRAMES:
        raise Invalid(f"at most {MAX_FRAMES} frames", code="too_many_frames")
    points: list[np.ndarray] = []
    kept: list[int] = []
    first: face_engine.FaceEncoding | None = None
    same = thresholds.value("liveness.same_face")
    for i, raw in enumerate(frames):
        try:
            rgb = decode(raw, FACE_TYPES, max_pixels=max_pixels, grey=False).pixels
        except DomainError as exc:
            raise Invalid(f"frame {i + 1}: {exc.message}", code="invalid_frame") from exc
        boxes = [b for b in face_engine.detect_faces(rgb)
                 if face_engine.box_size(b) >= thresholds.value("face.min_face_px")]
        if not boxes:
            continue
        box = _largest(boxes)
        enc = face_engine.encode_face(rgb, box)
        if first is None:
            first = enc
        elif face_engine.face_distance(first, enc) > same:
            raise Invalid(f"frame {i + 1} shows another face than the first frame",
                          code="liveness_failed", details={"missing": ["same_face"]})
        points.append(face_engine.face_landmarks(rgb, box))
        kept.append(i)
    result = liveness.assess(points)
    best = 0
    if kept:
        scores = [abs(y) - o for y, o in zip(result.yaws, result.openness, strict=True)]
        best = kept[int(np.argmin(scores))]
    return LivenessResult(result, len(frames), len(kept), best)


def check_frames(frames: Sequence[bytes], *, max_pixels: int,
                 face: bytes | None = None) -> LivenessResult:
    """``measure``, then 422 ``liveness_failed`` unless the challenge was met. ``face``, the
    image that will be compared or enrolled, must be one of the frames (422
    ``face_not_in_frames``): the challenge vouches for those frames only."""
    if face is not None and face not in frames:
        raise Invalid("the face must be one of the challenge's frames",
                      code="face_not_in_frames")
    result = measure(frames, max_pixels=max_pixels)
    need = int(thresholds.value("liveness.min_frames"))
    if result.faces < need:
        raise Invalid(f"a face was seen in {result.faces} of {result.frames} frames, "
                      f"{need} needed", code="liveness_failed",
                      details={"missing": ["face"], "faces": result.faces})
    if not result.assessment.live:
        raise Invalid("the liveness challenge was not met: "
                      f"{', '.join(result.assessment.missing)} not seen",
                      code="liveness_failed", details=result.evidence())
    return result
