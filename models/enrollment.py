"""The enrollment aggregate: a station's packet, its samples and the templates extracted from them.

Sample images and templates are stored encrypted (AES-GCM, the row id bound as associated
data); nothing here holds plaintext biometric bytes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("station_id", "capture_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[str] = mapped_column(String(64))
    capture_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    # enrollment.decider.Status: issued | matched | review | fraud | distinct | updated
    status: Mapped[str] = mapped_column(String(16), index=True)
    # full | weak (fewer fingers than decide identity: an approved exception) | newborn |
    # update (a biometric update of an existing ID)
    kind: Mapped[str] = mapped_column(String(8), default="full")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    demographics: Mapped[dict] = mapped_column()
    missing_fingers: Mapped[dict] = mapped_column(default=dict)
    response: Mapped[dict] = mapped_column(default=dict)
    source: Mapped[str] = mapped_column(String(32), default="station")
    # An approved exception: {"approver": actor, "approver_key_id", "photo_sample_id",
    # "usable_fingers", "missing": {position: reason}}.
    exception: Mapped[dict | None] = mapped_column()
    # A birth registration's parents and certificate: {"mother_national_id",
    # "father_national_id", "certificate"} (linked when the child gets its ID).
    parents: Mapped[dict | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NameKey(Base):
    """Demographic blocking keys (``matching.names.blocking_keys``) of a person or of a packet
    held for review: the indexed search that finds candidates a weak packet's biometrics
    cannot."""

    __tablename__ = "name_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(420), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id"), index=True)


class Sample(Base):
    __tablename__ = "samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    modality: Mapped[str] = mapped_column(String(8))  # face | finger | hands (an exception)
    position: Mapped[int] = mapped_column(default=0)  # 0 face, 1-10 ISO/IEC 19794-4
    media_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
    dpi: Mapped[int | None]
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Template(Base):
    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    # Whose gallery entry this is; null while the packet is held for review.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    modality: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(default=0)
    extractor: Mapped[str] = mapped_column(String(64))
    extractor_version: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
