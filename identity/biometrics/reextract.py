"""Re-extraction: templates of the current extractor versions from the stored samples.

A changed extractor is a new version (``matching.face.FACE_EXTRACTOR_VERSION``,
``matching.fingerprint.EXTRACTOR_VERSION``); templates of another version are never compared
(the gallery and the 1:1 readers select the current version only). ``reextract`` walks every
sample that has no template of its modality's current version, decrypts it (samples are kept
encrypted, bound to their row), sends it through the one probe path (``probes``: strict
decoding, then the extraction pool or this thread) and stores the new template beside the
old one (same sample, enrollment and owner; encrypted, bound to its own row). Old rows stay
as history. It holds the deciding lease while it runs (no decision moves a template's owner
meanwhile); afterwards the serving process rebuilds its indexes from the database on start
(``/readyz`` turns 200 once they match). Resumable: a sample done is skipped next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from identity.access.lease import Holder
from identity.biometrics import probes, templates
from identity.platform import crypto
from identity.platform.errors import DomainError
from models.enrollment import Sample, Template

log = logging.getLogger("hawiya.reextract")


def pending(session: Session, *, limit: int) -> list[Sample]:
    """Samples with no template of their modality's current extractor version."""
    out: list[Sample] = []
    for modality in ("face", "finger"):
        newer = aliased(Template)
        q = (select(Sample).where(
            Sample.modality == modality,
            ~exists().where(and_(newer.sample_id == Sample.id,
                                 newer.extractor_version == templates.current_version(modality))))
             .order_by(Sample.id).limit(limit - len(out)))
        out += list(session.scalars(q))
        if len(out) >= limit:
            break
    return out


def _owner(session: Session, sample: Sample) -> int | None:
    return session.scalar(select(Template.person_id).where(Template.sample_id == sample.id)
                          .order_by(Template.id.desc()).limit(1))


def _one(session: Session, sample: Sample, max_pixels: int) -> probes.Sample:
    raw = templates.sample_bytes(sample)
    face = raw if sample.modality == "face" else None
    fingers = {} if face is not None else {int(sample.position): raw}
    capture = probes.decode_capture(face, fingers, max_pixels=max_pixels, collect=True)
    return probes.extract(capture, failure_code="reextract_failed").samples[0]


def reextract(session: Session, *, max_pixels: int, lease_seconds: float = 30.0,
              batch: int = 50, limit: int | None = None,
              progress: Callable[[int], Any] | None = None) -> dict[str, int]:
    """Re-extract every pending sample (at most ``limit``); commits every ``batch``. Returns
    counts: ``extracted``, ``failed`` (the sample no longer passes the quality gate, or does
    not decrypt: logged, left without a current template)."""
    holder = Holder(seconds=lease_seconds, name=None)
    holder.check_and_renew(session)
    session.commit()
    counts = {"extracted": 0, "failed": 0}
    failed: set[int] = set()
    try:
        while limit is None or counts["extracted"] + counts["failed"] < limit:
            todo = [s for s in pending(session, limit=batch + len(failed)) if s.id not in failed]
            if not todo:
                break
            for sample in todo[:batch]:
                try:
                    got = _one(session, sample, max_pixels)
                except (DomainError, templates.Unreadable) as exc:
                    log.error("sample %s not re-extracted: %s", sample.id, exc)
                    failed.add(sample.id)
                    counts["failed"] += 1
                    continue
                row = Template(sample_id=sample.id, enrollment_id=sample.enrollment_id,
                               person_id=_owner(session, sample), modality=sample.modality,
                               position=sample.position, extractor=got.extractor,
                               extractor_version=got.version, ciphertext=b"")
                session.add(row)
                session.flush()
                row.ciphertext = crypto.encrypt(got.template, templates._template_aad(row.id))
                counts["extracted"] += 1
            holder.check_and_renew(session)
            session.commit()
            if progress is not None:
                progress(len(todo[:batch]))
    finally:
        session.rollback()
        holder.release(session)
    return counts
