"""``POST /v1/inheritance/shares``: exact shares under the rule set that applies (scope heirs)."""

from __future__ import annotations

from fastapi import APIRouter

from agencies.inheritance import compute_shares
from agencies.inheritance.errors import InheritanceError
from agencies.inheritance.schemas import SharesRequest, SharesResponse
from api.deps import HeirsAgencyDep
from identity.platform.errors import Invalid

router = APIRouter(prefix="/v1/inheritance", tags=["inheritance"])


@router.post("/shares", response_model=SharesResponse, summary="Compute inheritance shares",
             responses={422: {"description": "unknown relation, bad count or rule set"}})
def post_shares(request: SharesRequest, principal: HeirsAgencyDep) -> SharesResponse:
    try:
        result = compute_shares(request.rules, request.heirs.as_mapping(),
                                deceased=request.deceased,
                                school=request.school, hanafi=request.hanafi)
    except InheritanceError as exc:
        raise Invalid(str(exc), code=exc.code) from exc
    return SharesResponse.from_result(result)
