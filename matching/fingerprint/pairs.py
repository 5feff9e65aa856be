"""The minutia pairs behind an LSS-R score, for showing a comparison to a person.

``compare`` (``lssr``) returns only the score; this recomputes the same local-similarity matrix
(``lssr._local_matrix``) and the same relaxation, and returns which minutia of ``a`` was paired
with which of ``b`` among the ``n_P`` pairs that make up the score. Plain numpy (a display path,
about a millisecond for two 40-minutia templates), not used for matching decisions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import params as P
from .errors import TemplateError
from .lssr import _MIN_CELLS, _arrays, _local_matrix
from .template import EXTRACTOR_VERSION, FingerTemplate


@dataclass(frozen=True)
class MinutiaPair:
    """Row ``a`` of ``a.minutiae`` paired with row ``b`` of ``b.minutiae``; ``strength`` is the
    relaxed local similarity in [0, 1] (higher = more alike)."""

    a: int
    b: int
    strength: float


def _dphi(x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray:
    d = np.asarray(x, np.float64) - np.asarray(y, np.float64)
    return (d + math.pi) % (2.0 * math.pi) - math.pi


def _sigm(v: np.ndarray | float, mu: float, tau: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-tau * (np.asarray(v, np.float64) - mu)))


def paired_minutiae(a: FingerTemplate, b: FingerTemplate) -> list[MinutiaPair]:
    """The minutia pairs of the LSS-R comparison of ``a`` and ``b``, strongest first."""
    if a.version != EXTRACTOR_VERSION or b.version != EXTRACTOR_VERSION:
        raise TemplateError("cannot compare templates of another extractor version")
    ab, av, at, axy = _arrays(a)
    bb, bv, bt, bxy = _arrays(b)
    gamma = _local_matrix(ab, av, at, bb, bv, bt, _MIN_CELLS)
    na, nb = gamma.shape
    n_min = min(na, nb)
    if n_min == 0:
        return []
    n_p = P.MIN_NP + round(float(_sigm(float(n_min), P.MU_P, P.TAU_P)) * (P.MAX_NP - P.MIN_NP))
    flat = gamma.ravel()
    order = np.argsort(-flat, kind="stable")[:n_min]
    rr, cc = order // nb, order % nb
    lam0 = flat[order].astype(np.float64)
    lam = lam0.copy()
    nr = len(order)
    if nr > 1:
        dxa = axy[rr, 0][None, :] - axy[rr, 0][:, None]
        dya = axy[rr, 1][None, :] - axy[rr, 1][:, None]
        dxb = bxy[cc, 0][None, :] - bxy[cc, 0][:, None]
        dyb = bxy[cc, 1][None, :] - bxy[cc, 1][:, None]
        d1 = np.abs(np.hypot(dxa, dya) - np.hypot(dxb, dyb))
        d2 = np.abs(
            _dphi(_dphi(at[rr][:, None], at[rr][None, :]), _dphi(bt[cc][:, None], bt[cc][None, :]))
        )
        ra = _dphi(at[rr][:, None], np.arctan2(dya, dxa))
        rb = _dphi(bt[cc][:, None], np.arctan2(dyb, dxb))
        d3 = np.abs(_dphi(ra, rb))
        rho = (
            _sigm(d1, P.MU_RHO_1, P.TAU_RHO_1)
            * _sigm(d2, P.MU_RHO_2, P.TAU_RHO_2)
            * _sigm(d3, P.MU_RHO_3, P.TAU_RHO_3)
        )
        rho = np.triu(rho, 1)  # as in lssr: computed for t < k, mirrored
        rho = rho + rho.T
        for _ in range(P.N_REL):
            lam = P.W_R * lam + (1.0 - P.W_R) * (rho @ lam) / (nr - 1)
    eff = np.where(lam0 > 0, lam / np.where(lam0 > 0, lam0, 1.0), 0.0)
    best = np.argsort(-eff, kind="stable")[: min(n_p, nr)]
    a_rows = a.cyl_index.astype(np.int64)
    b_rows = b.cyl_index.astype(np.int64)
    pairs = [
        MinutiaPair(int(a_rows[rr[t]]), int(b_rows[cc[t]]), float(min(1.0, lam[t])))
        for t in best
        if lam[t] > 0
    ]
    return sorted(pairs, key=lambda p: -p.strength)
