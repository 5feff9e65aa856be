"""matching.liveness on synthetic 68-point landmarks: the yaw and the eye openness do not move
when a face (or a photo of it) is shifted, scaled or rolled; a turn each way and an
open-closed-open blink make a live sequence, anything less does not."""

from __future__ import annotations

import numpy as np
import pytest

from matching import liveness, thresholds


def face(nose_x: float = 0.0, eye_height: float = 0.1) -> np.ndarray:
    """A frontal-ish face: jaw on an arc from x=-1 to 1, eyes at x=±0.4, nose tip at nose_x."""
    pts = np.zeros((68, 2))
    for i in range(17):
        a = np.pi * i / 16
        pts[i] = (-np.cos(a), 0.2 + 0.9 * np.sin(a))
    for base, cx in ((36, -0.4), (42, 0.4)):
        w = 0.15
        pts[base + 0] = (cx - w, 0)
        pts[base + 1] = (cx - w / 3, -eye_height / 2)
        pts[base + 2] = (cx + w / 3, -eye_height / 2)
        pts[base + 3] = (cx + w, 0)
        pts[base + 4] = (cx + w / 3, eye_height / 2)
        pts[base + 5] = (cx - w / 3, eye_height / 2)
    pts[30] = (nose_x, 0.35)
    return pts * 100 + 200


def similarity(pts: np.ndarray, angle_deg: float, scale: float, shift: tuple[float, float]
               ) -> np.ndarray:
    a = np.radians(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return (pts - 200) @ rot.T * scale + 200 + np.array(shift)


def test_yaw_and_openness_ignore_shift_scale_and_roll() -> None:
    turned = face(nose_x=0.5)
    y0, o0 = liveness.yaw(turned), liveness.eye_openness(turned)
    assert y0 == pytest.approx(0.5, abs=1e-9)
    for angle, scale, shift in ((12, 1.15, (25, -25)), (-12, 0.85, (-20, 10)), (90, 2.0, (0, 0))):
        moved = similarity(turned, angle, scale, shift)
        assert liveness.yaw(moved) == pytest.approx(y0, abs=1e-9)
        assert liveness.eye_openness(moved) == pytest.approx(o0, abs=1e-9)
    assert liveness.yaw(face()) == pytest.approx(0.0, abs=1e-9)
    assert liveness.eye_openness(face(eye_height=0.02)) < \
        thresholds.value("liveness.eye_closed") < thresholds.value("liveness.eye_open") < \
        liveness.eye_openness(face(eye_height=0.1))


def test_the_challenge_needs_both_turns_and_a_blink() -> None:
    frontal, shut = face(), face(eye_height=0.02)
    left, right = face(nose_x=-0.5), face(nose_x=0.5)
    live = liveness.assess([frontal, left, shut, right, frontal])
    assert live.live and live.missing == []
    assert liveness.assess([frontal, left, right, frontal]).missing == ["blink"]
    assert liveness.assess([frontal, left, shut, frontal]).missing == ["turn_right"]
    assert liveness.assess([frontal, shut, right, frontal]).missing == ["turn_left"]
    # eyes that close and never open again are not a blink; nor eyes that were never open
    assert not liveness.assess([frontal, left, right, shut]).blinked
    assert not liveness.assess([shut, left, right, frontal]).blinked
    # a still photo: the same landmarks, jittered by a pixel, however many frames
    rng = np.random.default_rng(1)
    still = [frontal + rng.normal(0, 1, frontal.shape) for _ in range(10)]
    assert liveness.assess(still).missing == ["turn_left", "turn_right", "blink"]
    # the same photo moved about in front of the camera
    moved = [similarity(right, a, s, (x, -x)) for a, s, x in
             ((0, 1, 0), (-10, 0.9, 20), (10, 1.1, -20), (5, 1.0, 5))]
    assert liveness.assess(moved).missing == ["turn_left", "blink"]


def test_bad_landmarks_refused() -> None:
    with pytest.raises(ValueError):
        liveness.yaw(np.zeros((5, 2)))
    with pytest.raises(ValueError):
        liveness.eye_openness(np.full((68, 2), np.nan))
    assert liveness.assess([]).missing == ["turn_left", "turn_right", "blink"]
