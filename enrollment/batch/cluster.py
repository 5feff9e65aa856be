"""The import's cluster mode: extraction as Ray tasks, results back in the source's order.

``hawiya import --cluster ADDRESS`` sends each record's ``worker.prepare`` to a Ray cluster
(``auto``: the cluster this machine belongs to; ``ray://host:10001``: a remote head; ``local``:
a Ray instance started for this process). The job's process stays the one writer: it takes
results in task order and decides them exactly as with the local pool, so resuming is the
same (the job rows say what committed).

A task asks for one CPU and ``TASK_MEMORY_MB`` of memory (a worker holds the face models and
LEADER: ~0.5-1.5 GB resident under OpenVINO, more with many image sizes), so Ray places no
more tasks on a node than its memory holds. A task whose worker dies (killed, out of memory)
is retried by Ray up to ``MAX_RETRIES`` times; a record that still fails is reported as
``worker_crashed`` and the run goes on. Nothing is decided twice: a retried record has one
result, and the writer's job row is unique per record.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from enrollment.batch.records import Prepared, Task
from identity.platform.errors import Invalid

MAX_RETRIES = 3
TASK_MEMORY_MB = 2500
WINDOW_PER_CPU = 4  # records in flight per cluster CPU

_limited = False


def _prepare_remote(task: Task, fn: Callable[[Task], Prepared] | None = None) -> Prepared:
    """Runs in a Ray worker: one thread per numeric library, then the local path (``fn``,
    default ``worker.prepare``)."""
    global _limited
    if not _limited:
        from identity.biometrics.extraction_pool import limit_threads

        limit_threads()
        _limited = True
    from enrollment.batch.worker import prepare

    return (fn or prepare)(task)


def connect(address: str) -> Any:
    """Join (or, with ``local``, start) the Ray cluster; returns the ``ray`` module."""
    try:
        import ray
    except ImportError as exc:  # the optional extra
        raise Invalid("the cluster mode needs Ray: install the project with its 'cluster' "
                      "extra (uv sync --extra cluster)", code="cluster_unavailable") from exc

    if not ray.is_initialized():
        env = {k: v for k, v in os.environ.items() if k.startswith("HAWIYA_")}
        ray.init(address=address, include_dashboard=False,
                 logging_level=logging.WARNING, runtime_env={"env_vars": env} if env else None)
    return ray


def ray_stream(tasks: list[Task], address: str, *, memory_mb: int = TASK_MEMORY_MB,
               max_retries: int = MAX_RETRIES,
               fn: Callable[[Task], Prepared] | None = None) -> Iterator[Prepared]:
    """``fn`` (default ``worker.prepare``) of every task on the Ray cluster, yielded in task
    order."""
    ray = connect(address)
    from ray.exceptions import RayError

    remote = ray.remote(num_cpus=1, memory=memory_mb * 2**20, max_retries=max_retries,
                        retry_exceptions=False)(_prepare_remote)
    cpus = int(ray.cluster_resources().get("CPU", 1)) or 1
    window = max(1, cpus * WINDOW_PER_CPU)
    queue = deque(tasks)
    inflight: deque[tuple[Task, Any]] = deque()
    while queue or inflight:
        while queue and len(inflight) < window:
            task = queue.popleft()
            inflight.append((task, remote.remote(task, fn)))
        task, ref = inflight.popleft()
        try:
            yield ray.get(ref)
        except RayError as exc:  # the worker died on it every time it was tried
            yield Prepared(task.key, reason="worker_crashed",
                           detail=f"the Ray task failed {max_retries + 1} times: "
                                  f"{type(exc).__name__}"[:500])
