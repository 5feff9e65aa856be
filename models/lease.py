"""The deciding lease: which process may decide identity on this database, and until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class DeciderLease(Base):
    __tablename__ = "decider_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)  # "identity"
    holder: Mapped[str] = mapped_column(String(120))  # host:pid:nonce of the deciding process
    expires_at: Mapped[datetime]
    renewed_at: Mapped[datetime]
