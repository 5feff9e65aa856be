"""Relation keys, their limits, and validation of the family a caller sends.

The heirs object maps relation keys (``kin.KIN``: ``sons_son`` is a son's son,
``paternal_half_brother`` shares only the father, ``maternal_half_sister`` only the mother) to how
many such relatives survive the deceased. It may also hold:

- ``predeceased``: stocks, each the children of one relative who died before the deceased:
  ``{"parent": "son", "sons": 1, "daughters": 2}``. The children are counted under their own key
  (``sons_son``, ``sons_daughter``) by the engine; do not count them again. Under ``iraq`` a stock
  of a son or daughter carries the obligatory bequest (PSL art 74); under every rule set stocks
  divide representation per stock (Ja'fari).
- ``unborn``: the relation an expected child would have: ``child``, ``sons_child``,
  ``full_sibling``, ``paternal_half_sibling`` or ``maternal_half_sibling``.
- ``missing``: of the counted relatives, how many of a key are missing (مفقود).
- ``died_after``: heirs who died after the deceased, before the division:
  ``{"relation": "son", "deceased": "male", "heirs": {...}}`` (their own heirs, a nested heirs
  object under the same rules): a chained deed (مناسخة).
- ``same_person``: lists of keys each naming one person who holds every one of them
  (``["husband", "full_paternal_uncles_son"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agencies.inheritance.errors import BadCount, BadDeceased, BadFamily, UnknownRelation
from agencies.inheritance.kin import KIN, KINS, Kin, child_key

Sex = Literal["male", "female"]

# key -> sex of the relative, in the order results are listed.
RELATIONS: dict[str, Sex] = {k.key: k.sex for k in KINS}
# Relations that name one person: a husband and every ascendant (one path, one person).
SINGLE = frozenset({"husband", *(k.key for k in KINS if k.line == "asc")})
MAX_WIVES = 4  # Q 4:3
MAX_COUNT = 1000  # sanity bound on any other count (a deed lists people, not populations)
MAX_STOCKS = 50
MAX_MISSING = 3  # every missing heir doubles the outcomes computed
MAX_CHAIN_DEPTH = 2
SPECIAL = ("predeceased", "unborn", "missing", "died_after", "same_person")
UNBORN = {
    "child": ("son", "daughter"),
    "sons_child": ("sons_son", "sons_daughter"),
    "full_sibling": ("full_brother", "full_sister"),
    "paternal_half_sibling": ("paternal_half_brother", "paternal_half_sister"),
    "maternal_half_sibling": ("maternal_half_brother", "maternal_half_sister"),
}

SIBLINGS = (
    "full_brother", "full_sister", "paternal_half_brother", "paternal_half_sister",
    "maternal_half_brother", "maternal_half_sister",
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


@dataclass(frozen=True)
class Stock:
    """The children of one relative (``parent``) who died before the deceased."""

    parent: str
    sons: int
    daughters: int

    def members(self) -> dict[str, int]:
        out = {}
        for sex, n in (("M", self.sons), ("F", self.daughters)):
            key = child_key(self.parent, sex)
            if n and key:
                out[key] = n
        return out


@dataclass(frozen=True)
class Chained:
    relation: str
    deceased: Sex | None
    heirs: Mapping[str, object]


@dataclass
class Family:
    counts: Counts
    sex: Sex | None
    stocks: list[Stock] = field(default_factory=list)
    unborn: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    died_after: list[Chained] = field(default_factory=list)
    same_person: list[tuple[str, ...]] = field(default_factory=list)

    def without_extras(self, counts: Counts | None = None) -> Family:
        """The same family with only counts and stocks (for an outcome computed inside)."""
        return Family(counts if counts is not None else self.counts, self.sex, self.stocks)


def max_count(key: str) -> int:
    if key in SINGLE:
        return 1
    if key == "wife":
        return MAX_WIVES
    return MAX_COUNT


def _count(key: str, value: object, top: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadCount(f"count of {key!r} must be an integer, got {value!r}")
    if value < 0 or value > top:
        raise BadCount(f"count of {key!r} must be between 0 and {top}, got {value}")
    return value


def _stocks(raw: object) -> list[Stock]:
    if not isinstance(raw, list) or len(raw) > MAX_STOCKS:
        raise BadFamily(f"predeceased must be a list of at most {MAX_STOCKS} stocks")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or set(item) - {"parent", "sons", "daughters"}:
            raise BadFamily(f"predeceased[{i}] must be {{'parent', 'sons', 'daughters'}}")
        parent = item.get("parent")
        if not isinstance(parent, str) or parent not in KIN or not child_key(parent, "M"):
            raise BadFamily(f"predeceased[{i}].parent must be a relation whose children have "
                            f"keys (son, daughter, full_brother, ...), got {parent!r}")
        sons = _count(f"predeceased[{i}].sons", item.get("sons", 0), MAX_COUNT)
        daughters = _count(f"predeceased[{i}].daughters", item.get("daughters", 0), MAX_COUNT)
        if not sons and not daughters:
            raise BadFamily(f"predeceased[{i}] has no children")
        out.append(Stock(parent, sons, daughters))
    return out


def _sex(deceased: str | None, counts: Counts) -> Sex | None:
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
    return sex


def _extras(family: Family, heirs: Mapping[str, object], depth: int) -> None:
    counts = family.counts
    unborn = heirs.get("unborn", [])
    if not isinstance(unborn, list) or len(unborn) > 2 or any(u not in UNBORN for u in unborn):
        raise BadFamily(f"unborn must be a list of at most 2 of: {', '.join(UNBORN)}")
    family.unborn = list(unborn)
    missing = heirs.get("missing", {})
    if not isinstance(missing, Mapping):
        raise BadFamily("missing must map relation keys to counts")
    for key, n in missing.items():
        if key not in counts:
            raise BadFamily(f"missing {key!r} is not among the counted relatives")
        family.missing[key] = _count(f"missing.{key}", n, counts[key])
    if sum(family.missing.values()) > MAX_MISSING:
        raise BadFamily(f"at most {MAX_MISSING} missing heirs")
    chained: Any = heirs.get("died_after", []) or []
    for i, item in enumerate(chained if isinstance(chained, list) else [None]):
        if depth >= MAX_CHAIN_DEPTH:
            raise BadFamily(f"chained deeds go at most {MAX_CHAIN_DEPTH} deep")
        if not isinstance(item, Mapping) or set(item) - {"relation", "deceased", "heirs"}:
            raise BadFamily(f"died_after[{i}] must be {{'relation', 'deceased', 'heirs'}}")
        rel, sub = item.get("relation"), item.get("heirs")
        if not isinstance(rel, str) or not counts.get(rel):
            raise BadFamily(f"died_after[{i}].relation must be a counted relative")
        if not isinstance(sub, Mapping):
            raise BadFamily(f"died_after[{i}].heirs must be a heirs object")
        sex = item.get("deceased", RELATIONS[rel])
        validate_family(sub, sex if isinstance(sex, str) else None, depth=depth + 1)
        family.died_after.append(Chained(rel, RELATIONS[rel], sub))
    groups: Any = heirs.get("same_person", []) or []
    for i, group in enumerate(groups if isinstance(groups, list) else [None]):
        if (not isinstance(group, list) or len(group) < 2 or len(set(group)) != len(group)
                or any(not isinstance(k, str) or not counts.get(k) for k in group)):
            raise BadFamily(f"same_person[{i}] must list two or more counted relation keys")
        if len({RELATIONS[k] for k in group}) != 1:
            raise BadFamily(f"same_person[{i}] mixes a male and a female relation")
        family.same_person.append(tuple(group))


def validate_family(heirs: Mapping[str, object], deceased: str | None = None, *,
                    depth: int = 0) -> Family:
    """Check the heirs object (counts and the special entries) and the deceased's sex.

    The sex is inferred from a spouse when not given. Raises ``UnknownRelation``, ``BadCount``,
    ``BadDeceased`` or ``BadFamily``.
    """
    counts = Counts()
    for key, count in heirs.items():
        if key in SPECIAL:
            continue
        if key not in RELATIONS:
            raise UnknownRelation(f"unknown relation key {key!r}; the vocabulary is listed in "
                                  "the README (inheritance) and by agencies.inheritance.RELATIONS")
        if n := _count(key, count, max_count(key)):
            counts[key] = n
    stocks = _stocks(heirs["predeceased"]) if "predeceased" in heirs else []
    for stock in stocks:
        for key, n in stock.members().items():
            counts[key] = counts.get(key, 0) + n
            if counts[key] > max_count(key):
                raise BadCount(f"count of {key!r} with the stocks is above {max_count(key)}")
    family = Family(counts, _sex(deceased, counts), stocks)
    _extras(family, heirs, depth)
    return family


def kin(key: str) -> Kin:
    return KIN[key]


def plain(heirs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in heirs.items() if k not in SPECIAL}
