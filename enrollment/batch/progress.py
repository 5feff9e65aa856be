"""Import progress: a bar (records, rate, ETA) on a terminal, structured log lines otherwise."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from types import TracebackType
from typing import Any

log = logging.getLogger("hawiya.import")
LOG_EVERY_S = 10.0


class ImportProgress:
    """``with ImportProgress(total, done, bar=None) as p: p.advance(status)``.

    ``bar=None`` draws a bar when stderr is a terminal; ``done`` counts records a previous run
    already committed (the rate and ETA count only this run's records).
    """

    def __init__(self, total: int, done: int, *, job_id: int, bar: bool | None = None) -> None:
        self.total, self.done, self.job_id = total, done, job_id
        self.bar = sys.stderr.isatty() if bar is None else bar
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self._last_log = 0.0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> ImportProgress:
        if self.bar:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("import"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:>8.0f} rec/h"), TimeElapsedColumn(),
                TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[counts]}"),
            )
            self._progress.start()
            self._task = self._progress.add_task("import", total=self.total,
                                                 completed=self.done, rate=0.0, counts="")
        self._log("import.start")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._log("import.stop" if exc is None else "import.interrupted")

    def rate_per_hour(self) -> float:
        n = sum(self.counts.values())
        elapsed = time.monotonic() - self.started
        return n / elapsed * 3600 if elapsed > 0 and n else 0.0

    def advance(self, status: str, *, key: str = "", reason: str | None = None) -> None:
        self.counts[status] += 1
        self.done += 1
        if reason:
            log.warning(json.dumps({"event": "import.rejected", "job": self.job_id,
                                    "record": key, "reason": reason}, ensure_ascii=False))
        if self._progress is not None:
            counts = " ".join(f"{k}={v}" for k, v in sorted(self.counts.items()))
            self._progress.update(self._task, completed=self.done, rate=self.rate_per_hour(),
                                  counts=counts)
        elif time.monotonic() - self._last_log >= LOG_EVERY_S or self.done == self.total:
            self._log("import.progress")

    def _log(self, event: str) -> None:
        self._last_log = time.monotonic()
        rate = self.rate_per_hour()
        left = self.total - self.done
        eta = round(left / rate * 3600) if rate else None
        log.info(json.dumps({"event": event, "job": self.job_id, "done": self.done,
                             "total": self.total, "rate_per_hour": round(rate, 1),
                             "eta_s": eta, "counts": dict(self.counts)}))
