"""Frame sequences built from single LFW photos, for the liveness challenge's measurements and
tests: the attacks (a still photo, a photo moved/scaled/rolled, a photo tilted left and right
in front of the camera, a replayed recording) and the bona fide stand-ins (one person's photos
at different poses, ordered like a head turn, with a closed-eyes photo as the blink).

Every frame is a JPEG as a webcam would send it; sensor noise, shifts and angles are seeded.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from matching import face, liveness

CANVAS = 320


def jpeg(rgb: np.ndarray, quality: int = 88) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def load(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def _noisy(rgb: np.ndarray, rng: np.random.Generator, sigma: float = 3.0) -> np.ndarray:
    return np.clip(rgb.astype(np.float32) + rng.normal(0, sigma, rgb.shape), 0, 255).astype(
        np.uint8)


def _on_canvas(rgb: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return cv2.warpAffine(rgb, matrix, (CANVAS, CANVAS), borderMode=cv2.BORDER_CONSTANT,
                          borderValue=(96, 96, 96))


def still(rgb: np.ndarray, rng: np.random.Generator, n: int = 6) -> list[bytes]:
    """The same photo held still: only sensor noise changes."""
    m = np.float32([[1, 0, (CANVAS - rgb.shape[1]) / 2], [0, 1, (CANVAS - rgb.shape[0]) / 2]])
    base = _on_canvas(rgb, m)
    return [jpeg(_noisy(base, rng)) for _ in range(n)]


def moved(rgb: np.ndarray, rng: np.random.Generator, n: int = 6) -> list[bytes]:
    """The photo moved about: shifted (±25 px), scaled (0.85-1.15), rolled (±12°)."""
    out = []
    h, w = rgb.shape[:2]
    for _ in range(n):
        angle, scale = rng.uniform(-12, 12), rng.uniform(0.85, 1.15)
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
        m[:, 2] += [(CANVAS - w) / 2 + rng.uniform(-25, 25), (CANVAS - h) / 2 +
                    rng.uniform(-25, 25)]
        out.append(jpeg(_noisy(_on_canvas(rgb, m), rng)))
    return out


def tilted(rgb: np.ndarray, rng: np.random.Generator,
           angles: tuple[float, ...] = (0, -35, -20, 0, 20, 35)) -> list[bytes]:
    """The printed photo turned about its vertical axis, left then right (a pinhole camera at
    2.5 photo widths)."""
    h, w = rgb.shape[:2]
    out = []
    for deg in angles:
        t = np.radians(deg)
        f = 2.5 * w
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = []
        for x, y in src:
            xc, yc = x - w / 2, y - h / 2
            z = f + xc * np.sin(t)
            dst.append([f * xc * np.cos(t) / z + CANVAS / 2, f * yc / z + CANVAS / 2])
        m = cv2.getPerspectiveTransform(src, np.float32(dst))
        warped = cv2.warpPerspective(rgb, m, (CANVAS, CANVAS), borderValue=(96, 96, 96))
        out.append(jpeg(_noisy(warped, rng)))
    return out


def replayed(frames: list[bytes], rng: np.random.Generator) -> list[bytes]:
    """A recording of a live sequence played back to the camera: downscaled, blurred, darker,
    recompressed."""
    out = []
    for raw in frames:
        rgb = np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))
        small = cv2.resize(rgb, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
        blur = cv2.GaussianBlur(small, (3, 3), 0.8)
        dim = np.clip(blur.astype(np.float32) * 0.85 + 10, 0, 255).astype(np.uint8)
        out.append(jpeg(_noisy(dim, rng, 2.0), quality=70))
    return out


@dataclass(frozen=True)
class Pose:
    path: Path
    yaw: float
    openness: float


def poses(lfw: Path, cache: Path | None = None) -> dict[str, list[Pose]]:
    """Yaw and eye openness of every LFW photo's centred face, by person (cached as JSON)."""
    if cache is not None and cache.exists():
        data = json.loads(cache.read_text())
    else:
        data = {}
        for p in sorted(lfw.glob("*/*.jpg")):
            rgb = load(p)
            boxes = face.detect_faces(rgb)
            if not boxes:
                continue
            box = min(boxes, key=lambda b: abs((b[1] + b[3]) / 2 - rgb.shape[1] / 2)
                      + abs((b[0] + b[2]) / 2 - rgb.shape[0] / 2))
            pts = face.face_landmarks(rgb, box)
            data[str(p.relative_to(lfw))] = [liveness.yaw(pts), liveness.eye_openness(pts)]
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(data))
    out: dict[str, list[Pose]] = defaultdict(list)
    for rel, (y, o) in sorted(data.items()):
        out[rel.split("/")[0]].append(Pose(lfw / rel, y, o))
    return dict(out)


def head_turn(photos: list[Pose], closed: float) -> list[Path] | None:
    """One person's photos ordered as a head turn with a blink: the most frontal open-eyed
    photo, the most turned one way, the most closed-eyed one, the most turned the other way,
    the frontal one again. None when the person has fewer than 3 photos or no closed-eyes one
    (``closed``: the eye-openness a blink needs)."""
    if len(photos) < 3:
        return None
    shut = [p for p in photos if p.openness <= closed]
    if not shut:
        return None
    blink = min(shut, key=lambda p: p.openness)
    rest = [p for p in photos if p is not blink]
    frontal = min(rest, key=lambda p: abs(p.yaw) - p.openness)
    one = min(rest, key=lambda p: p.yaw)
    other = max(rest, key=lambda p: p.yaw)
    return [frontal.path, one.path, blink.path, other.path, frontal.path]


def turn_only(photos: list[Pose]) -> list[Path] | None:
    """Frontal, most turned one way, most turned the other, frontal (no blink)."""
    if len(photos) < 3:
        return None
    frontal = min(photos, key=lambda p: abs(p.yaw))
    one = min(photos, key=lambda p: p.yaw)
    other = max(photos, key=lambda p: p.yaw)
    return [frontal.path, one.path, other.path, frontal.path]
