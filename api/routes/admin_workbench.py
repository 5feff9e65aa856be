"""The adjudication workbench's pages (``api/admin``), mounted like every route module."""

from __future__ import annotations

from api.admin.pages import router as pages_router
from api.admin.signin import router as signin_router

ROUTERS = [signin_router, pages_router]
