"""Exclusion categories and their scope, temporary blocks and their lifting, appeals, dated
rules, and the feeds that cause every block."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from agencies.ration import appeals, blocks, households, rules
from identity.platform.db import session_factory
from identity.platform.errors import Conflict, Invalid
from models.ration import Block, FeedBatch, FeedRow
from models.security import Event
from tests.agencies.ration.helpers import card, citizen, count, feed, ministry

TODAY = date.today()
LONG_AGO = (TODAY - timedelta(days=200)).isoformat()

# (feed kind, row without national_id, category, blocks the whole card when it hits the head)
# (Income is judged per household: tests/agencies/ration/test_income.py.)
CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    ("tax", {"tax_year": 2025, "assessed_income_iqd": 18_500_000}, "tax", True),
    ("company_registry", {"role": "owner", "as_of": "2025-03-01"}, "company_owner", True),
    ("company_registry", {"role": "shareholder", "as_of": "2025-03-01"}, "shareholder", True),
    ("company_registry", {"role": "contractor", "contractor_grade": 6, "as_of": "2025-03-01"},
     "contractor", True),
    ("company_registry", {"role": "chamber_commerce", "grade": 2, "as_of": "2025-03-01"},
     "chamber_commerce", True),
    ("company_registry", {"role": "chamber_industry", "grade": 3, "as_of": "2025-03-01"},
     "chamber_industry", True),
    ("company_registry", {"role": "businessmen_union", "as_of": "2025-03-01"},
     "businessmen_union", True),
    ("syndicates", {"syndicate": "Doctors", "as_of": "2025-03-01"}, "medical_syndicate", True),
    ("syndicates", {"syndicate": "dentists", "as_of": "2025-03-01"}, "medical_syndicate", True),
    ("syndicates", {"syndicate": "pharmacists", "as_of": "2025-03-01"}, "medical_syndicate",
     True),
    ("travel", {"movement": "residence_abroad", "date": "2025-03-01"}, "resident_abroad", False),
    ("travel", {"movement": "exit", "date": LONG_AGO}, "abroad", False),
    ("prison", {"event": "admitted", "date": "2025-03-01"}, "prison", False),
    ("security", {"status": "terrorism", "as_of": "2025-03-01"}, "terrorism", False),
    ("security", {"status": "fugitive", "as_of": "2025-03-01"}, "fugitive", False),
    ("nationality", {"nationality": "SYR", "as_of": "2025-03-01"}, "non_iraqi", False),
    ("nationality", {"nationality": "XXB", "as_of": "2025-03-01"}, "non_iraqi", False),
]


def _status(session, household):
    return households.status(session, card_number=household.card_number, on=TODAY,
                             grace_days=0)


def _eligible(session, household) -> dict[int, tuple[bool, list[str]]]:
    return {s.member.person_id: (s.eligible, s.reasons)
            for s in _status(session, household).members}


@pytest.mark.parametrize(("kind", "row", "category", "whole_card"), CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_each_category_and_its_scope(session, kind, row, category, whole_card) -> None:
    desk = ministry(session)
    head, wife, son = citizen(session), citizen(session, sex="F"), citizen(session)
    first = card(session, desk, head, wife, son)
    result = feed(session, desk, kind, [{"national_id": head.national_id, **row}])
    assert result.rows[0].outcome == "blocked"
    block = session.get(Block, result.rows[0].block_id)
    assert block.category == category
    cause = session.get(FeedRow, block.feed_row_id)  # the block names the row that caused it
    assert cause.national_id == head.national_id
    assert session.get(FeedBatch, cause.batch_id).kind == kind
    assert session.scalars(select(Event).where(Event.type == "ration.blocked")).one() \
        .payload["feed_row_id"] == cause.id

    seen = _eligible(session, first)
    assert seen[head.id] == (False, [category])
    if whole_card:
        assert seen[wife.id] == (False, [f"household:{category}"])
        assert _status(session, first).eligible_count == 0
    else:
        assert seen[wife.id] == (True, []) and seen[son.id] == (True, [])

    # The same category hitting a member (not the head) excludes that member only.
    h2, m2 = citizen(session), citizen(session, sex="F")
    second = card(session, desk, h2, m2)
    feed(session, desk, kind, [{"national_id": m2.national_id, **row}])
    seen = _eligible(session, second)
    assert seen[h2.id] == (True, []) and seen[m2.id] == (False, [category])


@pytest.mark.parametrize(("kind", "row"), [
    ("payroll", {"period": "2026-10", "monthly_income_iqd": 2_000_000}),  # not above
    ("tax", {"tax_year": 2025, "assessed_income_iqd": 18_000_000}),
    ("company_registry", {"role": "contractor", "contractor_grade": 7, "as_of": "2025-03-01"}),
    ("syndicates", {"syndicate": "engineers", "as_of": "2025-03-01"}),
    ("company_registry", {"role": "chamber_commerce", "grade": 3, "as_of": "2025-03-01"}),
    ("company_registry", {"role": "chamber_industry", "grade": 4, "as_of": "2025-03-01"}),
    ("nationality", {"nationality": "PSE", "as_of": "2025-03-01"}),
    ("nationality", {"nationality": "IRQ", "as_of": "2025-03-01"}),
])
def test_rows_outside_the_rules_block_nobody(session, kind, row) -> None:
    desk = ministry(session)
    head = citizen(session)
    h = card(session, desk, head)
    result = feed(session, desk, kind, [{"national_id": head.national_id, **row}])
    assert result.rows[0].outcome in ("no_change", "not_excluded")
    assert count(session, Block) == 0 and _status(session, h).eligible_count == 1


def test_abroad_blocks_after_90_days_and_return_lifts(session) -> None:
    desk = ministry(session)
    head, son = citizen(session), citizen(session)
    h = card(session, desk, head, son)
    left = TODAY - timedelta(days=30)
    feed(session, desk, "travel", [{"national_id": son.national_id, "movement": "exit",
                                    "date": left.isoformat()}])
    block = blocks.open_block(session, son.id, "abroad")
    assert block.temporary and block.starts_on == left + timedelta(days=91)
    assert _eligible(session, h)[son.id] == (True, [])  # 30 days away: still eligible
    later = households.status(session, card_number=h.card_number, on=left + timedelta(days=91),
                              grace_days=0)
    assert {s.member.person_id: s.eligible for s in later.members}[son.id] is False
    back = feed(session, desk, "travel", [{"national_id": son.national_id, "movement": "entry",
                                           "date": TODAY.isoformat()}])
    assert back.rows[0].outcome == "lifted"
    session.refresh(block)
    assert block.lifted_by == "feed" and block.lift_feed_row_id is not None
    assert blocks.open_block(session, son.id, "abroad") is None


def test_prison_blocks_until_release(session) -> None:
    desk = ministry(session)
    head, son = citizen(session), citizen(session)
    h = card(session, desk, head, son)
    feed(session, desk, "prison", [{"national_id": son.national_id, "event": "admitted",
                                    "date": "2025-01-10"}])
    assert _eligible(session, h)[son.id] == (False, ["prison"])
    assert _status(session, h).eligible_count == 1
    out = feed(session, desk, "prison", [{"national_id": son.national_id, "event": "released",
                                          "date": "2025-09-01"}])
    assert out.rows[0].outcome == "lifted"
    assert _eligible(session, h)[son.id] == (True, [])


def test_income_falling_lifts_the_block(session) -> None:
    desk = ministry(session)
    head = citizen(session)
    h = card(session, desk, head)
    feed(session, desk, "payroll", [{"national_id": head.national_id, "period": "2025-05",
                                     "monthly_income_iqd": 3_000_000}])
    assert _status(session, h).eligible_count == 0
    out = feed(session, desk, "payroll", [{"national_id": head.national_id, "period": "2025-06",
                                           "monthly_income_iqd": 1_200_000}])
    assert out.rows[0].outcome == "lifted" and _status(session, h).eligible_count == 1


def test_appeal_reverses_a_block_with_its_reason(session) -> None:
    desk = ministry(session)
    head, wife = citizen(session), citizen(session, sex="F")
    h = card(session, desk, head, wife)
    out = feed(session, desk, "syndicates", [{"national_id": head.national_id,
                                              "syndicate": "pharmacists", "as_of": "2024-01-01"}])
    assert _status(session, h).eligible_count == 0
    lifted = appeals.uphold(session, principal=desk, block_id=out.rows[0].block_id,
                            reason="left the syndicate in 2023 (certificate 77/2023)",
                            holds_until=None, today=TODAY)
    assert lifted.lifted_by == "appeal" and "77/2023" in lifted.lift_reason
    assert _status(session, h).eligible_count == 2
    event = session.scalars(select(Event).where(Event.type == "ration.unblocked")).one()
    assert event.national_id == head.national_id and event.payload["lifted_by"] == "appeal"
    with pytest.raises(Conflict):
        appeals.uphold(session, principal=desk, block_id=lifted.id, reason="again",
                       holds_until=None, today=TODAY)


def test_rule_versions_apply_by_their_dates(session) -> None:
    desk = ministry(session)
    rules.add_rule_version(session, category="income", effective_from=date(2026, 1, 1),
                           threshold_iqd=3_000_000, basis="test: threshold raised",
                           actor="test")
    old = rules.rule_in_force(session, "income", date(2025, 12, 31))
    assert old.threshold_iqd == 2_000_000 and old.effective_to == date(2025, 12, 31)
    a, b = citizen(session), citizen(session)
    card(session, desk, a)
    card(session, desk, b)
    out = feed(session, desk, "payroll", [
        {"national_id": a.national_id, "period": "2025-12", "monthly_income_iqd": 2_500_000},
        {"national_id": b.national_id, "period": "2026-02", "monthly_income_iqd": 2_500_000}])
    assert [r.outcome for r in out.rows] == ["blocked", "no_change"]
    with pytest.raises(Conflict):
        rules.add_rule_version(session, category="income", effective_from=date(2025, 6, 1),
                               basis="older than the newest", actor="test")


def test_feed_batches_are_idempotent_and_checked_whole(session) -> None:
    desk = ministry(session)
    head = citizen(session)
    card(session, desk, head)
    rows = [{"national_id": head.national_id, "event": "admitted", "date": "2025-02-01"},
            {"national_id": "123456789012", "event": "admitted", "date": "2025-02-01"}]
    first = feed(session, desk, "prison", rows, ref="moj-2025-02")
    assert first.rows[0].outcome == "blocked"
    assert first.rows[1].outcome in ("invalid_national_id", "person_not_found")
    again = feed(session, desk, "prison", rows, ref="moj-2025-02")
    assert again == first and count(session, Block) == 1 and count(session, FeedBatch) == 1
    with pytest.raises(Conflict):
        feed(session, desk, "prison", rows[:1], ref="moj-2025-02")
    with pytest.raises(Invalid) as err:
        feed(session, desk, "prison", [rows[0], {"national_id": head.national_id,
                                                 "event": "escaped", "date": "2025-02-01"}])
    assert err.value.code == "invalid_feed_rows" and err.value.details[0]["row_no"] == 1
    session.rollback()
    assert count(session, FeedBatch) == 1


def test_the_same_batch_sent_twice_at_once_applies_once(engine, session) -> None:
    desk = ministry(session)
    head = citizen(session)
    card(session, desk, head)
    rows = [{"national_id": head.national_id, "event": "admitted", "date": "2025-02-01"}]
    barrier = threading.Barrier(2)
    answers: list[object] = []

    def send() -> None:
        with session_factory(engine)() as s:
            barrier.wait()
            answers.append(feed(s, desk, "prison", rows, ref="moj-twice"))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 2 and answers[0] == answers[1]
    assert count(session, Block) == 1 and count(session, FeedBatch) == 1
