"""Sunni (majority): the paternal grandfather with full or paternal half-siblings.

Zayd ibn Thabit's doctrine, followed by Malik, al-Shafi'i, Ahmad and Abu Hanifa's two
companions: the grandfather takes the best of sharing as a brother, a third of what the sharers
leave, or a sixth of the whole; the paternal half-siblings are counted against him (muʿādda)
when full siblings survive. Abu Hanifa (the ``hanafi`` option) lets him exclude the siblings.
"""

from __future__ import annotations

from fractions import Fraction

from agencies.inheritance.relations import SIBLINGS
from agencies.inheritance.result import Ledger

F = Fraction


def grandfather_with_siblings(led: Ledger, fixed: dict[str, Fraction], fsb: bool,
                              gk: str = "paternal_grandfather") -> None:
    """Zayd ibn Thabit's doctrine (Malik, Shafi'i, Ahmad, Abu Yusuf, al-Shaybani); ``gk`` is the
    nearest true grandfather."""
    c = led.counts
    led.flag("grandfather_with_siblings")
    alive = {k for k in c if led.present(k)}
    sister = alive & {"full_sister", "paternal_half_sister"}
    if (
        alive == {"husband", "mother", gk, *sister}
        and len(sister) == 1
        and c[next(iter(sister))] == 1
    ):  # al-akdariyya: base 6 -> 9 -> 27 (Zayd)
        led.flag("akdariyya")
        led.shares.update(
            {
                "husband": F(9, 27),
                "mother": F(6, 27),
                gk: F(8, 27),
                next(iter(sister)): F(4, 27),
            }
        )
        return
    total = sum(fixed.values(), F(0))
    rest = 1 - total
    units = (
        2 * (c["full_brother"] + c["paternal_half_brother"])
        + c["full_sister"]
        + c["paternal_half_sister"]
    )  # muʿādda: half siblings counted against him
    options = [rest * 2 / (2 + units), rest / 3] + ([F(1, 6)] if total else [])
    share = max(options)
    if share >= rest:  # no more than a sixth left: he takes his sixth, siblings fall
        fixed[gk] = F(1, 6)
        total += F(1, 6)
        if total > 1:
            led.flag("awl")
        for key, v in fixed.items():
            led.shares[key] = v / max(total, F(1))
        for key in SIBLINGS[:4]:
            if led.present(key):
                led.shares[key] = F(0)
        return
    led.shares.update(fixed)
    led.shares[gk] = share
    siblings = rest - share
    full_sisters = c["full_sister"] if led.present("full_sister") else 0
    if led.present("full_brother") or (fsb and full_sisters):
        led.give(siblings, {"full_brother": 2, "full_sister": 1})
        for key in ("paternal_half_brother", "paternal_half_sister"):
            led.exclude(key, "blocked by full sibling (counted against the grandfather)")
    elif full_sisters:
        cap = F(1, 2) if full_sisters == 1 else F(2, 3)
        mine = min(siblings, cap)
        led.give(mine, {"full_sister": 1})
        half = {"paternal_half_brother": 2, "paternal_half_sister": 1}
        if any(led.present(k) for k in half):
            led.give(siblings - mine, half)
        else:
            led.give(siblings - mine, {"full_sister": 1})
    else:
        led.give(siblings, {"paternal_half_brother": 2, "paternal_half_sister": 1})
