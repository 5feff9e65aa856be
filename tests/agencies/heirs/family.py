"""Builders for people and families without biometrics (kinship, deaths and heirs tests)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity.access.keys import Principal
from identity.registry.persons import issue_person
from identity.registry.schemas import Demographics
from models.person import Person
from models.security import Agency

NAMES = ("علي", "حسين", "فاطمة", "زينب", "محمد", "مريم", "حسن", "سارة", "كاظم", "نور", "جاسم",
         "هدى", "عباس", "رقية", "يوسف", "آمنة")
_counter = itertools.count()


def person(session: Session, *, sex: str = "M", born: str = "1980-01-01",
           given: str | None = None, surname: str = "التميمي") -> Person:
    """Issue one person (no commit)."""
    demo = Demographics.model_validate({
        "given_name": given or NAMES[next(_counter) % len(NAMES)], "father_name": "حسين",
        "grandfather_name": "كاظم", "surname": surname, "mother_name": "زينب",
        "maternal_grandfather_name": "جاسم", "sex": sex, "birth_date": date.fromisoformat(born),
        "birthplace": "Baghdad"})
    return issue_person(session, demo, actor="test")


def agency(session: Session, name: str, scopes: tuple[str, ...] = ("deaths",)) -> Principal:
    """An agency row and a principal of it (keys are not needed below the API)."""
    row = session.scalars(select(Agency).where(Agency.name == name)).first()
    if row is None:
        row = Agency(name=name, scopes=list(scopes), pseudonym_salt="0" * 32)
        session.add(row)
        session.commit()
    return Principal(key_id=1, name=f"{name}-key", role="agency", scopes=frozenset(scopes),
                     agency_id=row.id, agency_name=row.name)


def count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# The family of the tests: name -> (sex, birth date). "deceased" is the one who dies.
FAMILY: dict[str, tuple[str, str]] = {
    "grandfather": ("M", "1920-01-01"), "grandmother": ("F", "1925-01-01"),
    "father": ("M", "1950-01-01"), "uncle": ("M", "1953-01-01"), "aunt": ("F", "1956-01-01"),
    "mother": ("F", "1955-01-01"), "second_wife": ("F", "1960-01-01"),
    "mothers_ex": ("M", "1950-06-01"), "uterine_sister": ("F", "1975-01-01"),
    "deceased": ("M", "1978-01-01"), "brother": ("M", "1980-01-01"),
    "sister": ("F", "1982-01-01"), "half_brother": ("M", "1985-01-01"),
    "nephew": ("M", "2005-01-01"), "cousin": ("M", "1985-06-01"),
    "wife": ("F", "1980-01-01"), "son": ("M", "2002-01-01"), "daughter": ("F", "2004-01-01"),
    "grandson": ("M", "2022-01-01"), "stranger": ("M", "1990-01-01"),
}
# child: (mother, father)
BIRTHS: dict[str, tuple[str | None, str | None]] = {
    "father": ("grandmother", "grandfather"), "uncle": ("grandmother", "grandfather"),
    "aunt": ("grandmother", "grandfather"), "uterine_sister": ("mother", "mothers_ex"),
    "deceased": ("mother", "father"), "brother": ("mother", "father"),
    "sister": ("mother", "father"), "half_brother": ("second_wife", "father"),
    "nephew": (None, "brother"), "cousin": (None, "uncle"), "son": ("wife", "deceased"),
    "daughter": ("wife", "deceased"), "grandson": (None, "son"),
}
# (husband, wife, contract date, regime, end date, end reason)
MARRIAGES: list[tuple[str, str, str, str, str, str]] = [
    ("mothers_ex", "mother", "1974-01-01", "statute", "1976-01-01", "divorce"),
    ("father", "mother", "1977-01-01", "statute", "", ""),
    ("father", "second_wife", "1984-01-01", "statute", "", ""),
    ("deceased", "wife", "2001-01-01", "statute", "", ""),
]


def births_csv(people: dict[str, Person], births: dict | None = None) -> str:
    lines = ["child_national_id,mother_national_id,father_national_id,source,document_number"]
    for n, (child, (mother, father)) in enumerate((births or BIRTHS).items()):
        lines.append(",".join([people[child].national_id,
                               people[mother].national_id if mother else "",
                               people[father].national_id if father else "",
                               "birth_certificate", f"BC-{n}"]))
    return "\n".join(lines) + "\n"


def marriages_csv(people: dict[str, Person], rows: list | None = None,
                  regime: str | None = None) -> str:
    lines = ["husband_national_id,wife_national_id,contract_date,regime,end_date,end_reason"]
    for husband, wife, contract, reg, end, reason in rows or MARRIAGES:
        lines.append(",".join([people[husband].national_id, people[wife].national_id,
                               contract, regime or reg, end, reason]))
    return "\n".join(lines) + "\n"


def build_family(session: Session, *, link: bool = True,
                 regime: str | None = None) -> dict[str, Person]:
    """Issue every member of FAMILY and (``link``) load the births and marriages through the
    validating CSV loader; commits."""
    from identity.registry import kinship_load
    from identity.registry.vital_schemas import BirthIn, MarriageIn

    people = {name: person(session, sex=sex, born=born) for name, (sex, born) in FAMILY.items()}
    session.commit()
    if link:
        kinship_load.load(
            session, births=kinship_load.parse_csv(births_csv(people), BirthIn),
            marriages=kinship_load.parse_csv(marriages_csv(people, regime=regime), MarriageIn),
            actor="test")
    return people
