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
# Latin words an Arabic page may show outside numbers, IDs, codes and names (technical terms).
TERMS = frozenset({"API", "LLR", "UTC"})
# Every Latin word a person reads outside the elements that hold numbers, IDs, codes and names.
LATIN_WORDS = """() => {
  const skip = "script, style, .mono, .code, .ltr, bdi, [dir=auto], [dir=ltr]";
  const words = new Set();
  const add = (text) => (text.match(/[A-Za-z][A-Za-z-]+/g) || []).forEach(w => words.add(w));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement.closest(skip)) add(n.textContent);
  }
  for (const el of document.querySelectorAll("[placeholder], [aria-label], [alt], [title]")) {
    ["placeholder", "aria-label", "alt", "title"].forEach(a => add(el.getAttribute(a) || ""));
  }
  for (const g of document.querySelectorAll("optgroup")) add(g.label);
  return [...words].sort();
}"""


def arabic_rtl(page, *labels: str) -> None:
    """The page is Arabic and right to left, shows ``labels``, has no English word outside
    numbers, IDs, codes and names (``TERMS`` aside) and never scrolls sideways."""
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == \
        ["ar", "rtl"]
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert any("\u0600" <= ch <= "\u06ff" for ch in page.title()), page.title()
    for text in labels:
        assert page.get_by_text(text, exact=False).first.is_visible(), text
    latin = set(page.evaluate(LATIN_WORDS))
    assert latin <= TERMS, latin - TERMS
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


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


def wait_ready(url: str, seconds: float = 60) -> None:
    """Until ``url``/readyz answers 200 (the gallery loaded)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "server did not become ready"
        time.sleep(0.1)


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
    wait_ready(url)
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
