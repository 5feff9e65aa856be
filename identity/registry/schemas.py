"""Validated inputs of the registry: demographics (Arabic names, NFC) and legacy numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from identity.registry import places

# English names of the governorates (the ration registry's agents use them); a birthplace is
# stored as its ISO 3166-2:IQ code (identity.registry.places).
GOVERNORATES = tuple(g.english for g in places.GOVERNORATE_TABLE)
LEGACY_REGISTERS = ("civil_status", "nationality", "residence", "ration")
# The Arabic script's blocks (Arabic, Supplement, Extended-A, Presentation Forms A and B).
_ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
                  (0xFE70, 0xFEFF))
_HARAKAT = ((0x064B, 0x065F), (0x0670, 0x0670))  # tashkeel and the superscript alef


def _letter_class() -> str:
    """A regex class of the Arabic script's letters (Lo, Lm: the tatweel; Kurdish, Persian and
    Urdu letters such as پ چ ژ گ ڤ ڕ ڵ ۆ ێ ە included), the harakat, the space and the hyphen.
    Digits, punctuation, Quranic annotation signs, format characters (U+0600-0605, U+061C,
    U+06DD, U+FEFF) and unassigned code points of those blocks are left out."""
    points = [cp for lo, hi in _ARABIC_BLOCKS for cp in range(lo, hi + 1)
              if unicodedata.category(chr(cp)) in ("Lo", "Lm")]
    points += [cp for lo, hi in _HARAKAT for cp in range(lo, hi + 1)]
    points.sort()
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\u{lo:04X}" if lo == hi else f"\\u{lo:04X}-\\u{hi:04X}"
                   for lo, hi in ranges)
    return body + " \\-"


NAME_LETTERS = _letter_class()  # the station's form checks names with this same class
_ARABIC_NAME = re.compile(f"^[{NAME_LETTERS}]+$")


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
    # A governorate (code, English or Arabic name) for a person born in Iraq; for one born
    # abroad, ``birth_country`` (alpha-2 code, English or Arabic name) and no birthplace. Both
    # are stored in ``birthplace`` as one ISO code: ``IQ-BG`` or ``SY``.
    birthplace: str | None = Field(default=None, min_length=1, max_length=80)
    birth_country: str | None = Field(default=None, min_length=1, max_length=80, exclude=True)
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

    @model_validator(mode="after")
    def _birthplace(self) -> Demographics:
        country = None
        if self.birth_country is not None:
            country = places.country_code(self.birth_country)
            if country is None:
                raise ValueError("birth_country must be a country (ISO 3166-1 code, English or "
                                 "Arabic name)")
        if country is not None and country != places.IRAQ:
            if self.birthplace is not None and self.birthplace != country:
                raise ValueError("a person born abroad has a birth_country and no governorate")
            self.birthplace = country
            self.birth_country = None
            return self
        self.birth_country = None
        if self.birthplace is None:
            raise ValueError("birthplace (a governorate) is required for a person born in Iraq")
        code = places.governorate_code(self.birthplace)
        if code is None and places.country_code(self.birthplace) not in (None, places.IRAQ) \
                and len(self.birthplace) == 2:
            code = self.birthplace.upper()  # a stored code of a person born abroad, re-read
        if code is None:
            raise ValueError("birthplace must be an Iraqi governorate (ISO 3166-2:IQ code, "
                             f"English or Arabic name): {', '.join(GOVERNORATES)}")
        self.birthplace = code
        return self

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
