"""Request and response models of ``POST /v1/inheritance/shares`` (scope ``heirs``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from agencies.inheritance.relations import (
    MAX_COUNT,
    MAX_MISSING,
    MAX_STOCKS,
    RELATIONS,
    SPECIAL,
    UNBORN,
)
from agencies.inheritance.result import ShareResult

RelationKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
FractionText = Annotated[str, StringConstraints(max_length=64, pattern=r"^\d+(/\d+)?$")]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]


class StockIn(BaseModel):
    """The children of one relative who died before the deceased (PSL art 74 under ``iraq``)."""

    model_config = ConfigDict(extra="forbid")
    parent: RelationKey
    sons: Count = 0
    daughters: Count = 0


class ChainedIn(BaseModel):
    """An heir who died after the deceased, before the division, and their own heirs."""

    model_config = ConfigDict(extra="forbid")
    relation: RelationKey
    deceased: Literal["male", "female"] | None = None
    heirs: HeirsIn


class HeirsIn(BaseModel):
    """Relation keys to counts (any key of the vocabulary), with the special entries."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Count] = Field(init=False)

    predeceased: list[StockIn] = Field(default_factory=list, max_length=MAX_STOCKS)
    unborn: list[Literal[tuple(UNBORN)]] = Field(default_factory=list,  # type: ignore[valid-type]
                                                 max_length=2)
    missing: dict[RelationKey, Count] = Field(default_factory=dict, max_length=MAX_MISSING)
    died_after: list[ChainedIn] = Field(default_factory=list, max_length=5)
    same_person: list[Annotated[list[RelationKey], Field(min_length=2, max_length=4)]] = Field(
        default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _keys(self) -> HeirsIn:
        extra = self.__pydantic_extra__ or {}
        if len(extra) > len(RELATIONS) or any(len(k) > 64 for k in extra):
            raise ValueError("too many or too long relation keys")
        return self

    def as_mapping(self) -> dict[str, Any]:
        """The heirs object as ``compute_shares`` takes it."""
        out: dict[str, Any] = dict(self.__pydantic_extra__ or {})
        for name in SPECIAL:
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.predeceased:
            out["predeceased"] = [s.model_dump() for s in self.predeceased]
        if self.died_after:
            out["died_after"] = [{"relation": c.relation, "deceased": c.deceased,
                                  "heirs": c.heirs.as_mapping()} for c in self.died_after]
        return out


ChainedIn.model_rebuild()


class SharesRequest(BaseModel):
    """Same input as ``compute_shares``; unknown relation keys and bad counts are rejected by
    the engine with 422 and codes ``unknown_relation`` / ``bad_count`` / ``bad_family``."""

    model_config = ConfigDict(extra="forbid")

    rules: Literal["sunni", "jafari", "iraq"]
    deceased: Literal["male", "female"] | None = None
    heirs: HeirsIn
    school: Literal["sunni", "jafari"] = "sunni"
    hanafi: bool | None = None


class HeirShareOut(BaseModel):
    count: int
    share: FractionText
    per_head: FractionText
    sihams: int
    sihams_per_head: int
    label_ar: str


class BequestOut(BaseModel):
    parent: str
    sons: int
    daughters: int
    as_if_alive: FractionText
    share: FractionText
    per_son: FractionText | None
    per_daughter: FractionText | None
    sihams: int


class StockMemberOut(BaseModel):
    count: int
    share: FractionText


class StockOut(BaseModel):
    root: str
    share: FractionText
    members: dict[str, StockMemberOut]


class PersonOut(BaseModel):
    relations: list[str]
    share: FractionText
    sihams: int


class SourceOut(BaseModel):
    rule: str
    text: str
    text_ar: str
    source: str


class SharesResponse(BaseModel):
    """Mirrors ``ShareResult.to_json()``."""

    rules: Literal["sunni", "jafari", "iraq"]
    base: int
    tashih: int
    heirs: dict[str, HeirShareOut]
    excluded: dict[str, str]
    excluded_ar: dict[str, str]
    treasury: FractionText | None
    treasury_sihams: int
    bequests: list[BequestOut]
    stocks: list[StockOut]
    held: FractionText
    held_sihams: int
    reserved: dict[str, Any]
    chained: list[dict[str, Any]]
    persons: list[PersonOut]
    flags: list[str]
    sources: list[SourceOut]

    @classmethod
    def from_result(cls, result: ShareResult) -> SharesResponse:
        return cls.model_validate(result.to_json())
