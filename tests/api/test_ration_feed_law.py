"""Feeds as the law needs them, over HTTP: a stale row never overrides a newer fact, upheld
appeals hold until the figures change, only a return to reside ends a residence abroad, and
the categories of the 2021 list that were missing (non-Iraqis and refugees except Palestinians,
terrorist organisations, fugitives, the businessmen's union, chambers by grade)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from identity.platform.db import session_factory
from models.person import Person
from tests.api.ration_helpers import card_view, create_card, desk, pay, person, send_feed

TODAY = date.today()


def _reasons(card: dict) -> dict[str, list[str]]:
    return {m["national_id"]: m["reasons"] for m in card["members"]}


def test_a_stale_row_never_overrides_a_newer_fact(client, engine, make_key) -> None:
    ministry = desk(make_key)
    head, son = person(engine), person(engine, born="2001-01-01")
    number = create_card(client, ministry, head, son)["card_number"]
    # June's payroll blocks; January's, arriving later, is stale and lifts nothing.
    assert send_feed(client, ministry, "payroll", "p-06", [pay(head, "2026-06", 3_000_000)])[
        0]["outcome"] == "blocked"
    assert send_feed(client, ministry, "payroll", "p-01", [pay(head, "2026-01", 1_000_000)])[
        0]["outcome"] == "stale"
    card = card_view(client, ministry, number)
    assert card["household_blocked_by"] == ["household_income"]
    assert card["income"]["household_total_iqd"] == 3_000_000
    # He came home 30 days ago; an exit dated 200 days ago arriving now does not send him away.
    back = (TODAY - timedelta(days=30)).isoformat()
    left = (TODAY - timedelta(days=200)).isoformat()
    assert send_feed(client, ministry, "travel", "t-1", [
        {"national_id": son, "movement": "entry", "date": back}])[0]["outcome"] == "no_change"
    assert send_feed(client, ministry, "travel", "t-2", [
        {"national_id": son, "movement": "exit", "date": left}])[0]["outcome"] == "stale"
    assert "abroad" not in _reasons(card_view(client, ministry, number))[son]


def test_an_upheld_appeal_holds_until_the_figures_change(client, engine, make_key) -> None:
    ministry = desk(make_key)
    head, wife = person(engine), person(engine, sex="F")
    number = create_card(client, ministry, head, wife)["card_number"]
    block_id = send_feed(client, ministry, "payroll", "a-09", [
        pay(head, "2026-09", 2_750_000)])[0]["block_id"]
    appeal = client.post(f"/v1/ration/blocks/{block_id}/appeal", headers=ministry, json={
        "reason": "allowance paid once, not monthly (decision 12/2026)"})
    assert appeal.status_code == 200, appeal.text
    # The next routine payroll repeats the disputed figure: the appeal holds.
    assert send_feed(client, ministry, "payroll", "a-10", [pay(head, "2026-10", 2_750_000)])[
        0]["outcome"] == "appeal_holds"
    card = card_view(client, ministry, number)
    assert card["eligible_members"] == 2
    held = next(b for b in card["blocks"] if b["id"] == block_id)
    assert held["lifted_by"] == "appeal" and held["appeals"][0]["ended_at"] is None
    # Another figure: the source data changed, the appeal stops holding, the card is blocked.
    again = send_feed(client, ministry, "payroll", "a-11", [pay(head, "2026-11", 3_100_000)])
    assert again[0]["outcome"] == "blocked" and again[0]["block_id"] != block_id
    card = card_view(client, ministry, number)
    assert card["eligible_members"] == 0
    ended = next(b for b in card["blocks"] if b["id"] == block_id)["appeals"][0]
    assert ended["ended_reason"] == "the source data changed"
    past = client.post(f"/v1/ration/blocks/{again[0]['block_id']}/appeal", headers=ministry,
                       json={"reason": "x", "holds_until": "2020-01-01"})
    assert past.status_code == 422 and past.json()["error"]["code"] == "invalid_holds_until"


def test_only_a_return_to_reside_ends_a_residence_abroad(client, engine, make_key) -> None:
    ministry = desk(make_key)
    head, son = person(engine), person(engine, born="1999-01-01")
    number = create_card(client, ministry, head, son)["card_number"]
    moved = (TODAY - timedelta(days=400)).isoformat()
    send_feed(client, ministry, "travel", "r-1", [
        {"national_id": son, "movement": "residence_abroad", "date": moved}])
    assert _reasons(card_view(client, ministry, number))[son] == ["resident_abroad"]
    visit = (TODAY - timedelta(days=20)).isoformat()
    send_feed(client, ministry, "travel", "r-2", [
        {"national_id": son, "movement": "entry", "date": visit}])
    assert _reasons(card_view(client, ministry, number))[son] == ["resident_abroad"]  # a visit
    out = send_feed(client, ministry, "travel", "r-3", [
        {"national_id": son, "movement": "return_to_reside", "date": visit}])
    assert out[0]["outcome"] == "lifted"
    assert _reasons(card_view(client, ministry, number))[son] == []


def test_the_missing_categories_and_the_chamber_grades(client, engine, make_key) -> None:
    ministry = desk(make_key)
    syrian, palestinian, refugee, member, fugitive = (person(engine) for _ in range(5))
    head = person(engine)
    number = create_card(client, ministry, head, syrian, palestinian, refugee, member,
                         fugitive)["card_number"]
    out = send_feed(client, ministry, "nationality", "n-1", [
        {"national_id": syrian, "nationality": "SYR", "as_of": "2024-01-01"},
        {"national_id": palestinian, "nationality": "PSE", "as_of": "2024-01-01"},
        {"national_id": refugee, "nationality": "XXB", "as_of": "2024-01-01"},
        {"national_id": head, "nationality": "IRQ", "as_of": "2024-01-01"}])
    assert [r["outcome"] for r in out] == ["blocked", "no_change", "blocked", "no_change"]
    with session_factory(engine)() as s:
        found = s.execute(select(Person.national_id, Person.nationality).where(
            Person.national_id.in_([syrian, palestinian]))).all()
        assert dict(found) == {syrian: "SYR", palestinian: "PSE"}  # on the person, for all
    send_feed(client, ministry, "security", "s-1", [
        {"national_id": member, "status": "terrorism", "as_of": "2024-05-01"},
        {"national_id": fugitive, "status": "fugitive", "as_of": "2024-05-01"}])
    reasons = _reasons(card_view(client, ministry, number))
    assert (reasons[syrian], reasons[palestinian], reasons[refugee]) == (
        ["non_iraqi"], [], ["non_iraqi"])
    assert (reasons[member], reasons[fugitive], reasons[head]) == (["terrorism"], ["fugitive"],
                                                                   [])
    block = next(b for b in card_view(client, ministry, number)["blocks"]
                 if b["category"] == "non_iraqi" and b["national_id"] == syrian)
    assert "SYR" in block["explanation_en"] and "غير عراقي" in block["explanation_ar"]
    # A fugitive caught and cleared: the security feed lifts it.
    assert send_feed(client, ministry, "security", "s-2", [
        {"national_id": fugitive, "status": "fugitive", "active": False,
         "as_of": "2025-01-01"}])[0]["outcome"] == "lifted"

    def chamber(role: str, grade: int) -> str:
        someone = person(engine)
        create_card(client, ministry, someone)
        return str(send_feed(client, ministry, "company_registry", f"{role}-{grade}-{someone}", [
            {"national_id": someone, "role": role, "grade": grade, "as_of": "2024-01-01"}])[0][
            "outcome"])

    assert [chamber("chamber_commerce", g) for g in (1, 2, 3)] == ["blocked", "blocked",
                                                                     "no_change"]
    assert [chamber("chamber_industry", g) for g in (3, 4)] == ["blocked", "no_change"]
    businessman = person(engine)
    wife = person(engine, sex="F")
    card = create_card(client, ministry, businessman, wife)["card_number"]
    send_feed(client, ministry, "company_registry", "bu-1", [
        {"national_id": businessman, "role": "businessmen_union", "as_of": "2024-01-01"}])
    assert card_view(client, ministry, card)["household_blocked_by"] == ["businessmen_union"]
    ungraded = client.post("/v1/ration/feeds/company_registry", headers=ministry, json={
        "batch_ref": "old", "rows": [{"national_id": head, "role": "chamber_member",
                                      "as_of": "2024-01-01"}]})
    assert ungraded.status_code == 422  # a chamber membership is reported with its grade
