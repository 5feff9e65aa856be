"""Live probes of claimed heirs: strict decoding, then templates, before any transaction (the
extraction is slow, and on SQLite a transaction holds the write lock)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from agencies.heirs.schemas import Probe
from identity.biometrics import probes
from identity.platform.errors import DomainError, Invalid


@dataclass(frozen=True)
class Prepared:
    """Either a probe ready to match, or why it could not be made (a quality failure)."""

    probe: probes.Probe | None
    failure: str | None = None


def _bytes(data: str, what: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalid(f"{what} is not valid base64", code="invalid_base64") from exc


def prepare(probe: Probe, *, index: int, max_pixels: int, max_bytes: int) -> Prepared:
    """Decode and extract one claimed heir's probe. Undecodable or oversized images are the
    caller's error (4xx for the whole request); a capture of poor quality is a finding."""
    if probe.face is None and not probe.fingers:
        raise Invalid(f"claimed_heirs[{index}].probe is empty", code="empty_probe")
    face = None
    if probe.face is not None:
        face = _bytes(probe.face, f"claimed_heirs[{index}].probe.face")
        if len(face) > max_bytes:
            raise Invalid(f"claimed_heirs[{index}] face over {max_bytes} bytes",
                          code="file_too_large", status_code=413)
    fingers = {}
    for pos, data in sorted(probe.fingers.items()):
        raw = _bytes(data, f"claimed_heirs[{index}].probe.fingers.{pos}")
        if len(raw) > max_bytes:
            raise Invalid(f"claimed_heirs[{index}] finger {pos} over {max_bytes} bytes",
                          code="file_too_large", status_code=413)
        fingers[pos] = raw
    capture = probes.decode_capture(face, fingers, max_pixels=max_pixels)
    try:
        return Prepared(probes.extract(capture, failure_code="probe_quality_failed"))
    except DomainError as exc:
        if exc.code == "probe_quality_failed":
            return Prepared(None, "probe_quality_failed")
        raise
