"""Below the API: an appeal stops holding after its stated date; who counts in the household
total (head, married, minor) and who is judged alone (an unmarried adult); a deceased member's
income no longer counts."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from agencies.ration import appeals, blocks, income, life_events, reconcile
from agencies.ration.cards import current_members
from identity.registry import deaths
from identity.registry.kinship_load import record_marriage
from identity.registry.vital_schemas import DeathReport, MarriageIn
from models.ration import Block
from tests.agencies.ration.helpers import card, citizen, feed, health_agency, ministry

TODAY = date.today()


def test_an_appeal_holds_until_its_date(session) -> None:
    desk = ministry(session)
    head = citizen(session)
    h = card(session, desk, head)
    out = feed(session, desk, "payroll", [{"national_id": head.national_id, "period": "2026-09",
                                           "monthly_income_iqd": 2_600_000}])
    appeals.uphold(session, principal=desk, block_id=out.rows[0].block_id, reason="slip",
                   holds_until=TODAY, today=TODAY)
    same_day = reconcile.household(session, h, actor="test", today=TODAY)
    assert same_day.outcome == "appeal_holds"
    later = reconcile.household(session, h, actor="test", today=TODAY + timedelta(days=1))
    assert later.outcome == "blocked"
    [appeal] = appeals.of_block(session, out.rows[0].block_id)
    assert appeal.ended_reason == "the stated date passed"
    assert blocks.open_block(session, None, "household_income", household_id=h.id) is not None


def test_who_counts_in_the_household_total(session) -> None:
    desk = ministry(session)
    head, wife = citizen(session, born="1970-01-01"), citizen(session, born="1972-01-01", sex="F")
    minor = citizen(session, born=(TODAY - timedelta(days=365 * 10)).isoformat())
    adult_son = citizen(session, born="1999-01-01")
    married_son = citizen(session, born="1995-01-01")
    daughter_in_law = citizen(session, born="1997-01-01", sex="F")
    for husband, bride in ((head, wife), (married_son, daughter_in_law)):
        record_marriage(session, MarriageIn(husband_national_id=husband.national_id,
                                            wife_national_id=bride.national_id,
                                            contract_date=date(2020, 1, 1)), actor="test")
    h = card(session, desk, head, wife, minor, adult_son, married_son, daughter_in_law)
    why = {mi.person_id: (mi.counted, mi.why) for mi in income.members_income(
        session, current_members(session, h.id), TODAY)}
    assert why == {head.id: (True, "head"), wife.id: (True, "married"),
                   minor.id: (True, "minor"), adult_son.id: (False, "unmarried_adult"),
                   married_son.id: (True, "married"), daughter_in_law.id: (True, "married")}


def test_a_deceased_members_income_no_longer_counts(session) -> None:
    desk = ministry(session)
    head, wife = citizen(session, born="1970-01-01"), citizen(session, born="1972-01-01", sex="F")
    record_marriage(session, MarriageIn(husband_national_id=head.national_id,
                                        wife_national_id=wife.national_id,
                                        contract_date=date(1995, 1, 1)), actor="test")
    h = card(session, desk, head, wife)
    feed(session, desk, "payroll", [
        {"national_id": head.national_id, "period": "2026-10", "monthly_income_iqd": 1_200_000},
        {"national_id": wife.national_id, "period": "2026-10", "monthly_income_iqd": 1_000_000}])
    assert blocks.open_block(session, None, "household_income", household_id=h.id) is not None
    deaths.record_death(session, DeathReport.model_validate({
        "national_id": wife.national_id, "source_type": "hospital_certificate",
        "document_number": "HC-5", "date_of_death": TODAY.isoformat(), "place": "البصرة"}),
        principal=health_agency(session))
    life_events.sync(session=session, grace_days=0)
    assert blocks.open_block(session, wife.id, "deceased") is not None
    household = session.scalars(select(Block).where(Block.household_id == h.id)).one()
    assert household.lifted_by == "event" and "a member died" in (household.lift_reason or "")
    assert blocks.open_block(session, None, "household_income", household_id=h.id) is None
