"""Request dependencies: the database session and the principal of every route.

Every route names its principal through one of the ``Annotated`` aliases below; the public
routes (health, readiness) are an explicit allow-list in ``api.app.PUBLIC_PATHS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.admin.auth import cookie_principal
from identity.access.keys import Principal, authenticate
from identity.platform.errors import Forbidden, Unauthorized


def get_session(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def current_principal(request: Request, session: SessionDep) -> Principal:
    key = _bearer(request)
    if not key:
        # The workbench's session cookie, honoured on /admin/ pages only.
        principal = cookie_principal(request, session)
        session.rollback()
        if principal is not None:
            request.state.principal = principal
            return principal
        raise Unauthorized("missing API key (Authorization: Bearer KEY)", code="missing_key")
    principal = authenticate(session, key)
    session.rollback()  # end the read transaction: releases SQLite's lock before slow work
    request.state.principal = principal
    return principal


def require(role: str, scope: str | None = None) -> Callable[..., Principal]:
    """A dependency admitting keys of ``role`` (and, for agencies, holding ``scope``)."""

    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role != role:
            raise Forbidden(f"this route needs a {role} key", code="wrong_role")
        if scope is not None and scope not in principal.scopes:
            raise Forbidden(f"this key lacks the {scope!r} scope", code="missing_scope")
        return principal

    dependency.__name__ = f"require_{role}_{scope or 'any'}"
    dependency.required_role = role  # type: ignore[attr-defined]
    dependency.required_scope = scope  # type: ignore[attr-defined]
    return dependency


StationDep = Annotated[Principal, Depends(require("station"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]
VerifyAgencyDep = Annotated[Principal, Depends(require("agency", "verify"))]
DeathsAgencyDep = Annotated[Principal, Depends(require("agency", "deaths"))]
HeirsAgencyDep = Annotated[Principal, Depends(require("agency", "heirs"))]
RationAgencyDep = Annotated[Principal, Depends(require("agency", "ration"))]
EventsAgencyDep = Annotated[Principal, Depends(require("agency", "events"))]
