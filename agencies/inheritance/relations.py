"""Relation keys, their limits, and validation of the relatives a caller sends.

A count says how many living relatives of that relation survive the deceased. Keys are from the
deceased's point of view: ``sons_son`` is a son's son, ``paternal_half_brother`` shares only the
father, ``maternal_half_sister`` shares only the mother.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from agencies.inheritance.errors import BadCount, BadDeceased, UnknownRelation

Sex = Literal["male", "female"]

# key -> sex of the relative, in the order results are listed.
RELATIONS: dict[str, Sex] = {
    "husband": "male",
    "wife": "female",
    "son": "male",
    "daughter": "female",
    "sons_son": "male",
    "sons_daughter": "female",
    "father": "male",
    "mother": "female",
    "paternal_grandfather": "male",
    "paternal_grandmother": "female",
    "maternal_grandmother": "female",
    "full_brother": "male",
    "full_sister": "female",
    "paternal_half_brother": "male",
    "paternal_half_sister": "female",
    "maternal_half_brother": "male",
    "maternal_half_sister": "female",
    "full_brothers_son": "male",
    "paternal_half_brothers_son": "male",
    "full_paternal_uncle": "male",
    "paternal_half_uncle": "male",
    "full_paternal_uncles_son": "male",
}

# Relations that name one person; a Muslim husband has at most four wives (Q 4:3).
SINGLE = frozenset(
    {
        "husband",
        "father",
        "mother",
        "paternal_grandfather",
        "paternal_grandmother",
        "maternal_grandmother",
    }
)
MAX_WIVES = 4
# Sanity bound on any other count (a deed lists people, not populations).
MAX_COUNT = 1000

SIBLINGS = (
    "full_brother",
    "full_sister",
    "paternal_half_brother",
    "paternal_half_sister",
    "maternal_half_brother",
    "maternal_half_sister",
)


class Counts(dict[str, int]):
    """Validated relatives: every key known, every count a positive int. Missing keys read 0."""

    def __missing__(self, key: str) -> int:
        if key not in RELATIONS:
            raise KeyError(key)
        return 0

    def has(self, *keys: str) -> bool:
        """True when any of ``keys`` is present."""
        return any(self[k] > 0 for k in keys)


def max_count(key: str) -> int:
    if key in SINGLE:
        return 1
    if key == "wife":
        return MAX_WIVES
    return MAX_COUNT


def validate(heirs: Mapping[str, object], deceased: str | None = None) -> tuple[Counts, Sex | None]:
    """Check the relatives and the deceased's sex; return the non-zero counts and the sex.

    The sex is inferred from a spouse when not given. Raises ``UnknownRelation``, ``BadCount``
    or ``BadDeceased``.
    """
    counts = Counts()
    for key, count in heirs.items():
        if key not in RELATIONS:
            raise UnknownRelation(f"unknown relation key {key!r}; known: {', '.join(RELATIONS)}")
        if isinstance(count, bool) or not isinstance(count, int):
            raise BadCount(f"count of {key!r} must be an integer, got {count!r}")
        if count < 0 or count > max_count(key):
            raise BadCount(f"count of {key!r} must be between 0 and {max_count(key)}, got {count}")
        if count:
            counts[key] = count
    if deceased not in (None, "male", "female"):
        raise BadDeceased(f"deceased must be 'male' or 'female', got {deceased!r}")
    if counts.has("husband") and counts.has("wife"):
        raise BadDeceased("a deceased cannot leave both a husband and a wife")
    sex: Sex | None = "male" if deceased == "male" else "female" if deceased == "female" else None
    if counts.has("husband"):
        if sex == "male":
            raise BadDeceased("a male deceased cannot leave a husband")
        sex = "female"
    if counts.has("wife"):
        if sex == "female":
            raise BadDeceased("a female deceased cannot leave a wife")
        sex = "male"
    return counts, sex
