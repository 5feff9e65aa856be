"""``hawiya import``: a resumable job from a legacy source to committed identity decisions.

Workers read, validate and extract records in parallel; the job's process is the one writer
that decides them, in the source's stable order (``writer.commit_record``). A job is keyed by
(source path, register); each record by its key in the source. Killed at any point and started
again with the same command, the job skips every record whose outcome committed and redoes the
rest; the gallery is reconciled with the database on start (``Gallery.load``), so vectors of a
record committed just before the kill are not lost. The register number is the packet's
``capture_id`` under station ``import:<register>``, so the same record arriving again (another
file, another job) is recognised and never decided twice.

One process decides identity per database (the deciding lease of ``enrollment.decider``): the
import takes the lease before it starts and refuses (``not_the_decider``) while a server or
another import holds it; it gives the lease back when it ends.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from enrollment.batch import intake
from enrollment.batch.profiles import load_profile
from enrollment.batch.progress import ImportProgress
from enrollment.batch.records import Prepared, Task
from enrollment.batch.report import write_report
from enrollment.batch.sources import list_tasks, source_kind
from enrollment.batch.worker import init_worker, prepare
from enrollment.batch.writer import commit_record
from enrollment.decider import Decider
from identity.biometrics.gallery import make_gallery
from identity.platform.db import session_factory
from identity.platform.errors import Invalid
from identity.platform.settings import Settings
from identity.registry.schemas import LEGACY_REGISTERS
from models.base import utcnow
from models.imports import ImportJob, ImportJobStatus, ImportRecord


def default_workers() -> int:
    """One core stays with the writer (search and commits)."""
    return max(1, (os.cpu_count() or 2) - 1)


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the job holds FAISS/OpenMP threads and database connections.
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker)


def prepared_stream(tasks: list[Task], workers: int,
                    fn: Callable[[Task], Prepared] = prepare) -> Iterator[Prepared]:
    """``fn`` (``worker.prepare``) of every task, yielded in task order; ``workers=0`` runs
    them in-process.

    At most ``4 x workers`` records are in flight. If a worker process dies (a decoder crash),
    the records that were in flight are retried one at a time in a fresh pool; the one that
    kills its worker again is rejected as ``worker_crashed`` and the run goes on.
    """
    if workers <= 0:
        for task in tasks:
            yield fn(task)
        return
    window = max(1, workers * 4)
    queue = deque(tasks)
    careful: deque[Task] = deque()  # tasks that were in flight when a worker died
    pool = _pool(workers)
    try:
        inflight: deque[tuple[Task, Future[Prepared]]] = deque()
        while queue or careful or inflight:
            source = careful if careful else queue
            limit = 1 if careful else window
            while source and len(inflight) < limit:
                task = source.popleft()
                inflight.append((task, pool.submit(fn, task)))
            task, future = inflight.popleft()
            try:
                yield future.result()
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(workers)
                if limit == 1:  # alone in the pool: this record is the one that kills it
                    yield Prepared(task.key, reason="worker_crashed",
                                   detail="the extraction worker died on this record twice")
                else:
                    careful.extendleft(reversed([task, *(t for t, _ in inflight)]))
                inflight.clear()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_job(session: Session, source: Path, register: str, total: int) -> tuple[int, int]:
    job = session.scalars(select(ImportJob).where(ImportJob.source == str(source),
                                                  ImportJob.register == register)).first()
    if job is None:
        job = ImportJob(source=str(source), register=register, kind=source_kind(source),
                        run_starts=[])
        session.add(job)
    job.total = total
    job.status = ImportJobStatus.RUNNING
    job.finished_at = None
    job.run_starts = [*job.run_starts, utcnow().isoformat()]
    session.commit()
    return job.id, len(job.run_starts)


def stream(tasks: list[Task], workers: int, cluster: str | None,
           fn: Callable[[Task], Prepared] = prepare) -> Iterator[Prepared]:
    """``fn`` of every task in task order, on the Ray cluster ``cluster`` or the local pool."""
    if cluster:
        from enrollment.batch.cluster import ray_stream

        return ray_stream(tasks, cluster, fn=fn)
    return prepared_stream(tasks, workers, fn)


def run_import(source: Path, register: str, *, engine: Engine, settings: Settings,
               workers: int | None = None, out_dir: Path | None = None,
               bar: bool | None = None, actor: str = "import", profile: str | None = None,
               cluster: str | None = None, all_vs_all: bool = False) -> dict[str, Any]:
    """Import every record of ``source`` into ``register``; return the report (also written
    as ``report.json``, ``report.html`` and ``rejects.csv`` under ``out_dir``).

    ``profile``: the Type-2 mapping profile of NIST files (``profiles``; default: the
    register's own, else ``hawiya``). ``cluster``: a Ray address (``auto``, ``ray://...``,
    or ``local`` for a Ray instance of this machine): extraction runs as Ray tasks
    (``cluster``) instead of the local process pool; decisions stay here, in order.
    ``all_vs_all``: a face pass and one all-vs-all face search first; each record's earlier
    paired records join its candidates (``facepass``)."""
    if register not in LEGACY_REGISTERS:
        raise Invalid(f"register must be one of {', '.join(LEGACY_REGISTERS)}",
                      code="bad_register")
    source = source.resolve()
    mapping = load_profile(profile, register)
    tasks = list_tasks(source, register, max_pixels=settings.max_image_pixels, profile=mapping)
    workers = default_workers() if workers is None else workers
    sessions = session_factory(engine)
    with sessions() as session:
        job_id, run = _start_job(session, source, register, len(tasks))
        out = out_dir or settings.data_dir / "imports" / f"job-{job_id}-{register}"
        completed = intake.release_completed(session, job_id=job_id)
        for task in tasks:
            task.completed = completed.get(task.key, {})
        done = set(session.scalars(select(ImportRecord.record_key)
                                   .where(ImportRecord.job_id == job_id)))
        decider = Decider(make_gallery(settings),
                          lease_seconds=settings.decider_lease_seconds)
        decider.lease.check_and_renew(session)  # NotTheDecider while another process decides
        session.commit()
        try:
            decider.gallery.load(session)
            pairs: dict[str, list[str]] = {}
            todo = [t for t in tasks if t.key not in done]
            pair_stats: dict[str, Any] = {}
            cache = settings.data_dir / "imports" / f"job-{job_id}-{register}"
            if all_vs_all and todo:  # the whole source: earlier records may have committed
                from enrollment.batch import facepass

                session.commit()  # no transaction stays open through the hours of a face pass
                pairs, pair_stats = facepass.run(
                    tasks, lambda ts, fn: stream(ts, workers, cluster, fn), cache)
            cpu: dict[str, float] = {}
            runs = 0
            with ImportProgress(len(tasks), len(tasks) - len(todo), job_id=job_id,
                                bar=bar) as bar_:
                for prep in stream(todo, workers, cluster):
                    for stage, seconds in prep.stages.items():
                        cpu[stage] = cpu.get(stage, 0.0) + seconds
                    started = time.process_time()
                    intake.record_flags(session, job_id=job_id, prep=prep)
                    if prep.hold is not None:
                        row = intake.hold(session, job_id=job_id, run=run, prep=prep)
                    else:
                        row = commit_record(session, job_id=job_id, run=run,
                                            register=register, prep=prep, decider=decider,
                                            actor=f"{actor}:{register}",
                                            also=pairs.get(prep.key, ()))
                        if prep.key in completed:
                            intake.mark_imported(session, job_id=job_id, record_key=prep.key)
                    cpu["writer"] = cpu.get("writer", 0.0) + time.process_time() - started
                    runs += 1
                    bar_.advance(row.status, key=row.record_key, reason=row.reason)
            decider.gallery.snapshot()
            if all_vs_all:  # every record decided or held: the vectors are not kept
                from enrollment.batch import facepass

                facepass.discard(cache)
        finally:
            session.rollback()
            decider.release(session)
        job = session.get(ImportJob, job_id)
        assert job is not None
        job.status = ImportJobStatus.DONE
        job.finished_at = utcnow()
        session.commit()
        report = write_report(session, job, out)
        if all_vs_all:
            report["all_vs_all"] = pair_stats
        # CPU seconds per record of this run by stage: read/decode/extract/plain in the
        # workers (whichever process ran them), writer = search + decision + commit here.
        report["cpu_s_per_record"] = {k: round(v / max(1, runs), 4) for k, v in cpu.items()}
        return report
