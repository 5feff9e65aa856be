"""Imports every table module so ``Base.metadata`` is complete (Alembic, tests).

Modules are discovered, so a new aggregate never means editing a shared list."""

from __future__ import annotations

import importlib
import pkgutil

import models
from models.base import Base

_SKIP = {"all", "base", "migrations"}

for _info in pkgutil.iter_modules(models.__path__):
    if _info.name not in _SKIP and not _info.name.startswith("_"):
        importlib.import_module(f"models.{_info.name}")

__all__ = ["Base"]
