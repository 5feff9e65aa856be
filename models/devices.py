"""Capture devices registered with Hawiya and the attested captures they signed.

A device is known by its SBI serial number (``deviceCode``) and its signing certificate; a
capture it signed is accepted only while the device is registered and unrevoked. Every accepted
signed capture leaves one ``CaptureAttestation`` row whose unique key (device, SBI
``transactionId``, bio sub-type) is the nonce: the same signed capture presented again under
another packet is a replay.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)  # SBI deviceCode / serialNo
    make: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))  # Finger | Face | Iris
    sub_type: Mapped[str] = mapped_column(String(32))  # Slap | Single | Full face ...
    provider: Mapped[str] = mapped_column(String(100), default="")
    certificate_pem: Mapped[str] = mapped_column(Text)
    # SHA-256 of the DER certificate, upper-case hex (the SBI "thumbprint" form).
    cert_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    registered_by: Mapped[str] = mapped_column(String(120))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class CaptureAttestation(Base):
    """One sample of a packet and where it came from: a registered device's signed capture
    (``source`` = device) or the station's webcam (``source`` = webcam, no device)."""

    __tablename__ = "capture_attestations"
    __table_args__ = (UniqueConstraint("device_id", "transaction_id", "bio_sub_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[str] = mapped_column(String(64), index=True)
    capture_id: Mapped[str] = mapped_column(String(64))
    sample: Mapped[str] = mapped_column(String(16))  # face | finger_N
    source: Mapped[str] = mapped_column(String(16))  # device | webcam
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    bio_sub_type: Mapped[str | None] = mapped_column(String(32))
    captured_at: Mapped[datetime | None]
    quality_score: Mapped[float | None]
    sample_sha256: Mapped[str] = mapped_column(String(64))
    liveness: Mapped[dict] = mapped_column(default=dict)  # webcam: the challenge's evidence
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
