"""The person aggregate: the registry's one row per human, its national IDs and legacy numbers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class LifeStatus(StrEnum):
    """``persons.life_status``: deceased from an active death record, else alive."""

    ALIVE = "alive"
    DECEASED = "deceased"


class PersonStatus(StrEnum):
    """``persons.status``: merged rows keep their data for unmerge (``merged_into_id``)."""

    ACTIVE = "active"
    MERGED = "merged"


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The current (primary) national ID; every ID ever issued is also in national_ids.
    national_id: Mapped[str] = mapped_column(String(12), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    father_name: Mapped[str] = mapped_column(String(100))
    grandfather_name: Mapped[str] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    mother_name: Mapped[str] = mapped_column(String(100))
    maternal_grandfather_name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date]
    birthplace: Mapped[str] = mapped_column(String(50))
    life_status: Mapped[str] = mapped_column(String(16), default=LifeStatus.ALIVE.value)
    status: Mapped[str] = mapped_column(String(16), default=PersonStatus.ACTIVE.value)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    fraud_flag: Mapped[bool] = mapped_column(default=False)
    # ICAO 9303 alpha-3 code from the nationality register (IRQ, PSE, XXA stateless, XXB
    # refugee, ...); None until the register has answered.
    nationality: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NationalId(Base):
    """Every national ID ever issued; an ID is never reused, and after a merge it is an alias."""

    __tablename__ = "national_ids"

    national_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # The person the ID was first issued to (unmerge restores it).
    issued_to_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class LegacyId(Base):
    """A legacy document number (civil status, nationality, residence, ration) of a person."""

    __tablename__ = "legacy_ids"
    __table_args__ = (UniqueConstraint("register", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    register: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_persons_names", Person.surname, Person.given_name)
