"""Validated inputs of the vital records: death reports, reversals, births and marriages.

Every string has a maximum length; free text is Unicode NFC with runs of spaces collapsed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from identity.registry.schemas import normalize_name, visible_text

SOURCE_TYPES = ("hospital_certificate", "forensic_report", "court_judgment",
                "court_proof_of_death", "consular_report")
SourceType = Literal["hospital_certificate", "forensic_report", "court_judgment",
                     "court_proof_of_death", "consular_report"]
Precision = Literal["day", "month", "year"]
BirthSource = Literal["birth_certificate", "civil_registry", "court_judgment", "legacy_import"]
MarriageSource = Literal["marriage_contract", "court_registration", "civil_registry",
                         "legacy_import"]
Regime = Literal["statute", "jafari"]
EndReason = Literal["divorce", "death", "annulment"]

_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
NationalIdStr = Field(min_length=1, max_length=12, description="12-digit national ID")


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = visible_text(normalize_name(value))
    if not value:
        raise ValueError("must be non-empty text")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=500)


class DeathReport(_Strict):
    national_id: str = NationalIdStr
    source_type: SourceType
    document_number: str = Field(min_length=1, max_length=64)
    date_of_death: date = Field(description="ISO date; with precision month/year any day of "
                                "that period (stored as its first day)")
    date_precision: Precision = "day"
    place: str = Field(min_length=1, max_length=200)
    cause_code: str | None = Field(default=None, max_length=8, description="ICD-10, e.g. I21.9")

    _clean = field_validator("document_number", "place")(_text)

    @field_validator("cause_code")
    @classmethod
    def _icd10(cls, value: str | None) -> str | None:
        if value is not None and not _ICD10.match(value.strip().upper()):
            raise ValueError("cause_code must be an ICD-10 code such as I21.9")
        return None if value is None else value.strip().upper()


class ReversalRequest(_Strict):
    judgment_reference: str = Field(min_length=1, max_length=64)
    court: str | None = Field(default=None, max_length=200)
    judgment_date: date | None = None
    reason: str | None = Field(default=None, max_length=500)

    _clean = field_validator("judgment_reference", "court", "reason")(_text)

    @field_validator("judgment_date")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError("judgment date is in the future")
        return value


class BirthIn(_Strict):
    child_national_id: str = NationalIdStr
    mother_national_id: str | None = Field(default=None, max_length=12)
    father_national_id: str | None = Field(default=None, max_length=12)
    source: BirthSource = "civil_registry"
    document_number: str | None = Field(default=None, max_length=64)

    _clean = field_validator("document_number")(_text)

    @model_validator(mode="after")
    def _a_parent(self) -> BirthIn:
        if not self.mother_national_id and not self.father_national_id:
            raise ValueError("a birth names the mother, the father or both")
        return self


class MarriageIn(_Strict):
    husband_national_id: str = NationalIdStr
    wife_national_id: str = NationalIdStr
    contract_date: date
    regime: Regime = "statute"
    end_date: date | None = None
    end_reason: EndReason | None = None
    source: MarriageSource = "civil_registry"
    document_number: str | None = Field(default=None, max_length=64)

    _clean = field_validator("document_number")(_text)

    @model_validator(mode="after")
    def _end(self) -> MarriageIn:
        if (self.end_date is None) != (self.end_reason is None):
            raise ValueError("end_date and end_reason go together")
        if self.end_date is not None and self.end_date < self.contract_date:
            raise ValueError("the marriage ends before its contract date")
        today = date.today()
        if self.contract_date > today or (self.end_date is not None and self.end_date > today):
            raise ValueError("marriage dates cannot be in the future")
        return self
