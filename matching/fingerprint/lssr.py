"""1:1 comparison: MCC16b cylinder similarity and Local Similarity Sort with Relaxation.

Written from Cappelli, Ferrara, Maltoni, TPAMI 32(12) 2010, sections 4-5. Pure numba on uint64
words (no BLAS): one comparison of two ~40-minutia templates takes about 0.1 ms on one core.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import params as P
from .cylinders import _dphi
from .errors import TemplateError
from .template import EXTRACTOR_VERSION, FingerTemplate

_WORDS = P.CODE_BYTES // 8  # 24 uint64 per cylinder
_MWORDS = P.MASK_BYTES // 8  # 4 uint64 per validity mask (one direction layer)


@njit(cache=True, inline="always")
def _pop(x: np.uint64) -> int:
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True)
def _sigm(v: float, mu: float, tau: float) -> float:
    return 1.0 / (1.0 + math.exp(-tau * (v - mu)))


@njit(cache=True, nogil=True)
def _local_matrix(ab: np.ndarray, av: np.ndarray, at: np.ndarray, bb: np.ndarray,
                  bv: np.ndarray, bt: np.ndarray, min_cells: int) -> np.ndarray:
    na, nb = ab.shape[0], bb.shape[0]
    gamma = np.zeros((na, nb))
    for r in range(na):
        for c in range(nb):
            if abs(_dphi(at[r], bt[c])) > P.DELTA_THETA:
                continue
            both = 0
            for w in range(_MWORDS):
                both += _pop(av[r, w] & bv[c, w])
            if both < min_cells:
                continue
            na2 = 0
            nb2 = 0
            nx = 0
            for k in range(P.ND):
                for w in range(_MWORDS):
                    mask = av[r, w] & bv[c, w]
                    x = ab[r, k * _MWORDS + w] & mask
                    y = bb[c, k * _MWORDS + w] & mask
                    na2 += _pop(x)
                    nb2 += _pop(y)
                    nx += _pop(x ^ y)
            den = math.sqrt(na2) + math.sqrt(nb2)
            if den > 0.0:
                gamma[r, c] = 1.0 - math.sqrt(nx) / den
    return gamma


@njit(cache=True, nogil=True)
def _lssr(gamma: np.ndarray, axy: np.ndarray, at: np.ndarray, bxy: np.ndarray,
          bt: np.ndarray) -> float:
    na, nb = gamma.shape
    n_min = min(na, nb)
    if n_min == 0:
        return 0.0
    n_p = P.MIN_NP + round(_sigm(n_min, P.MU_P, P.TAU_P) * (P.MAX_NP - P.MIN_NP))
    flat = gamma.ravel()
    order = np.argsort(-flat)[:n_min]
    nr = order.shape[0]
    rr = order // nb
    cc = order % nb
    lam = np.empty(nr)
    for t in range(nr):
        lam[t] = flat[order[t]]
    lam0 = lam.copy()
    rho = np.zeros((nr, nr))
    for t in range(nr):
        a1, b1 = rr[t], cc[t]
        for k in range(t + 1, nr):
            a2, b2 = rr[k], cc[k]
            dxa, dya = axy[a2, 0] - axy[a1, 0], axy[a2, 1] - axy[a1, 1]
            dxb, dyb = bxy[b2, 0] - bxy[b1, 0], bxy[b2, 1] - bxy[b1, 1]
            d1 = abs(math.sqrt(dxa * dxa + dya * dya) - math.sqrt(dxb * dxb + dyb * dyb))
            d2 = abs(_dphi(_dphi(at[a1], at[a2]), _dphi(bt[b1], bt[b2])))
            ra = _dphi(at[a1], math.atan2(dya, dxa))
            rb = _dphi(bt[b1], math.atan2(dyb, dxb))
            d3 = abs(_dphi(ra, rb))
            v = (
                _sigm(d1, P.MU_RHO_1, P.TAU_RHO_1)
                * _sigm(d2, P.MU_RHO_2, P.TAU_RHO_2)
                * _sigm(d3, P.MU_RHO_3, P.TAU_RHO_3)
            )
            rho[t, k] = v
            rho[k, t] = v
    if nr > 1:
        for _ in range(P.N_REL):
            nxt = np.empty(nr)
            for t in range(nr):
                acc = 0.0
                for k in range(nr):
                    acc += rho[t, k] * lam[k]
                nxt[t] = P.W_R * lam[t] + (1.0 - P.W_R) * acc / (nr - 1)
            lam = nxt
    eff = np.empty(nr)
    for t in range(nr):
        eff[t] = lam[t] / lam0[t] if lam0[t] > 0.0 else 0.0
    best = np.argsort(-eff)[: min(n_p, nr)]
    total = 0.0
    for t in best:
        total += lam[t]
    return total / n_p


def _arrays(t: FingerTemplate) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(cylinder bits, validity, directions, positions) of the cylinders, as the kernels take
    them: uint64 words, float64 radians and pixels."""
    idx = t.cyl_index.astype(np.int64)
    xy = np.ascontiguousarray(t.minutiae[idx, :2], dtype=np.float64)
    th = np.ascontiguousarray(t.minutiae[idx, 2], dtype=np.float64)
    bits = np.ascontiguousarray(t.cyl_bits).view("<u8")
    valid = np.ascontiguousarray(t.cyl_valid).view("<u8")
    return bits, valid, th, xy


def _min_cells() -> int:
    ns = P.NS
    c = np.arange(ns) + 0.5 - ns / 2.0
    in_radius = int(np.sum((c[:, None] ** 2 + c[None, :] ** 2) * P.DELTA_S**2 <= P.R**2))
    return math.ceil(P.MIN_ME * in_radius)


_MIN_CELLS = _min_cells()


def compare(a: FingerTemplate, b: FingerTemplate) -> float:
    """LSS-R similarity of two templates in [0, 1]; higher is more similar.

    Symmetric up to ties; compare the result with ``finger.match_score`` in
    ``matching.thresholds``. Templates of different extractor versions raise ``TemplateError``.
    """
    if a.version != EXTRACTOR_VERSION or b.version != EXTRACTOR_VERSION:
        raise TemplateError("cannot compare templates of another extractor version")
    ab, av, at, axy = _arrays(a)
    bb, bv, bt, bxy = _arrays(b)
    gamma = _local_matrix(ab, av, at, bb, bv, bt, _MIN_CELLS)
    return float(_lssr(gamma, axy, at, bxy, bt))
