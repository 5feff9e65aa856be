"""Ja'fari shares, after Sistani's rulings (Islamic Laws, ch. 38, rulings 2745-2790) and
al-Muhaqqiq al-Hilli's Sharaʾiʿ al-Islam.

Three classes of kin; one heir of a nearer class excludes every farther one, and within a class
the nearer degree excludes the farther (ruling 2745). No residue goes to agnates as such (no
taʿṣīb) and there is no ʿawl: a shortfall falls on the daughters or the sisters, a surplus
returns to the close sharers, never to a spouse. Spouses inherit with every class. Relatives
reached through a dead relative take that relative's share, per stock (``represent``).
"""

from __future__ import annotations

from fractions import Fraction

from agencies.inheritance.errors import UnsupportedCase
from agencies.inheritance.kin import KINS, Kin, M
from agencies.inheritance.relations import Family
from agencies.inheritance.represent import Node, settle, tree
from agencies.inheritance.result import Ledger

F = Fraction
CLASS_1 = tuple(k for k in KINS if k.line == "desc" or (k.line == "asc" and len(k.up) == 1))
GRANDPARENTS = tuple(k for k in KINS if k.line == "asc" and len(k.up) > 1)
CLASS_2 = (*GRANDPARENTS, *(k for k in KINS if k.line == "coll" and not k.up))
CLASS_3 = tuple(k for k in KINS if k.line == "coll" and k.up)


def compute_jafari(family: Family) -> Ledger:
    """Shares under Ja'fari rules."""
    led = Ledger(family.counts, family)
    p = led.present
    child = any(p(k.key) for k in CLASS_1 if k.line == "desc")
    spouse = F(0)
    if p("husband"):
        spouse = led.shares["husband"] = F(1, 4) if child else F(1, 2)  # Q 4:12; ruling 2781
    if p("wife"):
        spouse = led.shares["wife"] = F(1, 8) if child else F(1, 4)  # Q 4:12; ruling 2782
        led.flag("wife_excluded_from_land")  # ruling 2782
    if spouse:
        led.cite("spouse_share")
    classes = ((CLASS_1, _class_1), (CLASS_2, _class_2), (CLASS_3, _class_3))
    for number, (members, compute) in enumerate(classes, start=1):
        heir = next((k.key for k in members if p(k.key)), None)
        if heir is None:
            continue
        led.cite("jafari_classes")
        for farther, _ in classes[number:]:
            for kin in farther:  # the nearer class excludes the farther (ruling 2745)
                led.exclude(kin.key, f"excluded by class {number} heir {heir}",
                            f"محجوب بطبقة أقرب ({heir})", "jafari_classes")
        compute(led, 1 - spouse)
        return led
    if p("wife"):  # a wife alone: the rest goes to the Imam (treasury)
        led.treasury = 1 - spouse
        led.flag("treasury_subject_to_unlisted_relatives")
    elif p("husband"):
        led.shares["husband"] = F(1)  # a husband alone takes all, the rest returned to him
        led.cite("jafari_husband_alone")
    else:
        led.treasury = F(1)
        led.flag("treasury_subject_to_unlisted_relatives")
    return led


def _nearest(led: Ledger, kins: tuple[Kin, ...] | list[Kin], why: str) -> list[Kin]:
    """The present relatives of the nearest level; the farther are excluded (ruling 2745)."""
    alive = [k for k in kins if led.present(k.key)]
    if not alive:
        return []
    low = min(k.level for k in alive)
    near = [k for k in alive if k.level == low]
    for k in alive:
        if k.level > low:
            led.exclude(k.key, f"excluded by {near[0].key} ({why})",
                        f"محجوب بالأقرب درجة ({near[0].key})", "jafari_classes")
    return near


def _full_first(led: Ledger, kins: list[Kin]) -> list[Kin]:
    """A full tie excludes a consanguine one of the same side and degree (ruling 2759)."""
    out = []
    for k in kins:
        full = next((o for o in kins if o.tie == "full" and o.side == k.side), None)
        if k.tie == "paternal" and full is not None:
            led.exclude(k.key, f"excluded by {full.key} (full tie)",
                        f"محجوب بـ{full.key} (قرابة من الأبوين)", "jafari_classes")
        else:
            out.append(k)
    return out


def _mother_reduced(led: Ledger) -> bool:
    """Two brothers, a brother and two sisters, or four sisters, full or paternal, with the
    father alive, reduce the mother to a sixth (Q 4:11; ruling 2749)."""
    c = led.counts
    brothers = c["full_brother"] + c["paternal_half_brother"]
    sisters = c["full_sister"] + c["paternal_half_sister"]
    return (led.present("father") and led.present("mother")
            and (brothers >= 2 or (brothers == 1 and sisters >= 2) or sisters >= 4))


def _class_1(led: Ledger, rest: Fraction) -> None:
    p = led.present
    desc = _nearest(led, [k for k in CLASS_1 if k.line == "desc"], "nearer degree")
    nodes = tree(led, desc) if desc else []
    sons = sum(n.heads for n in nodes if n.male)
    daughters = sum(n.heads for n in nodes if not n.male)
    reduced = _mother_reduced(led)
    led.cite("parents")
    if not nodes:  # parents alone: mother a third (a sixth if reduced), father the rest
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
    if sons:  # sons (or a son's stock) take what remains with the daughters, 2:1 (Q 4:11)
        led.cite("children")
        unit = rest / (2 * sons + daughters)
        settle(led, [(n, unit * n.heads * (2 if n.male else 1), False) for n in nodes])
        return
    led.cite("daughters_fixed")
    share = F(1, 2) if daughters == 1 else F(2, 3)  # Q 4:11
    if share >= rest:  # no ʿawl: the shortfall falls on the daughters
        settle(led, [(n, rest * n.heads / daughters, False) for n in nodes])
        return
    surplus = rest - share
    total = sum(parents.values(), F(0)) + share
    for key, value in parents.items():  # radd in proportion to the shares (ruling 2750)
        led.shares[key] = value + surplus * value / total
    own = share + surplus * share / total
    if reduced:  # the mother's part of the radd is uncertain: settlement (ruling 2750)
        led.shares["mother"] = F(1, 6)
        led.flag("settlement_mother_excess")
    settle(led, [(n, own * n.heads / daughters, False) for n in nodes])


def _class_2(led: Ledger, rest: Fraction) -> None:
    grand = _nearest(led, GRANDPARENTS, "nearer grandparent")
    lines = _full_first(led, _nearest(led, [k for k in CLASS_2 if k.line == "coll"],
                                      "nearer degree"))
    nodes = tree(led, lines) if lines else []
    if grand and len(grand[0].up) > 2:
        if nodes:
            raise UnsupportedCase("Ja'fari: great-grandparents with siblings or their children; "
                                  "the court divides this estate")
        return _great_grandparents(led, grand, rest)
    led.cite("jafari_siblings_grandparents")
    paternal: list[tuple[Node, Fraction]] = [(n, F(2 if n.male else 1)) for n in nodes
                                             if not _uterine(n)]
    paternal += [(Node(k.key, k.male, 1), F(2 if k.male else 1)) for k in grand if k.side == M]
    maternal = [n for n in nodes if _uterine(n)]
    maternal += [Node(k.key, k.male, 1) for k in grand if k.side != M]
    heads = sum(n.heads for n in maternal)
    if paternal and maternal:
        # Q 4:12; ruling 2760: a sixth for one uterine sibling, a third for more or with a
        # maternal grandparent; the paternal side takes the rest, surplus or shortfall.
        grand_m = any(not n.children and n.key in {k.key for k in grand} for n in maternal)
        third = F(1, 3) if heads >= 2 or grand_m else F(1, 6)
    else:
        third = rest if maternal else F(0)
    out = [(n, third * n.heads / heads, True) for n in maternal]
    weights = sum(w * n.heads for n, w in paternal)
    out += [(n, (rest - third) * w * n.heads / weights, False) for n, w in paternal]
    settle(led, out)


def _uterine(node: Node) -> bool:
    from agencies.inheritance.kin import KIN

    return KIN[node.key].tie == "maternal"


def _great_grandparents(led: Ledger, grand: list[Kin], rest: Fraction) -> None:
    """The eight great-grandparents (Sharaʾiʿ): the mother's side a third, equally; the
    father's side two thirds, of which the father's father's parents two thirds (2:1) and the
    father's mother's parents one third, equally."""
    led.cite("jafari_siblings_grandparents")
    groups = {"FF": [k for k in grand if k.up[:2] == (M, M)],
              "FM": [k for k in grand if k.up[:2] == (M, "F")],
              "M": [k for k in grand if k.up[0] != M]}
    father_side = bool(groups["FF"] or groups["FM"])
    parts = {"M": rest / 3 if father_side else rest, "FF": F(0), "FM": F(0)}
    if not groups["M"]:
        parts["M"] = F(0)
    side = rest - parts["M"]
    if groups["FF"] and groups["FM"]:
        parts["FF"], parts["FM"] = side * 2 / 3, side / 3
    else:
        parts["FF" if groups["FF"] else "FM"] = side
    for name, kins in groups.items():
        if not kins:
            continue
        equal = name != "FF"
        total = sum(1 if equal or not k.male else 2 for k in kins)
        for k in kins:
            led.shares[k.key] = parts[name] * (1 if equal or not k.male else 2) / total


def _class_3(led: Ledger, rest: Fraction) -> None:
    c, p = led.counts, led.present
    if p("paternal_half_uncle") and p("full_paternal_uncles_son") and not p("full_paternal_uncle"):
        others = [k for k in CLASS_3 if p(k.key)
                  and k.key not in ("paternal_half_uncle", "full_paternal_uncles_son")]
        # al-masʾala al-ijmāʿiyya: one full cousin excludes one paternal half-uncle; with more
        # of either, a widow or another relative, the ruling is not established (ruling 2745).
        if c["paternal_half_uncle"] == 1 == c["full_paternal_uncles_son"] and not p("wife") \
                and not others:
            led.cite("ijmaiyya")
            led.exclude("paternal_half_uncle",
                        "excluded by full_paternal_uncles_son (al-masʾala al-ijmāʿiyya)",
                        "محجوب بابن العم الشقيق (المسألة الإجماعية)")
            led.shares["full_paternal_uncles_son"] = rest
            return
        led.flag("settlement_ijmaiyya")
        for k in CLASS_3:
            if p(k.key):
                led.shares[k.key] = F(0)
        return
    own = [k for k in CLASS_3 if len(k.up) == 1]
    if not any(p(k.key) for k in own):  # the father's uncles (Sharaʾiʿ, third class)
        near = _full_first(led, _nearest(led, [k for k in CLASS_3 if len(k.up) == 2],
                                         "nearer degree"))
        nodes = tree(led, near)
        heads = sum(n.heads for n in nodes)
        return settle(led, [(n, rest * n.heads / heads, False) for n in nodes])
    for k in CLASS_3:
        if len(k.up) == 2:
            led.exclude(k.key, "excluded by the deceased's own uncles' line (nearer degree)",
                        "محجوب بأعمام المتوفى وأخواله وأولادهم", "jafari_classes")
    near = _full_first(led, _nearest(led, own, "nearer degree"))
    led.cite("jafari_uncles")
    nodes = tree(led, near)
    sides = {s: [n for n, k in _with_kin(nodes) if k.side == s] for s in (M, "F")}
    share = {M: rest * 2 / 3, "F": rest / 3} if sides[M] and sides["F"] else \
        {M: rest if sides[M] else F(0), "F": rest if sides["F"] else F(0)}
    out: list[tuple[Node, Fraction, bool]] = []
    for side, side_nodes in sides.items():
        uterine = [n for n in side_nodes if _uterine(n)]
        full = [n for n in side_nodes if not _uterine(n)]
        heads = sum(n.heads for n in uterine)
        part = (F(1, 6) if heads == 1 else F(1, 3)) * share[side] if full else share[side]
        out += [(n, part * n.heads / heads, True) for n in uterine]
        equal = side != M  # maternal uncles and aunts share equally (ruling 2777)
        w = {id(n): F(n.heads * (1 if equal or not n.male else 2)) for n in full}
        total = sum(w.values())
        out += [(n, (share[side] - (part if uterine else 0)) * w[id(n)] / total, equal)
                for n in full]
    settle(led, out)


def _with_kin(nodes: list[Node]) -> list[tuple[Node, Kin]]:
    from agencies.inheritance.kin import KIN

    return [(n, KIN[n.key]) for n in nodes]
