"""Demographics as evidence: a likelihood ratio that two records name the same person.

Each field contributes ``ln P(observation | same person) / P(observation | different
persons)``: a name that agrees after folding (``matching.names.fold``) says more the rarer it is
(``ln (1 - e) / share``: محمد says little, a rare grandfather's name a lot), a name that
disagrees says ``ln e / (1 - share)``; the birth date (exact, same year, a year apart, other),
the birthplace and the sex likewise. Shares come from ``data/iraqi_names.csv`` (its header
says where each figure comes from); the error rates and shares of dates and places are rows of
``matching.thresholds`` (``demographic.*``), refitted by ``bench/demographic_calibrate.py``.

Fields are not independent within a family: siblings share the father's line (father,
grandfather, surname), the mother (and her father) and mostly the birthplace. Those *family*
fields together say "same family", never more than ``demographic.family_max_llr``; the
*personal* fields (given name, birth date, sex) then tell family members apart. The total is
capped at ``demographic.max_llr``. ``bench/demographic_calibrate.py`` measures both caps on
generated families (siblings are the hard impostors). Higher LLR = more likely the same person.
Pure: dicts in, dataclasses out.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from matching import thresholds
from matching.names import fold

NAME_FIELDS = (("given_name", "given"), ("father_name", "male"), ("grandfather_name", "male"),
               ("surname", "surname"), ("mother_name", "female"),
               ("maternal_grandfather_name", "male"))
FAMILY_FIELDS = frozenset({"father_name", "grandfather_name", "surname", "mother_name",
                           "maternal_grandfather_name", "birthplace"})
# Share of Iraq's population by governorate of birth (stored as ISO 3166-2:IQ codes):
# approximate, from the 2024 census totals by governorate (46.1 million); used only for the
# weight of an agreeing birthplace. A birthplace abroad (a country code) takes the default.
GOVERNORATE_SHARE = {
    "IQ-BG": 0.20, "IQ-NI": 0.095, "IQ-BA": 0.07, "IQ-DQ": 0.055, "IQ-BB": 0.05,
    "IQ-SU": 0.05, "IQ-AR": 0.05, "IQ-AN": 0.045, "IQ-DI": 0.04, "IQ-KI": 0.035,
    "IQ-NA": 0.04, "IQ-WA": 0.035, "IQ-SD": 0.04, "IQ-DA": 0.035, "IQ-KA": 0.035,
    "IQ-QA": 0.035, "IQ-MA": 0.03, "IQ-MU": 0.025, "IQ-HA": 0.003,
}
DEFAULT_DAYS = ((1, 1), (1, 7))  # (day, month) recorded when the true birthday is unknown


@dataclass(frozen=True)
class FieldEvidence:
    field: str
    agrees: bool
    llr: float


@dataclass(frozen=True)
class DemographicEvidence:
    """``llr``: the capped sum (natural log; higher = same person more likely)."""

    llr: float
    fields: tuple[FieldEvidence, ...]


@lru_cache(maxsize=1)
def name_shares() -> dict[str, dict[str, float]]:
    """class (male, female, surname) → folded name → share, from ``data/iraqi_names.csv``."""
    path = Path(__file__).with_name("data") / "iraqi_names.csv"
    out: dict[str, dict[str, float]] = {"male": {}, "female": {}, "surname": {}}
    with path.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        for row in rows:
            cls = row["class"]
            key = fold(row["name"], surname=cls == "surname")
            out[cls][key] = out[cls].get(key, 0.0) + float(row["share"])
    return out


def name_share(cls: str, folded: str) -> float:
    """The share of ``cls`` carrying the folded name; unlisted names get the default share."""
    default = thresholds.value("demographic.surname_default_share" if cls == "surname"
                               else "demographic.name_default_share")
    return name_shares()[cls].get(folded, default)


def _name(field: str, cls: str, a: str, b: str) -> FieldEvidence:
    surname = cls == "surname"
    fa, fb = fold(a, surname=surname), fold(b, surname=surname)
    err = thresholds.value("demographic.name_error")
    if not fa or not fb:
        return FieldEvidence(field, False, 0.0)
    share = min(0.5, name_share(cls, fa))
    if fa == fb:
        return FieldEvidence(field, True, math.log((1 - err) / share))
    return FieldEvidence(field, False, math.log(err / (1 - share)))


def _date(a: date, b: date) -> FieldEvidence:
    v = thresholds.value
    year = v("demographic.birth_year_share")
    if a == b:
        if (a.day, a.month) in DEFAULT_DAYS:  # an unknown birthday: the year and the habit
            random = year * v("demographic.default_day_share")
        else:
            random = year / 365.25
        return FieldEvidence("birth_date", True, math.log(v("demographic.date_exact") / random))
    if a.year == b.year:
        return FieldEvidence("birth_date", False, math.log(v("demographic.date_same_year")
                                                           / year))
    if abs(a.year - b.year) == 1:
        return FieldEvidence("birth_date", False, math.log(v("demographic.date_adjacent_year")
                                                           / (2 * year)))
    other = 1 - v("demographic.date_exact") - v("demographic.date_same_year") \
        - v("demographic.date_adjacent_year")
    return FieldEvidence("birth_date", False, math.log(other / (1 - 3 * year)))


def _place(a: str, b: str) -> FieldEvidence:
    err = thresholds.value("demographic.place_error")
    share = GOVERNORATE_SHARE.get(a, 1 / len(GOVERNORATE_SHARE))
    if a == b:
        return FieldEvidence("birthplace", True, math.log((1 - err) / share))
    return FieldEvidence("birthplace", False, math.log(err / (1 - share)))


def _sex(a: str, b: str) -> FieldEvidence:
    err = thresholds.value("demographic.sex_error")
    if a == b:
        return FieldEvidence("sex", True, math.log((1 - err) / 0.5))
    return FieldEvidence("sex", False, math.log(err / 0.5))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def compare(a: dict[str, Any], b: dict[str, Any]) -> DemographicEvidence:
    """Evidence that demographics ``a`` and ``b`` (the registry's field names: given_name …
    maternal_grandfather_name, sex, birth_date, birthplace) are of the same person."""
    given_cls = "female" if str(a.get("sex")) == "F" else "male"
    fields = [_name(f, given_cls if cls == "given" else cls, str(a.get(f, "")),
                    str(b.get(f, ""))) for f, cls in NAME_FIELDS]
    fields.append(_date(_as_date(a["birth_date"]), _as_date(b["birth_date"])))
    fields.append(_place(str(a.get("birthplace", "")), str(b.get("birthplace", ""))))
    fields.append(_sex(str(a.get("sex", "")), str(b.get("sex", ""))))
    family = sum(f.llr for f in fields if f.field in FAMILY_FIELDS)
    personal = sum(f.llr for f in fields if f.field not in FAMILY_FIELDS)
    total = min(personal + min(family, thresholds.value("demographic.family_max_llr")),
                thresholds.value("demographic.max_llr"))
    return DemographicEvidence(total, tuple(fields))


def among_siblings(a: dict[str, Any], b: dict[str, Any], *,
                   same_certificate: bool | None) -> DemographicEvidence:
    """Evidence that two birth registrations with the same parents are of the same child.

    The family fields are the same by construction, so only the personal ones count, weighed
    against a *sibling* (not a stranger): a different given name is strong evidence of another
    child (``child.name_error``), the same birth date weak evidence (``child.twin_rate``: twins
    share it), the birth certificate's number decisive when equal and strong when not
    (``child.certificate_mismatch``). ``same_certificate`` is None when either lacks one.
    """
    v = thresholds.value
    err = v("child.name_error")
    given = fold(str(a.get("given_name", ""))) == fold(str(b.get("given_name", "")))
    fields = [FieldEvidence("given_name", given, math.log((1 - err) / err) if given
                            else math.log(err / (1 - err)))]
    same_day = _as_date(a["birth_date"]) == _as_date(b["birth_date"])
    twins = v("child.twin_rate")
    fields.append(FieldEvidence("birth_date", same_day,
                                math.log(v("demographic.date_exact") / twins) if same_day
                                else math.log((1 - v("demographic.date_exact")) / (1 - twins))))
    fields.append(_sex(str(a.get("sex", "")), str(b.get("sex", ""))))
    if same_certificate is not None:
        miss = v("child.certificate_mismatch")
        fields.append(FieldEvidence("birth_certificate", same_certificate,
                                    v("posterior.identical_llr") if same_certificate
                                    else math.log(miss)))
    return DemographicEvidence(sum(f.llr for f in fields), tuple(fields))
