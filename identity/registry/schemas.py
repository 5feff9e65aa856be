"""Validated inputs of the registry: demographics (Arabic names, NFC) and legacy numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

GOVERNORATES = (
    "Baghdad", "Basra", "Nineveh", "Erbil", "Sulaymaniyah", "Duhok", "Kirkuk", "Anbar",
    "Babil", "Karbala", "Najaf", "Qadisiyyah", "Wasit", "Maysan", "Dhi Qar", "Muthanna",
    "Diyala", "Saladin", "Halabja",
)
LEGACY_REGISTERS = ("civil_status", "nationality", "residence", "ration")
# Arabic letters (with the marks and the tatweel), spaces, and the hyphen.
_ARABIC_NAME = re.compile(
    r"^[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF \-]+$"
)


def normalize_name(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


class Demographics(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=100)

    given_name: str = Field(min_length=1, max_length=100)
    father_name: str = Field(min_length=1, max_length=100)
    grandfather_name: str = Field(min_length=1, max_length=100)
    surname: str = Field(min_length=1, max_length=100)
    mother_name: str = Field(min_length=1, max_length=100)
    maternal_grandfather_name: str = Field(min_length=1, max_length=100)
    sex: Literal["M", "F"]
    birth_date: date
    birthplace: str = Field(min_length=1, max_length=50)
    legacy_ids: dict[str, str] = Field(default_factory=dict)

    @field_validator(
        "given_name", "father_name", "grandfather_name", "surname", "mother_name",
        "maternal_grandfather_name",
    )
    @classmethod
    def _arabic(cls, value: str) -> str:
        value = normalize_name(value)
        if not value or not _ARABIC_NAME.match(value):
            raise ValueError("names are written in Arabic script")
        return value

    @field_validator("birth_date")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today() or value.year < 1890:
            raise ValueError("birth date is in the future or implausible")
        return value

    @field_validator("birthplace")
    @classmethod
    def _governorate(cls, value: str) -> str:
        for name in GOVERNORATES:
            if name.lower() == value.strip().lower():
                return name
        raise ValueError(f"birthplace must be a governorate: {', '.join(GOVERNORATES)}")

    @field_validator("legacy_ids")
    @classmethod
    def _legacy(cls, value: dict[str, str]) -> dict[str, str]:
        for register, number in value.items():
            if register not in LEGACY_REGISTERS:
                raise ValueError(f"unknown legacy register {register!r}")
            if not (1 <= len(number) <= 64) or not number.isprintable():
                raise ValueError(f"legacy number for {register} must be 1-64 printable chars")
        return value

    def person_fields(self) -> dict[str, object]:
        return self.model_dump(exclude={"legacy_ids"})
