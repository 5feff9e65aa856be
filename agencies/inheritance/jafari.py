"""Ja'fari shares, after Sistani's rulings (Islamic Laws, ch. 38, rulings 2745-2790).

Three classes of kin; one heir of a nearer class excludes every farther one, and within a class
the nearer degree excludes the farther (ruling 2745). No residue goes to agnates as such (no
taʿṣīb) and there is no ʿawl: a shortfall falls on the daughters or the sisters, a surplus
returns to the close sharers, never to a spouse. Spouses inherit with every class.
"""

from __future__ import annotations

from fractions import Fraction

from agencies.inheritance.relations import SIBLINGS, Counts
from agencies.inheritance.result import Ledger

F = Fraction
CHILDREN = ("son", "daughter", "sons_son", "sons_daughter")
CLASS_1 = ("father", "mother", *CHILDREN)
NEPHEWS = ("full_brothers_son", "paternal_half_brothers_son")
CLASS_2 = (
    "paternal_grandfather",
    "paternal_grandmother",
    "maternal_grandmother",
    *SIBLINGS,
    *NEPHEWS,
)
CLASS_3 = ("full_paternal_uncle", "paternal_half_uncle", "full_paternal_uncles_son")


def compute_jafari(counts: Counts) -> Ledger:
    """Shares under Ja'fari rules. The input has no key for daughters' children, maternal
    uncles or aunts; they are taken to be absent."""
    led = Ledger(counts)
    p = led.present
    child = any(p(k) for k in CHILDREN)
    spouse = F(0)
    if p("husband"):
        spouse = led.shares["husband"] = F(1, 4) if child else F(1, 2)  # Q 4:12; ruling 2781
    if p("wife"):
        spouse = led.shares["wife"] = F(1, 8) if child else F(1, 4)  # Q 4:12; ruling 2782
        led.flag("wife_excluded_from_land")  # ruling 2782
    classes = ((CLASS_1, _class_1), (CLASS_2, _class_2), (CLASS_3, _class_3))
    for number, (members, compute) in enumerate(classes, start=1):
        heir = next((k for k in members if p(k)), None)
        if heir is None:
            continue
        for farther, _ in classes[number:]:
            for key in farther:  # the nearer class excludes the farther (ruling 2745)
                led.exclude(key, f"excluded by class {number} heir {heir}")
        compute(led, 1 - spouse)
        return led
    if p("wife"):  # a wife alone: the rest goes to the Imam (treasury)
        led.treasury = 1 - spouse
        led.flag("treasury_subject_to_unlisted_relatives")
    elif p("husband"):
        led.shares["husband"] = F(1)  # a husband alone takes all, the rest returned to him
    else:
        led.treasury = F(1)
        led.flag("treasury_subject_to_unlisted_relatives")
    return led


def _mother_reduced(led: Ledger) -> bool:
    """Two brothers, a brother and two sisters, or four sisters, full or paternal, with the
    father alive, reduce the mother to a sixth (Q 4:11; ruling 2749)."""
    c = led.counts
    brothers = c["full_brother"] + c["paternal_half_brother"]
    sisters = c["full_sister"] + c["paternal_half_sister"]
    return (
        led.present("father")
        and led.present("mother")
        and (brothers >= 2 or (brothers == 1 and sisters >= 2) or sisters >= 4)
    )


def _class_1(led: Ledger, rest: Fraction) -> None:
    p, c = led.present, led.counts
    if p("son") or p("daughter"):
        for key in ("sons_son", "sons_daughter"):  # nearer degree excludes (ruling 2745)
            led.exclude(key, "excluded by a child of the deceased (nearer degree)")
        kids = {"son": 2, "daughter": 1}
    else:  # a son's children take their father's share (ruling 2745)
        kids = {"sons_son": 2, "sons_daughter": 1}
        if c["sons_son"] + c["sons_daughter"] > 1:
            led.flag("assumed_single_stock")
    has_kids = any(p(k) for k in kids)
    reduced = _mother_reduced(led)
    if not has_kids:  # parents alone: mother a third (a sixth if reduced), father the rest
        if p("mother"):
            mother = (F(1, 6) if reduced else F(1, 3)) if p("father") else rest
            led.shares["mother"] = mother  # Q 4:11; rulings 2748-2749
            rest -= mother
        if p("father"):
            led.shares["father"] = rest
        return
    parents = {k: F(1, 6) for k in ("father", "mother") if p(k)}  # Q 4:11
    led.shares.update(parents)
    rest -= sum(parents.values(), F(0))
    if p("son") or "sons_son" in kids:  # sons (or a son's stock) take what remains
        led.give(rest, kids)
        return
    daughters = F(1, 2) if c["daughter"] == 1 else F(2, 3)  # Q 4:11
    if daughters >= rest:  # no ʿawl: the shortfall falls on the daughters
        led.give(rest, {"daughter": 1})
        return
    surplus = rest - daughters
    sharers = {**parents, "daughter": daughters}
    total = sum(sharers.values(), F(0))
    for key, share in sharers.items():  # radd in proportion to the shares (ruling 2750)
        led.shares[key] = share + surplus * share / total
    if reduced:  # the mother's part of the radd is uncertain: settlement (ruling 2750)
        led.shares["mother"] = F(1, 6)
        led.flag("settlement_mother_excess")


def _class_2(led: Ledger, rest: Fraction) -> None:
    p, c = led.present, led.counts
    if p("full_brother") or p("full_sister"):  # ruling 2759
        for key in ("paternal_half_brother", "paternal_half_sister"):
            led.exclude(key, "excluded by a full sibling")
    if any(p(k) for k in SIBLINGS):  # siblings' children inherit only without siblings (2757)
        for key in NEPHEWS:
            led.exclude(key, "excluded by a sibling (nearer degree)")
    elif p("full_brothers_son"):
        led.exclude("paternal_half_brothers_son", "excluded by full_brothers_son (stronger tie)")
    paternal: dict[str, int | Fraction] = {
        "full_brother": 2,
        "full_sister": 1,
        "paternal_half_brother": 2,
        "paternal_half_sister": 1,
        "paternal_grandfather": 2,
        "paternal_grandmother": 1,
    }  # the paternal grandparents count as a brother and a sister (Sharaʾiʿ; Sistani)
    for key in NEPHEWS:
        if p(key):  # a brother's sons stand together in their father's place (ruling 2766)
            paternal[key] = F(2, c[key])
            if c[key] > 1:
                led.flag("assumed_single_stock")
    maternal = {"maternal_half_brother": 1, "maternal_half_sister": 1, "maternal_grandmother": 1}
    has_p = any(p(k) for k in paternal)
    has_m = any(p(k) for k in maternal)
    if has_p and has_m:
        uterine = led.n("maternal_half_brother") + led.n("maternal_half_sister")
        # Uterine side: a sixth for one sibling, a third for more or with a maternal
        # grandparent (Q 4:12; ruling 2760; al-ʿAllāma, Taḥrīr); the paternal side takes the
        # rest, surplus or shortfall (no ʿawl).
        third = F(1, 3) if uterine >= 2 or p("maternal_grandmother") else F(1, 6)
        led.give(third, maternal)
        led.give(rest - third, paternal)
    elif has_m:
        led.give(rest, maternal)  # shared equally (ruling 2760)
    else:
        led.give(rest, paternal)  # males twice females (rulings 2758-2759)


def _class_3(led: Ledger, rest: Fraction) -> None:
    p, c = led.present, led.counts
    if p("full_paternal_uncle"):
        led.exclude("paternal_half_uncle", "excluded by full_paternal_uncle")  # ruling 2775
    if p("full_paternal_uncle") or p("paternal_half_uncle"):
        if p("paternal_half_uncle") and p("full_paternal_uncles_son"):
            # al-masʾala al-ijmāʿiyya: one full cousin excludes one paternal half-uncle; with
            # more of either, or a widow, the ruling is not established (ruling 2745).
            if c["paternal_half_uncle"] == 1 == c["full_paternal_uncles_son"] and not p("wife"):
                led.exclude(
                    "paternal_half_uncle",
                    "excluded by full_paternal_uncles_son (al-masʾala al-ijmāʿiyya)",
                )
            else:
                led.flag("settlement_ijmaiyya")
                for key in ("paternal_half_uncle", "full_paternal_uncles_son"):
                    led.shares[key] = F(0)
                return
        else:
            led.exclude("full_paternal_uncles_son", "excluded by a paternal uncle (nearer degree)")
    uncles = next(k for k in CLASS_3 if p(k))
    led.give(rest, {uncles: 1})  # shared equally (ruling 2774)
