"""What the readers hand to the pipeline: a legacy record, or the reason it was rejected.

Reject reasons are stable codes (the rejects file and the report group by them):

- ``nist_malformed``: the file is not a well-formed ANSI/NIST-ITL transaction;
- ``nist_missing_record``: no Type-2 record, or no biometric record at all;
- ``nist_bad_field``: a field of the profile is missing or has a bad value;
- ``csv_bad_row``: a manifest row is missing a column or has a bad value;
- ``file_unreadable`` / ``image_too_large``: a file or manifest image that cannot be read;
- ``register_mismatch``: the record names another register than ``--register``;
- ``invalid_demographics``: names not in Arabic script, a bad date, an unknown governorate...;
- ``unsupported_media_type``, ``corrupt_image`` (undecodable or truncated image, corrupt WSQ),
  ``quality_failed`` (decoded but refused by the quality gate), ``no_biometrics``,
  ``invalid_missing_fingers``: the same checks as live enrollment;
- ``legacy_number_reused``: the register number was already imported with other content;
- ``legacy_number_taken``: the number is linked to another person (a last guard: the decision
  holds such a record for review with the holder as a candidate);
- ``worker_crashed``: extraction of this record killed its worker process twice;
- ``extraction_error``: an unexpected error while extracting this record (logged in full).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from enrollment.packet import Packet
from identity.biometrics.probes import Probe

MAX_FILE_BYTES = 64 * 1024 * 1024  # one transaction file / one manifest image


class RecordRejected(Exception):
    """A record that cannot be imported; the job writes it to the rejects file and goes on."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class LegacyRecord:
    """One person's record in a legacy register, as read from the source (not validated)."""

    legacy_number: str
    demographics: dict[str, Any]
    register: str | None = None  # as the record declares it (NIST 2.010), if it does
    face: bytes | None = None
    fingers: dict[int, bytes] = field(default_factory=dict)
    missing_fingers: dict[int, str] = field(default_factory=dict)
    plain: dict[int, bytes] = field(default_factory=dict)  # plain impressions, positions 11-15


@dataclass
class Task:
    """What a worker needs to read, validate and extract one record (picklable)."""

    key: str  # the record's key in its source: file path in the folder, or "row-N"
    kind: str  # nist | csv
    register: str
    max_pixels: int
    path: str = ""  # NIST file
    row: dict[str, str] = field(default_factory=dict)  # CSV row
    base_dir: str = ""  # CSV: image paths are relative to the manifest's folder
    profile: dict[str, Any] | None = None  # NIST Type-2 mapping profile (None: hawiya)
    completed: dict[str, Any] = field(default_factory=dict)  # a clerk's completion of a hold


@dataclass
class Prepared:
    """A worker's result: a packet with its templates, or a rejection, or a hold (incomplete
    demographics: ``hold`` names what is missing); card flags; timings by stage."""

    key: str
    legacy_number: str | None = None
    packet: Packet | None = None
    extracted: Probe | None = None
    reason: str | None = None
    detail: str | None = None
    extract_s: float = 0.0
    hold: dict[str, Any] | None = None  # {"missing": [...], "demographics": {...as read}}
    flags: list[dict[str, Any]] = field(default_factory=list)  # {"code", "detail"}
    stages: dict[str, float] = field(default_factory=dict)  # CPU seconds by stage
