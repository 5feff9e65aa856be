"""One JSON error shape for every failure: ``{"error": {"code", "message", "details"?}}``.

A database that is busy (SQLite's lock held past ``HAWIYA_DB_LOCK_TIMEOUT_SECONDS``, a
PostgreSQL lock or pool timeout, a deadlock, the server gone) is a 503 with ``Retry-After``;
an integer too large for the database (past 64 bits) is a 422. Neither is ever a 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.admin import web
from identity.platform.errors import DomainError

log = logging.getLogger("hawiya.api")
BUSY_RETRY_SECONDS = 2


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    err: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        err["details"] = details
    return {"error": err}


def _retry_headers(exc: DomainError) -> dict[str, str] | None:
    details = exc.details if isinstance(exc.details, dict) else {}
    retry = details.get("retry_after_seconds")
    if exc.status_code in (429, 503) and isinstance(retry, int):
        return {"Retry-After": str(retry)}
    return None


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        # A signed-in browser on the workbench reads an Arabic page, not JSON.
        if request.url.path.startswith("/admin/") and web.via_cookie(request):
            return web.error_page(request, exc.code, exc.status_code)
        return JSONResponse(error_body(exc.code, exc.message, exc.details), exc.status_code,
                            headers=_retry_headers(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return JSONResponse(error_body("validation_error", "request is invalid", details), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's "error parsing the body" (malformed multipart, JSON nested past the
            # parser's recursion limit): bad input like any other, the documented 422.
            return JSONResponse(error_body("malformed_body", "the request body cannot be parsed"),
                                422)
        codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        return JSONResponse(error_body(codes.get(exc.status_code, "http_error"), str(exc.detail)),
                            exc.status_code, headers=getattr(exc, "headers", None))

    async def _busy(_: Request, exc: Exception) -> JSONResponse:
        log.warning("database busy or unavailable: %s", str(exc).splitlines()[0][:200])
        return JSONResponse(
            error_body("database_busy", "the database is busy: retry shortly",
                       {"retry_after_seconds": BUSY_RETRY_SECONDS}),
            503, headers={"Retry-After": str(BUSY_RETRY_SECONDS)})

    app.add_exception_handler(OperationalError, _busy)
    app.add_exception_handler(PoolTimeout, _busy)

    async def _out_of_range(_: Request, exc: Exception) -> JSONResponse:
        # An integer past what the database stores (SQLite: OverflowError on binding;
        # PostgreSQL: numeric value out of range), on a route that does not declare the bound.
        if isinstance(exc, DataError) and "out of range" not in str(exc.orig):
            log.warning("value refused by the database: %s", str(exc.orig).splitlines()[0][:200])
            return JSONResponse(error_body("invalid_value", "a value is not valid for storage"),
                                422)
        return JSONResponse(error_body("number_out_of_range",
                                       "a number is outside the range the registry stores"), 422)

    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(error_body("internal_error", "internal error"), 500)
