"""``compute_shares``: validate the input, pick the rule set, return a ``ShareResult``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from agencies.inheritance.errors import UnknownRules, UnknownSchool
from agencies.inheritance.iraq import compute_iraq
from agencies.inheritance.jafari import compute_jafari
from agencies.inheritance.relations import validate
from agencies.inheritance.result import ShareResult
from agencies.inheritance.sunni import compute_sunni

RuleSet = Literal["sunni", "jafari", "iraq"]
School = Literal["sunni", "jafari"]
RULE_SETS: tuple[str, ...] = ("sunni", "jafari", "iraq")
SCHOOLS: tuple[str, ...] = ("sunni", "jafari")


def compute_shares(
    rules: str,
    heirs: Mapping[str, object],
    *,
    deceased: str | None = None,
    school: str = "sunni",
    hanafi: bool = False,
) -> ShareResult:
    """Each surviving relative's share of the estate under ``rules``.

    ``heirs`` maps relation keys (``relations.RELATIONS``) to how many survive. ``deceased`` is
    ``"male"``/``"female"`` (inferred from a spouse when omitted). ``school`` is the deceased's
    school under ``rules="iraq"`` (ignored otherwise). ``hanafi`` applies Abu Hanifa's positions
    in Sunni cases where the majority differ: the paternal grandfather excludes the siblings,
    and the full siblings get nothing in al-mushtaraka; the default is the majority (Zayd ibn
    Thabit's sharing for the grandfather, Umar's sharing in al-mushtaraka).

    Raises an ``InheritanceError`` subclass (``status_code`` 422) for bad input.
    """
    if rules not in RULE_SETS:
        raise UnknownRules(f"rules must be one of {', '.join(RULE_SETS)}, got {rules!r}")
    if school not in SCHOOLS:
        raise UnknownSchool(f"school must be one of {', '.join(SCHOOLS)}, got {school!r}")
    counts, _sex = validate(heirs, deceased)
    if rules == "sunni":
        ledger = compute_sunni(counts, hanafi=hanafi)
    elif rules == "jafari":
        ledger = compute_jafari(counts)
    else:
        ledger = compute_iraq(counts, school=school, hanafi=hanafi)
    return ledger.finish(rules)
