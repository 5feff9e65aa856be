"""Crash-safe snapshot files for the derived indexes.

A snapshot is written to a temporary file in the same folder, fsynced, renamed over the old one
and the folder fsynced, so a reader sees either the old snapshot or the new one, never half of
one. Each file carries a magic, a format tag and a SHA-256 of its payload: a truncated or altered
file is detected on load (``SnapshotError``) and must be rebuilt from the database, never served.
"""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path

MAGIC = b"HWSNAP01"
_HEADER = struct.Struct("<8s16sQ32s")  # magic, format tag, payload length, sha256


class SnapshotError(Exception):
    """The snapshot file is missing, truncated, of another format, or fails its checksum."""


def write_snapshot(path: Path, payload: bytes, fmt: str, *, crash_at: str | None = None) -> None:
    """Atomically replace ``path`` with ``payload`` tagged ``fmt`` (at most 16 ASCII chars).

    ``crash_at`` is a test-only hook: ``"after_tmp"`` raises after the temporary file is
    written and before the rename, to prove the old snapshot survives a crash.
    """
    tag = fmt.encode("ascii")
    if len(tag) > 16:
        raise ValueError("format tag longer than 16 bytes")
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(payload).digest()
    header = _HEADER.pack(MAGIC, tag.ljust(16, b"\0"), len(payload), digest)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(header)
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    if crash_at == "after_tmp":
        raise RuntimeError("crash_at=after_tmp (test hook)")
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_snapshot(path: Path, fmt: str) -> bytes:
    """Return the verified payload of ``path``; raise ``SnapshotError`` if it cannot be trusted."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SnapshotError(f"{path.name}: no snapshot") from exc
    if len(data) < _HEADER.size:
        raise SnapshotError(f"{path.name}: truncated header")
    magic, tag, length, digest = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise SnapshotError(f"{path.name}: not a snapshot file")
    if tag.rstrip(b"\0").decode("ascii", "replace") != fmt:
        raise SnapshotError(f"{path.name}: format {tag!r}, expected {fmt!r}")
    payload = data[_HEADER.size :]
    if len(payload) != length:
        raise SnapshotError(f"{path.name}: truncated ({len(payload)} of {length} bytes)")
    if hashlib.sha256(payload).digest() != digest:
        raise SnapshotError(f"{path.name}: checksum mismatch")
    return payload
