"""Domain errors of the inheritance engine: each carries an HTTP ``status_code`` and a stable
``code`` so one handler can render them (bad input is 422, never 500)."""

from __future__ import annotations


class InheritanceError(Exception):
    """Base of every error the engine raises for bad input."""

    status_code = 422
    code = "inheritance_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownRelation(InheritanceError):
    code = "unknown_relation"


class BadCount(InheritanceError):
    code = "bad_count"


class UnknownRules(InheritanceError):
    code = "unknown_rules"


class UnknownSchool(InheritanceError):
    code = "unknown_school"


class BadDeceased(InheritanceError):
    """The deceased's sex is not ``male``/``female`` or contradicts the surviving spouse."""

    code = "bad_deceased"


class BadFamily(InheritanceError):
    """A special entry of the heirs object (stocks, unborn, missing, chained, same person) is
    malformed or contradicts the counts."""

    code = "bad_family"


class BadOption(InheritanceError):
    code = "bad_option"


class UnsupportedCase(InheritanceError):
    """A case the engine does not settle (named in the message): the court divides it."""

    code = "unsupported_case"
