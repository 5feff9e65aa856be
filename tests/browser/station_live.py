"""A Hawiya server that a test can stop and start again on the same port (the offline office),
the SBI simulator beside it, and a Chromium whose profile outlives a closed browser."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from identity.access.keys import create_key
from identity.platform.db import session_factory
from tests.browser.conftest import ARGS, CHROMIUM, _free_port, wait_ready

VIEWPORT = {"width": 1366, "height": 768}  # the office screen the station is made for


@dataclass
class Server:
    """uvicorn in a thread on a fixed port; ``stop`` and ``start`` keep the database."""

    engine: Any
    data_dir: Path
    port: int = field(default_factory=_free_port)
    _server: Any = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import uvicorn

        from api.app import create_app
        from identity.platform.settings import Settings

        app = create_app(Settings(environment="test", data_dir=self.data_dir), self.engine)
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="uvicorn")
        self._thread.start()
        wait_ready(self.url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            assert self._thread is not None
            self._thread.join(timeout=30)
            self._server = None

    def key(self, name: str, role: str = "station") -> str:
        with session_factory(self.engine)() as s:
            return create_key(s, role=role, name=name)


def chromium_available() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (make browser installs Debian's package)")


def open_browser(pw: Any, profile_dir: Path, base_url: str, video: Path | None = None) -> Any:
    """A persistent Chromium context (IndexedDB survives closing it); with ``video`` a fake
    camera playing that file."""
    args = list(ARGS)
    if video is not None:
        args += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-video-capture={video}"]
    ctx = pw.chromium.launch_persistent_context(
        str(profile_dir), executable_path=CHROMIUM, args=args, headless=True,
        viewport=VIEWPORT, base_url=base_url, locale="ar-IQ")
    ctx.set_default_timeout(300_000)  # extraction on a busy 2-core machine
    return ctx
