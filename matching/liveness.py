"""Active face liveness: did the face in a short frame sequence turn left and right and blink?

Pure functions on 68-point iBUG landmarks ((68, 2) float arrays, pixels; ``matching.face
.face_landmarks`` gives them), in the face_recognition style:

- ``yaw(points)`` -> head turn proxy in [-1, 1]: where the nose tip (30) falls between the jaw
  ends (0, 16), measured along the eye line so that rolling the head (or a photo) in the image
  plane does not change it; 0 is frontal, the sign says which side the nose moved to.
- ``eye_openness(points)`` -> the eye aspect ratio (Soukupová & Čech, 2016), both eyes
  averaged: about 0.25-0.35 open, below ~0.2 closed.
- ``assess(frames)`` -> ``Assessment``: the challenge is met when the yaw reaches past
  ``liveness.turn`` on both sides and the eyes close (below ``liveness.eye_closed``) between
  two open frames (above ``liveness.eye_open``). Thresholds live in ``matching/thresholds.py``.

What it stops and what it does not is measured by ``bench/liveness_eval.py``: a still photo,
or a photo moved, scaled or rolled in front of the camera, keeps its yaw and its eyes; a replayed
video of the person doing the challenge, or a mask with moving eyes, is not stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from matching import thresholds

JAW_LEFT, JAW_RIGHT, NOSE_TIP = 0, 16, 30
EYE_A = (36, 37, 38, 39, 40, 41)  # image-left eye: corners 36, 39
EYE_B = (42, 43, 44, 45, 46, 47)  # image-right eye: corners 42, 45


def _check(points: np.ndarray) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64)
    if pts.shape != (68, 2) or not np.all(np.isfinite(pts)):
        raise ValueError(f"expected (68, 2) finite landmarks, got {pts.shape}")
    return pts


def yaw(points: np.ndarray) -> float:
    """Head-turn proxy in [-1, 1] (0 frontal); invariant to translation, scale and in-plane
    rotation of the face."""
    pts = _check(points)
    axis = pts[list(EYE_B)].mean(axis=0) - pts[list(EYE_A)].mean(axis=0)
    norm = float(np.linalg.norm(axis))
    if norm == 0.0:
        return 0.0
    u = axis / norm
    left, right, nose = pts[JAW_LEFT] @ u, pts[JAW_RIGHT] @ u, pts[NOSE_TIP] @ u
    span = right - left
    if span <= 0:
        return 0.0
    return float(np.clip(2.0 * (nose - left) / span - 1.0, -1.0, 1.0))


def _ear(pts: np.ndarray, eye: tuple[int, ...]) -> float:
    p = pts[list(eye)]
    width = np.linalg.norm(p[0] - p[3])
    if width == 0:
        return 0.0
    return float((np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2.0 * width))


def eye_openness(points: np.ndarray) -> float:
    """Eye aspect ratio averaged over both eyes (lower is more closed)."""
    pts = _check(points)
    return (_ear(pts, EYE_A) + _ear(pts, EYE_B)) / 2.0


@dataclass(frozen=True)
class Assessment:
    """The challenge's outcome on one sequence, with the measurements behind it."""

    turned_one_way: bool
    turned_other_way: bool
    blinked: bool
    yaws: list[float] = field(default_factory=list)
    openness: list[float] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.turned_one_way and self.turned_other_way and self.blinked

    @property
    def missing(self) -> list[str]:
        """The challenge steps not seen: turn_left, turn_right, blink."""
        out = []
        if not self.turned_one_way:
            out.append("turn_left")
        if not self.turned_other_way:
            out.append("turn_right")
        if not self.blinked:
            out.append("blink")
        return out


def _blinked(openness: Sequence[float], closed: float, open_: float) -> bool:
    """An open frame, then a closed one, then an open one again (in sequence order)."""
    seen_open = False
    seen_closed = False
    for value in openness:
        if not seen_open:
            seen_open = value >= open_
        elif not seen_closed:
            seen_closed = value <= closed
        elif value >= open_:
            return True
    return False


def assess(frames: Sequence[np.ndarray]) -> Assessment:
    """Assess a sequence of per-frame landmarks ((68, 2) each, in capture order).

    The nose must pass ``liveness.turn`` on each side of frontal (which side is the person's
    left depends on whether the camera mirrors, so the two turns are not told apart), and the
    eyes must go open → closed → open.
    """
    yaws = [yaw(f) for f in frames]
    openness = [eye_openness(f) for f in frames]
    turn = thresholds.value("liveness.turn")
    return Assessment(
        turned_one_way=any(y <= -turn for y in yaws),
        turned_other_way=any(y >= turn for y in yaws),
        blinked=_blinked(openness, thresholds.value("liveness.eye_closed"),
                         thresholds.value("liveness.eye_open")),
        yaws=[round(y, 3) for y in yaws], openness=[round(o, 3) for o in openness])
