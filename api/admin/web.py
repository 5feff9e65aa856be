"""Page rendering helpers shared by the workbench routes: Jinja2, headers, notices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.admin import words
from api.admin.auth import csrf_token

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True,
                   lstrip_blocks=True)
_env.filters.update(ar=words.label, when=words.when, age=words.age, demo=words.demographic,
                    place=words.birthplace_label)

# Pages show biometric images: never cached, never framed, no script at all.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make form posts send Origin: null
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
HTML_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "the page"}}
REDIRECT_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "done (or refused, with a notice): back to the page"}}
PNG_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
          "description": "a PNG rendering"}}

NOTICE_PATTERN = r"^[a-z_]{1,40}$"


def notice_text(code: str | None) -> tuple[str | None, bool]:
    """The Arabic notice for ``?notice=CODE`` and whether it reports a refusal."""
    if not code or not re.match(NOTICE_PATTERN, code):
        return None, False
    return words.notice(code)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    notice, error = notice_text(request.query_params.get("notice"))
    html = _env.get_template(template).render(
        csrf=csrf_token(request), actor=principal.actor if principal else None,
        notice=notice, notice_error=error, **context)
    return HTMLResponse(html, status, headers=HEADERS)


def png(data: bytes) -> Response:
    return Response(data, media_type="image/png", headers=HEADERS)


def via_cookie(request: Request) -> bool:
    return bool(getattr(request.state, "session_token", ""))


def error_page(request: Request, code: str, status: int) -> HTMLResponse:
    """A refusal as the signed-in browser sees it: an Arabic page with the stable code (the
    JSON API keeps its error body)."""
    message, _ = words.notice(code)
    return page(request, "error.html", status, message=message, code=code)
