"""The registry of capture devices Hawiya trusts, and the attestations of accepted captures.

A device is registered with its SBI serial number and its signing certificate (``hawiya devices
register``); captures it signs are accepted while it stays unrevoked. Registration, revocation
and every refused capture write audit rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.access import journal
from identity.platform.errors import Conflict, Invalid, NotFound
from models.base import utcnow
from models.devices import CaptureAttestation, Device

DEVICE_TYPES = ("Finger", "Face", "Iris")


def parse_certificate(pem_or_der: bytes) -> x509.Certificate:
    """An X.509 certificate from PEM or DER bytes; 422 ``invalid_certificate`` otherwise."""
    try:
        if pem_or_der.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(pem_or_der)
        return x509.load_der_x509_certificate(pem_or_der)
    except ValueError as exc:
        raise Invalid("not an X.509 certificate", code="invalid_certificate") from exc


def thumbprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, upper-case hex (the SBI ``thumbprint`` form)."""
    return cert.fingerprint(hashes.SHA256()).hex().upper()


def certificate(device: Device) -> x509.Certificate:
    return parse_certificate(device.certificate_pem.encode("ascii"))


@dataclass(frozen=True)
class DeviceSpec:
    serial: str
    make: str
    model: str
    type: str
    sub_type: str
    provider: str = ""


def register(session: Session, spec: DeviceSpec, cert_bytes: bytes, *, actor: str) -> Device:
    """Register a device and its certificate (RSA keys: SBI signs RS256). Commits; 409
    ``device_exists`` when the serial or the certificate is already registered."""
    cert = parse_certificate(cert_bytes)
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        raise Invalid("the device certificate must hold an RSA key (RS256)",
                      code="invalid_certificate")
    if spec.type not in DEVICE_TYPES:
        raise Invalid(f"device type must be one of {', '.join(DEVICE_TYPES)}",
                      code="invalid_device")
    if not (4 <= len(spec.serial) <= 64) or not spec.serial.isprintable():
        raise Invalid("the serial number is 4-64 printable characters", code="invalid_device")
    row = Device(serial=spec.serial, make=spec.make[:64], model=spec.model[:64], type=spec.type,
                 sub_type=spec.sub_type[:32], provider=spec.provider[:100],
                 certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                 cert_sha256=thumbprint(cert), registered_by=actor[:120])
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"device {spec.serial} or its certificate is already registered",
                       code="device_exists") from exc
    journal.audit(session, actor=actor, action="device.register", outcome="registered",
                  details={"device_id": row.id, "serial": row.serial, "type": row.type,
                           "cert_sha256": row.cert_sha256})
    session.commit()
    return row


def revoke(session: Session, serial: str, *, actor: str) -> Device:
    row = session.scalars(select(Device).where(Device.serial == serial)).first()
    if row is None:
        raise NotFound(f"no device {serial}", code="device_not_found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        journal.audit(session, actor=actor, action="device.revoke", outcome="revoked",
                      details={"device_id": row.id, "serial": row.serial})
    session.commit()
    return row


def list_devices(session: Session) -> list[Device]:
    return list(session.scalars(select(Device).order_by(Device.id)))


def by_thumbprint(session: Session, thumb: str) -> Device | None:
    return session.scalars(select(Device).where(Device.cert_sha256 == thumb)).first()


def find_attestation(session: Session, device_id: int, transaction_id: str,
                     bio_sub_type: str) -> CaptureAttestation | None:
    """The accepted capture with this nonce (device, SBI transactionId, bio sub-type)."""
    return session.scalars(select(CaptureAttestation).where(
        CaptureAttestation.device_id == device_id,
        CaptureAttestation.transaction_id == transaction_id,
        CaptureAttestation.bio_sub_type == bio_sub_type)).first()


def attestations_of(session: Session, station_id: str,
                    capture_id: str) -> list[CaptureAttestation]:
    return list(session.scalars(select(CaptureAttestation).where(
        CaptureAttestation.station_id == station_id,
        CaptureAttestation.capture_id == capture_id).order_by(CaptureAttestation.id)))


def refuse(session: Session, *, actor: str, code: str, details: dict[str, object]) -> None:
    """Audit a refused capture in its own transaction (the packet itself is not stored)."""
    session.rollback()
    journal.audit(session, actor=actor, action="capture.refuse", outcome=code[:64],
                  details=details)
    session.commit()
