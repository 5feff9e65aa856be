"""Builders for the ration tests: citizens without biometrics, the ministry, cards, feeds."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agencies.ration import feeds, households
from agencies.ration.schemas import FeedIn, FeedResult, HouseholdIn, MemberIn
from identity.access.keys import Principal
from identity.registry.persons import issue_person
from identity.registry.schemas import Demographics
from models.person import Person
from models.ration import Household
from models.security import Agency

MINISTRY = "Ministry of Trade"
_GIVEN = ("علي", "فاطمة", "حسين", "زينب", "محمد", "مريم", "حسن", "سارة", "عباس", "نور")
_n = itertools.count()


def citizen(session: Session, *, born: str = "1980-01-01", sex: str = "M") -> Person:
    """Issue one person and commit."""
    demo = Demographics(given_name=_GIVEN[next(_n) % len(_GIVEN)], father_name="حسين",
                        grandfather_name="كاظم", surname="الربيعي", mother_name="زينب",
                        maternal_grandfather_name="جاسم", sex=sex,
                        birth_date=date.fromisoformat(born), birthplace="Basra")
    person = issue_person(session, demo, actor="test")
    session.commit()
    return person


def ministry(session: Session, name: str = MINISTRY) -> Principal:
    """A ministry principal (below the API no key row is needed; it is not an agent)."""
    row = session.scalars(select(Agency).where(Agency.name == name)).first()
    if row is None:
        row = Agency(name=name, scopes=["ration"], pseudonym_salt="1" * 32)
        session.add(row)
        session.commit()
    return Principal(key_id=900_000 + row.id, name=f"{name}-desk", role="agency",
                     scopes=frozenset({"ration"}), agency_id=row.id, agency_name=row.name)


def health_agency(session: Session) -> Principal:
    """A health directorate reporting deaths (the real death-record service takes it)."""
    row = Agency(name="Basra health directorate", scopes=["deaths"], pseudonym_salt="2" * 32)
    session.add(row)
    session.commit()
    return Principal(key_id=800_000 + row.id, name="health-key", role="agency",
                     scopes=frozenset({"deaths"}), agency_id=row.id, agency_name=row.name)


def card(session: Session, principal: Principal, head: Person, *members: Person,
         governorate: str = "Basra", authorised: tuple[Person, ...] = ()) -> Household:
    request = HouseholdIn(governorate=governorate, centre="BS-01", head=head.national_id,
                          members=[MemberIn(national_id=m.national_id, authorised=m in authorised)
                                   for m in members])
    return households.create(session, principal=principal, request=request)


def feed(session: Session, principal: Principal, kind: str, rows: list[dict[str, Any]],
         ref: str | None = None) -> FeedResult:
    request = FeedIn(batch_ref=ref or f"{kind}-{next(_n)}", rows=rows)
    return feeds.ingest(session, principal=principal, kind=kind, request=request)


def count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
