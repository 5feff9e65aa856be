"""Sign-in (public: it is where a key is presented) and sign-out of the workbench."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.admin import auth, web
from api.deps import AdminDep, SessionDep
from api.gate import client_address
from identity.platform.errors import DomainError, Forbidden

router = APIRouter(prefix="/admin", tags=["workbench"])
SIGNIN_PATH = "/admin/signin"


@router.get("/signin", response_class=HTMLResponse, summary="Workbench sign-in page",
            responses=web.HTML_RESPONSES)
def signin_page(request: Request,
                notice: Annotated[str | None, Query(pattern=web.NOTICE_PATTERN)] = None,
                ) -> HTMLResponse:
    minutes = request.app.state.settings.admin_session_minutes
    return web.page(request, "signin.html", signin=True, minutes=minutes)


@router.post("/signin", response_class=RedirectResponse, status_code=303,
             summary="Exchange an admin key for a workbench session cookie",
             responses={**web.REDIRECT_RESPONSES, **web.HTML_RESPONSES})
def signin(request: Request, session: SessionDep,
           key: Annotated[str, Form(min_length=1, max_length=200)]) -> RedirectResponse:
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise Forbidden("cross-origin sign-in refused", code="csrf_failed")
    settings = request.app.state.settings
    # Failed sign-ins share the address budget of failed API keys (``api.gate``): past it the
    # key is not even checked.
    failures = request.app.state.auth_failures
    address = f"addr:{client_address(request.scope)}"
    if failures.blocked(address) is not None:
        return RedirectResponse(f"{SIGNIN_PATH}?notice=rate_limited", 303)
    try:
        token, expires = auth.sign_in(session, key.strip(),
                                      minutes=settings.admin_session_minutes)
    except DomainError as exc:
        session.rollback()
        failures.hit(address)
        return RedirectResponse(f"{SIGNIN_PATH}?notice={exc.code}", 303)
    resp = RedirectResponse("/admin/", 303)
    resp.set_cookie(auth.COOKIE, token, max_age=settings.admin_session_minutes * 60,
                    expires=expires, path="/admin/", secure=settings.admin_cookie_secure,
                    httponly=True, samesite="strict")
    return resp


@router.post("/signout", response_class=RedirectResponse, status_code=303,
             summary="End the workbench session", responses=web.REDIRECT_RESPONSES)
def signout(request: Request, principal: AdminDep, session: SessionDep,
            csrf: Annotated[str, Form(max_length=128)] = "") -> RedirectResponse:
    auth.check_csrf(request, csrf)
    token = getattr(request.state, "session_token", "")
    if token:
        auth.sign_out(session, token, actor=principal.actor)
    resp = RedirectResponse(f"{SIGNIN_PATH}?notice=signed_out", 303)
    resp.delete_cookie(auth.COOKIE, path="/admin/", secure=True, httponly=True,
                       samesite="strict")
    return resp
