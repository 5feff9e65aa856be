"""PNG renderings of a case's samples for an admin, drawn in memory and never stored.

A finger is drawn at 500 dpi (the templates' coordinate frame) with every minutia of its
template in grey and the minutiae that LSS-R paired with the counterpart finger in colour,
numbered alike on both sides (pair 1 = strongest). What is drawn comes from
``enrollment.case_evidence`` (reads and comparisons); this module only decodes and draws.
"""

from __future__ import annotations

import colorsys

import cv2
import numpy as np
from sqlalchemy.orm import Session

from enrollment import case_evidence
from identity.platform.media import FACE_TYPES, FINGER_TYPES, decode

FACE_WIDTH = 320
# Display only: a pair whose relaxed similarity is below this is drawn thin (a forced pairing
# of unrelated minutiae; LSS-R always takes its n_P best pairs, even between strangers).
STRONG_PAIR = 0.2
_BASE_DPI = 500


def _png(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", img)
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise RuntimeError("PNG encoding failed")
    return buf.tobytes()


def face_png(session: Session, case_id: int, rank: int, side: str, max_pixels: int) -> bytes:
    sample = case_evidence.face(session, case_id, rank, side)
    rgb = decode(sample.data, FACE_TYPES, max_pixels=max_pixels, grey=False).pixels
    h, w = rgb.shape[:2]
    if w > FACE_WIDTH:
        rgb = cv2.resize(rgb, (FACE_WIDTH, round(h * FACE_WIDTH / w)),
                         interpolation=cv2.INTER_AREA)
    return _png(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


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
    ev = case_evidence.finger(session, case_id, rank, position, side)
    grey = decode(ev.sample.data, FINGER_TYPES, max_pixels=max_pixels, grey=True).pixels
    dpi = ev.sample.dpi or _BASE_DPI
    if dpi != _BASE_DPI:
        scale = _BASE_DPI / dpi
        grey = cv2.resize(grey, (round(grey.shape[1] * scale), round(grey.shape[0] * scale)),
                          interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    return _png(_draw(grey, ev.minutiae, ev.paired))
