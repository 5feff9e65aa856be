"""Plain impressions of a ten-print card, and the check that the rolls are in the right order.

ANSI/NIST-ITL finger positions 11-15 are the plain impressions: 11 right thumb, 12 left thumb,
13 right four-finger slap, 14 left four-finger slap, 15 both thumbs. Fingers appear in a slap
left to right as captured with the palm down: right slap index (2) .. little (5); left slap
little (10) .. index (7); two thumbs: left (6), right (1). A swapped roll (a finger printed in
another finger's box) is a classic card error; the plain impressions, taken in one touch,
cannot be swapped, so each plain finger is compared with the rolls of its hand.

``segment(image, count)`` splits a slap by the column profile of its ridge area (upright
slaps with a gap between fingers; a slap whose fingers touch gives fewer clean segments and is
reported as not checked rather than guessed). ``order_check`` returns the disagreements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import params as P
from .segmentation import ridge_mask

SLAPS: dict[int, tuple[int, ...]] = {11: (1,), 12: (6,), 13: (2, 3, 4, 5), 14: (10, 9, 8, 7),
                                     15: (6, 1)}
# The rolls each plain impression is compared with (a thumb with both thumbs).
GROUPS: dict[int, tuple[int, ...]] = {11: (1, 6), 12: (1, 6), 13: (2, 3, 4, 5),
                                      14: (7, 8, 9, 10), 15: (1, 6)}


@dataclass(frozen=True)
class Disagreement:
    """A plain finger that matches another roll better than its own."""

    plain_position: int  # 11-15
    expected: int  # the roll it should match (1-10)
    matched: int  # the roll it matches
    expected_score: float
    matched_score: float


def _crop(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The finger's box with a margin, padded (centred, with its border's median grey, as
    LEADER's own padding) to a multiple of ``SLAP_SIZE_MULTIPLE`` a side: segments come in
    every size, and each new size is a compilation of LEADER (~0.9 CPU-s) — at multiples of 32
    the cards of three FVC sets gave 19 sizes, more than the compiled-size cache holds."""
    ys, xs = np.nonzero(mask)
    margin = P.SLAP_MARGIN_PX
    top, bottom = max(0, ys.min() - margin), min(image.shape[0], ys.max() + margin + 1)
    left, right = max(0, xs.min() - margin), min(image.shape[1], xs.max() + margin + 1)
    box = image[top:bottom, left:right]
    m = P.SLAP_SIZE_MULTIPLE
    h, w = -(-box.shape[0] // m) * m, -(-box.shape[1] // m) * m
    border = np.concatenate([box[0], box[-1], box[:, 0], box[:, -1]])
    out = np.full((h, w), np.median(border), dtype=np.uint8)
    y, x = (h - box.shape[0]) // 2, (w - box.shape[1]) // 2
    out[y:y + box.shape[0], x:x + box.shape[1]] = box
    return out


def segment(image: np.ndarray, dpi: int, count: int) -> list[np.ndarray] | None:
    """The ``count`` fingers of a plain impression (uint8 H x W at ``dpi``), left to right, at
    500 dpi; ``None`` when the ridge area does not fall into ``count`` separate column runs."""
    image500: np.ndarray = np.asarray(image, dtype=np.uint8)
    if int(dpi) != P.BASE_DPI:
        import cv2

        scale = P.BASE_DPI / float(dpi)
        size = (round(image500.shape[1] * scale), round(image500.shape[0] * scale))
        image500 = cv2.resize(image500, size, interpolation=cv2.INTER_AREA)
    mask = ridge_mask(image500, close=False)  # every region: one per finger
    cols = [bool(v) for v in np.count_nonzero(mask, axis=0)]
    runs: list[tuple[int, int]] = []
    start: int | None = None
    gap = end = 0
    for x, on in enumerate(cols):
        if on:
            if start is None:
                start = x
            gap = 0
            end = x
        elif start is not None:
            gap += 1
            if gap >= P.SLAP_MIN_GAP_PX:
                runs.append((start, end + 1))
                start = None
    if start is not None:
        runs.append((start, end + 1))
    runs = sorted(sorted(runs, key=lambda r: r[1] - r[0], reverse=True)[:count])
    if len(runs) != count:
        return None
    out = []
    for a, b in runs:
        sub = np.zeros_like(mask)
        sub[:, a:b] = mask[:, a:b]
        out.append(_crop(image500, sub))
    return out


def order_check(rolls: Mapping[int, Any], plain: Mapping[int, Sequence[Any]],
                score: Callable[[Any, Any], float], threshold: float) -> list[Disagreement]:
    """Compare each plain finger with the rolls of its slap group.

    ``rolls``: position 1-10 → template; ``plain``: position 11-15 → templates of its fingers
    in ``SLAPS`` order (``None`` where one did not extract); ``score(a, b)`` → similarity,
    higher is more similar; ``threshold``: the match score. A plain finger disagrees when its
    own roll scores below ``threshold`` while another roll of the group scores at or above it.
    """
    found: list[Disagreement] = []
    for pos, templates in sorted(plain.items()):
        expected_order = SLAPS.get(pos, ())
        group = [p for p in GROUPS.get(pos, ()) if p in rolls]
        for expected, tpl in zip(expected_order, templates, strict=False):
            if tpl is None or expected not in rolls:
                continue
            scores = {p: float(score(tpl, rolls[p])) for p in group}
            best = max(scores, key=lambda p: scores[p])
            if best != expected and scores[best] >= threshold > scores[expected]:
                found.append(Disagreement(pos, expected, best, scores[expected], scores[best]))
    return found
