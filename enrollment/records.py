"""Shared records of the pipeline: the outcome of a packet and the encrypted sample store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from enrollment.extract import Extracted
from identity.platform import crypto
from models.enrollment import Enrollment, Sample, Template


@dataclass
class Outcome:
    status_code: int
    body: dict[str, Any]
    post_commit: list[Callable[[], None]] = field(default_factory=list)


def store_samples(session: Session, enrollment: Enrollment, extracted: Extracted,
                  person_id: int | None) -> list[Template]:
    """Encrypted samples and templates of one enrollment (no commit)."""
    templates: list[Template] = []
    for s in extracted.samples:
        h, w = s.image.pixels.shape[:2]
        sample = Sample(enrollment_id=enrollment.id, modality=s.modality, position=s.position,
                        media_type=s.image.media_type, width=w, height=h, dpi=s.image.dpi,
                        ciphertext=b"")
        session.add(sample)
        session.flush()
        sample.ciphertext = crypto.encrypt(s.raw, crypto.context("samples", sample.id, "image"))
        tpl = Template(sample_id=sample.id, enrollment_id=enrollment.id, person_id=person_id,
                       modality=s.modality, position=s.position, extractor=s.extractor,
                       extractor_version=s.version, ciphertext=b"")
        session.add(tpl)
        session.flush()
        tpl.ciphertext = crypto.encrypt(s.template, crypto.context("templates", tpl.id, "data"))
        templates.append(tpl)
    session.flush()
    return templates
