"""ASGI middleware refusing request bodies over the configured size with a 413.

A declared ``Content-Length`` over the limit is refused before anything is read. A body sent
without one (chunked) is counted as it arrives; when it passes the limit the application's own
answer (the body parser reports the interrupted read as a 400) is replaced by the 413.
"""

from __future__ import annotations

import json
from typing import Any

Scope = dict[str, Any]


class BodyLimit:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Any) -> None:
        body = json.dumps({"error": {"code": "request_too_large",
                                     "message": f"request body over {self.max_bytes} bytes"}})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body.encode()})

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    await self._reject(send)
                    return
        seen = 0
        started = tripped = replaced = False

        async def limited_receive() -> Any:
            nonlocal seen, tripped
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    tripped = True
                    raise _TooLarge
            return message

        async def tracking_send(message: Any) -> None:
            nonlocal started, replaced
            if replaced:
                return  # the rest of the application's answer to an oversized body
            if message["type"] == "http.response.start":
                if tripped and not started:
                    started = replaced = True
                    await self._reject(send)
                    return
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(send)


class _TooLarge(Exception):
    pass
