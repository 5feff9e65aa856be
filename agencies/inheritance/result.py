"""The engine's answer and its working state.

Shares are fractions of the whole estate (net of funeral costs and debts, PSL art 87). ``share``
is the class share (all heirs of one relation together); ``per_head`` divides it by the count. In
JSON every fraction is a string such as ``"7/24"`` (``"1"``, ``"0"`` for whole numbers). The deed
form (``tashih``, ``sihams``) gives every share as whole portions of one corrected base.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any

from agencies.inheritance.labels import label_ar
from agencies.inheritance.relations import RELATIONS, Counts, Family
from agencies.inheritance.rules import RULES

# Flags that mean part of the estate is left to settlement (sulh) by the rule set: the shares
# then sum to less than 1 and the rest is not assigned by the engine.
SETTLEMENT_FLAGS = frozenset({"settlement_mother_excess", "settlement_ijmaiyya"})
FLAG_TEXT: dict[str, str] = {rule: text[0] for rule, text in RULES.items()}


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
class StockShare:
    """Heirs who inherit through ``root`` (a relative they represent) and how they divide."""

    root: str
    share: Fraction
    members: dict[str, Fraction]
    counts: dict[str, int]


@dataclass(frozen=True)
class Bequest:
    """PSL art 74: the children of ``parent`` (who died before the deceased) and their bequest."""

    parent: str
    sons: int
    daughters: int
    as_if_alive: Fraction
    share: Fraction

    @property
    def per_son(self) -> Fraction:
        return self.share * 2 / (2 * self.sons + self.daughters)

    @property
    def per_daughter(self) -> Fraction:
        return self.share / (2 * self.sons + self.daughters)


@dataclass(frozen=True)
class ShareResult:
    """Shares of one estate under one rule set.

    ``heirs`` lists every relation that inherits (a residuary left with nothing shows share 0);
    ``excluded`` maps each relation that does not inherit to the reason. ``treasury`` is the part
    that goes to the public treasury (or the Imam, Ja'fari), None when nothing does. Heirs'
    shares, the bequests, the held shares and the treasury sum to exactly 1 unless
    ``left_to_settlement``.
    """

    rules: str
    heirs: dict[str, HeirShare]
    excluded: dict[str, str]
    treasury: Fraction | None
    flags: tuple[str, ...]
    excluded_ar: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    stocks: tuple[StockShare, ...] = ()
    bequests: tuple[Bequest, ...] = ()
    held: Fraction = Fraction(0)
    reserved: dict[str, Any] = field(default_factory=dict)
    chained: tuple[dict[str, Any], ...] = ()
    persons: tuple[tuple[tuple[str, ...], Fraction], ...] = ()

    @property
    def total(self) -> Fraction:
        return (sum((h.share for h in self.heirs.values()), Fraction(0)) + (self.treasury or 0)
                + sum((b.share for b in self.bequests), Fraction(0)) + self.held)

    @property
    def left_to_settlement(self) -> bool:
        return any(f in SETTLEMENT_FLAGS for f in self.flags)

    def _parts(self, per_head: bool) -> list[Fraction]:
        parts = [h.per_head if per_head else h.share for h in self.heirs.values()]
        for b in self.bequests:
            parts += [b.per_son, b.per_daughter] if per_head else [b.share]
        parts += [p for p in (self.treasury, self.held) if p]
        return parts

    @property
    def base(self) -> int:
        """The common base (aṣl) after ʿawl or radd: least common denominator of the class
        shares, the bequests, the held shares and the treasury."""
        return lcm(1, *(p.denominator for p in self._parts(False)))

    @property
    def tashih(self) -> int:
        """The corrected base (taṣḥīḥ): the least number of portions (سهام) in which every
        single heir's share is a whole number."""
        return lcm(1, *(p.denominator for p in self._parts(True)))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (see ``schemas.SharesResponse``)."""
        t = self.tashih
        return {
            "rules": self.rules,
            "base": self.base,
            "tashih": t,
            "heirs": {
                key: {"count": h.count, "share": fraction_text(h.share),
                      "per_head": fraction_text(h.per_head), "sihams": int(h.share * t),
                      "sihams_per_head": int(h.per_head * t), "label_ar": label_ar(key)}
                for key, h in self.heirs.items()
            },
            "excluded": dict(self.excluded),
            "excluded_ar": dict(self.excluded_ar),
            "treasury": None if self.treasury is None else fraction_text(self.treasury),
            "treasury_sihams": int((self.treasury or 0) * t),
            "bequests": [
                {"parent": b.parent, "sons": b.sons, "daughters": b.daughters,
                 "as_if_alive": fraction_text(b.as_if_alive), "share": fraction_text(b.share),
                 "per_son": fraction_text(b.per_son) if b.sons else None,
                 "per_daughter": fraction_text(b.per_daughter) if b.daughters else None,
                 "sihams": int(b.share * t)}
                for b in self.bequests
            ],
            "stocks": [
                {"root": s.root, "share": fraction_text(s.share),
                 "members": {k: {"count": s.counts[k], "share": fraction_text(v)}
                             for k, v in s.members.items()}}
                for s in self.stocks
            ],
            "held": fraction_text(self.held),
            "held_sihams": int(self.held * t),
            "reserved": self.reserved,
            "chained": list(self.chained),
            "persons": [{"relations": list(keys), "share": fraction_text(share),
                         "sihams": int(share * t)} for keys, share in self.persons],
            "flags": list(self.flags),
            "sources": [{"rule": r, "text": RULES[r][0], "text_ar": RULES[r][1],
                         "source": RULES[r][2]} for r in self.sources],
        }


@dataclass
class Ledger:
    """Working state of one computation, shared by the rule-set modules."""

    counts: Counts
    family: Family | None = None
    shares: dict[str, Fraction] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    excluded_ar: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    treasury: Fraction | None = None
    stocks: list[StockShare] = field(default_factory=list)

    def present(self, key: str) -> bool:
        """Alive (count > 0) and not excluded."""
        return self.counts[key] > 0 and key not in self.excluded

    def n(self, key: str) -> int:
        return self.counts[key] if self.present(key) else 0

    def exclude(self, key: str, reason: str, reason_ar: str | None = None,
                rule: str | None = None) -> None:
        """Exclude ``key`` (if alive and not yet excluded) with ``reason``."""
        if self.counts[key] > 0 and key not in self.excluded:
            self.excluded[key] = reason
            self.excluded_ar[key] = reason_ar or _arabic(reason)
            if rule:
                self.cite(rule)

    def block(self, key: str, by: str, rule: str = "hajb", note: str = "") -> None:
        """``key`` is excluded by the heir ``by``."""
        self.exclude(key, f"blocked by {by}{note}", f"محجوب بـ{label_ar(by)}", rule)

    def cite(self, rule: str) -> None:
        assert rule in RULES, rule
        if rule not in self.cited:
            self.cited.append(rule)

    def flag(self, name: str) -> None:
        self.cite(name)
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
        heirs = {key: HeirShare(self.counts[key], self.shares.get(key, Fraction(0)))
                 for key in RELATIONS if self.present(key)}
        excluded = {key: self.excluded[key] for key in RELATIONS if key in self.excluded}
        excluded_ar = {key: self.excluded_ar[key] for key in excluded}
        treasury = self.treasury if self.treasury else None
        return ShareResult(rules, heirs, excluded, treasury, tuple(self.flags), excluded_ar,
                           tuple(self.cited), tuple(self.stocks))


_AR = {
    "excluded by daughter (Iraq PSL art 91(2))": "محجوب بالبنت (م 91/2 من قانون الأحوال الشخصية)",
    "blocked by two or more daughters": "محجوب باستكمال البنات الثلثين",
    "blocked by two or more full sisters": "محجوب باستكمال الأخوات الشقيقات الثلثين",
}


def _arabic(reason: str) -> str:
    """Arabic for the reasons not made by ``Ledger.block`` (the English when none is known)."""
    if reason in _AR:
        return _AR[reason]
    head, _, key = reason.rpartition(" ")
    if key in RELATIONS and head in ("blocked by", "excluded by"):
        return f"محجوب بـ{label_ar(key)}"
    return reason
