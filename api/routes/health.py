"""Liveness and readiness: the only routes without a key (see ``api.app.PUBLIC_PATHS``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from identity.platform.migrate import is_current

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Database reachable, migrations applied, indexes loaded",
            responses={503: {"description": "not ready"}})
def readyz(request: Request) -> JSONResponse:
    checks: dict[str, bool] = {}
    engine = request.app.state.engine
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = True
        checks["migrations"] = is_current(engine)
    except Exception:
        checks["database"] = False
        checks["migrations"] = False
    checks["indexes"] = bool(request.app.state.gallery_ready())
    ready = all(checks.values())
    return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks},
                        200 if ready else 503)
