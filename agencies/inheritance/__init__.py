"""Inheritance shares for the inheritance deed (al-qassām al-sharʿī): pure logic, exact
fractions, under the Sunni, Ja'fari or Iraqi-statute rule set. No database, no web framework."""

from agencies.inheritance.engine import RULE_SETS, SCHOOLS, compute_shares
from agencies.inheritance.errors import InheritanceError
from agencies.inheritance.relations import RELATIONS
from agencies.inheritance.result import HeirShare, ShareResult

__all__ = [
    "RELATIONS",
    "RULE_SETS",
    "SCHOOLS",
    "HeirShare",
    "InheritanceError",
    "ShareResult",
    "compute_shares",
]
