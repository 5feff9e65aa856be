"""Bounded extraction: a fixed set of worker processes turns decoded images into templates.

Why processes: dlib holds the GIL and keeps its activations in the model object, so faces in
threads run one at a time; LEADER's runtimes keep per-call buffers. A pool of ``workers``
processes (one thread each) uses the cores, and the service's memory is the sum of a known
number of workers, each recycled when its resident set passes ``max_rss_mb``.

Admission: at most ``workers + queue`` jobs are in the pool (running or waiting); one more is
refused at once with ``ExtractionBusy`` (503, ``extraction_busy``, ``Retry-After``). A job
that runs past its time budget (``sample_budget_s`` per sample, plus a fixed allowance) has its
worker killed and replaced, and fails with ``ExtractionTimeout`` (422,
``extraction_budget_exceeded``). A worker that dies mid-job answers ``ExtractionBusy`` too
(the client retries; nothing was written).

``current()`` is the pool of this process (``None``: extract in the calling thread, as the
tests that memoise extraction do); the app starts one with ``start(settings)``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from identity.platform.errors import DomainError, Invalid
from identity.platform.settings import Settings

log = logging.getLogger("hawiya.extraction")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS", "HAWIYA_ONNX_THREADS")
FIXED_ALLOWANCE_S = 5.0  # start-up of a job (model warm-up after a recycle)


class ExtractionBusy(DomainError):
    status_code = 503
    code = "extraction_busy"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after_seconds": retry_after})


class ExtractionTimeout(DomainError):
    status_code = 422
    code = "extraction_budget_exceeded"


@dataclass(frozen=True)
class Job:
    """What a worker extracts: the face (H, W, 3) uint8 or None; fingers (H, W) uint8 + dpi."""

    face: np.ndarray | None
    fingers: list[np.ndarray]
    dpis: list[int]

    @property
    def samples(self) -> int:
        return len(self.fingers) + (self.face is not None)


# A result travels as plain data: quality errors as ("error", reason, message).
Outcome = tuple[Any, list[Any]]


def limit_threads() -> None:
    """One thread for every numeric library of this process (call before importing them)."""
    for var in THREAD_VARS:
        os.environ[var] = "1"
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def die_with_parent() -> None:
    """Linux: this process is killed when its parent dies (no orphan extracting)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG


def run_job(job: Job) -> Outcome:
    """Extract ``job`` in this process (a worker, or the caller when there is no pool)."""
    from matching import face as face_engine
    from matching import fingerprint as finger_engine

    face: Any = None
    if job.face is not None:
        try:
            face = face_engine.encode_face(job.face)
        except face_engine.FaceQualityError as exc:
            face = ("error", exc.reason, str(exc))
    fingers: list[Any] = []
    if job.fingers:
        for res in finger_engine.extract_templates(job.fingers, job.dpis):
            fingers.append(("error", res.reason, str(res))
                           if isinstance(res, finger_engine.FingerQualityError) else res)
    return face, fingers


def release_memory() -> None:
    """Give freed heap back to the system (glibc ``malloc_trim``): request threads decode
    large images in their own malloc arenas, which otherwise keep their high-water mark."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def _serve(conn: Connection, backend: str | None, max_rss_mb: float) -> None:
    """A worker's loop: warm the models, then answer jobs until told to stop or too large."""
    limit_threads()
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from matching import face as face_engine
    from matching.fingerprint import loader

    loader.configure(backend)
    face_engine.load_models()
    loader.leader_session()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        payload: Any
        try:
            kind, payload = "ok", run_job(job)
        except Exception as exc:  # an odd image must not end the worker silently
            log.exception("extraction failed")
            kind, payload = "failed", f"{type(exc).__name__}: {exc}"[:300]
        rss = _rss_mb()
        leaving = bool(max_rss_mb) and rss > max_rss_mb
        conn.send((kind, payload, rss if leaving else 0.0))
        if leaving:
            return


class _Worker:
    def __init__(self, ctx: Any, backend: str | None, max_rss_mb: float) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, backend, max_rss_mb), daemon=True,
                                name="hawiya-extract")
        self.proc.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        if not self.ready and self.conn.poll(timeout):
            self.ready = self.conn.recv()[0] == "ready"

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.proc.join(timeout=10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class ExtractionPool:
    """``workers`` processes, at most ``queue`` jobs waiting for one (see the module doc)."""

    def __init__(self, workers: int, queue_size: int, *, sample_budget_s: float,
                 backend: str | None = None, max_rss_mb: float = 0.0,
                 retry_after_s: int = 2, fixed_allowance_s: float = FIXED_ALLOWANCE_S) -> None:
        if workers < 1:
            raise ValueError("an extraction pool needs at least one worker")
        self._ctx = multiprocessing.get_context("spawn")  # the caller holds threads and locks
        self._backend, self._max_rss = backend, max_rss_mb
        self.sample_budget_s, self.retry_after_s = sample_budget_s, retry_after_s
        self.fixed_allowance_s = fixed_allowance_s
        self.workers, self.queue_size = workers, queue_size
        self._admit = threading.BoundedSemaphore(workers + queue_size)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._inflight = 0
        self.recycled = 0
        for _ in range(workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        w = _Worker(self._ctx, self._backend, self._max_rss)
        with self._lock:
            self._all.append(w)
        return w

    def _replace(self, w: _Worker, kill: bool) -> _Worker:
        w.stop(kill=kill)
        with self._lock:
            self._all.remove(w)
            self.recycled += 1
        return self._spawn()

    def pids(self) -> list[int]:
        with self._lock:
            return [w.proc.pid for w in self._all if w.proc.pid is not None]

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until every worker has loaded its models (start-up, benchmarks)."""
        deadline = time.monotonic() + timeout
        for w in list(self._all):
            w.wait_ready(max(0.0, deadline - time.monotonic()))

    def check_capacity(self) -> None:
        """``ExtractionBusy`` now when the pool is full: a caller refuses before decoding
        (the slot itself is taken by ``run``)."""
        if self._inflight >= self.workers + self.queue_size:
            raise ExtractionBusy("extraction is at capacity; retry shortly",
                                 retry_after=self.retry_after_s)

    def run(self, job: Job) -> Outcome:
        """Extract ``job`` in a worker; ``ExtractionBusy`` when the pool is full."""
        if not self._admit.acquire(blocking=False):
            raise ExtractionBusy("extraction is at capacity; retry shortly",
                                 retry_after=self.retry_after_s)
        with self._lock:
            self._inflight += 1
        try:
            slot = [self._idle.get()]  # the worker to give back (a replacement after a failure)
            try:
                return self._on(slot, job)
            finally:
                self._idle.put(slot[0])
        finally:
            with self._lock:
                self._inflight -= 1
            self._admit.release()
            release_memory()

    def _on(self, slot: list[_Worker], job: Job) -> Outcome:
        w = slot[0]
        budget = self.fixed_allowance_s + self.sample_budget_s * max(1, job.samples)
        w.wait_ready(120.0)
        try:
            w.conn.send(job)
            answered = w.conn.poll(budget)
            reply = w.conn.recv() if answered else None
        except (EOFError, OSError):
            log.error("extraction worker %s died", w.proc.pid)
            slot[0] = self._replace(w, kill=True)
            raise ExtractionBusy("the extraction worker died; retry",
                                 retry_after=self.retry_after_s) from None
        if reply is None:
            log.warning("extraction passed its %.0f s budget: worker %s killed", budget,
                        w.proc.pid)
            slot[0] = self._replace(w, kill=True)
            raise ExtractionTimeout(f"extraction passed its {budget:.0f} s budget "
                                    f"({self.sample_budget_s:.0f} s a sample)")
        kind, payload, leaving_at = reply
        if leaving_at:  # the worker grew past max_rss_mb and is exiting: replace it
            log.info("extraction worker %s recycled at %.0f MB", w.proc.pid, leaving_at)
            slot[0] = self._replace(w, kill=False)
        if kind == "failed":
            raise Invalid(f"extraction failed ({payload})", code="extraction_failed")
        outcome: Outcome = payload  # what ``_serve`` sends for a job that succeeded
        return outcome

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.stop()


_current: ExtractionPool | None = None
_current_lock = threading.Lock()


def current() -> ExtractionPool | None:
    """The pool of this process, or ``None`` (extract in the calling thread)."""
    return _current


def install(pool: ExtractionPool | None) -> ExtractionPool | None:
    """Make ``pool`` this process's pool (``None``: none); return the previous one."""
    global _current
    with _current_lock:
        previous, _current = _current, pool
    return previous


def start(settings: Settings) -> ExtractionPool | None:
    """Start and install the pool ``settings`` ask for (``extract_workers`` 0: none)."""
    if settings.extraction_workers <= 0:
        return None
    pool = ExtractionPool(settings.extraction_workers, settings.extract_queue,
                          sample_budget_s=settings.extract_sample_budget_s,
                          backend=settings.leader_backend,
                          max_rss_mb=settings.extract_worker_max_rss_mb)
    install(pool)
    return pool


def stop(pool: ExtractionPool | None) -> None:
    """Close ``pool`` and uninstall it if it is this process's pool."""
    if pool is None:
        return
    with _current_lock:
        global _current
        if _current is pool:
            _current = None
    pool.close()
