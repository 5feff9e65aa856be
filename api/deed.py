"""The inheritance deed page: one self-contained Arabic RTL HTML page (no script, no network
asset), printable on A4 (``@media print``). Rendered from ``agencies.heirs.deed.build``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from agencies.heirs.deed import build

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}


def render(report: dict[str, Any]) -> HTMLResponse:
    html = _env.get_template("deed.html").render(**build(report))
    return HTMLResponse(html, headers=HEADERS)
