"""Route modules, one per resource. Each module exposes ``router`` (or a ``ROUTERS`` list);
``all_routers`` finds them all, so adding a resource never means editing the app factory."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    found: list[APIRouter] = []
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    for name in ["health", *[n for n in names if n != "health"]]:
        module = importlib.import_module(f"{__name__}.{name}")
        candidates = [getattr(module, "router", None), *getattr(module, "ROUTERS", ())]
        for router in candidates:
            if isinstance(router, APIRouter) and all(router is not r for r in found):
                found.append(router)
    return found
