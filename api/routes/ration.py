"""``/v1/ration``: cards, members, eligibility, feeds, blocks and appeals, rules, agents.

Every route takes an agency key with the ``ration`` scope; the service decides between the
ministry (any such key not registered as an agent) and a licensed agent (see
``agencies.ration``'s docstring). Agents may only read cards and record receipts.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from agencies.ration import agents, appeals, blocks, feeds, households, life_events, rules, views
from agencies.ration.card_schemas import HouseholdView
from agencies.ration.schemas import (
    CODE,
    AgentIn,
    AgentView,
    AppealIn,
    AuthoriseIn,
    BlockView,
    EligibilityView,
    FeedIn,
    FeedResult,
    HeadIn,
    HouseholdIn,
    MemberIn,
    MoveIn,
    RemoveIn,
    RuleIn,
    RuleView,
    SyncResult,
    TransferIn,
)
from api.deps import RationAgencyDep, SessionDep

router = APIRouter(prefix="/v1/ration", tags=["ration"])
Card = Annotated[str, Path(min_length=1, max_length=16, pattern=CODE)]
Nid = Annotated[str, Path(min_length=1, max_length=12)]
BlockId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_ERR: dict[int | str, dict[str, Any]] = {
    403: {"description": "agent key (ministry only)"}, 404: {"description": "unknown"},
    409: {"description": "conflict"}, 422: {"description": "invalid"}}


def _grace(request: Request) -> int:
    return int(request.app.state.settings.ration_death_grace_days)


def _card(request: Request, session: SessionDep, card_number: str) -> HouseholdView:
    today = date.today()
    status = households.status(session, card_number=card_number, on=today,
                               grace_days=_grace(request))
    return views.household_view(session, status, today)


@router.post("/households", status_code=201, response_model=HouseholdView, responses=_ERR,
             summary="Register a card (head + members); 409 names a card already holding one")
def create_household(request: Request, body: HouseholdIn, principal: RationAgencyDep,
                     session: SessionDep) -> HouseholdView:
    household = households.create(session, principal=principal, request=body)
    return _card(request, session, household.card_number)


@router.get("/households/{card_number}", response_model=HouseholdView, responses=_ERR,
            summary="A card: members, eligibility today, every block explained (Arabic and "
                    "English, feed row, rule version), income figures, proposals, history")
def get_household(request: Request, card_number: Card, principal: RationAgencyDep,
                  session: SessionDep) -> HouseholdView:
    return _card(request, session, card_number)


@router.post("/households/{card_number}/members", response_model=HouseholdView,
             status_code=201, responses=_ERR, summary="Add a member to a card")
def add_member(request: Request, card_number: Card, body: MemberIn, principal: RationAgencyDep,
               session: SessionDep) -> HouseholdView:
    households.add_member(session, principal=principal, card_number=card_number, request=body)
    return _card(request, session, card_number)


@router.post("/households/{card_number}/members/{national_id}/transfer",
             response_model=HouseholdView, responses=_ERR,
             summary="Transfer a member to another card (history kept); answers the new card")
def transfer_member(request: Request, card_number: Card, national_id: Nid, body: TransferIn,
                    principal: RationAgencyDep, session: SessionDep) -> HouseholdView:
    target = households.transfer_member(session, principal=principal, card_number=card_number,
                                        national_id=national_id, to_card=body.to_card,
                                        reason=body.reason)
    return _card(request, session, target.card_number)


@router.post("/households/{card_number}/members/{national_id}/removal",
             response_model=HouseholdView, responses=_ERR, summary="Remove a member")
def remove_member(request: Request, card_number: Card, national_id: Nid, body: RemoveIn,
                  principal: RationAgencyDep, session: SessionDep) -> HouseholdView:
    households.remove_member(session, principal=principal, card_number=card_number,
                             national_id=national_id, reason=body.reason)
    return _card(request, session, card_number)


@router.post("/households/{card_number}/members/{national_id}/authorisation",
             response_model=HouseholdView, responses=_ERR,
             summary="Allow or stop a member collecting for the card")
def authorise_member(request: Request, card_number: Card, national_id: Nid, body: AuthoriseIn,
                     principal: RationAgencyDep, session: SessionDep) -> HouseholdView:
    households.set_authorised(session, principal=principal, card_number=card_number,
                              national_id=national_id, authorised=body.authorised,
                              reason=body.reason)
    return _card(request, session, card_number)


@router.post("/households/{card_number}/head", response_model=HouseholdView, responses=_ERR,
             summary="Name another member the head of the card")
def set_head(request: Request, card_number: Card, body: HeadIn, principal: RationAgencyDep,
             session: SessionDep) -> HouseholdView:
    households.set_head(session, principal=principal, card_number=card_number,
                        national_id=body.national_id, reason=body.reason)
    return _card(request, session, card_number)


@router.post("/households/{card_number}/move", response_model=HouseholdView, responses=_ERR,
             summary="Move a card to another centre / governorate / agent (history kept)")
def move_household(request: Request, card_number: Card, body: MoveIn,
                   principal: RationAgencyDep, session: SessionDep) -> HouseholdView:
    households.move(session, principal=principal, card_number=card_number, request=body)
    return _card(request, session, card_number)


@router.get("/persons/{national_id}/eligibility", response_model=EligibilityView,
            responses=_ERR, summary="Is this person eligible on a date, and why not")
def person_eligibility(request: Request, national_id: Nid, principal: RationAgencyDep,
                       session: SessionDep, on: Annotated[date | None, Query()] = None
                       ) -> EligibilityView:
    day = on or date.today()
    person_id, nid, household, status = households.person_eligibility(
        session, national_id=national_id, on=day, grace_days=_grace(request))
    return views.eligibility_view(session, nid, household.card_number if household else None,
                                  status, person_id, day)


@router.post("/feeds/{kind}", response_model=FeedResult, responses=_ERR,
             summary="A batch from payroll, pension, tax, company_registry, syndicates, "
                     "travel, prison, security, nationality")
def post_feed(kind: Annotated[str, Path(max_length=20, pattern=CODE)], body: FeedIn,
              principal: RationAgencyDep, session: SessionDep) -> FeedResult:
    agents.require_ministry(session, principal)
    return feeds.ingest(session, principal=principal, kind=kind, request=body)


@router.get("/blocks/{block_id}", response_model=BlockView, responses=_ERR,
            summary="A block, with the feed row or event that caused it")
def get_block(block_id: BlockId, principal: RationAgencyDep, session: SessionDep) -> BlockView:
    agents.require_ministry(session, principal)
    return views.block_view(session, blocks.get(session, block_id))


@router.post("/blocks/{block_id}/appeal", response_model=BlockView, responses=_ERR,
             summary="Uphold an appeal: lift the block; the decision holds until the figures "
                     "change or the stated date")
def appeal_block(block_id: BlockId, body: AppealIn, principal: RationAgencyDep,
                 session: SessionDep) -> BlockView:
    agents.require_ministry(session, principal)
    block = appeals.uphold(session, principal=principal, block_id=block_id, reason=body.reason,
                           holds_until=body.holds_until, today=date.today())
    return views.block_view(session, block)


@router.get("/rules", response_model=list[RuleView], summary="Every rule version")
def list_rules(principal: RationAgencyDep, session: SessionDep) -> list[RuleView]:
    return [views.rule_view(r) for r in rules.list_rules(session)]


@router.post("/rules", response_model=RuleView, status_code=201, responses=_ERR,
             summary="A new rule version from a date (the previous one ends the day before)")
def add_rule(body: RuleIn, principal: RationAgencyDep, session: SessionDep) -> RuleView:
    agents.require_ministry(session, principal)
    rule = rules.add_rule_version(
        session, category=body.category, effective_from=body.effective_from, basis=body.basis,
        actor=principal.actor, threshold_iqd=body.threshold_iqd, min_days=body.min_days,
        max_grade=body.max_grade, scope=body.scope)
    return views.rule_view(rule)


@router.post("/agents", response_model=AgentView, status_code=201, responses=_ERR,
             summary="Register a ministry key as a licensed agent")
def register_agent(body: AgentIn, principal: RationAgencyDep, session: SessionDep) -> AgentView:
    agent = agents.register_agent(session, principal=principal, licence=body.licence,
                                  key_id=body.key_id, governorate_name=body.governorate,
                                  centre=body.centre)
    return AgentView(licence=agent.licence, key_id=agent.key_id, governorate=agent.governorate,
                     centre=agent.centre)


@router.post("/sync", response_model=SyncResult, responses=_ERR,
             summary="Apply the identity event feed (deaths, reversals) now")
def sync(request: Request, principal: RationAgencyDep, session: SessionDep) -> SyncResult:
    agents.require_ministry(session, principal)
    applied, cursor = life_events.sync(session=session, grace_days=_grace(request))
    return SyncResult(applied=applied, cursor=cursor)
