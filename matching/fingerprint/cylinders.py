"""Minutia Cylinder-Code in bit form (MCC16b), written from Cappelli et al., TPAMI 2010.

Coordinates: x right, y down (image rows), pixels at 500 dpi; angles in radians measured from
+x towards +y (``atan2(dy, dx)`` in image coordinates). Cell (i, j, k) has centre
``m + DELTA_S * rot(theta_m) @ (i + 0.5 - NS/2, j + 0.5 - NS/2)`` and direction bin
``-pi + (k + 0.5) * DELTA_D``; bit index ``k * NS*NS + i * NS + j``, packed with ``np.packbits``.
A cell is valid when its centre lies within R of the minutia and inside the minutiae's convex
hull enlarged by OMEGA. A cell bit is set when the summed spatial x directional contribution of
the neighbouring minutiae reaches MU_PSI.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import params as P


@njit(cache=True)
def _dphi(a: float, b: float) -> float:
    d = a - b
    while d < -math.pi:
        d += 2.0 * math.pi
    while d >= math.pi:
        d -= 2.0 * math.pi
    return d


@njit(cache=True)
def _in_hull(px: float, py: float, hx: np.ndarray, hy: np.ndarray, omega: float) -> bool:
    """Inside the counter-clockwise (in x-right/y-up sense: positive cross) hull, or near it."""
    nh = hx.shape[0]
    if nh == 0:
        return False
    inside = nh >= 3
    best = 1e30
    for e in range(nh):
        ax, ay = hx[e], hy[e]
        bx, by = hx[(e + 1) % nh], hy[(e + 1) % nh]
        ex, ey = bx - ax, by - ay
        if (ex * (py - ay) - ey * (px - ax)) < 0.0:
            inside = False
        ll = ex * ex + ey * ey
        t = 0.0 if ll == 0.0 else ((px - ax) * ex + (py - ay) * ey) / ll
        t = min(1.0, max(0.0, t))
        dx, dy = px - (ax + t * ex), py - (ay + t * ey)
        best = min(best, dx * dx + dy * dy)
    return inside or best <= omega * omega


@njit(cache=True)
def _build(xy: np.ndarray, theta: np.ndarray, hx: np.ndarray,
           hy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = xy.shape[0]
    ns, nd = P.NS, P.ND
    bits = np.zeros((n, nd, ns, ns), dtype=np.uint8)
    valid = np.zeros((n, ns, ns), dtype=np.uint8)
    ok = np.zeros(n, dtype=np.uint8)
    gs_norm = 1.0 / (P.SIGMA_S * math.sqrt(2.0 * math.pi))
    reach2 = (3.0 * P.SIGMA_S) ** 2
    cd_scale = 1.0 / (P.SIGMA_D * math.sqrt(2.0))
    in_radius = 0
    for i in range(ns):
        for j in range(ns):
            a, b = (i + 0.5 - ns / 2.0) * P.DELTA_S, (j + 0.5 - ns / 2.0) * P.DELTA_S
            if a * a + b * b <= P.R * P.R:
                in_radius += 1
    near = np.empty(n, dtype=np.int64)
    cdir = np.empty((n, nd))  # directional contribution of each neighbour, per direction bin
    cell = np.empty(nd)
    for m in range(n):
        mx, my, mt = xy[m, 0], xy[m, 1], theta[m]
        nn = 0
        for t in range(n):
            dx, dy = xy[t, 0] - mx, xy[t, 1] - my
            if t != m and dx * dx + dy * dy <= (P.R + 3.0 * P.SIGMA_S) ** 2:
                near[nn] = t
                dth = _dphi(mt, theta[t])
                for k in range(nd):
                    alpha = _dphi(-math.pi + (k + 0.5) * P.DELTA_D, dth)
                    cdir[nn, k] = 0.5 * (
                        math.erf((alpha + P.DELTA_D / 2.0) * cd_scale)
                        - math.erf((alpha - P.DELTA_D / 2.0) * cd_scale)
                    )
                nn += 1
        c, s = math.cos(mt), math.sin(mt)
        nvalid = 0
        for i in range(ns):
            for j in range(ns):
                a, b = (i + 0.5 - ns / 2.0) * P.DELTA_S, (j + 0.5 - ns / 2.0) * P.DELTA_S
                if a * a + b * b > P.R * P.R:
                    continue
                px, py = mx + c * a - s * b, my + s * a + c * b
                if not _in_hull(px, py, hx, hy, P.OMEGA):
                    continue
                valid[m, i, j] = 1
                nvalid += 1
                for k in range(nd):
                    cell[k] = 0.0
                for q in range(nn):
                    t = near[q]
                    dx, dy = xy[t, 0] - px, xy[t, 1] - py
                    d2 = dx * dx + dy * dy
                    if d2 > reach2:
                        continue
                    cs = gs_norm * math.exp(-d2 / (2.0 * P.SIGMA_S * P.SIGMA_S))
                    for k in range(nd):
                        cell[k] += cs * cdir[q, k]
                for k in range(nd):
                    if cell[k] >= P.MU_PSI:
                        bits[m, k, i, j] = 1
        if nvalid >= P.MIN_VC * in_radius and nn >= P.MIN_M:
            ok[m] = 1
    return bits, valid, ok


def _hull(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convex hull vertices, ordered so that ``_in_hull``'s cross-product test holds."""
    import cv2

    if xy.shape[0] < 3:
        return xy[:, 0].astype(np.float64), xy[:, 1].astype(np.float64)
    pts = cv2.convexHull(xy.astype(np.float32), clockwise=False).reshape(-1, 2)
    area2 = float(np.sum(pts[:, 0] * np.roll(pts[:, 1], -1) - np.roll(pts[:, 0], -1) * pts[:, 1]))
    if area2 < 0:
        pts = pts[::-1]
    return pts[:, 0].astype(np.float64), pts[:, 1].astype(np.float64)


def build_cylinders(minutiae: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MCC16b cylinders of ``minutiae`` (n, 3: x, y, angle at 500 dpi).

    Returns ``(index, bits, valid)`` for the valid cylinders only: ``index`` (m,) uint16 into
    ``minutiae``, ``bits`` (m, 192) uint8 packed cell bits, ``valid`` (m, 32) uint8 packed
    validity of the NS x NS base cells (shared by the ND direction layers).
    """
    xy = np.ascontiguousarray(minutiae[:, :2], dtype=np.float64)
    theta = np.ascontiguousarray(minutiae[:, 2], dtype=np.float64)
    n = xy.shape[0]
    if n == 0:
        return (
            np.zeros(0, np.uint16),
            np.zeros((0, P.CODE_BYTES), np.uint8),
            np.zeros((0, P.MASK_BYTES), np.uint8),
        )
    hx, hy = _hull(xy)
    bits, valid, ok = _build(xy, theta, hx, hy)
    keep = np.flatnonzero(ok)
    packed_bits = np.packbits(bits[keep].reshape(len(keep), -1), axis=1)
    packed_valid = np.packbits(valid[keep].reshape(len(keep), -1), axis=1)
    return keep.astype(np.uint16), packed_bits, packed_valid
