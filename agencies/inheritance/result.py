"""The engine's answer: each heir's share as an exact fraction, the excluded, the treasury, flags.

Shares are fractions of the whole estate (net of funeral costs, debts and bequests, PSL art 87).
``share`` is the class share (all heirs of one relation together); ``per_head`` divides it by
the count. In JSON every fraction is a string such as ``"7/24"`` (``"1"``, ``"0"`` for whole
numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any

from agencies.inheritance.relations import RELATIONS, Counts

# Flags that mean part of the estate is left to settlement (sulh) by the rule set: the shares
# then sum to less than 1 and the rest is not assigned by the engine.
SETTLEMENT_FLAGS = frozenset({"settlement_mother_excess", "settlement_ijmaiyya"})

FLAG_TEXT: dict[str, str] = {
    "awl": "shares exceeded the estate and were reduced in proportion (ʿawl)",
    "radd": "the surplus was returned to the sharers other than a spouse (radd)",
    "umariyya": "mother took one third of the remainder after the spouse (al-ʿumariyyatān)",
    "mushtaraka": "full siblings shared the uterine siblings' third (al-mushtaraka); Hanafi and "
    "Hanbali give them nothing",
    "akdariyya": "grandfather and sister pooled their shares (al-akdariyya)",
    "grandfather_with_siblings": "grandfather took the best of sharing, a third of the rest or "
    "a sixth (Zayd ibn Thabit's doctrine); Abu Hanifa excludes the siblings",
    "treasury_subject_to_unlisted_relatives": "the treasury's part goes first to relatives the "
    "input has no key for (e.g. distant kindred), if any exist",
    "assumed_single_stock": "grandchildren or nephews were assumed to descend from one person; "
    "several parents would divide per stock",
    "wife_excluded_from_land": "Ja'fari: the wife takes no share of land and only the value of "
    "buildings and trees (Sistani, ruling 2782)",
    "settlement_mother_excess": "part of the estate is left to settlement among the parents and "
    "daughter (Sistani, ruling 2750, obligatory precaution)",
    "settlement_ijmaiyya": "the rest of the estate is left to settlement between the paternal "
    "half-uncle(s) and the full paternal cousin(s) (Sistani, ruling 2745)",
    "iraq_art_91_2": "Iraq PSL art 91(2): daughters with no son take the remainder after the "
    "parents' and the spouse's shares",
    "iraq_art_89_4": "Iraq PSL art 89(4): the full sister blocked like a full brother",
}


def fraction_text(value: Fraction) -> str:
    """``Fraction(7, 24)`` -> ``"7/24"``; whole numbers without a denominator."""
    return str(value)


@dataclass(frozen=True)
class HeirShare:
    """One relation's share of the estate; ``share`` covers all ``count`` heirs together."""

    count: int
    share: Fraction

    @property
    def per_head(self) -> Fraction:
        return self.share / self.count


@dataclass(frozen=True)
class ShareResult:
    """Shares of one estate under one rule set.

    ``heirs`` lists every relation that inherits (a residuary left with nothing shows share 0);
    ``excluded`` maps each relation that does not inherit to the reason. ``treasury`` is the
    part that goes to the public treasury (or the Imam, Ja'fari), None when nothing does.
    Heirs' shares plus the treasury sum to exactly 1 unless ``left_to_settlement``.
    """

    rules: str
    heirs: dict[str, HeirShare]
    excluded: dict[str, str]
    treasury: Fraction | None
    flags: tuple[str, ...]

    @property
    def total(self) -> Fraction:
        return sum((h.share for h in self.heirs.values()), Fraction(0)) + (self.treasury or 0)

    @property
    def left_to_settlement(self) -> bool:
        return any(f in SETTLEMENT_FLAGS for f in self.flags)

    @property
    def base(self) -> int:
        """The common base (aṣl) after ʿawl or radd: least common denominator of the class
        shares and the treasury (per-head correction, taṣḥīḥ, is not applied)."""
        parts = [h.share for h in self.heirs.values()]
        if self.treasury is not None:
            parts.append(self.treasury)
        return lcm(1, *(p.denominator for p in parts))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"rules", "base", "heirs", "excluded", "treasury", "flags"}``."""
        return {
            "rules": self.rules,
            "base": self.base,
            "heirs": {
                key: {
                    "count": h.count,
                    "share": fraction_text(h.share),
                    "per_head": fraction_text(h.per_head),
                }
                for key, h in self.heirs.items()
            },
            "excluded": dict(self.excluded),
            "treasury": None if self.treasury is None else fraction_text(self.treasury),
            "flags": list(self.flags),
        }


@dataclass
class Ledger:
    """Working state of one computation, shared by the rule-set modules."""

    counts: Counts
    shares: dict[str, Fraction] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    treasury: Fraction | None = None

    def present(self, key: str) -> bool:
        """Alive (count > 0) and not excluded."""
        return self.counts[key] > 0 and key not in self.excluded

    def n(self, key: str) -> int:
        return self.counts[key] if self.present(key) else 0

    def exclude(self, key: str, reason: str) -> None:
        """Exclude ``key`` (if alive and not yet excluded) with ``reason``."""
        if self.counts[key] > 0 and key not in self.excluded:
            self.excluded[key] = reason

    def flag(self, name: str) -> None:
        assert name in FLAG_TEXT, name
        if name not in self.flags:
            self.flags.append(name)

    def give(self, amount: Fraction, weights: Mapping[str, int | Fraction]) -> None:
        """Split ``amount`` among present relations, each head weighing ``weights[key]``
        (2 for a male and 1 for a female where the male takes twice, Q 4:11)."""
        live = {k: w * self.counts[k] for k, w in weights.items() if self.present(k)}
        total = sum(live.values())
        for key, weight in live.items():
            self.shares[key] = self.shares.get(key, Fraction(0)) + amount * weight / total

    def finish(self, rules: str) -> ShareResult:
        heirs = {
            key: HeirShare(self.counts[key], self.shares.get(key, Fraction(0)))
            for key in RELATIONS
            if self.present(key)
        }
        excluded = {key: self.excluded[key] for key in RELATIONS if key in self.excluded}
        treasury = self.treasury if self.treasury else None
        return ShareResult(rules, heirs, excluded, treasury, tuple(self.flags))
