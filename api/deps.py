"""Request dependencies: database sessions and the principal of every route.

Every route names its principal through one of the ``Annotated`` aliases below; the public
routes (health, readiness) are an explicit allow-list in ``api.app.PUBLIC_PATHS``. The key (or
the workbench cookie) was already checked by ``api.gate.AuthGate`` before the body was read;
the dependency only reads what the gate found.

Routes that only read take ``ReadSessionDep`` (a transaction that never takes SQLite's write
lock and is read-only on PostgreSQL: the path a replica can serve later); every route that
writes, audits or commits takes ``SessionDep``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from identity.access.keys import Principal
from identity.platform.errors import Forbidden, Invalid, Unauthorized


def _session(request: Request, factory_name: str) -> Iterator[Session]:
    session: Session = getattr(request.app.state, factory_name)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_session(request: Request) -> Iterator[Session]:
    """A writer session (``BEGIN IMMEDIATE`` on SQLite)."""
    yield from _session(request, "sessions")


def get_read_session(request: Request) -> Iterator[Session]:
    """A read session: refuses writes, never waits for (nor blocks) a writer."""
    yield from _session(request, "read_sessions")


# The largest integer both databases accept as a parameter (signed 64-bit): every integer path or
# query id is declared within it, so a larger one is a 422 (``api.errors`` catches the rest).
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="row id")]

SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]


def single_query_values(request: Request) -> None:
    """Refuse a query parameter given twice (422): no route takes a list, and a repeated one is
    ambiguous (the framework keeps the last value, a proxy in front may have checked the
    first). Installed on every route by ``api.app``."""
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in seen:
            raise Invalid(f"query parameter {name!r} is given more than once",
                          code="repeated_query_parameter")
        seen.add(name)


def current_principal(request: Request) -> Principal:
    """The principal the authentication gate found for this request (401 when none)."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        raise Unauthorized("missing API key (Authorization: Bearer KEY)", code="missing_key")
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
