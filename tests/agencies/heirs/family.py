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


# The deed's family (issue 20): Amina dies in 2024, married to her paternal cousin Kadhim; her
# son Hussein died before her (his son and daughter take the obligatory bequest, PSL art 74);
# her daughter Noor died after her, before the division (a chained deed); her half-sister Huda
# has no mother link in the registry (an uncertain tie).
DEED_FAMILY: dict[str, tuple[str, str, str]] = {  # name -> (sex, birth date, Arabic name)
    "hassan": ("M", "1900-01-01", "حسن"), "rabab": ("F", "1905-01-01", "رباب"),
    "jasim": ("M", "1925-01-01", "جاسم"), "abbas": ("M", "1928-01-01", "عباس"),
    "salma": ("F", "1930-01-01", "سلمى"), "kadhim": ("M", "1948-01-01", "كاظم"),
    "amina": ("F", "1950-01-01", "آمنة"), "huda": ("F", "1955-01-01", "هدى"),
    "ali": ("M", "1972-01-01", "علي"), "hussein": ("M", "1975-01-01", "حسين"),
    "noor": ("F", "1978-01-01", "نور"), "yasser": ("M", "1975-06-01", "ياسر"),
    "zahra": ("F", "2000-01-01", "زهراء"), "mahdi": ("M", "2003-01-01", "مهدي"),
    "sara": ("F", "2001-01-01", "سارة"),
}
DEED_BIRTHS: dict[str, tuple[str | None, str | None]] = {
    "jasim": ("rabab", "hassan"), "abbas": ("rabab", "hassan"), "amina": ("salma", "jasim"),
    "huda": (None, "jasim"), "kadhim": (None, "abbas"), "ali": ("amina", "kadhim"),
    "hussein": ("amina", "kadhim"), "noor": ("amina", "kadhim"), "zahra": (None, "hussein"),
    "mahdi": (None, "hussein"), "sara": ("noor", "yasser"),
}
DEED_MARRIAGES = [("kadhim", "amina", "1970-01-01", "statute", "", ""),
                  ("yasser", "noor", "2000-01-01", "statute", "", "")]
DEED_DEATHS = {"hassan": "1980-01-01", "rabab": "1985-01-01", "jasim": "1999-01-01",
               "salma": "2005-01-01", "abbas": "2010-01-01", "hussein": "2015-06-01",
               "amina": "2024-03-01", "noor": "2024-08-01"}


def build_deed_family(session: Session) -> dict[str, Person]:
    """Issue, link and (through ``deaths.record_death``) bury the deed's family; commits."""
    from identity.registry import deaths, kinship_load
    from identity.registry.vital_schemas import BirthIn, DeathReport, MarriageIn

    people = {name: person(session, sex=sex, born=born, given=ar, surname="الخزرجي")
              for name, (sex, born, ar) in DEED_FAMILY.items()}
    session.commit()
    kinship_load.load(
        session, births=kinship_load.parse_csv(births_csv(people, DEED_BIRTHS), BirthIn),
        marriages=kinship_load.parse_csv(marriages_csv(people, DEED_MARRIAGES), MarriageIn),
        actor="test")
    health = agency(session, "Baghdad Health Directorate")
    for n, (name, day) in enumerate(DEED_DEATHS.items()):
        deaths.record_death(session, DeathReport(
            national_id=people[name].national_id, source_type="hospital_certificate",
            document_number=f"BGH-{day[:4]}-{n:04d}", date_of_death=day, place="بغداد"),
            principal=health)
    return people
