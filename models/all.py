"""Imports every table module so ``Base.metadata`` is complete (Alembic, tests)."""

from models import enrollment, heirs, person, ration, security, vital
from models.base import Base

__all__ = ["Base", "enrollment", "heirs", "person", "ration", "security", "vital"]
