"""The worker side of an import: read a record, validate it as a packet, extract its templates.

Runs in worker processes (``ProcessPoolExecutor``) or in the job's own process with
``--workers 0``. Nothing here touches the database: a worker's result is a ``Prepared``.

Thread counts are set deliberately: each worker is one process with one thread for BLAS,
OpenMP, numba and onnxruntime (``HAWIYA_ONNX_THREADS=1``), so N workers use N cores and MCC
comparisons do not slow down under oversubscribed BLAS threading. A worker dies with the job
(``PR_SET_PDEATHSIG`` on Linux), so a killed job leaves no orphan extracting in the background.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time

from pydantic import ValidationError

from enrollment.batch.records import LegacyRecord, Prepared, RecordRejected, Task
from enrollment.batch.sources import read_record
from enrollment.packet import MISSING_REASONS, Packet, check_accounted
from identity.platform.errors import DomainError
from identity.registry.schemas import Demographics

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS", "HAWIYA_ONNX_THREADS")
_CORRUPT = {"undecodable", "truncated_image"}
log = logging.getLogger("hawiya.import")
CRASH_ENV = "HAWIYA_IMPORT_TEST_CRASH_ON"  # a record key whose worker dies (tests only)


def init_worker() -> None:
    """Pool initializer: one thread per library, and die when the job dies."""
    for var in THREAD_VARS:
        os.environ[var] = "1"
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the job's to handle


def station_id(register: str) -> str:
    return f"import:{register}"


def to_packet(record: LegacyRecord, register: str) -> Packet:
    """The record as a station packet: idempotent on (``import:<register>``, legacy number)."""
    if record.register is not None and record.register != register:
        raise RecordRejected("register_mismatch",
                             f"the record belongs to {record.register!r}, not {register!r}")
    bad = {p: r for p, r in record.missing_fingers.items()
           if not 1 <= p <= 10 or r not in MISSING_REASONS}
    if bad:
        raise RecordRejected("invalid_missing_fingers",
                             f"missing fingers {bad}: positions 1-10, reasons "
                             f"{', '.join(MISSING_REASONS)}")
    try:
        demographics = Demographics(**record.demographics,
                                    legacy_ids={register: record.legacy_number})
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


def prepare(task: Task) -> Prepared:
    """Read, validate and extract one record; a bad record comes back with its reason."""
    from identity.biometrics import probes

    if os.environ.get(CRASH_ENV) == task.key:  # test-only fault injection (see tests)
        os._exit(70)
    started = time.perf_counter()
    number: str | None = task.row.get("legacy_number", "").strip() or None
    try:
        record = read_record(task)
        number = record.legacy_number
        packet = to_packet(record, task.register)
        extracted = probes.prepare(packet.face, packet.fingers, max_pixels=task.max_pixels)
    except RecordRejected as exc:
        return Prepared(task.key, number, reason=exc.reason, detail=exc.message,
                        extract_s=time.perf_counter() - started)
    except DomainError as exc:
        reason, detail = _reason(exc)
        return Prepared(task.key, number, reason=reason, detail=detail,
                        extract_s=time.perf_counter() - started)
    except Exception as exc:  # one odd record must not stop a national run; it is reported
        log.exception("extraction failed on %s", task.key)
        return Prepared(task.key, number, reason="extraction_error",
                        detail=f"{type(exc).__name__}: {exc}"[:500],
                        extract_s=time.perf_counter() - started)
    return Prepared(task.key, number, packet=packet, extracted=extracted,
                    extract_s=time.perf_counter() - started)
