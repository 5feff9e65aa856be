"""National IDs never reach the access log.

Uvicorn's access logger writes each request line with its path and query string, and several
routes carry a national ID there (``/v1/persons/{national_id}``, ``?national_id=``, the
workbench's ``?nid=``). ``install`` puts a filter on that logger which replaces every run of
exactly 12 digits in the line's arguments with ``<national-id>`` before any handler sees it.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
_NATIONAL_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
MASK = "<national-id>"


def redact(text: str) -> str:
    """``text`` with every 12-digit run (a national ID) masked."""
    return _NATIONAL_ID.sub(MASK, text)


class RedactNationalIds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and not record.args:
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """Add the filter to the access logger (once per process; uvicorn's logging setup keeps a
    logger's filters when it replaces its handlers)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactNationalIds) for f in logger.filters):
        logger.addFilter(RedactNationalIds())
