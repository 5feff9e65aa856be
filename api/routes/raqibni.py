"""Raqibni's public pages (``api/raqibni``), mounted like every route module."""

from __future__ import annotations

from api.raqibni.routes import router

__all__ = ["router"]
