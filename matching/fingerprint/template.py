"""The fingerprint template: minutiae plus their MCC16b cylinders, versioned and validated."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

from . import params as P
from .errors import TemplateError

EXTRACTOR_NAME = "hawiya-leader-mcc16b"
# 2.0: one LEADER inference per finger, padded to the finger's own size (1.0 padded a packet to
# its largest finger), under OpenVINO f32 on the rewritten graph (``loader``, ``graph``). Its
# runtimes and graph rewrites compute the same f32 network and differ by float rounding only
# (minutiae and scores checked against the reference), so they share the version.
EXTRACTOR_VERSION = "2.0"

_MAGIC = b"HWFT"
_FORMAT = 1
_HEAD = struct.Struct("<4sHB B H H")  # magic, format, len(name), len(version), n minutiae, n cyl
_MAX_MINUTIAE = 1000


@dataclass(frozen=True, eq=False)
class FingerTemplate:
    """One finger's template.

    - ``minutiae``: (n, 3) float32 ``x, y, angle``. x right, y down (image rows), in pixels at
      500 dpi from the image's top-left corner; angle in radians in [0, 2*pi), measured from +x
      towards +y (clockwise as seen on screen; the y-up angle LEADER/pyfing report is negated).
    - ``quality``: (n,) float32 LEADER detection confidence in [0, 1].
    - ``cyl_index``: (m,) uint16, the minutia of each valid cylinder.
    - ``cyl_bits``: (m, 192) uint8, packed MCC16b cell bits (layout in ``cylinders``).
    - ``cyl_valid``: (m, 32) uint8, packed validity of the 16 x 16 base cells.
    - ``extractor``, ``version``: who made it; templates of another version never compare.
    """

    minutiae: np.ndarray
    quality: np.ndarray
    cyl_index: np.ndarray
    cyl_bits: np.ndarray
    cyl_valid: np.ndarray
    extractor: str = EXTRACTOR_NAME
    version: str = EXTRACTOR_VERSION

    @property
    def n_minutiae(self) -> int:
        return int(self.minutiae.shape[0])

    @property
    def n_cylinders(self) -> int:
        return int(self.cyl_index.shape[0])

    def to_bytes(self) -> bytes:
        """Little-endian binary form with a CRC32 trailer (about 230 bytes per cylinder)."""
        name, ver = self.extractor.encode(), self.version.encode()
        n, m = self.n_minutiae, self.n_cylinders
        body = b"".join(
            [
                _HEAD.pack(_MAGIC, _FORMAT, len(name), len(ver), n, m),
                name,
                ver,
                np.ascontiguousarray(self.minutiae, "<f4").tobytes(),
                np.ascontiguousarray(self.quality, "<f4").tobytes(),
                np.ascontiguousarray(self.cyl_index, "<u2").tobytes(),
                np.ascontiguousarray(self.cyl_bits, np.uint8).tobytes(),
                np.ascontiguousarray(self.cyl_valid, np.uint8).tobytes(),
            ]
        )
        return body + struct.pack("<I", zlib.crc32(body))

    @classmethod
    def from_bytes(cls, data: bytes) -> FingerTemplate:
        """Parse and validate ``to_bytes`` output; raise ``TemplateError`` on anything else."""
        data = bytes(data)
        if len(data) < _HEAD.size + 4:
            raise TemplateError("finger template truncated")
        body, (crc,) = data[:-4], struct.unpack("<I", data[-4:])
        magic, fmt, lname, lver, n, m = _HEAD.unpack_from(body)
        if magic != _MAGIC:
            raise TemplateError("not a finger template (bad magic)")
        if fmt != _FORMAT:
            raise TemplateError(f"finger template format {fmt}, expected {_FORMAT}")
        if zlib.crc32(body) != crc:
            raise TemplateError("finger template corrupt (checksum mismatch)")
        off = _HEAD.size
        name = body[off : off + lname].decode("utf-8", "replace")
        ver = body[off + lname : off + lname + lver].decode("utf-8", "replace")
        off += lname + lver
        if name != EXTRACTOR_NAME or ver != EXTRACTOR_VERSION:
            raise TemplateError(
                f"finger template from {name} {ver}, this engine is "
                f"{EXTRACTOR_NAME} {EXTRACTOR_VERSION}: re-extract from the stored sample"
            )
        sizes = [n * 12, n * 4, m * 2, m * P.CODE_BYTES, m * P.MASK_BYTES]
        if n > _MAX_MINUTIAE or m > n or off + sum(sizes) != len(body):
            raise TemplateError("finger template has inconsistent sizes")
        parts = []
        for size in sizes:
            parts.append(body[off : off + size])
            off += size
        minutiae = np.frombuffer(parts[0], "<f4").reshape(n, 3).astype(np.float32)
        quality = np.frombuffer(parts[1], "<f4").astype(np.float32)
        index = np.frombuffer(parts[2], "<u2").astype(np.uint16)
        bits = np.frombuffer(parts[3], np.uint8).reshape(m, P.CODE_BYTES).copy()
        valid = np.frombuffer(parts[4], np.uint8).reshape(m, P.MASK_BYTES).copy()
        if not np.all(np.isfinite(minutiae)) or (m and int(index.max()) >= n):
            raise TemplateError("finger template has invalid values")
        return cls(minutiae, quality, index, bits, valid, name, ver)


def make_template(minutiae: np.ndarray, quality: np.ndarray | None = None) -> FingerTemplate:
    """Build a template from minutiae (n, 3: x, y, angle at 500 dpi, convention above)."""
    from .cylinders import build_cylinders

    mins = np.asarray(minutiae, dtype=np.float32).reshape(-1, 3).copy()
    mins[:, 2] = np.mod(mins[:, 2], 2 * np.pi)
    qual = np.ones(len(mins), np.float32) if quality is None else np.asarray(quality, np.float32)
    index, bits, valid = build_cylinders(mins)
    return FingerTemplate(mins, qual, index, bits, valid)
