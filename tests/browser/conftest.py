"""A real uvicorn server on a free 127.0.0.1 port and headless Debian Chromium (Playwright).

Never downloads a browser: ``/usr/bin/chromium`` (installed by ``make browser``) or a skip.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ.get("HAWIYA_SCREENSHOTS", "/tmp"))


@dataclass
class Live:
    url: str
    app: object
    engine: object

    @property
    def gallery(self):  # type: ignore[no-untyped-def]
        return self.app.state.gallery  # type: ignore[attr-defined]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    import uvicorn

    from api.app import create_app
    from identity.platform.db import make_engine
    from identity.platform.migrate import upgrade
    from identity.platform.settings import Settings

    engine = make_engine(f"sqlite:///{tmp_path / 'hawiya.db'}")
    upgrade(engine)
    settings = Settings(environment="test", data_dir=tmp_path / "var")
    app = create_app(settings, engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "server did not become ready"
        time.sleep(0.1)
    try:
        yield Live(url, app, engine)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        engine.dispose()


@pytest.fixture
def browser(live: Live) -> Iterator:
    """Headless Debian Chromium (skips where it is not installed)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (make browser installs Debian's package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(live: Live, browser) -> Iterator:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live.url)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        context.close()
