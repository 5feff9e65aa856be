"""Household income as the 2021 decision counts it, over HTTP: the card's total from every
income feed (unmarried adults judged alone), the figure and the rows shown, explained in Arabic
and English with the feed row and the rule version; the dated ceilings as rule rows."""

from __future__ import annotations

from tests.api.ration_helpers import card_view, create_card, desk, pay, person, send_feed
from tests.conftest import bearer


def _marry(client, admin: dict[str, str], husband: str, wife: str) -> None:
    resp = client.post("/v1/kinship/marriages", headers=admin, json={
        "husband_national_id": husband, "wife_national_id": wife, "contract_date": "2005-04-01"})
    assert resp.status_code == 201, resp.text


def _feeds(make_key) -> tuple[dict[str, str], dict[str, str]]:
    payroll = bearer(make_key("agency", name="moe-payroll", scopes=["ration"],
                              agency="Ministry of Education payroll"))
    pension = bearer(make_key("agency", name="nra", scopes=["ration"],
                              agency="National Retirement Authority"))
    return payroll, pension


def test_the_household_total_from_every_feed_decides(client, engine, make_key) -> None:
    ministry, admin = desk(make_key), bearer(make_key("admin", name="registrar"))
    payroll, pension = _feeds(make_key)
    # Head 1.4M + wife 1.4M: each below the ceiling, the household above it.
    head, wife = person(engine), person(engine, born="1982-02-02", sex="F")
    _marry(client, admin, head, wife)
    number = create_card(client, ministry, head, wife)["card_number"]
    rows = send_feed(client, payroll, "payroll", "moe-2026-10",
                     [pay(head, "2026-10", 1_400_000), pay(wife, "2026-10", 1_400_000)])
    assert [r["outcome"] for r in rows] == ["no_change", "blocked"]
    card = card_view(client, ministry, number)
    assert card["household_blocked_by"] == ["household_income"]
    assert card["eligible_members"] == 0
    income = card["income"]
    assert income["household_total_iqd"] == 2_800_000 and income["ceiling_iqd"] == 2_000_000
    assert income["above_ceiling"] and income["month"] == "2026-10"
    assert {(m["national_id"], m["total_iqd"], m["counted_in_household"], m["why"])
            for m in income["members"]} == {(head, 1_400_000, True, "head"),
                                             (wife, 1_400_000, True, "married")}
    assert {r["agency"] for m in income["members"] for r in m["rows"]} == {
        "Ministry of Education payroll"}
    block = next(b for b in card["blocks"] if b["category"] == "household_income")
    assert block["reaches"] == "card" and block["in_force"] and block["national_id"] is None
    assert "2,800,000" in block["explanation_en"] and "2,000,000" in block["explanation_en"]
    assert "مجموع الدخل الشهري للأسرة" in block["explanation_ar"]
    assert "2,800,000" in block["explanation_ar"]
    assert block["feed_row"]["kind"] == "payroll" and block["feed_row"]["batch_ref"] == \
        "moe-2026-10"
    assert block["rule"]["threshold_iqd"] == 2_000_000
    assert block["rule"]["effective_from"] == "2023-02-07"
    assert block["details"]["total_iqd"] == 2_800_000
    assert len(block["details"]["members"]) == 2  # the rows that make the figure

    # A salary plus a pension: two feeds of one person are summed.
    retiree = person(engine, born="1960-03-03")
    number_b = create_card(client, ministry, retiree)["card_number"]
    send_feed(client, payroll, "payroll", "moe-b", [pay(retiree, "2026-10", 1_200_000)])
    assert card_view(client, ministry, number_b)["eligible_members"] == 1
    rows = send_feed(client, pension, "pension", "nra-b", [pay(retiree, "2026-10", 1_000_000)])
    assert rows[0]["outcome"] == "blocked"
    b = card_view(client, ministry, number_b)
    assert b["income"]["household_total_iqd"] == 2_200_000 and b["eligible_members"] == 0
    assert sorted(r["kind"] for r in b["income"]["members"][0]["rows"]) == ["payroll", "pension"]


def test_a_wife_earning_above_the_ceiling_withholds_the_card(client, engine, make_key) -> None:
    ministry, admin = desk(make_key), bearer(make_key("admin", name="registrar"))
    payroll, _ = _feeds(make_key)
    head, wife, son = person(engine), person(engine, sex="F"), person(engine, born="2015-05-05")
    _marry(client, admin, head, wife)
    number = create_card(client, ministry, head, wife, son)["card_number"]
    send_feed(client, payroll, "payroll", "w-1", [pay(wife, "2026-10", 3_000_000)])
    card = card_view(client, ministry, number)
    assert card["eligible_members"] == 0  # the whole card, not only the wife
    assert {m["national_id"]: m["reasons"] for m in card["members"]} == {
        head: ["household:household_income"], wife: ["household:household_income"],
        son: ["household:household_income"]}
    # Her income falls to nothing: the card is eligible again, the lift names the row.
    rows = send_feed(client, payroll, "payroll", "w-2", [pay(wife, "2026-11", 0)])
    assert rows[0]["outcome"] == "lifted"
    card = card_view(client, ministry, number)
    assert card["eligible_members"] == 3
    lifted = next(b for b in card["blocks"] if b["category"] == "household_income")
    assert lifted["lifted_by"] == "feed" and not lifted["in_force"]
    assert "Lifted on" in lifted["explanation_en"] and "رُفع الحجب" in lifted["explanation_ar"]


def test_an_unmarried_adult_is_judged_alone(client, engine, make_key) -> None:
    ministry = desk(make_key)
    payroll, _ = _feeds(make_key)
    head, son, daughter = person(engine), person(engine, born="2000-01-01"), \
        person(engine, born="2002-01-01", sex="F")
    number = create_card(client, ministry, head, son, daughter)["card_number"]
    rows = send_feed(client, payroll, "payroll", "s-1", [
        pay(head, "2026-10", 1_000_000), pay(son, "2026-10", 2_500_000)])
    assert [r["outcome"] for r in rows] == ["no_change", "blocked"]
    card = card_view(client, ministry, number)
    assert card["household_blocked_by"] == [] and card["eligible_members"] == 2
    assert {m["national_id"]: m["reasons"] for m in card["members"]}[son] == ["income"]
    income = card["income"]
    assert income["household_total_iqd"] == 1_000_000  # the son's income is his own
    assert {m["national_id"]: (m["counted_in_household"], m["why"])
            for m in income["members"]}[son] == (False, "unmarried_adult")
    block = next(b for b in card["blocks"] if b["category"] == "income")
    assert block["national_id"] == son and block["reaches"] == "member"
    assert "unmarried adult" in block["explanation_en"]


def test_the_ceilings_are_dated_rule_rows(client, engine, make_key) -> None:
    ministry = desk(make_key)
    payroll, _ = _feeds(make_key)
    income_rules = [r for r in client.get("/v1/ration/rules", headers=ministry).json()
                    if r["category"] == "income"]
    assert [(r["threshold_iqd"], r["effective_from"], r["effective_to"]) for r in
            income_rules] == [(1_500_000, "2021-06-01", "2023-02-06"),
                              (2_000_000, "2023-02-07", None)]
    assert "2021" in income_rules[0]["basis"] and "secondary" in income_rules[1]["basis"]
    head = person(engine)
    number = create_card(client, ministry, head)["card_number"]
    # 1.7M in May 2022: above the 1,500,000 ceiling then in force.
    rows = send_feed(client, payroll, "payroll", "c-2022-05", [pay(head, "2022-05", 1_700_000)])
    assert rows[0]["outcome"] == "blocked"
    block = next(b for b in card_view(client, ministry, number)["blocks"])
    assert block["rule"]["threshold_iqd"] == 1_500_000 and block["starts_on"] == "2022-05-01"
    # The same 1.7M in March 2023, under the 2,000,000 ceiling: lifted.
    rows = send_feed(client, payroll, "payroll", "c-2023-03", [pay(head, "2023-03", 1_700_000)])
    assert rows[0]["outcome"] == "lifted"
    assert card_view(client, ministry, number)["eligible_members"] == 1
