"""The rows each feed kind sends, and what each row is a fact about.

A row speaks of one *stream* of one person (a payroll of one agency, the person's travel, their
membership of a chamber ...) at a *reference date* (the pay period, the tax year's end, the date
of the movement or of the membership record). Per person and stream the row with the latest
reference date is the fact; a row older than the fact already held is stale and decides nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AliasChoices, ConfigDict, Field, field_validator, model_validator

from agencies.ration.rules import MEDICAL_SYNDICATES
from agencies.ration.schemas import Day, InputModel

_NID = Field(min_length=12, max_length=12, pattern=r"^[0-9]{12}$")
INCOME_KINDS = ("payroll", "pension")  # every feed that reports a monthly income
GRADED = ("contractor", "chamber_commerce", "chamber_industry")
# ICAO 9303 codes that are not "non-Iraqi": Iraqi, Palestinian (the decision's exception for
# Palestinian families) and XXX (nationality unspecified: the register does not know).
NOT_FOREIGN = frozenset({"IRQ", "PSE", "XXX"})


class Row(InputModel):
    model_config = ConfigDict(extra="forbid", str_max_length=64)
    national_id: str = _NID


class IncomeRow(Row):
    """A monthly income paid to the person (salary from a payroll, a pension)."""

    period: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    monthly_income_iqd: int = Field(ge=0, le=10**12, description="0 when payment stopped")


class TaxRow(Row):
    tax_year: int = Field(ge=1990, le=2100)
    assessed_income_iqd: int = Field(ge=0, le=10**14)


class CompanyRow(Row):
    """Company registry, chambers and unions: a membership as it stands on ``as_of``."""

    role: Literal["owner", "shareholder", "contractor", "chamber_commerce", "chamber_industry",
                  "businessmen_union"]
    grade: int | None = Field(None, ge=1, le=20,
                              validation_alias=AliasChoices("grade", "contractor_grade"),
                              description="contractor grade, chamber grade, industry category")
    active: bool = True
    as_of: Day

    @model_validator(mode="after")
    def _grade(self) -> CompanyRow:
        if self.role in GRADED and self.grade is None:
            raise ValueError(f"a {self.role} row needs its grade")
        return self


class SyndicateRow(Row):
    syndicate: str = Field(min_length=1, max_length=32)
    active: bool = True
    as_of: Day

    @field_validator("syndicate")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class TravelRow(Row):
    """``exit``/``entry`` are border crossings; ``residence_abroad``/``return_to_reside`` are
    the residence record (an entry on a visit does not end a residence abroad)."""

    movement: Literal["exit", "entry", "residence_abroad", "return_to_reside"]
    date: Day


class PrisonRow(Row):
    event: Literal["admitted", "released"]
    date: Day


class SecurityRow(Row):
    """From the judiciary / interior: membership of a terrorist organisation, or a fugitive."""

    status: Literal["terrorism", "fugitive"]
    active: bool = True
    as_of: Day


class NationalityRow(Row):
    """From the nationality register: the person's nationality (ICAO 9303 alpha-3)."""

    nationality: str = Field(pattern=r"^[A-Z]{3}$", description="IRQ, PSE, SYR, XXB ...")
    as_of: Day


KINDS: dict[str, type[Row]] = {
    "payroll": IncomeRow, "pension": IncomeRow, "tax": TaxRow, "company_registry": CompanyRow,
    "syndicates": SyndicateRow, "travel": TravelRow, "prison": PrisonRow,
    "security": SecurityRow, "nationality": NationalityRow,
}
EVENT_STREAMS = ("travel", "residence", "prison")  # their dates are part of the fact itself


def locate(kind: str, agency: str, row: Row) -> tuple[str, date]:
    """(stream, reference date) of a row."""
    if isinstance(row, IncomeRow):
        return f"income:{kind}:{agency}"[:160], date.fromisoformat(row.period + "-01")
    if isinstance(row, TaxRow):
        return "tax", date(row.tax_year, 12, 31)
    if isinstance(row, CompanyRow):
        return f"company:{row.role}", row.as_of
    if isinstance(row, SyndicateRow):
        return f"syndicate:{row.syndicate}", row.as_of
    if isinstance(row, TravelRow):
        stream = "travel" if row.movement in ("exit", "entry") else "residence"
        return stream, row.date
    if isinstance(row, PrisonRow):
        return "prison", row.date
    if isinstance(row, SecurityRow):
        return f"security:{row.status}", row.as_of
    if isinstance(row, NationalityRow):
        return "nationality", row.as_of
    raise TypeError(type(row).__name__)


_CATEGORY = {"tax": "tax", "travel": "abroad", "residence": "resident_abroad",
             "prison": "prison", "nationality": "non_iraqi", "security:terrorism": "terrorism",
             "security:fugitive": "fugitive", "company:owner": "company_owner",
             "company:shareholder": "shareholder", "company:contractor": "contractor",
             "company:chamber_commerce": "chamber_commerce",
             "company:chamber_industry": "chamber_industry",
             "company:businessmen_union": "businessmen_union"}


def categories_of(stream: str) -> tuple[str, ...]:
    """The exclusion categories a fact of ``stream`` decides."""
    if stream.startswith("income:"):
        return ("household_income", "income")
    if stream.startswith("syndicate:"):
        return ("medical_syndicate",) if stream[10:] in MEDICAL_SYNDICATES else ()
    found = _CATEGORY.get(stream)
    return (found,) if found else ()


def streams_of(category: str) -> tuple[str, ...]:
    """The streams that decide ``category`` (income streams are found by their prefix)."""
    if category == "medical_syndicate":
        return tuple(f"syndicate:{s}" for s in sorted(MEDICAL_SYNDICATES))
    return tuple(s for s, c in _CATEGORY.items() if c == category)
