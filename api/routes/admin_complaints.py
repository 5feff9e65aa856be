"""Raqibni complaints in the admin pages (``api/admin/complaints``), mounted like every route
module."""

from __future__ import annotations

from api.admin.complaints import router

__all__ = ["router"]
