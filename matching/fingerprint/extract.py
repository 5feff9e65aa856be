"""From finger images to templates: quality gate, batched LEADER, minutiae, cylinders.

The stages, in order: ``prepare`` (validate, resample to 500 dpi), ``check`` (size, ridge area),
``detect`` (LEADER: one call per finger on a CPU, batched on a GPU), ``decode`` (quality
threshold, angle convention), ``make_template`` (MCC16b cylinders), then the minutiae/cylinder
count gate.
"""

from __future__ import annotations

import numpy as np

from . import params as P
from .errors import FingerQualityError
from .loader import LeaderModel, leader_session
from .segmentation import ridge_area
from .template import FingerTemplate, make_template


def _threshold(name: str) -> float:
    from matching.thresholds import value

    return value(name)


def prepare(image: np.ndarray, dpi: int) -> np.ndarray:
    """Validate a greyscale finger image and resample it to 500 dpi (uint8, H x W)."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim != 2 or arr.dtype != np.uint8 or arr.size == 0:
        raise FingerQualityError(
            "undecodable", f"expected a 2-D uint8 greyscale image, got {arr.dtype} {arr.shape}"
        )
    if not P.MIN_DPI <= int(dpi) <= P.MAX_DPI:
        raise FingerQualityError("bad_resolution",
                                 f"{dpi} dpi is outside {P.MIN_DPI}..{P.MAX_DPI}")
    scale = P.BASE_DPI / float(dpi)
    h, w = round(arr.shape[0] * scale), round(arr.shape[1] * scale)
    if min(h, w) < P.MIN_SIDE:
        raise FingerQualityError("too_small", f"{w}x{h} px at 500 dpi, need {P.MIN_SIDE}+ a side")
    if max(h, w) > P.MAX_SIDE:
        raise FingerQualityError("too_large", f"{w}x{h} px at 500 dpi, max {P.MAX_SIDE} a side")
    if int(dpi) != P.BASE_DPI:
        import cv2

        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        arr = cv2.resize(arr, (w, h), interpolation=interp)
    return np.ascontiguousarray(arr)


def check_500(image500: np.ndarray) -> None:
    area = ridge_area(image500)
    need = _threshold("finger.min_ridge_area")
    if area < need:
        raise FingerQualityError(
            "low_ridge_area", f"ridge area {area} px² at 500 dpi, need {int(need)}"
        )


def check_image(image: np.ndarray, dpi: int) -> None:
    """Raise ``FingerQualityError`` unless the image can go to extraction (no minutiae gate)."""
    check_500(prepare(image, dpi))


def _padded(images: list[np.ndarray]) -> tuple[int, int]:
    m = P.LEADER_SIZE_MULTIPLE
    hmax = max(im.shape[0] for im in images)
    wmax = max(im.shape[1] for im in images)
    return -(-hmax // m) * m, -(-wmax // m) * m


def _chunks(images: list[np.ndarray], budget: int) -> list[list[np.ndarray]]:
    """Consecutive groups whose padded batch stays within ``budget`` pixels."""
    groups: list[list[np.ndarray]] = []
    for im in images:
        if groups:
            h, w = _padded([*groups[-1], im])
            if (len(groups[-1]) + 1) * h * w <= budget:
                groups[-1].append(im)
                continue
        groups.append([im])
    return groups


def detect(images500: list[np.ndarray]) -> list[np.ndarray]:
    """LEADER on 500-dpi images. A CPU runner (``batched = False``) gets one finger per call,
    padded to its own size; a batched runner (CUDA) gets consecutive groups within
    ``LEADER_GPU_BATCH_PIXELS`` padded pixels (``LEADER_BATCH_PIXELS`` for any other).

    Returns per image an (n, 4) float32 array ``x, y, angle, quality`` of every detection with
    quality > 0 (angle in this engine's convention, see ``FingerTemplate``), best first.
    """
    runner = leader_session()
    if not getattr(runner, "batched", True):
        return [det for im in images500 for det in _detect_batch(runner, [im])]
    budget = P.LEADER_GPU_BATCH_PIXELS if getattr(runner, "name", "") == "cuda" \
        else P.LEADER_BATCH_PIXELS
    return [det for group in _chunks(images500, budget) for det in _detect_batch(runner, group)]


def _detect_batch(runner: LeaderModel, images500: list[np.ndarray]) -> list[np.ndarray]:
    H, W = _padded(images500)
    batch = np.empty((len(images500), H, W, 1), dtype=np.float32)
    offsets = []
    for i, im in enumerate(images500):
        h, w = im.shape
        top, left = (H - h) // 2, (W - w) // 2
        border = np.concatenate([im[0], im[-1], im[:, 0], im[:, -1]])
        batch[i, :, :, 0] = float(np.median(border))
        batch[i, top : top + h, left : left + w, 0] = im
        offsets.append((top, left, h, w))
    out = runner.run(None, {"input": batch})[0]
    results = []
    for i, (top, left, h, w) in enumerate(offsets):
        o = out[i, top : top + h, left : left + w]
        ys, xs = np.nonzero(o[..., 3] > 0.0)
        q = o[ys, xs, 3]
        # LEADER's direction is y-up (counter-clockwise on screen); ours is y-down.
        ang = np.mod(-o[ys, xs, 1], 2 * np.pi)
        det = np.stack([xs, ys, ang, q], axis=1).astype(np.float32)
        results.append(det[np.argsort(-q, kind="stable")])
    return results


def template_from_detections(det: np.ndarray) -> FingerTemplate:
    """Threshold raw detections and build the template; raise on too few minutiae."""
    keep = det[det[:, 3] >= _threshold("finger.leader_quality")][: P.MAX_MINUTIAE]
    need = int(_threshold("finger.min_minutiae"))
    if len(keep) < need:
        raise FingerQualityError("too_few_minutiae", f"{len(keep)} reliable minutiae, need {need}")
    tpl = make_template(keep[:, :3], keep[:, 3])
    need_cyl = int(_threshold("finger.min_cylinders"))
    if tpl.n_cylinders < need_cyl:
        raise FingerQualityError(
            "too_few_minutiae", f"{tpl.n_cylinders} valid cylinders, need {need_cyl}"
        )
    return tpl


def extract_templates(
    images: list[np.ndarray], dpis: list[int]
) -> list[FingerTemplate | FingerQualityError]:
    """Templates for the fingers of one packet, in order; a failing finger gets its error.

    ``images``: uint8 greyscale H x W arrays; ``dpis``: their resolutions. All images that pass
    the quality gate go through LEADER (``detect``). A GPU caller batches by passing the fingers
    of many records in one call.
    """
    if len(images) != len(dpis):
        raise ValueError("images and dpis differ in length")
    from threadpoolctl import threadpool_limits

    results: list[FingerTemplate | FingerQualityError] = []
    ready: list[tuple[int, np.ndarray]] = []
    for i, (image, dpi) in enumerate(zip(images, dpis, strict=True)):
        try:
            im500 = prepare(image, dpi)
            check_500(im500)
            ready.append((i, im500))
            results.append(FingerQualityError("pending", ""))
        except FingerQualityError as err:
            results.append(err)
    with threadpool_limits(limits=1, user_api="blas"):
        detections = detect([im for _, im in ready])
        for (i, _), det in zip(ready, detections, strict=True):
            try:
                results[i] = template_from_detections(det)
            except FingerQualityError as err:
                results[i] = err
    return results
