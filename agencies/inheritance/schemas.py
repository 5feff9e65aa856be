"""Request and response models of ``POST /v1/inheritance/shares`` (scope ``heirs``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from agencies.inheritance.relations import MAX_COUNT, RELATIONS
from agencies.inheritance.result import ShareResult

RelationKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
FractionText = Annotated[str, StringConstraints(max_length=64, pattern=r"^\d+(/\d+)?$")]


class SharesRequest(BaseModel):
    """Same input as ``compute_shares``; unknown relation keys and bad counts are rejected by
    the engine with 422 and codes ``unknown_relation`` / ``bad_count``."""

    model_config = ConfigDict(extra="forbid")

    rules: Literal["sunni", "jafari", "iraq"]
    deceased: Literal["male", "female"] | None = None
    heirs: dict[RelationKey, Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]] = Field(
        max_length=len(RELATIONS)
    )
    school: Literal["sunni", "jafari"] = "sunni"
    hanafi: bool = False


class HeirShareOut(BaseModel):
    count: int
    share: FractionText
    per_head: FractionText


class SharesResponse(BaseModel):
    """Mirrors ``ShareResult.to_json()``."""

    rules: Literal["sunni", "jafari", "iraq"]
    base: int
    heirs: dict[str, HeirShareOut]
    excluded: dict[str, str]
    treasury: FractionText | None
    flags: list[str]

    @classmethod
    def from_result(cls, result: ShareResult) -> SharesResponse:
        return cls.model_validate(result.to_json())
