"""Iraq: the deceased's school, with the overrides of Personal Status Law 188/1959 (arts 86-91,
as amended by Law 11/1963 and Law 21/1978; art 90 keeps the school's rules for the rest, which
for a Sunni deceased are the Hanafi school's). The obligatory bequest (art 74) is in ``bequest``."""

from __future__ import annotations

from fractions import Fraction

from agencies.inheritance.jafari import compute_jafari
from agencies.inheritance.relations import RELATIONS, Family
from agencies.inheritance.result import Ledger
from agencies.inheritance.sunni import compute_sunni

F = Fraction
# Who keeps a share beside daughters under art 91(2): the parents and the spouse.
ART_91_2_SHARERS = ("husband", "wife", "father", "mother", "daughter")


def compute_iraq(family: Family, *, school: str = "sunni") -> Ledger:
    """Shares under the Iraqi statute on top of ``school`` (``sunni``: Hanafi; ``jafari``)."""
    counts = family.counts
    if counts["daughter"] and not counts["son"]:
        return _daughters_take_remainder(family)
    if school == "sunni":
        # Art 90: the rules in force before 1959, the Hanafi school; art 89(4): the full sister
        # excludes whom a full brother excludes.
        led = compute_sunni(family, hanafi=True, full_sister_blocks=True)
        led.cite("iraq_art_90_hanafi")
        return led
    # Ja'fari law already lets a full sister exclude the paternal half-siblings and every
    # farther class (Sistani, rulings 2745, 2759), and art 91(1) repeats its spouse shares.
    return compute_jafari(family)


def _daughters_take_remainder(family: Family) -> Ledger:
    """Art 91(2): with no son, the daughter(s) take what remains after the parents' and the
    other spouse's shares, and the whole estate when none of them survives.

    Read literally (DOMAIN.md marks the wording VERIFY): everyone but the parents and the spouse
    is excluded, sons' children and grandparents included, and there is no ʿawl or radd.
    """
    led = Ledger(family.counts, family)
    for key in RELATIONS:
        if key not in ART_91_2_SHARERS:
            led.exclude(key, "excluded by daughter (Iraq PSL art 91(2))", rule="iraq_art_91_2")
    led.flag("iraq_art_91_2")
    if led.present("husband"):
        led.shares["husband"] = F(1, 4)  # art 91(1): husband a quarter with a descendant
    if led.present("wife"):
        led.shares["wife"] = F(1, 8)  # art 91(1): wife an eighth with a descendant
    if led.present("husband") or led.present("wife"):
        led.cite("spouse_share")
    for parent in ("father", "mother"):
        if led.present(parent):
            led.shares[parent] = F(1, 6)  # Q 4:11: each parent a sixth with a child
            led.cite("parents")
    led.shares["daughter"] = 1 - sum(led.shares.values(), F(0))
    return led
