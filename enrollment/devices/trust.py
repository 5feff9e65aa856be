"""Trusted captures: the signed SBI captures a station forwards with its packet, checked
against the devices registered with Hawiya before the packet is decided.

``captures`` (an uploaded JSON file) maps each sample of the packet to where it came from::

    {"face": {"source": "device", "biometric": {<one entry of an RCAPTURE "biometrics" list>}},
     "finger_3": {"source": "device", "biometric": {...}},
     "face": {"source": "webcam", "frames": ["<base64 JPEG>", ...]}}

A device sample is accepted when its ``data`` JWS verifies with the certificate registered for
that device (unrevoked), names that device, the right modality and finger, purpose
Registration, a capture time within the accepted window, and carries exactly the image the
packet sends; its nonce (device, ``transactionId``, ``bioSubType``) must be new or already
bound to this same station and capture id (a station re-sending the packet after a timeout).
A webcam face passes the active liveness challenge on its frames and is one of them. The
nonces are reserved (committed) before the decision runs, so two packets replaying one capture
cannot both pass; a packet refused later keeps its reservation for a re-send under the same
capture id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enrollment.devices import sbi
from enrollment.packet import Packet
from identity.access import devices
from identity.biometrics import liveness
from identity.platform.errors import Conflict, DomainError, Forbidden, Invalid
from models.devices import CaptureAttestation

MAX_CAPTURES_BYTES = 48 * 1024 * 1024
MAX_FRAMES = liveness.MAX_FRAMES


@dataclass(frozen=True)
class Window:
    """How old (and how far in the future, for clock skew) a device's capture time may be."""

    max_age: timedelta
    skew: timedelta


@dataclass
class Checked:
    """A sample whose origin was established, ready to be recorded."""

    sample: str
    source: str
    sha256: str
    device_id: int | None = None
    transaction_id: str | None = None
    bio_sub_type: str | None = None
    captured_at: datetime | None = None
    quality_score: float | None = None
    liveness: dict[str, Any] = field(default_factory=dict)


def parse(raw: bytes) -> dict[str, dict[str, Any]]:
    """The ``captures`` document; 422 ``invalid_captures`` for anything else."""
    if len(raw) > MAX_CAPTURES_BYTES:
        raise Invalid("captures is too large", code="invalid_captures")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("captures is not JSON", code="invalid_captures") from exc
    names = {"face", *(f"finger_{p}" for p in range(1, 11))}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()) \
            or not set(data) <= names:
        raise Invalid("captures maps face/finger_N to {source, ...} objects",
                      code="invalid_captures")
    return data


def _sample_bytes(packet: Packet, sample: str) -> bytes:
    raw = packet.face if sample == "face" else packet.fingers.get(int(sample.split("_")[1]))
    if raw is None:
        raise Invalid(f"captures names {sample}, which the packet does not send",
                      code="capture_mismatch")
    return raw


def _time(value: object, window: Window) -> datetime:
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid("the capture's timestamp is not ISO 8601", code="invalid_capture") from exc
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    now = datetime.now(UTC)
    if at > now + window.skew or at < now - window.max_age:
        raise Invalid(f"the capture was taken at {at.isoformat()}, outside the accepted window",
                      code="capture_stale")
    return at


def _device_sample(session: Session, sample: str, entry: dict[str, Any], raw: bytes,
                   window: Window) -> Checked:
    bio = entry.get("biometric")
    if not isinstance(bio, dict) or not isinstance(bio.get("data"), str):
        raise Invalid(f"{sample}: no signed SBI data", code="invalid_capture")
    try:
        jws = sbi.parse_jws(bio["data"])
    except sbi.SbiError as exc:
        raise Invalid(f"{sample}: {exc}", code=exc.code) from exc
    device = devices.by_thumbprint(session, devices.thumbprint(jws.certificate))
    if device is None:
        raise Forbidden(f"{sample}: signed by a device that is not registered",
                        code="device_unregistered")
    if device.revoked_at is not None:
        raise Forbidden(f"{sample}: device {device.serial} is revoked", code="device_revoked")
    cert = devices.certificate(device)
    try:
        sbi.verify(jws, cert)
        digital = sbi.parse_jws(str(jws.payload.get("digitalId", "")))
        sbi.verify(digital, cert)
    except sbi.SbiError as exc:
        raise Invalid(f"{sample}: {exc}", code="invalid_signature") from exc
    data = jws.payload
    finger = sample.startswith("finger_")
    expected = ("Finger", sbi.FINGER_SUBTYPES[int(sample.split("_")[1])]) if finger \
        else ("Face", data.get("bioSubType") or "")
    if data.get("deviceCode") != device.serial or \
            digital.payload.get("serialNo") != device.serial:
        raise Invalid(f"{sample}: the capture names another device", code="capture_mismatch")
    if (data.get("bioType"), data.get("bioSubType") or "") != expected:
        raise Invalid(f"{sample}: the device captured {data.get('bioType')} "
                      f"{data.get('bioSubType')!r}", code="capture_mismatch")
    if data.get("purpose") != "Registration":
        raise Invalid(f"{sample}: not a registration capture", code="capture_mismatch")
    at = _time(data.get("timestamp"), window)
    try:
        value = sbi.unb64url(str(data.get("bioValue", "")))
    except sbi.SbiError as exc:
        raise Invalid(f"{sample}: bioValue is not base64url", code="invalid_capture") from exc
    if hashlib.sha256(value).digest() != hashlib.sha256(raw).digest():
        raise Invalid(f"{sample}: the image sent is not the one the device signed",
                      code="capture_mismatch")
    transaction = str(data.get("transactionId", ""))[:64]
    if not transaction:
        raise Invalid(f"{sample}: no transactionId", code="invalid_capture")
    score = data.get("qualityScore")
    return Checked(sample, "device", hashlib.sha256(raw).hexdigest(), device.id, transaction,
                   str(data.get("bioSubType") or ""), at,
                   float(score) if isinstance(score, int | float) else None)


def _webcam_sample(sample: str, entry: dict[str, Any], raw: bytes, *,
                   max_pixels: int) -> Checked:
    if sample != "face":
        raise Invalid("only the face may come from the webcam", code="invalid_capture")
    frames_b64 = entry.get("frames")
    if not isinstance(frames_b64, list) or not all(isinstance(f, str) for f in frames_b64):
        raise Invalid("a webcam face carries its challenge frames", code="liveness_required")
    if len(frames_b64) > MAX_FRAMES:
        raise Invalid(f"at most {MAX_FRAMES} frames", code="too_many_frames")
    try:
        frames = [base64.b64decode(f, validate=True) for f in frames_b64]
    except (binascii.Error, ValueError) as exc:
        raise Invalid("frames are base64 JPEG/PNG images", code="invalid_capture") from exc
    result = liveness.check_frames(frames, max_pixels=max_pixels, face=raw)
    return Checked(sample, "webcam", hashlib.sha256(raw).hexdigest(),
                   liveness=result.evidence())


def check(session: Session, packet: Packet, raw: bytes, *, actor: str, window: Window,
          max_pixels: int) -> list[Checked]:
    """Check every sample ``captures`` names and reserve the device nonces (commits).
    Raises 403 ``device_unregistered``/``device_revoked``, 409 ``capture_replayed``, 422
    ``invalid_signature``/``capture_stale``/``capture_mismatch``/``liveness_failed`` ...; each
    refusal is audited."""
    try:
        checked = []
        for sample, entry in sorted(parse(raw).items()):
            source = entry.get("source")
            bytes_ = _sample_bytes(packet, sample)
            if source == "device":
                checked.append(_device_sample(session, sample, entry, bytes_, window))
            elif source == "webcam":
                checked.append(_webcam_sample(sample, entry, bytes_, max_pixels=max_pixels))
            else:
                raise Invalid(f"{sample}: source is device or webcam", code="invalid_captures")
        session.rollback()  # liveness is slow: no transaction was held meanwhile
        _reserve(session, packet, checked)
    except DomainError as exc:
        devices.refuse(session, actor=actor, code=exc.code,
                       details={"capture_id": packet.capture_id, "message": exc.message[:300]})
        raise
    return checked


def _reserve(session: Session, packet: Packet, checked: list[Checked]) -> None:
    for c in checked:
        if c.device_id is None:
            continue
        assert c.transaction_id is not None and c.bio_sub_type is not None
        seen = devices.find_attestation(session, c.device_id, c.transaction_id, c.bio_sub_type)
        if seen is not None and (seen.station_id, seen.capture_id, seen.sample) != \
                (packet.station_id, packet.capture_id, c.sample):
            raise Conflict(f"{c.sample}: this signed capture was already used "
                           f"(transaction {c.transaction_id})", code="capture_replayed")
    known = {(a.sample, a.sha256_key) for a in _existing(session, packet)}
    for c in checked:
        if (c.sample, c.sha256) in known:
            continue
        session.add(CaptureAttestation(
            station_id=packet.station_id, capture_id=packet.capture_id, sample=c.sample,
            source=c.source, device_id=c.device_id, transaction_id=c.transaction_id,
            bio_sub_type=c.bio_sub_type, captured_at=c.captured_at,
            quality_score=c.quality_score, sample_sha256=c.sha256, liveness=c.liveness))
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent packet reserved the same nonce first
        session.rollback()
        raise Conflict("a signed capture of this packet was just used by another packet",
                       code="capture_replayed") from exc


@dataclass(frozen=True)
class _Seen:
    sample: str
    sha256_key: str


def _existing(session: Session, packet: Packet) -> list[_Seen]:
    return [_Seen(a.sample, a.sample_sha256)
            for a in devices.attestations_of(session, packet.station_id, packet.capture_id)]
