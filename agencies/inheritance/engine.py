"""``compute_shares``: validate the input, pick the rule set, take the obligatory bequests, hold
shares for an unborn child or a missing heir, chain the deeds of heirs who died since, and
return a ``ShareResult``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from itertools import product
from typing import Literal

from agencies.inheritance.bequest import with_bequests
from agencies.inheritance.errors import BadOption, UnknownRules, UnknownSchool
from agencies.inheritance.iraq import compute_iraq
from agencies.inheritance.jafari import compute_jafari
from agencies.inheritance.relations import UNBORN, Counts, Family, validate_family
from agencies.inheritance.result import HeirShare, ShareResult, fraction_text
from agencies.inheritance.sunni import compute_sunni

RuleSet = Literal["sunni", "jafari", "iraq"]
School = Literal["sunni", "jafari"]
RULE_SETS: tuple[str, ...] = ("sunni", "jafari", "iraq")
SCHOOLS: tuple[str, ...] = ("sunni", "jafari")
F = Fraction


def compute_shares(
    rules: str,
    heirs: Mapping[str, object],
    *,
    deceased: str | None = None,
    school: str = "sunni",
    hanafi: bool | None = None,
) -> ShareResult:
    """Each surviving relative's share of the estate under ``rules``.

    ``heirs`` maps relation keys (``relations.RELATIONS``) to how many survive, with the special
    entries of ``relations`` (``predeceased`` stocks, ``unborn``, ``missing``, ``died_after``,
    ``same_person``). ``deceased`` is ``"male"``/``"female"`` (inferred from a spouse when
    omitted). ``school`` is the deceased's school under ``rules="iraq"`` (ignored otherwise);
    there a Sunni deceased is judged by the Hanafi school (PSL art 90). ``hanafi`` applies Abu
    Hanifa's positions under ``rules="sunni"`` (default: the majority doctrine).

    Raises an ``InheritanceError`` subclass (``status_code`` 422) for bad input.
    """
    if rules not in RULE_SETS:
        raise UnknownRules(f"rules must be one of {', '.join(RULE_SETS)}, got {rules!r}")
    if school not in SCHOOLS:
        raise UnknownSchool(f"school must be one of {', '.join(SCHOOLS)}, got {school!r}")
    if rules == "iraq" and hanafi is False:
        raise BadOption("under rules=iraq a Sunni deceased is judged by the Hanafi school (PSL "
                        "art 90); use rules=sunni for the majority doctrine")
    family = validate_family(heirs, deceased)
    return _compute(rules, family, school, bool(hanafi))


def _once(rules: str, family: Family, school: str, hanafi: bool) -> ShareResult:
    if rules == "sunni":
        led = compute_sunni(family, hanafi=hanafi)
    elif rules == "jafari":
        led = compute_jafari(family)
    else:
        led = compute_iraq(family, school=school)
    if family.stocks and rules != "iraq" and any(s.parent in ("son", "daughter")
                                                 for s in family.stocks):
        led.cite("predeceased_not_iraq")
    return led.finish(rules)


def _with_bequests(rules: str, family: Family, school: str, hanafi: bool) -> ShareResult:
    if rules != "iraq":
        return _once(rules, family, school, hanafi)
    return with_bequests(family, lambda fam: _once(rules, fam, school, hanafi))


def _compute(rules: str, family: Family, school: str, hanafi: bool) -> ShareResult:
    if family.unborn or family.missing:
        result = _reserve(rules, family, school, hanafi)
    else:
        result = _with_bequests(rules, family, school, hanafi)
    if family.died_after:
        result = _chain(rules, family, school, hanafi, result)
    if family.same_person:
        persons = tuple((keys, sum((result.heirs[k].per_head for k in keys if k in result.heirs),
                                   F(0))) for keys in family.same_person)
        result = replace(result, persons=persons, sources=(*result.sources, "same_person"))
    return result


def _unborn_outcomes(rules: str, school: str, hanafi: bool, relation: str) -> list[dict[str, int]]:
    male, female = UNBORN[relation]
    if rules == "jafari" or (rules == "iraq" and school == "jafari"):
        return [{male: 2}]  # Sharaʾiʿ: two sons' share held
    many = 1 if hanafi or rules == "iraq" else 2  # Abu Yusuf (fatwa) / al-Mughni
    return [{male: many}, {female: many}]


def _reserve(rules: str, family: Family, school: str, hanafi: bool) -> ShareResult:
    """Every outcome of the births and of the missing heirs' fate; each heir gets the least,
    the rest is held (al-Sirajiyya, bab al-haml, bab al-mafqud)."""
    births = [[{}, *_unborn_outcomes(rules, school, hanafi, r)] for r in family.unborn]
    missing = [(k, i) for k, n in family.missing.items() for i in range(n)]
    outcomes = []
    for born, fates in product(product(*births), product((True, False), repeat=len(missing))):
        counts = Counts(family.counts)
        for extra in born:
            for key, n in extra.items():
                counts[key] = counts.get(key, 0) + n
        for (key, _), alive in zip(missing, fates, strict=True):
            if not alive:
                counts[key] -= 1
                if not counts[key]:
                    del counts[key]
        outcomes.append(_with_bequests(rules, family.without_extras(counts), school, hanafi))
    base = outcomes[0]  # nobody born, every missing heir alive
    heirs: dict[str, HeirShare] = {}
    for key, h in base.heirs.items():
        live = h.count - family.missing.get(key, 0)
        least = min((o.heirs[key].per_head if key in o.heirs else F(0)) for o in outcomes)
        if live:
            heirs[key] = HeirShare(live, least * live)
    bequests = tuple(replace(b, share=min(o.bequests[i].share if i < len(o.bequests) else F(0)
                                          for o in outcomes))
                     for i, b in enumerate(base.bequests))
    treasury = min((o.treasury or F(0)) for o in outcomes) or None
    given = sum((h.share for h in heirs.values()), F(0)) + sum((b.share for b in bequests), F(0))
    held = 1 - given - (treasury or 0)
    rules_cited = ["missing"] if missing else []
    if family.unborn:
        rules_cited.append("unborn_jafari" if (rules == "jafari" or (school == "jafari"
                                               and rules == "iraq")) else
                           "unborn_hanafi" if hanafi or rules == "iraq" else "unborn_majority")
    reserved = {
        "unborn": list(family.unborn), "missing": dict(family.missing),
        "outcomes": [{"heirs": {k: fraction_text(h.per_head) for k, h in o.heirs.items()},
                      "treasury": fraction_text(o.treasury or F(0))} for o in outcomes],
        "held": fraction_text(held),
    }
    excluded = {k: v for k, v in base.excluded.items() if k not in heirs}
    return replace(base, heirs=heirs, bequests=bequests, treasury=treasury, held=held,
                   reserved=reserved, excluded=excluded,
                   flags=(*base.flags, *rules_cited),
                   sources=tuple(dict.fromkeys((*base.sources, *rules_cited))))


def _chain(rules: str, family: Family, school: str, hanafi: bool,
           first: ShareResult) -> ShareResult:
    """Chained deeds (munasakha): the share of an heir who died before the division passes by
    that heir's own deed; each of their heirs' part of this estate is listed."""
    chained = []
    for item in family.died_after:
        share = first.heirs[item.relation].per_head if item.relation in first.heirs else F(0)
        second = compute_shares(rules, item.heirs, deceased=item.deceased, school=school,
                                hanafi=None if rules == "iraq" else hanafi)
        parts = {k: share * h.per_head for k, h in second.heirs.items()}
        denominators = [h.per_head.denominator for k, h in first.heirs.items()]
        denominators += [p.denominator for p in parts.values()]
        from math import lcm

        chained.append({
            "relation": item.relation, "share": fraction_text(share), "deed": second.to_json(),
            "of_this_estate": {k: {"count": second.heirs[k].count, "per_head": fraction_text(v)}
                               for k, v in parts.items()},
            "treasury": fraction_text(share * (second.treasury or F(0))),
            "jamia": lcm(1, *denominators),
        })
    return replace(first, chained=tuple(chained),
                   sources=tuple(dict.fromkeys((*first.sources, "munasakha"))))
