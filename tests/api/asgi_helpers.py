"""Driving the ASGI app by hand, to see what a test client hides: whether the body was read,
and what happens when the client goes away."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Exchange:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    body_reads: int = 0  # http.request messages the application pulled


def call(app: Any, method: str, path: str, *, headers: dict[str, str] | None = None,
         chunks: list[bytes] | None = None, disconnect_after_body: bool = False,
         client: tuple[str, int] = ("203.0.113.7", 5000)) -> Exchange:
    """One request through ``app``; ``chunks`` are sent as a chunked body (no length)."""
    out = Exchange()
    parts = list(chunks or [b""])
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]

    async def receive() -> dict[str, Any]:
        if parts:
            out.body_reads += 1
            chunk = parts.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(parts)}
        if disconnect_after_body:
            return {"type": "http.disconnect"}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out.status = message["status"]
            out.headers = {k.decode(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            out.body += message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": raw_headers, "client": client,
             "server": ("testserver", 80), "state": {}}
    asyncio.run(app(scope, receive, send))
    return out
