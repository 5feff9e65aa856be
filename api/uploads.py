"""Bounded reading of uploaded files (a file over the limit is a 413, never read whole)."""

from __future__ import annotations

from fastapi import UploadFile

from identity.platform.errors import TooLarge


async def read_upload(upload: UploadFile | None, name: str, limit: int) -> bytes | None:
    if upload is None:
        return None
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{name} is larger than {limit} bytes", code="file_too_large")
    return data


async def read_fingers(uploads: list[UploadFile | None], limit: int) -> dict[int, bytes]:
    """``finger_1``..``finger_10`` uploads (in position order) → {position: bytes} of those sent."""
    fingers: dict[int, bytes] = {}
    for pos, upload in enumerate(uploads, start=1):
        data = await read_upload(upload, f"finger_{pos}", limit)
        if data is not None:
            fingers[pos] = data
    return fingers
