"""The heirs report for the inheritance deed (al-qassām al-sharʿī): the death record(s), each
claimed heir checked against the registry, the relatives the claim leaves out, and the shares
from ``agencies.inheritance``. Reaches persons only through ``identity``'s service functions."""

from agencies.heirs.service import create_report, get_report

__all__ = ["create_report", "get_report"]
