"""Life events that act, over HTTP: the head's death proposes the next head (spouse, else the
eldest adult) as a staff task and the agent is told why nobody may collect; a birth proposes
the newborn; a marriage proposes moving the wife with her old membership closed the same
moment; a divorce proposes her return to her father's card. Each is visible on the card with
its reason in Arabic and English."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.api.ration_helpers import agent, card_view, create_card, desk, open_round, person
from tests.conftest import bearer

TODAY = date.today()


def _tasks(client, ministry: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    resp = client.get("/v1/ration/tasks", headers=ministry, params=params)
    assert resp.status_code == 200, resp.text
    return list(resp.json())


def _confirm(client, ministry: dict[str, str], task_id: int) -> dict[str, Any]:
    resp = client.post(f"/v1/ration/tasks/{task_id}/confirm", headers=ministry, json={})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def _death(client, health: dict[str, str], nid: str, doc: str) -> None:
    resp = client.post("/v1/death-records", headers=health, json={
        "national_id": nid, "source_type": "hospital_certificate", "document_number": doc,
        "date_of_death": (TODAY - timedelta(days=3)).isoformat(), "place": "مستشفى البصرة"})
    assert resp.status_code == 201, resp.text


def _link(client, admin: dict[str, str], what: str, body: dict[str, Any]) -> None:
    resp = client.post(f"/v1/kinship/{what}", headers=admin, json=body)
    assert resp.status_code in (200, 201), resp.text


def test_the_heads_death_proposes_the_next_head(client, engine, make_key) -> None:
    ministry, admin = desk(make_key), bearer(make_key("admin", name="registrar"))
    health = bearer(make_key("agency", name="health", scopes=["deaths"]))
    agent_headers = agent(client, engine, make_key, ministry, "BS-A-0100")
    open_round(client, ministry)
    head, wife = person(engine, born="1970-01-01"), person(engine, born="1975-01-01", sex="F")
    son = person(engine, born="1995-01-01")
    _link(client, admin, "marriages", {"husband_national_id": head, "wife_national_id": wife,
                                       "contract_date": "1994-01-01"})
    number = create_card(client, ministry, head, wife, son)["card_number"]
    _death(client, health, head, "HC-1")
    [task] = _tasks(client, ministry)
    assert (task["kind"], task["national_id"], task["about_national_id"]) == (
        "new_head", wife, head)
    assert "spouse" in task["reason_en"] and "توفي رب الأسرة" in task["reason_ar"]
    card = card_view(client, ministry, number)
    assert card["proposals"][0]["task_id"] == task["task_id"]
    assert {m["national_id"]: m["reasons"] for m in card["members"]}[head] == ["deceased"]
    # The agent is told why nobody may collect, and which task will settle it.
    refused = client.post("/v1/ration/receipts", headers=agent_headers, data={
        "card_number": number, "round": "2026-11", "collector_national_id": wife})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "head_change_pending"
    assert refused.json()["error"]["details"] == {"task_id": task["task_id"],
                                                  "proposed_head": wife}
    done = _confirm(client, ministry, task["task_id"])
    assert done["state"] == "confirmed" and done["decided_by"]
    card = card_view(client, ministry, number)
    assert [(m["national_id"], m["role"], m["authorised"]) for m in card["members"]] == [
        (wife, "head", True), (son, "member", False)]
    assert card["past_members"][0]["national_id"] == head
    assert card["eligible_members"] == 2
    again = client.post(f"/v1/ration/tasks/{task['task_id']}/confirm", headers=ministry,
                        json={})
    assert again.status_code == 409 and again.json()["error"]["code"] == "task_closed"


def test_without_a_spouse_the_eldest_adult_else_staff_choose(client, engine, make_key) -> None:
    ministry = desk(make_key)
    health = bearer(make_key("agency", name="health", scopes=["deaths"]))
    widower = person(engine, born="1950-01-01")
    son, daughter = person(engine, born="1985-01-01"), person(engine, born="1980-01-01", sex="F")
    create_card(client, ministry, widower, son, daughter)
    lone = person(engine, born="1985-06-06")
    child = person(engine, born=(TODAY - timedelta(days=3000)).isoformat())
    create_card(client, ministry, lone, child)
    _death(client, health, widower, "HC-2")
    _death(client, health, lone, "HC-3")
    tasks = {t["about_national_id"]: t for t in _tasks(client, ministry)}
    assert (tasks[widower]["kind"], tasks[widower]["national_id"]) == ("new_head", daughter)
    assert "eldest adult" in tasks[widower]["reason_en"]
    assert tasks[lone]["kind"] == "head_needed"
    refused = client.post(f"/v1/ration/tasks/{tasks[lone]['task_id']}/confirm",
                          headers=ministry, json={})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_candidate"
    dismissed = client.post(f"/v1/ration/tasks/{tasks[lone]['task_id']}/dismiss",
                            headers=ministry, json={"note": "grandmother named head at centre"})
    assert dismissed.status_code == 200 and dismissed.json()["state"] == "dismissed"


def test_birth_marriage_and_divorce_propose_and_staff_confirm(client, engine, make_key) -> None:
    ministry, admin = desk(make_key), bearer(make_key("admin", name="registrar"))
    # The bride's family: her father heads card B.
    father, bride = person(engine, born="1960-01-01"), person(engine, born="1998-01-01", sex="F")
    _link(client, admin, "births", {"child_national_id": bride, "father_national_id": father})
    card_b = create_card(client, ministry, father, bride)["card_number"]
    # The groom lives on his father's card G.
    groom_father, groom = person(engine, born="1962-01-01"), person(engine, born="1996-01-01")
    card_g = create_card(client, ministry, groom_father, groom)["card_number"]
    married = (TODAY - timedelta(days=400)).isoformat()
    _link(client, admin, "marriages", {"husband_national_id": groom, "wife_national_id": bride,
                                       "contract_date": married})
    [move] = _tasks(client, ministry)
    assert (move["kind"], move["card_number"], move["from_card_number"]) == (
        "move_spouse", card_g, card_b)
    assert "her old membership closes the same day" in move["reason_en"]
    assert "نقل الزوجة" in move["reason_ar"]
    assert card_view(client, ministry, card_b)["proposals"][0]["task_id"] == move["task_id"]
    _confirm(client, ministry, move["task_id"])
    b, g = card_view(client, ministry, card_b), card_view(client, ministry, card_g)
    assert bride in {m["national_id"] for m in g["members"]}
    assert bride not in {m["national_id"] for m in b["members"]}
    left = next(m for m in b["past_members"] if m["national_id"] == bride)
    joined = next(m for m in g["members"] if m["national_id"] == bride)
    assert left["left_at"] == joined["joined_at"]  # closed the same moment: never two cards
    assert left["left_reason"].startswith("marriage")
    assert client.get(f"/v1/ration/persons/{bride}/eligibility", headers=ministry).json()[
        "card_number"] == card_g

    # A birth: the newborn is proposed for the mother's card.
    baby = person(engine, born=(TODAY - timedelta(days=10)).isoformat(), sex="F")
    _link(client, admin, "births", {"child_national_id": baby, "mother_national_id": bride,
                                    "father_national_id": groom})
    [newborn] = _tasks(client, ministry)
    assert (newborn["kind"], newborn["national_id"], newborn["card_number"]) == (
        "add_newborn", baby, card_g)
    assert "إضافة المولود" in newborn["reason_ar"]
    _confirm(client, ministry, newborn["task_id"])
    assert baby in {m["national_id"] for m in card_view(client, ministry, card_g)["members"]}

    # A divorce: her return to her father's card is proposed.
    _link(client, admin, "marriages", {
        "husband_national_id": groom, "wife_national_id": bride, "contract_date": married,
        "end_date": (TODAY - timedelta(days=5)).isoformat(), "end_reason": "divorce"})
    [back] = _tasks(client, ministry)
    assert (back["kind"], back["card_number"], back["from_card_number"]) == (
        "return_after_divorce", card_b, card_g)
    _confirm(client, ministry, back["task_id"])
    assert bride in {m["national_id"] for m in card_view(client, ministry, card_b)["members"]}
