"""The worker side of an import: read a record, validate it as a packet, extract its templates.

Runs in worker processes (``ProcessPoolExecutor``) or in the job's own process with
``--workers 0``. Nothing here touches the database: a worker's result is a ``Prepared``.

Thread counts are set deliberately: each worker is one process with one thread for BLAS,
OpenMP, numba and LEADER (``extraction_pool.limit_threads``), so N workers use N cores and MCC
comparisons do not slow down under oversubscribed BLAS threading. A worker dies with the job
(``PR_SET_PDEATHSIG`` on Linux), so a killed job leaves no orphan extracting in the background.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any

from pydantic import ValidationError

from enrollment.batch.records import LegacyRecord, Prepared, RecordRejected, Task
from enrollment.batch.sources import DEMOGRAPHIC_COLUMNS, read_record
from enrollment.packet import MISSING_REASONS, Packet, check_accounted
from identity.biometrics.probes import Probe
from identity.platform.errors import DomainError
from identity.registry.schemas import Demographics

NAME_FIELDS = ("given_name", "father_name", "grandfather_name", "surname", "mother_name",
               "maternal_grandfather_name")
_CORRUPT = {"undecodable", "truncated_image"}
log = logging.getLogger("hawiya.import")
CRASH_ENV = "HAWIYA_IMPORT_TEST_CRASH_ON"  # a record key whose worker dies (tests only)
# Tests only: with CRASH_ENV + "_ONCE_KEY" = a record key, the worker dies on that record
# the first time (this marker file does not exist yet), then works: a retried record.
CRASH_ONCE_ENV = "HAWIYA_IMPORT_TEST_CRASH_ONCE_MARKER"


def init_worker() -> None:
    """Pool initializer: one thread per library, and die when the job dies."""
    from identity.biometrics.extraction_pool import die_with_parent, limit_threads

    limit_threads()
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the job's to handle


class RecordHeld(Exception):
    """Demographics incomplete: the record is held for a clerk (``intake``)."""

    def __init__(self, missing: list[str], demographics: dict[str, Any]) -> None:
        super().__init__(f"missing: {', '.join(missing)}")
        self.missing, self.demographics = missing, demographics


def _demographics(record: LegacyRecord, completed: dict[str, Any],
                  flags: list[dict[str, Any]]) -> dict[str, Any]:
    """The record's items with a clerk's completion over them; Latin-script names given an
    Arabic spelling for matching (the names as given kept in a ``names_transliterated``
    flag); ``RecordHeld`` when an item is missing."""
    from matching.translit import has_latin, transliterate

    demo = {k: v for k, v in {**record.demographics, **completed}.items()
            if str(v or "").strip()}
    latin = {k: str(demo[k]) for k in NAME_FIELDS if k in demo and has_latin(str(demo[k]))}
    if latin:
        arabic = {k: transliterate(v) for k, v in latin.items()}
        demo.update(arabic)
        flags.append({"code": "names_transliterated",
                      "detail": {"as_given": latin, "for_matching": arabic}})
    missing = [k for k in DEMOGRAPHIC_COLUMNS if k not in demo]
    if missing:
        raise RecordHeld(missing, {k: str(v) for k, v in demo.items()})
    return demo


def station_id(register: str) -> str:
    return f"import:{register}"


def to_packet(record: LegacyRecord, register: str, completed: dict[str, Any] | None = None,
              flags: list[dict[str, Any]] | None = None) -> Packet:
    """The record as a station packet: idempotent on (``import:<register>``, legacy number).
    ``completed``: a clerk's items; ``flags`` collects the card's flags."""
    if record.register is not None and record.register != register:
        raise RecordRejected("register_mismatch",
                             f"the record belongs to {record.register!r}, not {register!r}")
    bad = {p: r for p, r in record.missing_fingers.items()
           if not 1 <= p <= 10 or r not in MISSING_REASONS}
    if bad:
        raise RecordRejected("invalid_missing_fingers",
                             f"missing fingers {bad}: positions 1-10, reasons "
                             f"{', '.join(MISSING_REASONS)}")
    items = _demographics(record, completed or {}, flags if flags is not None else [])
    try:
        demographics = Demographics(**items, legacy_ids={register: record.legacy_number})
    except (ValidationError, TypeError) as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else [{"msg": str(exc)}]
        detail = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e['msg']}"
                           for e in errors)
        raise RecordRejected("invalid_demographics", detail) from exc
    packet = Packet(station_id=station_id(register), capture_id=record.legacy_number,
                    demographics=demographics, face=record.face, fingers=dict(record.fingers),
                    missing_fingers=dict(record.missing_fingers))
    check_accounted(packet)
    return packet


def _reason(exc: DomainError) -> tuple[str, str]:
    if exc.code != "quality_failed" or not isinstance(exc.details, list):
        return exc.code, exc.message
    samples = exc.details
    detail = "; ".join(f"{s.get('sample')}: {s.get('reason')} ({s.get('message')})"
                       for s in samples)
    if any(s.get("reason") in _CORRUPT for s in samples):
        return "corrupt_image", detail
    if any(s.get("reason") == "too_many_pixels" for s in samples):
        return "image_too_large", detail
    return "quality_failed", detail


def _plain_flags(record: LegacyRecord, rolls: Probe, max_pixels: int) -> list[dict[str, Any]]:
    """Compare the card's plain impressions with its rolls: a flag per disagreement, or a
    ``plain_unchecked`` flag when none could be used."""
    from identity.biometrics import probes
    from matching import fingerprint as finger_engine
    from matching.fingerprint.slaps import order_check
    from matching.thresholds import value

    plain = probes.plain_templates(record.plain, max_pixels=max_pixels)
    if not any(t is not None for ts in plain.values() for t in ts):
        return [{"code": "plain_unchecked",
                 "detail": {"positions": sorted(record.plain)}}]
    found = order_check(rolls.finger_templates, plain, finger_engine.compare,
                        value("finger.match_score"))
    if not found:
        return []
    return [{"code": "finger_order_mismatch",
             "detail": {"disagreements": [d.__dict__ for d in found]}}]


def prepare(task: Task) -> Prepared:
    """Read, validate and extract one record; a bad record comes back with its reason, an
    incomplete one with what it lacks (held). ``stages``: CPU seconds of this process by stage
    (read, decode, extract, plain)."""
    from identity.biometrics import probes

    if os.environ.get(CRASH_ENV) == task.key:  # test-only fault injection (see tests)
        os._exit(70)
    once = os.environ.get(CRASH_ONCE_ENV)  # test-only: die on the first attempt only
    if once and task.key == os.environ.get(CRASH_ENV + "_ONCE_KEY") and not os.path.exists(once):
        with open(once, "w") as fh:
            fh.write(task.key)
        os._exit(71)
    started = time.perf_counter()
    stages: dict[str, float] = {}
    clock = time.process_time()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.process_time()
        stages[stage] = stages.get(stage, 0.0) + now - clock
        clock = now

    number: str | None = task.row.get("legacy_number", "").strip() or None
    flags: list[dict[str, Any]] = []
    try:
        record = read_record(task)
        number = record.legacy_number
        packet = to_packet(record, task.register, task.completed, flags)
        lap("read")
        capture = probes.decode_capture(packet.face, packet.fingers, max_pixels=task.max_pixels,
                                        collect=True)
        lap("decode")
        extracted = probes.extract(capture, failure_code="quality_failed")
        lap("extract")
        if record.plain:
            flags += _plain_flags(record, extracted, task.max_pixels)
            lap("plain")
    except RecordHeld as exc:
        return Prepared(task.key, number, hold={"missing": exc.missing,
                                                "demographics": exc.demographics},
                        flags=flags, extract_s=time.perf_counter() - started, stages=stages)
    except RecordRejected as exc:
        return Prepared(task.key, number, reason=exc.reason, detail=exc.message,
                        extract_s=time.perf_counter() - started, stages=stages)
    except DomainError as exc:
        reason, detail = _reason(exc)
        return Prepared(task.key, number, reason=reason, detail=detail,
                        extract_s=time.perf_counter() - started, stages=stages)
    except Exception as exc:  # one odd record must not stop a national run; it is reported
        log.exception("extraction failed on %s", task.key)
        return Prepared(task.key, number, reason="extraction_error",
                        detail=f"{type(exc).__name__}: {exc}"[:500],
                        extract_s=time.perf_counter() - started, stages=stages)
    return Prepared(task.key, number, packet=packet, extracted=extracted, flags=flags,
                    extract_s=time.perf_counter() - started, stages=stages)


def prepare_face(task: Task) -> Prepared:
    """The face pass of an all-vs-all import (``facepass``): read the record and extract its
    face only. No face, or one that fails, comes back with its reason; the full pass judges
    the record later (demographics, fingers), so nothing is decided or rejected here."""
    from identity.biometrics import probes

    clock = time.process_time()
    try:
        record = read_record(task)
        if record.face is None:
            return Prepared(task.key, record.legacy_number, reason="no_face")
        capture = probes.decode_capture(record.face, {}, max_pixels=task.max_pixels,
                                        collect=True)
        extracted = probes.extract(capture, failure_code="quality_failed")
    except RecordRejected as exc:
        return Prepared(task.key, reason=exc.reason, detail=exc.message)
    except DomainError as exc:
        return Prepared(task.key, reason=exc.code, detail=exc.message)
    except Exception as exc:  # the full pass reports it with its reason
        return Prepared(task.key, reason="extraction_error", detail=f"{type(exc).__name__}")
    return Prepared(task.key, record.legacy_number, extracted=extracted,
                    stages={"face_pass": time.process_time() - clock})
