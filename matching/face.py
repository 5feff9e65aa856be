"""Face templates: one 128-d dlib ResNet embedding per image, compared by L2 distance.

Numpy in, dataclasses out, in the face_recognition style:

- ``detect_faces(rgb)`` -> boxes ``(top, right, bottom, left)`` in pixels of ``rgb``.
- ``encode_face(rgb)`` -> ``FaceEncoding`` for the one usable face, or ``FaceQualityError``.
- ``face_distance(a, b)`` -> L2 distance; **lower is more similar**. Same person pairs on LFW
  mostly fall below ~0.5, different persons above ~0.6 (the calibrated thresholds live in
  ``matching/thresholds.py`` and ``matching/fusion.py``, not here).

Models load lazily, once, through ``load_models()`` (cached); nothing happens at import time.
Tests replace the models with ``set_models(fake)``. Importing ``face_recognition`` sets Pillow's
``ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole process (a truncated upload would decode
as half an image); the loader restores the previous value right after the import, and callers
decode uploads themselves and pass arrays here.
"""

from __future__ import annotations

import struct
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from matching import thresholds

FACE_EXTRACTOR = "dlib_resnet_v1"
# 1: HOG detector (1x, one 2x upsample if nothing is found), 5-point landmarks, 1 jitter,
# dlib_face_recognition_resnet_model_v1.dat. Change it whenever an encoding would change.
# 2: as 1, but detection runs on a copy no larger than ``face.detect_max_side`` (the box is
# scaled back and the face encoded from the full image), and the 2x upsample only on images of
# at most ``face.upsample_max_pixels`` (a 4096 x 4096 blank took 20 s; now well under 1 s).
FACE_EXTRACTOR_VERSION = "2"
FACE_DIM = 128

Box = tuple[int, int, int, int]  # (top, right, bottom, left), pixels, bottom/right exclusive


class FaceQualityError(ValueError):
    """The image holds no usable face. ``reason``: no_face, multiple_faces or face_too_small."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class FaceTemplateError(ValueError):
    """Stored face template bytes are corrupt, of another shape, or of another extractor version."""


class FaceModels(Protocol):
    """What the face pipeline needs from a model backend (dlib, or a fake in tests)."""

    def detect(self, rgb: np.ndarray, upsample: int) -> list[Box]:
        """Face boxes in ``rgb`` (H, W, 3) uint8, found after ``upsample`` 2x upsamplings."""
        ...

    def encode(self, rgb: np.ndarray, box: Box) -> np.ndarray:
        """The (128,) embedding of the face in ``box``."""
        ...

    def landmarks(self, rgb: np.ndarray, box: Box) -> np.ndarray:
        """The 68 iBUG landmarks (x, y) of the face in ``box``: (68, 2) float32 pixels."""
        ...


class _DlibModels:
    """face_recognition's dlib models (HOG detector, 5-point landmarks, ResNet encoder)."""

    def __init__(self) -> None:
        from PIL import ImageFile

        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        try:
            import face_recognition  # loads every dlib model file (~0.5 s)
        finally:
            # face_recognition flips this process-wide at import; keep Pillow strict.
            ImageFile.LOAD_TRUNCATED_IMAGES = previous
        self._fr = face_recognition
        # dlib's network keeps its activations in the model object: one forward pass at a time.
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray, upsample: int) -> list[Box]:
        with self._lock:
            boxes = self._fr.face_locations(rgb, number_of_times_to_upsample=upsample,
                                            model="hog")
        return [tuple(int(v) for v in b) for b in boxes]  # type: ignore[misc]

    def encode(self, rgb: np.ndarray, box: Box) -> np.ndarray:
        with self._lock:
            vectors = self._fr.face_encodings(rgb, known_face_locations=[box], num_jitters=1,
                                              model="small")
        return np.asarray(vectors[0], dtype=np.float32)

    def landmarks(self, rgb: np.ndarray, box: Box) -> np.ndarray:
        import dlib

        with self._lock:
            if not hasattr(self, "_pose68"):
                from face_recognition_models import pose_predictor_model_location

                self._pose68 = dlib.shape_predictor(pose_predictor_model_location())
            top, right, bottom, left = box
            shape = self._pose68(rgb, dlib.rectangle(left, top, right, bottom))
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)


def face_landmarks(rgb: np.ndarray, box: Box) -> np.ndarray:
    """The 68 iBUG landmarks (x, y) of the face in ``box`` of ``rgb`` (H, W, 3) uint8:
    (68, 2) float32 pixels (0-16 jaw, 27-30 nose bridge, 36-41 and 42-47 the eyes)."""
    points = np.asarray(load_models().landmarks(_check_rgb(rgb), box), dtype=np.float32)
    if points.shape != (68, 2):
        raise ValueError(f"landmark model returned shape {points.shape}, expected (68, 2)")
    return points


_models: FaceModels | None = None
_models_lock = threading.Lock()


def load_models() -> FaceModels:
    """The process-wide face models, loaded on first use (thread-safe)."""
    global _models
    with _models_lock:
        if _models is None:
            _models = _DlibModels()
        return _models


def set_models(models: FaceModels | None) -> FaceModels | None:
    """Replace the cached models (tests) and return the previous ones; ``None`` makes the next
    call load dlib again."""
    global _models
    with _models_lock:
        previous, _models = _models, models
        return previous


@dataclass(frozen=True, eq=False)
class FaceEncoding:
    """One face template: ``vector`` float32 (128,), ``box`` (top, right, bottom, left) pixels."""

    vector: np.ndarray
    box: Box
    extractor: str = FACE_EXTRACTOR
    version: str = FACE_EXTRACTOR_VERSION

    _MAGIC = b"HWFACE01"
    _HEAD = struct.Struct("<8s16s8s4i")  # magic, extractor, version, box

    def to_bytes(self) -> bytes:
        """Versioned bytes: header (extractor, version, box) + 128 float32 little-endian."""
        head = self._HEAD.pack(self._MAGIC, self.extractor.encode("ascii"),
                               self.version.encode("ascii"), *self.box)
        return head + np.asarray(self.vector, dtype="<f4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> FaceEncoding:
        """Parse ``to_bytes`` output; ``FaceTemplateError`` if it is not a current template."""
        if len(data) != cls._HEAD.size + 4 * FACE_DIM:
            raise FaceTemplateError(f"face template is {len(data)} bytes, expected "
                                    f"{cls._HEAD.size + 4 * FACE_DIM}")
        magic, ext, ver, *box = cls._HEAD.unpack_from(data)
        if magic != cls._MAGIC:
            raise FaceTemplateError("not a face template")
        extractor = ext.rstrip(b"\0").decode("ascii", "replace")
        version = ver.rstrip(b"\0").decode("ascii", "replace")
        if (extractor, version) != (FACE_EXTRACTOR, FACE_EXTRACTOR_VERSION):
            raise FaceTemplateError(f"face template of {extractor}/{version}, this build reads "
                                    f"{FACE_EXTRACTOR}/{FACE_EXTRACTOR_VERSION}: re-extract")
        vector = np.frombuffer(data, dtype="<f4", offset=cls._HEAD.size).astype(np.float32)
        if not np.all(np.isfinite(vector)):
            raise FaceTemplateError("face template holds non-finite values")
        return cls(vector=vector, box=(box[0], box[1], box[2], box[3]))


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3 \
            or rgb.shape[2] != 3:
        got = (getattr(rgb, "shape", None), getattr(rgb, "dtype", type(rgb).__name__))
        raise ValueError(f"expected an (H, W, 3) uint8 RGB array, got {got}")
    return np.ascontiguousarray(rgb)


def box_size(box: Box) -> int:
    """The smaller side of ``box`` in pixels."""
    top, right, bottom, left = box
    return min(bottom - top, right - left)


def _detection_copy(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """``rgb`` shrunk so its longer side is at most ``face.detect_max_side``; and the factor
    from its pixels back to ``rgb``'s."""
    longest = max(rgb.shape[:2])
    limit = int(thresholds.value("face.detect_max_side"))
    if longest <= limit:
        return rgb, 1.0
    import cv2

    scale = limit / longest
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), longest / limit


def detect_faces(rgb: np.ndarray) -> list[Box]:
    """Face boxes (top, right, bottom, left) in pixels of ``rgb`` (H, W, 3) uint8.

    HOG at 1x on a copy no larger than ``face.detect_max_side``; only when nothing is found and
    that copy has at most ``face.upsample_max_pixels``, once more after one 2x upsample (slower,
    finds faces down to ~40 px). The cost is bounded whatever the image's size or content.
    """
    rgb = _check_rgb(rgb)
    small, back = _detection_copy(rgb)
    models = load_models()
    boxes = models.detect(small, 0)
    pixels = small.shape[0] * small.shape[1]
    if not boxes and pixels <= thresholds.value("face.upsample_max_pixels"):
        boxes = models.detect(small, 1)
    if back == 1.0:
        return boxes
    h, w = rgb.shape[:2]
    return [(min(h, round(t * back)), min(w, round(r * back)), min(h, round(b * back)),
             min(w, round(left * back))) for t, r, b, left in boxes]


def encode_face(rgb: np.ndarray, box: Box | None = None) -> FaceEncoding:
    """Encode the one usable face of ``rgb`` (H, W, 3) uint8 RGB.

    Faces smaller than ``face.min_face_px`` are ignored; no face at all raises
    ``FaceQualityError("no_face")``, only small ones ``"face_too_small"``, two or more usable
    ones ``"multiple_faces"``. With ``box`` given, detection is skipped and that box is encoded
    (evaluation tools that pick the centred face of a crowded image).
    """
    rgb = _check_rgb(rgb)
    if box is None:
        boxes = detect_faces(rgb)
        if not boxes:
            raise FaceQualityError("no_face", "no face found in the image")
        min_px = thresholds.value("face.min_face_px")
        usable = [b for b in boxes if box_size(b) >= min_px]
        if not usable:
            biggest = max(box_size(b) for b in boxes)
            raise FaceQualityError("face_too_small",
                                   f"face is {biggest} px, at least {min_px:.0f} px needed")
        if len(usable) > 1:
            raise FaceQualityError("multiple_faces", f"{len(usable)} faces in the image, "
                                                     "exactly one is needed")
        box = usable[0]
    vector = np.asarray(load_models().encode(rgb, box), dtype=np.float32).reshape(-1)
    if vector.shape != (FACE_DIM,):
        raise ValueError(f"face model returned shape {vector.shape}, expected ({FACE_DIM},)")
    return FaceEncoding(vector=vector, box=box)


def face_distance(a: FaceEncoding | np.ndarray, b: FaceEncoding | np.ndarray) -> float:
    """L2 distance between two face templates (or (128,) vectors); lower is more similar.

    Two ``FaceEncoding`` of different extractor versions are never compared (ValueError).
    """
    if isinstance(a, FaceEncoding) and isinstance(b, FaceEncoding) and \
            (a.extractor, a.version) != (b.extractor, b.version):
        raise ValueError("face templates of different extractor versions are not comparable")
    va = np.asarray(a.vector if isinstance(a, FaceEncoding) else a, dtype=np.float32)
    vb = np.asarray(b.vector if isinstance(b, FaceEncoding) else b, dtype=np.float32)
    if va.shape != (FACE_DIM,) or vb.shape != (FACE_DIM,):
        raise ValueError(f"face vectors must be ({FACE_DIM},), got {va.shape} and {vb.shape}")
    return float(np.linalg.norm(va - vb))
