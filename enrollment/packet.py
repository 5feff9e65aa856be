"""A station's packet as the pipeline sees it, validated, with its idempotency fingerprint."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from identity.platform.errors import Invalid
from identity.registry.schemas import Demographics

FINGER_POSITIONS = tuple(range(1, 11))  # ISO/IEC 19794-4: 1 right thumb .. 10 left little
MISSING_REASONS = ("amputated", "bandaged", "unusable", "not_captured")


@dataclass
class Packet:
    """What a station sent. ``exception_photo`` and ``approver_key`` are the exception of a weak
    adult packet (a photo of the hands, and a second operator's key); the approver's key is a
    credential, never stored or hashed into the packet."""

    station_id: str
    capture_id: str
    demographics: Demographics
    face: bytes | None = None
    fingers: dict[int, bytes] = field(default_factory=dict)
    missing_fingers: dict[int, str] = field(default_factory=dict)
    exception_photo: bytes | None = None
    approver_key: str | None = field(default=None, repr=False)

    def content_hash(self) -> str:
        """SHA-256 over everything the station sent (a replay must match it exactly)."""
        h = hashlib.sha256()
        h.update(self.demographics.model_dump_json().encode())
        h.update(json.dumps(sorted(self.missing_fingers.items())).encode())
        h.update(b"face" + hashlib.sha256(self.face or b"").digest())
        for pos in sorted(self.fingers):
            h.update(f"finger{pos}".encode() + hashlib.sha256(self.fingers[pos]).digest())
        if self.exception_photo is not None:
            h.update(b"hands" + hashlib.sha256(self.exception_photo).digest())
        return h.hexdigest()

    def age_on(self, day: date) -> int:
        born = self.demographics.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def parse_missing(raw: str | None) -> dict[int, str]:
    """``{"7": "amputated", ...}`` → ``{7: "amputated"}``; any other shape is a 422."""
    if not raw:
        return {}
    if len(raw) > 2000:
        raise Invalid("missing_fingers is too long", code="invalid_missing_fingers")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise Invalid("missing_fingers is not JSON", code="invalid_missing_fingers") from exc
    if not isinstance(data, dict):
        raise Invalid("missing_fingers must be an object", code="invalid_missing_fingers")
    out: dict[int, str] = {}
    for key, reason in data.items():
        if not str(key).isdigit() or int(key) not in FINGER_POSITIONS:
            raise Invalid(f"missing_fingers: {key!r} is not a finger position 1-10",
                          code="invalid_missing_fingers")
        if reason not in MISSING_REASONS:
            raise Invalid(f"missing_fingers: reason must be one of {', '.join(MISSING_REASONS)}",
                          code="invalid_missing_fingers")
        out[int(key)] = reason
    return out


def check_accounted(packet: Packet) -> None:
    """Each finger is either sent or declared missing, never both; something is sent."""
    both = sorted(set(packet.fingers) & set(packet.missing_fingers))
    if both:
        raise Invalid(f"finger(s) {both} both sent and declared missing",
                      code="invalid_missing_fingers")
    if packet.face is None and not packet.fingers:
        raise Invalid("a packet needs the face or at least one finger", code="no_biometrics")
