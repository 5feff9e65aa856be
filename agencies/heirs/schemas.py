"""Request and answer of the heirs report. No biometric field leaves: probes come in (base64),
only the verification band goes out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Relationships a claim may state: the share engine's keys plus the other relatives the
# registry derives (``identity.registry.kinship``).
RELATIONSHIPS = (
    "husband", "wife", "son", "daughter", "sons_son", "sons_daughter", "daughters_son",
    "daughters_daughter", "father", "mother", "paternal_grandfather", "paternal_grandmother",
    "maternal_grandfather", "maternal_grandmother", "full_brother", "full_sister",
    "paternal_half_brother", "paternal_half_sister", "maternal_half_brother",
    "maternal_half_sister", "full_brothers_son", "full_brothers_daughter",
    "paternal_half_brothers_son", "paternal_half_brothers_daughter", "maternal_half_brothers_son",
    "maternal_half_brothers_daughter", "full_sisters_son", "full_sisters_daughter",
    "full_paternal_uncle", "full_paternal_aunt", "paternal_half_uncle", "paternal_half_aunt",
    "maternal_half_paternal_uncle", "maternal_half_paternal_aunt", "maternal_uncle",
    "maternal_aunt", "full_paternal_uncles_son", "full_paternal_uncles_daughter",
    "paternal_half_uncles_son", "paternal_half_uncles_daughter",
)
MAX_IMAGE_B64 = 6_000_000  # base64 of a 4 MiB image, with room


class Probe(BaseModel):
    """A live capture of the claimed heir: base64 JPEG/PNG face and/or base64 PNG/TIFF/WSQ
    fingers by ISO/IEC 19794-4 position (1-10)."""

    model_config = ConfigDict(extra="forbid")
    face: str | None = Field(default=None, max_length=MAX_IMAGE_B64)
    fingers: dict[int, str] = Field(default_factory=dict, max_length=10)

    @field_validator("fingers")
    @classmethod
    def _positions(cls, value: dict[int, str]) -> dict[int, str]:
        for pos, data in value.items():
            if not 1 <= pos <= 10:
                raise ValueError("finger positions are 1-10")
            if len(data) > MAX_IMAGE_B64:
                raise ValueError(f"finger {pos} is larger than {MAX_IMAGE_B64} characters")
        return value


class ClaimedHeir(BaseModel):
    model_config = ConfigDict(extra="forbid")
    national_id: str = Field(min_length=1, max_length=12)
    relationship: str = Field(min_length=1, max_length=40,
                              description=f"one of: {', '.join(RELATIONSHIPS)}")
    probe: Probe | None = None

    @field_validator("relationship")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in RELATIONSHIPS:
            raise ValueError(f"relationship must be one of: {', '.join(RELATIONSHIPS)}")
        return value


class Unborn(BaseModel):
    """An expected child (حمل): its mother, the deceased's widow or mother."""

    model_config = ConfigDict(extra="forbid")
    mother_national_id: str = Field(min_length=1, max_length=12)


class Verification(BaseModel):
    # match | review | no_match | probe_quality_failed | no_comparable_modality
    status: str
    modalities_used: list[str]


class DeathRecordRef(BaseModel):
    ack_id: str
    source_type: str
    document_number: str
    date_of_death: str
    date_precision: str
    place: str
    agency: str
    recorded_at: str
    attached_to: str | None


class HeirLine(BaseModel):
    national_id: str
    name: str | None
    stated_relationship: str | None = None  # claimed heirs only
    found: bool = True
    registry_relationships: list[str]
    relationship_confirmed: bool | None = None  # claimed heirs only
    identity_verified: bool | None = None  # None: no probe sent
    verification: Verification | None = None
    alive_at_death: bool | None
    heir: bool
    reason: str
    relation_key: str | None  # the share engine's key the person inherits under
    share: str | None  # per head, of the whole estate, e.g. "7/24"
    relation_keys: list[str] = []  # every key they hold (a husband who is also a cousin)
    shares_by_relation: dict[str, str] = {}
    sihams: int | None = None  # portions of the corrected base (tashih), per head
    reason_ar: str = ""
    uncertain: str | None = None  # a missing registry link leaves the relation open
    evidence: list[str] = []  # the birth and marriage records the relation rests on
    bequest: str | None = None  # PSL art 74: the obligatory bequest of a predeceased's child


class HeirsReport(BaseModel):
    report_id: str
    created_at: str
    case_reference: str | None
    deceased_national_id: str
    deceased_sex: str
    date_of_death: str
    date_precision: str
    death_records: list[DeathRecordRef]
    rules: str
    rules_source: str  # request | marriage_regime | default
    school: str
    school_source: str = "request"  # request | rules (jafari rules are the Ja'fari school)
    school_evidence: list[str] = []  # what the registry shows of the deceased's school
    claimed_heirs: list[HeirLine]
    unclaimed_relatives: list[HeirLine]
    shares: dict[str, object] | None  # the share engine's answer (per class)
    claim_complete: bool  # every heir the registry knows was claimed
    claim_consistent: bool  # every claim confirmed, alive at the death, probe matched
    findings: list[str]
    stocks: list[dict[str, object]] = []  # children of relatives who died before (art 74)
    chained: list[dict[str, object]] = []  # deeds of heirs who died after, before division
    reserved: dict[str, object] = {}  # held for an unborn child or a missing heir
    ready_to_sign: bool = False  # complete, consistent, no uncertain link, nothing held open


class HeirsReportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deceased_national_id: str = Field(min_length=1, max_length=12)
    case_reference: str | None = Field(default=None, max_length=64)
    rules: Literal["sunni", "jafari", "iraq"] | None = Field(
        default=None, description="rule set; default: from the marriage regime, else settings")
    school: Literal["sunni", "jafari"] | None = Field(
        default=None, description="the deceased's school: required under rules=iraq (a Sunni "
        "deceased is judged by the Hanafi school, PSL art 90); the report shows the registry's "
        "evidence (marriage regimes) beside it")
    claimed_heirs: list[ClaimedHeir] = Field(default_factory=list, max_length=100)
    missing_heirs: list[str] = Field(default_factory=list, max_length=3, description="national "
                                     "IDs of heirs the court holds missing (مفقود)")
    unborn: list[Unborn] = Field(default_factory=list, max_length=2)
