"""The ration routes over HTTP: cards, the one-card 409, who may call what, feeds, appeals,
deaths through the event feed, and the ministry's report (JSON and page)."""

from __future__ import annotations

from datetime import date

from tests.api.ration_helpers import (
    agent,
    citizens,
    create_card,
    desk,
    open_round,
)
from tests.conftest import bearer


def test_card_lifecycle_and_the_one_card_rule(client, engine, make_key) -> None:
    ministry = desk(make_key)
    head, wife, son, other = citizens(engine, 4)
    created = create_card(client, ministry, head, wife, son, authorised=(wife,))
    number = created["card_number"]
    assert created["eligible_members"] == 3 and created["members"][0]["role"] == "head"
    assert [m["authorised"] for m in created["members"]] == [True, True, False]

    clash = client.post("/v1/ration/households", headers=ministry, json={
        "governorate": "Basra", "centre": "BS-01", "head": other, "members": [
            {"national_id": son}]})
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "already_on_card"
    assert clash.json()["error"]["details"]["card_number"] == number
    lonely = citizens(engine, 1)[0]
    second = create_card(client, ministry, other, lonely)
    moved = client.post(f"/v1/ration/households/{number}/members/{son}/transfer",
                        headers=ministry, json={"to_card": second["card_number"],
                                                "reason": "moved in with his uncle"})
    assert moved.status_code == 200, moved.text
    assert {m["national_id"] for m in moved.json()["members"]} == {other, lonely, son}
    old = client.get(f"/v1/ration/households/{number}", headers=ministry).json()
    assert [m["national_id"] for m in old["past_members"]] == [son]
    assert old["past_members"][0]["left_reason"].startswith("transfer")

    auth = client.post(f"/v1/ration/households/{number}/members/{wife}/authorisation",
                       headers=ministry, json={"authorised": False, "reason": "asked by head"})
    assert auth.status_code == 200
    assert [m["authorised"] for m in auth.json()["members"]] == [True, False]
    new_head = client.post(f"/v1/ration/households/{number}/head", headers=ministry,
                           json={"national_id": wife, "reason": "head emigrated"})
    assert [(m["national_id"], m["role"], m["authorised"]) for m in new_head.json()[
        "members"]] == [(wife, "head", True), (head, "member", True)]
    removed = client.post(f"/v1/ration/households/{number}/members/{head}/removal",
                          headers=ministry, json={"reason": "emigrated"})
    assert removed.status_code == 200 and len(removed.json()["members"]) == 1

    elig = client.get(f"/v1/ration/persons/{son}/eligibility", headers=ministry)
    assert elig.status_code == 200 and elig.json()["card_number"] == second["card_number"]
    assert client.get("/v1/ration/households/RC0000000000", headers=ministry).status_code == 404
    bad = client.post("/v1/ration/households", headers=ministry, json={
        "governorate": "Atlantis", "centre": "X", "head": citizens(engine, 1)[0]})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_governorate"
    nul = client.post("/v1/ration/households", headers=ministry, json={
        "governorate": "Basra", "centre": "BS\x0001", "head": citizens(engine, 1)[0]})
    assert nul.status_code == 422
    assert client.get("/v1/ration/households/RC%00", headers=ministry).status_code == 422


def test_who_may_call_what(client, engine, make_key) -> None:
    ministry = desk(make_key)
    agent_headers = agent(client, engine, make_key, ministry, "BS-A-0001")
    head = citizens(engine, 1)[0]
    number = create_card(client, ministry, head)["card_number"]
    # An agent reads cards but does not register them, feed, appeal or handle complaints.
    assert client.get(f"/v1/ration/households/{number}", headers=agent_headers).status_code == 200
    refused = client.post("/v1/ration/households", headers=agent_headers, json={
        "governorate": "Basra", "centre": "BS-01", "head": citizens(engine, 1)[0]})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "ministry_only"
    assert client.post("/v1/ration/feeds/prison", headers=agent_headers, json={
        "batch_ref": "x", "rows": [{"national_id": head, "event": "admitted",
                                    "date": "2025-01-01"}]}).status_code == 403
    assert client.get("/v1/complaints/counts", headers=agent_headers).status_code == 403
    # The ministry is no agent: it cannot record receipts.
    assert client.post("/v1/ration/receipts", headers=ministry, data={
        "card_number": number, "round": "x", "collector_national_id": head}).json()[
        "error"]["code"] == "not_an_agent"
    verify_only = bearer(make_key("agency", name="court", scopes=["verify"]))
    assert client.get(f"/v1/ration/households/{number}", headers=verify_only).status_code == 403
    assert client.get(f"/v1/ration/households/{number}").status_code == 401


def test_feeds_blocks_and_appeal_over_http(client, engine, make_key) -> None:
    ministry = desk(make_key)
    payroll = bearer(make_key("agency", name="payroll", scopes=["ration"],
                              agency="Ministry of Finance payroll"))
    head, wife = citizens(engine, 2)
    number = create_card(client, ministry, head, wife)["card_number"]
    sent = client.post("/v1/ration/feeds/payroll", headers=payroll, json={
        "batch_ref": "mof-2026-10", "rows": [
            {"national_id": head, "period": "2026-10", "monthly_income_iqd": 2_750_000}]})
    assert sent.status_code == 200, sent.text
    block_id = sent.json()["rows"][0]["block_id"]
    card = client.get(f"/v1/ration/households/{number}", headers=ministry).json()
    assert card["household_blocked_by"] == ["household_income"]
    assert card["eligible_members"] == 0
    block = client.get(f"/v1/ration/blocks/{block_id}", headers=ministry).json()
    assert block["feed_row_id"] is not None and block["category"] == "household_income"
    assert block["card_number"] == number and block["national_id"] is None

    assert client.post("/v1/ration/feeds/lottery", headers=payroll, json={
        "batch_ref": "x", "rows": [{"national_id": head}]}).status_code == 404
    malformed = client.post("/v1/ration/feeds/payroll", headers=payroll, json={
        "batch_ref": "bad", "rows": [{"national_id": head, "period": "2026-13",
                                      "monthly_income_iqd": -1}]})
    assert malformed.status_code == 422

    appeal = client.post(f"/v1/ration/blocks/{block_id}/appeal", headers=ministry,
                         json={"reason": "salary slip shows 1,900,000 IQD"})
    assert appeal.status_code == 200 and appeal.json()["lifted_by"] == "appeal"
    again = client.post(f"/v1/ration/blocks/{block_id}/appeal", headers=ministry,
                        json={"reason": "again"})
    assert again.status_code == 409
    assert client.get(f"/v1/ration/households/{number}", headers=ministry).json()[
        "eligible_members"] == 2
    rules = client.get("/v1/ration/rules", headers=ministry).json()
    assert {r["category"] for r in rules} >= {"income", "tax", "abroad", "prison"}


def test_a_death_reported_by_health_suspends_the_member(client, engine, make_key) -> None:
    ministry = desk(make_key)
    health = bearer(make_key("agency", name="health", scopes=["deaths"]))
    head, wife = citizens(engine, 2)
    number = create_card(client, ministry, head, wife)["card_number"]
    death = client.post("/v1/death-records", headers=health, json={
        "national_id": wife, "source_type": "hospital_certificate", "document_number": "HC-9",
        "date_of_death": date.today().isoformat(), "place": "مستشفى الصدر"})
    assert death.status_code == 201, death.text
    synced = client.post("/v1/ration/sync", headers=ministry)
    assert synced.status_code == 200 and synced.json()["applied"] == 1
    card = client.get(f"/v1/ration/households/{number}", headers=ministry).json()
    assert {m["national_id"]: m["reasons"] for m in card["members"]} == {
        head: [], wife: ["deceased"]}
    reversal = client.post(f"/v1/death-records/{death.json()['ack_id']}/reversal",
                           headers=health, json={"judgment_reference": "KC-2026/7"})
    assert reversal.status_code == 201, reversal.text
    card = client.get(f"/v1/ration/households/{number}", headers=ministry).json()
    assert card["eligible_members"] == 2  # caught up on read, no sync needed


def test_report_json_and_page(client, engine, make_key) -> None:
    ministry = desk(make_key)
    a, b, c, d = citizens(engine, 4)
    create_card(client, ministry, a, b, governorate="Basra")
    create_card(client, ministry, c, d, governorate="Najaf")
    client.post("/v1/ration/feeds/prison", headers=ministry, json={
        "batch_ref": "moj-1", "rows": [{"national_id": d, "event": "admitted",
                                        "date": "2025-01-01"}]})
    open_round(client, ministry)
    report = client.get("/v1/ration/reports/summary", headers=ministry)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["eligible_by_governorate"] == [
        {"governorate": "Basra", "eligible_persons": 2, "eligible_households": 1},
        {"governorate": "Najaf", "eligible_persons": 1, "eligible_households": 1}]
    assert body["blocked_by_reason"] == [{"reason": "prison", "persons": 1, "households": 0}]
    assert body["blocks_by_month"] == [{"month": "2025-01", "category": "prison", "blocks": 1}]
    assert body["receipts_per_round"] == [{"round": "2026-11", "receipts": 0,
                                           "persons_served": 0}]
    page = client.get("/v1/ration/reports/page", headers=ministry)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count("<svg") == 6 and "Najaf" in page.text
    assert 'id="blocks-by-month"' in page.text and "Complaints by state" in page.text
    assert "http" not in page.text.split("</title>")[1].replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
