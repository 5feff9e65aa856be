"""The shared gallery's bookkeeping (Milvus engine): additions announced with their decision's
commit and not yet applied, and the engine timestamp every applied change is visible at."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class GalleryOutbox(Base):
    """A committed decision's gallery changes, until its decider (or, when that one died, any
    other) has applied them to the shared gallery; deleted once applied."""

    __tablename__ = "gallery_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int | None] = mapped_column(index=True)  # lowest template id added
    add_ids: Mapped[list] = mapped_column()
    remove_ids: Mapped[list] = mapped_column()
    holder: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class GalleryClock(Base):
    """One row per shared gallery: the engine timestamp (Milvus hybrid timestamp) of the latest
    applied change, so a search can ask the engine for a view that includes it."""

    __tablename__ = "gallery_clock"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    applied_at: Mapped[int] = mapped_column(BigInteger, default=0)
