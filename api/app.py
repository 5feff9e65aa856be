"""The FastAPI application: routes, error handling, limits, and start-up readiness."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import Engine

from api import errors, logs
from api.deps import single_query_values
from api.gate import AuthGate
from api.limits import BodyLimit
from api.openapi_doc import install_openapi
from api.raqibni.routes import PUBLIC as RAQIBNI_PATHS
from api.ratelimit import RateLimiter
from api.routes import all_routers
from enrollment.decider import Decider
from identity.biometrics import extraction_pool
from identity.biometrics.gallery import make_gallery
from identity.platform.db import get_engine, read_engine, read_session_factory, session_factory
from identity.platform.settings import Settings, get_settings

log = logging.getLogger("hawiya")

# Routes that need no key; every other route names its principal (tests walk the table).
# /admin/signin is where a key is given; Raqibni's pages serve citizens, who hold no key;
# the station's page is where the station signs in with its key.
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/admin/signin", "/station/",
                          "/station/static/{name}"}) | RAQIBNI_PATHS


def _load_gallery(app: FastAPI) -> None:
    try:
        with app.state.sessions() as session:
            app.state.decider.lease.try_acquire(session)
            app.state.gallery.load(session)
    except Exception:
        log.exception("gallery could not be loaded: the service stays not ready")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or get_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Load and reconcile the gallery in the background: /healthz answers at once,
        # /readyz turns 200 when the indexes match the database.
        loader = threading.Thread(target=_load_gallery, args=(app,), daemon=True,
                                  name="gallery-loader")
        loader.start()
        pool = extraction_pool.start(settings)
        yield
        extraction_pool.stop(pool)
        loader.join()
        if app.state.gallery.ready and app.state.decider.lease.held:
            app.state.gallery.snapshot()
        with app.state.sessions() as session:
            app.state.decider.release(session)
        app.state.gallery.close()

    docs = settings.docs_on
    app = FastAPI(
        title="Hawiya",
        version="0.1.0",
        description="One national ID per person: enrollment, deduplication, agency checks.",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        dependencies=[Depends(single_query_values)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    # Reads that need no primary (agencies' GETs) can be served by a replica; the gate's key
    # lookups stay on the primary so a revoked key stops at once.
    app.state.read_engine = read_engine(settings, engine)
    app.state.read_sessions = read_session_factory(app.state.read_engine)
    app.state.gate_sessions = read_session_factory(engine)
    app.state.gallery = make_gallery(settings)
    app.state.decider = Decider(app.state.gallery, lease_seconds=settings.decider_lease_seconds)
    app.state.gallery_ready = lambda: app.state.gallery.ready
    errors.install(app)
    logs.install()
    for router in all_routers():
        app.include_router(router)
    install_openapi(app, PUBLIC_PATHS)
    buckets = settings.rate_limit_buckets
    app.state.agency_limiter = RateLimiter(settings.rate_limit_per_minute, max_buckets=buckets)
    app.state.key_limiter = RateLimiter(settings.rate_limit_per_minute, max_buckets=buckets)
    app.state.auth_failures = RateLimiter(settings.auth_failures_per_minute, max_buckets=buckets)
    # Outermost last: the gate authenticates and rate-limits before the body limit, the body
    # parser or any route sees the request.
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(AuthGate, sessions=app.state.gate_sessions, public=PUBLIC_PATHS,
                       keys=app.state.key_limiter,
                       failures=app.state.auth_failures)
    return app
