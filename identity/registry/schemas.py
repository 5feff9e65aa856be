"""Validated inputs of the registry: demographics (Arabic names, NFC) and legacy numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

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


# Characters that show nothing or reorder what surrounds them: format characters (Cf: U+FEFF,
# zero-width spaces and joiners, the bidi marks, embeddings, overrides and isolates, the Arabic
# letter mark), controls (Cc), private use (Co), surrogates (Cs), unassigned code points (Cn) and
# the line/paragraph separators. Two names that look the same must be the same text.
_INVISIBLE = frozenset({"Cf", "Cc", "Co", "Cs", "Cn", "Zl", "Zp"})


def invisible_characters(value: str, *, allow: str = "") -> list[str]:
    """The invisible or control characters in ``value`` (as ``U+XXXX``), except ``allow``."""
    return sorted({f"U+{ord(c):04X}" for c in value
                   if c not in allow and unicodedata.category(c) in _INVISIBLE})


def visible_text(value: str, *, allow: str = "") -> str:
    """``value`` unchanged when every character shows; ``ValueError`` (a 422 in any schema)
    naming the offending code points otherwise. The one check behind every free-text input."""
    bad = invisible_characters(value, allow=allow)
    if bad:
        raise ValueError(f"text contains invisible or control characters: {', '.join(bad[:5])}")
    return value


def visible_multiline(value: str) -> str:
    """``visible_text`` allowing tabs and line breaks (notes, complaint texts)."""
    return visible_text(value, allow="\t\n\r")


VisibleText = Annotated[str, AfterValidator(visible_text)]
VisibleNote = Annotated[str, AfterValidator(visible_multiline)]


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
        value = visible_text(normalize_name(value))
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
