"""Page rendering helpers shared by the workbench routes: Jinja2, headers, notices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.admin.auth import csrf_token

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True,
                   lstrip_blocks=True)

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
NOTICES = {
    "decided": "Decision recorded.",
    "awaiting_second_admin": "Merge proposed: a different admin must confirm it.",
    "second_admin_required": "You proposed this merge: a different admin must confirm it.",
    "case_decided": "This case was already decided.",
    "case_changed": "Persons enrolled since this case opened also match the packet: they were "
                    "added to the case. Review it again.",
    "invalid_reason": "That reason does not go with that decision.",
    "invalid_decision": "Choose a decision.",
    "note_required": "Reason 'other' needs a note.",
    "note_too_long": "The note is too long.",
    "not_a_candidate": "That ID is not a candidate of this case.",
    "merge_conflict": "The merge was refused: both persons hold a record that may exist once "
                      "per person (settle it in the owning service first).",
    "already_merged": "One of the persons is already merged into another.",
    "legacy_id_taken": "A legacy number of the packet belongs to another person.",
    "unmerged": "Unmerged: both IDs and their records are restored.",
    "unmerge_order": "The survivor was merged again since: unmerge that merge first.",
    "merge_not_found": "That ID is not an alias of a merge.",
    "invalid_national_id": "A national ID is 12 digits with a valid check digit.",
    "person_not_found": "No person has this national ID.",
    "signed_out": "Signed out.",
    "invalid_key": "That key is not valid.",
    "wrong_role": "The workbench needs an admin key.",
    "step_recorded": "Step recorded. · سُجّلت المرحلة.",
    "invalid_step": "Choose a step the complaint allows. · اختر مرحلة مسموحة.",
    "invalid_transition": "The complaint cannot take that step now. · لا تسمح حالة الشكوى بذلك.",
    "routed_to_required": "Routing names the office. · اذكر الجهة المحال إليها.",
}
_OK = {"decided", "unmerged", "signed_out", "step_recorded"}


def notice_text(code: str | None) -> tuple[str | None, bool]:
    if not code or not re.match(NOTICE_PATTERN, code):
        return None, False
    return NOTICES.get(code, f"Refused ({code})."), code not in _OK


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
