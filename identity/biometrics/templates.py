"""The template store: every stored sample and template is written and read here.

Samples (the images as sent) and templates (extractor output) are encrypted at rest with their
row bound as associated data (``samples:<id>:image``, ``templates:<id>:data``), so a ciphertext
moved to another row fails to decrypt. Reads parse and validate the template against the
current extractor version; a row that fails to decrypt or parse is logged and skipped by the
bulk readers (a damaged row must not turn a search or an agency's check into a 500), while the
single-row readers raise ``Unreadable``.

Callers: the gallery (indexes), the 1:N re-scoring and the 1:1 verify (``enrolled``),
adjudication (``of_enrollment``), the workbench renderings (``sample_bytes``,
``finger``), enrollment (``store``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from identity.biometrics.probes import Probe
from identity.platform import crypto
from identity.platform.media import DecodedImage
from matching import face as face_engine
from matching import fingerprint as finger_engine
from matching.rescore import Enrolled
from models.enrollment import Enrollment, Sample, Template

log = logging.getLogger("hawiya.templates")

Parsed = face_engine.FaceEncoding | finger_engine.FingerTemplate


class Unreadable(ValueError):
    """A stored template or sample that fails to decrypt or to parse as a current template."""


def current_version(modality: str) -> str:
    return (face_engine.FACE_EXTRACTOR_VERSION if modality == "face"
            else finger_engine.EXTRACTOR_VERSION)


def _template_aad(row_id: int) -> bytes:
    return crypto.context("templates", row_id, "data")


def _sample_aad(row_id: int) -> bytes:
    return crypto.context("samples", row_id, "image")


# -- writing ----------------------------------------------------------------------------------
def store(session: Session, enrollment_id: int, probe: Probe,
          person_id: int | None) -> list[Template]:
    """Encrypted samples and templates of one enrollment (flushes, no commit).

    Each ciphertext is bound to its row's id, so the rows are inserted first; all samples in
    one flush, then all templates in one, then every ciphertext (a packet's rows in a handful
    of statements, not four round trips a finger: this runs under the decision lock)."""
    samples = []
    for s in probe.samples:
        h, w = s.image.pixels.shape[:2]
        samples.append(Sample(enrollment_id=enrollment_id, modality=s.modality,
                              position=s.position, media_type=s.image.media_type, width=w,
                              height=h, dpi=s.image.dpi, ciphertext=b""))
    session.add_all(samples)
    session.flush()
    templates = [Template(sample_id=sample.id, enrollment_id=enrollment_id, person_id=person_id,
                          modality=s.modality, position=s.position, extractor=s.extractor,
                          extractor_version=s.version, ciphertext=b"")
                 for s, sample in zip(probe.samples, samples, strict=True)]
    session.add_all(templates)
    session.flush()
    for s, sample, tpl in zip(probe.samples, samples, templates, strict=True):
        sample.ciphertext = crypto.encrypt(s.raw, _sample_aad(sample.id))
        tpl.ciphertext = crypto.encrypt(s.template, _template_aad(tpl.id))
    session.flush()
    return templates


def store_photo(session: Session, enrollment_id: int, modality: str, raw: bytes,
                image: DecodedImage) -> Sample:
    """An encrypted sample without a template (an exception's photo of the hands)."""
    h, w = image.pixels.shape[:2]
    sample = Sample(enrollment_id=enrollment_id, modality=modality, position=0,
                    media_type=image.media_type, width=w, height=h, dpi=image.dpi,
                    ciphertext=b"")
    session.add(sample)
    session.flush()
    sample.ciphertext = crypto.encrypt(raw, _sample_aad(sample.id))
    session.flush()
    return sample


# -- reading ----------------------------------------------------------------------------------
def parse(row: Template) -> Parsed:
    """The template of ``row``, decrypted and validated; ``Unreadable`` otherwise."""
    try:
        blob = crypto.decrypt(row.ciphertext, _template_aad(row.id))
    except Exception as exc:  # InvalidTag, bad envelope: the row is damaged or was moved
        raise Unreadable(f"template {row.id} does not decrypt") from exc
    try:
        if row.modality == "face":
            return face_engine.FaceEncoding.from_bytes(blob)
        return finger_engine.FingerTemplate.from_bytes(blob)
    except (face_engine.FaceTemplateError, finger_engine.TemplateError) as exc:
        raise Unreadable(f"template {row.id}: {exc}") from exc


def readable(rows: Iterable[Template]) -> list[tuple[Template, Parsed]]:
    """(row, template) for each row that decrypts and parses; the others are logged, skipped."""
    out = []
    for row in rows:
        try:
            out.append((row, parse(row)))
        except Unreadable as exc:
            log.error("%s; skipped", exc)
    return out


GALLERY_MODALITIES = ("face", "finger")  # what the 1:N gallery indexes


def gallery_ids(modality: str) -> Select[Any]:
    """Ids of the templates that belong in the 1:N gallery, current extractor version: those
    of a person, and those of a packet held for review (a held packet is a candidate too)."""
    return (select(Template.id)
            .join(Enrollment, Enrollment.id == Template.enrollment_id)
            .where(Template.modality == modality,
                   Template.extractor_version == current_version(modality),
                   or_(Template.person_id.is_not(None), Enrollment.status == "review")))


def count_gallery(session: Session) -> int:
    """How many templates belong in the 1:N gallery (faces and fingers)."""
    return sum(session.scalar(select(func.count()).select_from(
        gallery_ids(m).subquery())) or 0 for m in GALLERY_MODALITIES)


def by_ids(session: Session, ids: Sequence[int]) -> list[Template]:
    return list(session.scalars(select(Template).where(Template.id.in_(list(ids)))))


def owners(session: Session, ids: Sequence[int]) -> list[tuple[int, int | None, int, str]]:
    """(template id, person id or None, enrollment id, enrollment status) of each template."""
    rows = session.execute(
        select(Template.id, Template.person_id, Template.enrollment_id, Enrollment.status)
        .join(Enrollment, Enrollment.id == Template.enrollment_id)
        .where(Template.id.in_(list(ids)))).all()
    return [(int(t), p, int(e), str(s)) for t, p, e, s in rows]


def _fill(held: Enrolled, row: Template, parsed: Parsed) -> None:
    if isinstance(parsed, face_engine.FaceEncoding):
        held.faces.append(parsed.vector)
    else:
        held.fingers.setdefault(int(row.position), []).append(parsed)


def _current(q: Select[Any], face: bool, positions: Iterable[int]) -> Select[Any]:
    wanted = []
    if face:
        wanted.append((Template.modality == "face")
                      & (Template.extractor_version == current_version("face")))
    pos = sorted(set(positions))
    if pos:
        wanted.append((Template.modality == "finger") & Template.position.in_(pos)
                      & (Template.extractor_version == current_version("finger")))
    return q.where(or_(*wanted)) if wanted else q.where(Template.id.is_(None))


def enrolled(session: Session, person_ids: Sequence[int], *, face: bool,
             positions: Iterable[int]) -> dict[int, Enrolled]:
    """What each person holds that a probe with (or without) a face and these finger positions
    can be compared with: current-version templates, decrypted. Every person asked for is a key
    (with nothing in it when nothing comparable is stored)."""
    out = {pid: Enrolled() for pid in person_ids}
    if not person_ids:
        return out
    q = _current(select(Template).where(Template.person_id.in_(list(person_ids))), face,
                 positions).order_by(Template.id)
    for row, parsed in readable(session.scalars(q)):
        _fill(out[int(row.person_id or 0)], row, parsed)
    return out


def held(session: Session, enrollment_ids: Sequence[int], *, face: bool,
         positions: Iterable[int]) -> dict[int, Enrolled]:
    """As ``enrolled``, for packets held for review (keyed by enrollment id)."""
    out = {eid: Enrolled() for eid in enrollment_ids}
    if not enrollment_ids:
        return out
    q = _current(select(Template).where(Template.enrollment_id.in_(list(enrollment_ids)),
                                        Template.person_id.is_(None)), face,
                 positions).order_by(Template.id)
    for row, parsed in readable(session.scalars(q)):
        _fill(out[int(row.enrollment_id)], row, parsed)
    return out


def comparable_ids(session: Session, person_ids: Sequence[int], held_ids: Sequence[int], *,
                   face: bool, positions: Iterable[int]
                   ) -> tuple[dict[int, tuple[int, ...]], dict[int, tuple[int, ...]]]:
    """The ids of the templates ``enrolled`` / ``held`` would return (nothing decrypted): per
    person, and per held packet. A decision compares them with what its search scored."""
    persons: dict[int, tuple[int, ...]] = dict.fromkeys(person_ids, ())
    packets: dict[int, tuple[int, ...]] = dict.fromkeys(held_ids, ())
    if person_ids:
        q: Select[Any] = select(Template.id, Template.person_id).where(  # type: ignore[assignment]
            Template.person_id.in_(list(person_ids)))
        q = _current(q, face, positions)
        for tid, pid in session.execute(q.order_by(Template.id)):
            persons[int(pid)] += (int(tid),)
    if held_ids:
        q = select(Template.id, Template.enrollment_id).where(  # type: ignore[assignment]
            Template.enrollment_id.in_(list(held_ids)), Template.person_id.is_(None))
        q = _current(q, face, positions)
        for tid, eid in session.execute(q.order_by(Template.id)):
            packets[int(eid)] += (int(tid),)
    return persons, packets


def of_enrollment(session: Session, enrollment_id: int) -> Probe:
    """The templates a stored enrollment holds, as a probe (its samples are not re-read)."""
    out = Probe()
    rows = session.scalars(select(Template).where(Template.enrollment_id == enrollment_id)
                           .order_by(Template.id))
    for row, parsed in readable(rows):
        if isinstance(parsed, face_engine.FaceEncoding):
            out.face = parsed
        else:
            out.finger_templates[int(row.position)] = parsed
    return out


def finger(row: Template) -> finger_engine.FingerTemplate:
    """One stored finger template (``Unreadable`` when damaged or of another version)."""
    parsed = parse(row)
    if not isinstance(parsed, finger_engine.FingerTemplate):
        raise Unreadable(f"template {row.id} is not a finger")
    return parsed


def samples_of(session: Session, person_id: int) -> list[Sample]:
    """The sample rows (metadata; images stay encrypted) of a person's enrollments."""
    return list(session.scalars(
        select(Sample).join(Enrollment, Sample.enrollment_id == Enrollment.id)
        .where(Enrollment.person_id == person_id).order_by(Sample.id)))


def sample_bytes(sample: Sample) -> bytes:
    """The image bytes a station sent for ``sample``, decrypted (never stored in plaintext)."""
    try:
        return crypto.decrypt(sample.ciphertext, _sample_aad(sample.id))
    except Exception as exc:
        raise Unreadable(f"sample {sample.id} does not decrypt") from exc
