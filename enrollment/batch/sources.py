"""The sources of an import: a folder of ANSI/NIST-ITL files, or a CSV manifest of image paths.

``list_tasks`` runs in the job (cheap: names and rows only); ``read_record`` runs in a worker.

CSV manifest (UTF-8, header row): ``legacy_number``, the demographics columns
(``given_name, father_name, grandfather_name, surname, mother_name, maternal_grandfather_name,
sex, birth_date`` as YYYY-MM-DD, ``birthplace``), optional ``register``, ``face``,
``finger_1`` .. ``finger_10`` (image paths relative to the manifest's folder, empty when
absent) and ``missing_fingers`` (``7:amputated;8:bandaged``). Row keys are ``row-N`` (N from 1).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from enrollment.batch import nist
from enrollment.batch.records import MAX_FILE_BYTES, LegacyRecord, RecordRejected, Task
from identity.platform.errors import Invalid

NIST_SUFFIXES = (".nist", ".an2", ".eft", ".int", ".xmit")
DEMOGRAPHIC_COLUMNS = ("given_name", "father_name", "grandfather_name", "surname",
                       "mother_name", "maternal_grandfather_name", "sex", "birth_date",
                       "birthplace")
MAX_MANIFEST_BYTES = 512 * 1024 * 1024


def source_kind(source: Path) -> str:
    if source.is_dir():
        return "nist"
    if source.is_file() and source.suffix.lower() == ".csv":
        return "csv"
    raise Invalid(f"{source} is neither a folder of NIST files nor a .csv manifest",
                  code="bad_import_source")


def _key(rel: str) -> str:
    """The record key of a file: its path in the folder (hashed past the column's 300)."""
    if len(rel) <= 300:
        return rel
    return f"{rel[:250]}#{hashlib.sha256(rel.encode()).hexdigest()[:40]}"


def _nist_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in NIST_SUFFIXES:
            yield path


def list_tasks(source: Path, register: str, *, max_pixels: int,
               profile: dict[str, Any] | None = None) -> list[Task]:
    """Every record of the source, in a stable order (the order decisions are made in).
    ``profile``: the Type-2 mapping profile of NIST files (``profiles``; None: hawiya)."""
    kind = source_kind(source)
    if kind == "nist":
        return [Task(key=_key(p.relative_to(source).as_posix()), kind="nist", register=register,
                     max_pixels=max_pixels, path=str(p), profile=profile)
                for p in _nist_files(source)]
    if source.stat().st_size > MAX_MANIFEST_BYTES:
        raise Invalid("the manifest is too large", code="bad_import_source")
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"legacy_number", *DEMOGRAPHIC_COLUMNS}
        missing = sorted(need - set(reader.fieldnames or ()))
        if missing:
            raise Invalid(f"manifest lacks column(s): {', '.join(missing)}",
                          code="bad_import_source")
        return [Task(key=f"row-{n}", kind="csv", register=register, max_pixels=max_pixels,
                     row={k: (v or "") for k, v in row.items() if isinstance(k, str)},
                     base_dir=str(source.parent))
                for n, row in enumerate(reader, start=1)]


def _read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RecordRejected("image_too_large", f"{path.name} is over {MAX_FILE_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise RecordRejected("file_unreadable", f"cannot read {path.name} ({exc.strerror})") \
            from exc


def _image(base: Path, rel: str) -> bytes | None:
    rel = rel.strip()
    if not rel:
        return None
    path = (base / rel).resolve()
    if not path.is_relative_to(base.resolve()):
        raise RecordRejected("csv_bad_row", f"image path {rel!r} leaves the manifest's folder")
    return _read_file(path)


def _missing(raw: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        pos, _, reason = part.partition(":")
        if not pos.strip().isdigit():
            raise RecordRejected("csv_bad_row", f"missing_fingers entry {part!r} is not N:reason")
        out[int(pos)] = reason.strip()
    return out


def _csv_record(task: Task) -> LegacyRecord:
    row, base = task.row, Path(task.base_dir)
    number = row.get("legacy_number", "").strip()
    if not number:
        raise RecordRejected("csv_bad_row", "empty legacy_number")
    record = LegacyRecord(
        legacy_number=number,
        demographics={k: row.get(k, "").strip() for k in DEMOGRAPHIC_COLUMNS
                      if row.get(k, "").strip()},
        register=row.get("register", "").strip() or None,
        face=_image(base, row.get("face", "")),
        missing_fingers=_missing(row.get("missing_fingers", "")),
    )
    for pos in range(1, 11):
        data = _image(base, row.get(f"finger_{pos}", ""))
        if data is not None:
            record.fingers[pos] = data
    if record.face is None and not record.fingers:
        raise RecordRejected("no_biometrics", "the row names no face and no finger image")
    return record


def read_record(task: Task) -> LegacyRecord:
    """Read one record of the source; raise ``RecordRejected`` with a reason."""
    if task.kind == "csv":
        return _csv_record(task)
    data = _read_file(Path(task.path))
    return nist.read_transaction(data, task.profile)


def manifest_bytes(rows: list[dict[str, str]]) -> bytes:
    """A manifest with the standard columns (used by the generator and tests)."""
    cols = ["legacy_number", "register", *DEMOGRAPHIC_COLUMNS, "face",
            *(f"finger_{p}" for p in range(1, 11)), "missing_fingers"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")
