"""Segments of a plain impression: one per finger, left to right, each padded to a multiple of
``SLAP_SIZE_MULTIPLE`` a side (few LEADER sizes to compile) with the finger's pixels intact."""

from __future__ import annotations

import numpy as np

from matching.fingerprint import params as P
from matching.fingerprint.slaps import segment


def _ridges(h: int, w: int, period: float = 9.0, angle: float = 0.4) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    wave = np.sin((x * np.cos(angle) + y * np.sin(angle)) * 2 * np.pi / period)
    return (127 + 100 * wave).astype(np.uint8)


def test_a_slap_splits_into_padded_fingers_left_to_right():
    slap = np.full((420, 900), 255, np.uint8)
    sizes = [(330, 150), (360, 170), (300, 140), (250, 120)]
    x = 40
    for n, (h, w) in enumerate(sizes):
        slap[30:30 + h, x:x + w] = _ridges(h, w, period=8 + n)
        x += w + 60
    parts = segment(slap, 500, 4)
    assert parts is not None and len(parts) == 4
    for (h, w), part in zip(sizes, parts, strict=True):
        assert part.shape[0] % P.SLAP_SIZE_MULTIPLE == 0
        assert part.shape[1] % P.SLAP_SIZE_MULTIPLE == 0
        assert part.shape[0] >= h and part.shape[1] >= w
    # the widest finger's ridges are inside its segment, unchanged
    wide = parts[1]
    ys, xs = np.nonzero(wide < 100)
    assert ys.max() - ys.min() > 300 and xs.max() - xs.min() > 150
    assert segment(slap, 500, 5) is None  # four fingers are not five
