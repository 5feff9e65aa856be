"""Bounded reading of uploaded files (a file over the limit is a 413, never read whole), and the
check that the client is still there before the slow work on them starts."""

from __future__ import annotations

from fastapi import Request, UploadFile

from identity.platform.errors import DomainError, TooLarge


class ClientGone(DomainError):
    """The client closed the connection: nobody is left to answer (nginx's 499)."""

    status_code = 499
    code = "client_closed_request"


async def stop_if_gone(request: Request) -> None:
    """Raise ``ClientGone`` when the client has disconnected. Call it after the uploads are
    read and before extraction: a client that gave up (and will retry with the same capture)
    costs no extraction, no decision and no audit row."""
    if await request.is_disconnected():
        raise ClientGone("the client closed the connection before the work started")


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
