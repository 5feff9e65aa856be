"""Foreground (ridge area) segmentation by smoothed gradient magnitude (GMFS-like).

Ridges make strong local grey-level gradients; background and smudges do not. The image is
contrast-normalised, its Sobel gradient magnitude averaged over a window about two ridge
periods wide, thresholded, cleaned with morphology, and the largest connected region kept.
Input is a 500-dpi uint8 image; output a boolean mask of the same shape.
"""

from __future__ import annotations

import numpy as np

from . import params as P


def ridge_mask(image: np.ndarray, close: bool = True) -> np.ndarray:
    """Every ridge region of a 500-dpi greyscale image (uint8 0/1); ``close=False`` skips the
    closing that fills holes, which would also bridge the narrow gaps between the fingers of
    a slap."""
    import cv2

    img = image.astype(np.float32)
    lo, hi = np.percentile(img, list(P.SEGMENT_CLIP_PERCENTILES))
    if hi - lo < 1.0:
        return np.zeros(image.shape, dtype=np.uint8)
    img = np.clip((img - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.GaussianBlur(np.sqrt(gx * gx + gy * gy), (0, 0), P.SEGMENT_SMOOTH_SIGMA)
    mask = (mag > P.SEGMENT_MAG_THRESHOLD).astype(np.uint8)
    size = P.SEGMENT_MORPH_SIZE
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    return np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel) if close else mask)


def foreground_mask(image: np.ndarray) -> np.ndarray:
    """Boolean ridge-area mask of a 500-dpi greyscale image (True = fingerprint): the largest
    region of ``ridge_mask``."""
    import cv2

    mask = ridge_mask(image)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return np.zeros(image.shape, dtype=bool)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return np.asarray(labels == largest)


def ridge_area(image: np.ndarray) -> int:
    """Foreground area in pixels of a 500-dpi image (1 mm² ≈ 387.5 px²)."""
    return int(foreground_mask(image).sum())
