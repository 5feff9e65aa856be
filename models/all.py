"""Imports every table module so ``Base.metadata`` is complete (Alembic, tests)."""

from models import enrollment, person, ration, security
from models.base import Base

__all__ = ["Base", "enrollment", "person", "ration", "security"]
