"""Synthetic distractor fingers for the 1:N bench: mirrored, re-posed, perturbed real minutiae.

Distractor ``i`` is made from the minutiae of one real FVC impression (chosen by a seeded draw):
mirrored left-right (a reflection is no rotation, so MCC cannot match it back to its source:
it is a different, plausible finger, like the same finger of the other hand), rotated by up to
±30°, shifted, every minutia jittered (σ 3 px, 0.1 rad), 20% dropped and 10% spurious ones
added. Each therefore has real minutiae density, real ridge-flow-consistent directions and real
local structures: its cylinders look like real cylinders, which is what makes votes and LSS-R
scores hard to tell from a mate (random points would be far easier). Deterministic from ``i``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from matching.fingerprint import FingerTemplate, make_template
from matching.fingerprint.codes import cylinder_codes
from matching.fingerprint.params import CODE_BITS, MAX_INDEXED_CYLINDERS

log = logging.getLogger(__name__)
SEED = 4242


def distractor_minutiae(i: int, pool: list[np.ndarray]) -> np.ndarray:
    rng = np.random.default_rng((SEED, int(i)))
    src = pool[int(rng.integers(len(pool)))]
    x, y, a = src[:, 0].astype(np.float64), src[:, 1].astype(np.float64), src[:, 2]
    x = x.max() + x.min() - x  # mirror left-right
    a = np.pi - a
    rot = rng.uniform(-np.pi / 6, np.pi / 6)
    cx, cy = x.mean(), y.mean()
    c, s = np.cos(rot), np.sin(rot)
    x, y = cx + c * (x - cx) - s * (y - cy), cy + s * (x - cx) + c * (y - cy)
    x = x + rng.uniform(-30, 30) + rng.normal(0, 3.0, len(x))
    y = y + rng.uniform(-30, 30) + rng.normal(0, 3.0, len(y))
    a = a + rot + rng.normal(0, 0.1, len(a))
    keep = rng.random(len(x)) > 0.2
    m = np.column_stack([x, y, a])[keep]
    n_extra = round(0.1 * len(src))
    if n_extra:
        lo, hi = m[:, :2].min(0), m[:, :2].max(0)
        extra = np.column_stack(
            [rng.uniform(lo, hi, (n_extra, 2)), rng.uniform(0, 2 * np.pi, n_extra)]
        )
        m = np.concatenate([m, extra])
    return m.astype(np.float32)


def distractor_template(i: int, pool: list[np.ndarray]) -> FingerTemplate:
    return make_template(distractor_minutiae(i, pool))


def distractor_codes(
    n: int, pool: list[np.ndarray], cache: Path | None
) -> tuple[np.ndarray, np.ndarray]:
    """Codes of distractors 0..n-1 as (concatenated codes, per-distractor counts), cached."""
    f = (
        None
        if cache is None
        else cache / f"distractor-codes-{n}-{len(pool)}-{CODE_BITS}b{MAX_INDEXED_CYLINDERS}.npz"
    )
    if f is not None and f.exists():
        z = np.load(f)
        return z["codes"], z["counts"]
    codes, counts = [], np.zeros(n, np.int64)
    t0 = time.perf_counter()
    for i in range(n):
        c = cylinder_codes(distractor_template(i, pool))
        codes.append(c)
        counts[i] = len(c)
        if (i + 1) % 10000 == 0:
            log.info("distractors: %d/%d, %.0fs", i + 1, n, time.perf_counter() - t0)
    out = np.concatenate(codes) if codes else np.zeros((0, CODE_BITS // 8), np.uint8)
    if f is not None:
        f.parent.mkdir(parents=True, exist_ok=True)
        np.savez(f, codes=out, counts=counts)
    return out, counts
