"""Strict decoding of uploaded images: the type is sniffed from the bytes, never trusted from the
client, and a truncated or corrupt file is an error (never half an image).

``face_recognition`` switches Pillow's ``LOAD_TRUNCATED_IMAGES`` on for the whole process when it
is imported; every decode here switches it off again and also checks the format's end marker.
That is not enough for JPEG: a file cut short with an end marker (FF D9) appended decodes in
Pillow without a word (libjpeg warns, then fills the rest with grey), so a JPEG must also decode
through libjpeg-turbo in strict mode (``simplejpeg``), where any such warning is an error.

Decodes run in parallel (no lock): the flag is only ever turned on by that import (once per
process, restored at once by ``matching.face``; with the extraction pool it happens in the
workers, never here), and a decode that finds it on afterwards is done again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFile

from identity.platform.errors import DomainError, UnsupportedMedia

FACE_TYPES = ("image/jpeg", "image/png")
FINGER_TYPES = ("image/png", "image/tiff", "image/x-wsq")


class DecodeError(DomainError):
    status_code = 422
    code = "undecodable"


@dataclass(frozen=True)
class DecodedImage:
    pixels: np.ndarray  # (H, W) uint8 grey, or (H, W, 3) uint8 RGB
    media_type: str
    dpi: int | None


def sniff(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if data[:2] == b"\xff\xa0":
        return "image/x-wsq"
    return None


def _jpeg_intact(data: bytes) -> bool:
    """The JPEG decodes to its end with no libjpeg warning (premature end of a data segment,
    corrupt data): a truncated file with an end marker appended does not."""
    import simplejpeg

    try:
        simplejpeg.decode_jpeg(data, colorspace="gray", strict=True)
    except (ValueError, RuntimeError):
        return False
    return True


def _complete(data: bytes, media_type: str) -> bool:
    if media_type == "image/jpeg":
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if media_type == "image/png":
        return b"IEND" in data[-16:]
    return True


def _dpi(img: Image.Image) -> int | None:
    dpi = img.info.get("dpi")
    if dpi:
        try:
            value = round(float(dpi[0]))
        except (TypeError, ValueError, IndexError):
            return None
        return value if 100 <= value <= 2000 else None
    return None


def _load(data: bytes, max_pixels: int) -> Image.Image:
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    img = Image.open(io.BytesIO(data))
    if img.width * img.height > max_pixels:
        raise DecodeError("image has too many pixels", code="too_many_pixels")
    img.load()
    return img


def decode(data: bytes, allowed: tuple[str, ...], *, max_pixels: int, grey: bool) -> DecodedImage:
    """Decode ``data`` strictly; raise ``UnsupportedMedia`` (415) or ``DecodeError`` (422)."""
    media_type = sniff(data)
    if media_type is None or media_type not in allowed:
        raise UnsupportedMedia(f"expected one of {', '.join(allowed)}",
                               code="unsupported_media_type")
    if not _complete(data, media_type):
        raise DecodeError("image is truncated", code="truncated_image")
    if media_type == "image/x-wsq":
        import wsq  # noqa: F401  (registers the WSQ codec with Pillow)
    try:
        img = _load(data, max_pixels)
        if ImageFile.LOAD_TRUNCATED_IMAGES:  # turned on while this decode ran: decode again
            img = _load(data, max_pixels)
    except DomainError:
        raise
    except Exception as exc:
        raise DecodeError(f"image cannot be decoded ({type(exc).__name__})") from exc
    if media_type == "image/jpeg" and not _jpeg_intact(data):
        raise DecodeError("image is truncated or corrupt", code="truncated_image")
    dpi = _dpi(img)
    converted = img.convert("L" if grey else "RGB")
    return DecodedImage(np.asarray(converted, dtype=np.uint8).copy(), media_type, dpi)
