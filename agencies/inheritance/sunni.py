"""Sunni shares (majority of the four schools; Abu Hanifa's positions with ``hanafi``).

Order of work: exclusion (ḥajb), fixed shares (furūḍ), residue to the nearest agnate (ʿaṣaba),
then ʿawl when the shares exceed the estate, or radd (never to a spouse) when they fall short;
with no sharer or agnate but a spouse, the distant kindred (``kindred``), then the treasury.
Sources: Qur'an 4:11, 4:12, 4:176; Bukhari 6732, 6736; al-Sirajiyya (``rules.RULES``).
"""

from __future__ import annotations

from fractions import Fraction

from agencies.inheritance import kindred
from agencies.inheritance.grandfather import grandfather_with_siblings
from agencies.inheritance.kin import KINS, M, agnatic, true_ascendant
from agencies.inheritance.relations import SIBLINGS, Family
from agencies.inheritance.result import Ledger

F = Fraction
SPOUSES = ("husband", "wife")
UTERINE = ("maternal_half_brother", "maternal_half_sister")
# Agnatic descendants by level: (male key, female key), nearest first.
LEVELS = (("son", "daughter"), ("sons_son", "sons_daughter"),
                ("sons_sons_son", "sons_sons_daughter"))
MALE_DESC = tuple(m for m, _ in LEVELS)
FEMALE_DESC = tuple(f for _, f in LEVELS)
GRANDFATHERS = tuple(k.key for k in KINS if k.line == "asc" and len(k.up) > 1
                     and true_ascendant(k) and k.male)
GRANDMOTHERS = tuple(k.key for k in KINS if k.line == "asc" and len(k.up) > 1
                     and true_ascendant(k) and not k.male)
# Agnates after the siblings, in the order of al-Sirajiyya: direction, degree, strength.
CHAIN = tuple(k.key for k in sorted(
    (k for k in KINS if k.line == "coll" and k.male and agnatic(k)
     and not (not k.up and len(k.down) == 1)),
    key=lambda k: (len(k.up), len(k.down), k.tie != "full")))
HEIR_TYPES = frozenset({*SPOUSES, "father", "mother", *MALE_DESC, *FEMALE_DESC, *GRANDFATHERS,
                        *GRANDMOTHERS, *SIBLINGS, *CHAIN})
KINDRED = tuple(k.key for k in KINS if k.key not in HEIR_TYPES)


def _first(led: Ledger, keys: tuple[str, ...]) -> str | None:
    return next((k for k in keys if led.present(k)), None)


def compute_sunni(family: Family, *, hanafi: bool = False,
                  full_sister_blocks: bool = False) -> Ledger:
    """Shares under Sunni rules. ``hanafi``: Abu Hanifa's positions where the majority differs
    (grandfather excludes siblings; no sharing in al-mushtaraka; the rest returned to a spouse
    rather than the treasury). ``full_sister_blocks``: Iraq PSL art 89(4)."""
    led = Ledger(family.counts, family)
    gf_shares = _block(led, hanafi, full_sister_blocks)
    fixed, blessed = _fixed(led, gf_shares)
    gk = _first(led, GRANDFATHERS)
    if gf_shares and gk:
        _no_kindred(led)
        grandfather_with_siblings(led, fixed, full_sister_blocks, gk)
        return led
    weights = _residuaries(led, blessed)
    total = sum(fixed.values(), F(0))
    if total > 1:  # ʿawl: every fixed share shrinks in proportion (Umar's ruling, consensus)
        led.flag("awl")
        fixed = {k: v / total for k, v in fixed.items()}
        total = F(1)
    residue = 1 - total
    maternal = led.n("maternal_half_brother") + led.n("maternal_half_sister")
    if weights and residue == 0 and "full_brother" in weights and maternal >= 2:
        led.flag("mushtaraka")
        if not hanafi:  # al-mushtaraka: full siblings join the uterine third (Umar; Malik, Shafi'i)
            pool = dict.fromkeys((*UTERINE, "full_brother", "full_sister"), 1)
            third = sum((fixed.pop(k, F(0)) for k in UTERINE), F(0))
            led.give(third, pool)
            weights = {}
    for key, share in fixed.items():
        led.shares[key] = led.shares.get(key, F(0)) + share
    if weights:
        led.cite("asaba")
        led.give(residue, weights)
        _no_kindred(led)
    elif residue > 0:
        _radd(led, fixed, residue, hanafi)
    else:
        _no_kindred(led)
    return led


def _no_kindred(led: Ledger) -> None:
    for key in KINDRED:
        led.exclude(key, "distant kindred: the sharers and agnates inherit first",
                    "من ذوي الأرحام: لا يرث مع صاحب فرض أو عصبة", "distant_kindred")


def _descendants(led: Ledger) -> tuple[dict[str, Fraction], list[str]]:
    """Exclusion and fixed shares among the agnatic descendants, every level (al-Sirajiyya):
    the nearest male excludes every lower level; the nearest daughters take 1/2 or 2/3, the next
    level 1/6 to complete two thirds; a lower male makes residuary those above him left with
    nothing (al-qarib al-mubarak). Returns (fixed shares, keys made residuary by a lower male)."""
    c = led.counts
    m = next((i for i, (male, _) in enumerate(LEVELS) if c[male]), None)
    if m is not None:
        for male, female in LEVELS[m + 1:]:
            led.block(male, LEVELS[m][0])
            led.block(female, LEVELS[m][0])
    fixed: dict[str, Fraction] = {}
    blessed: list[str] = []
    taken: Fraction = F(0)
    first_female: str | None = None
    for i, (_male, female) in enumerate(LEVELS):
        if not c[female] or (m is not None and i >= m):
            continue
        if taken == 0:
            fixed[female] = F(1, 2) if c[female] == 1 else F(2, 3)  # Q 4:11
            taken, first_female = fixed[female], female
            led.cite("daughters_fixed")
        elif taken == F(1, 2):
            fixed[female] = F(1, 6)  # completing two thirds (Bukhari 6736)
            taken = F(2, 3)
            led.cite("takmila")
        elif m is not None:
            blessed.append(female)  # made residuary by the lower male (al-Sirajiyya)
            led.cite("blessed_kin")
        elif first_female == "daughter" and taken == F(2, 3) and female == "sons_daughter":
            led.exclude(female, "blocked by two or more daughters", rule="takmila")
        else:
            led.exclude(female, "blocked: the two thirds of the daughters are complete",
                        "محجوبة باستكمال الثلثين", "takmila")
    return fixed, blessed


def _grandparents(led: Ledger) -> None:
    """The father excludes his ascendants; the nearest true grandfather the farther and the
    grandmothers through him; the mother every grandmother; the nearer grandmother the farther."""
    from agencies.inheritance.kin import KIN

    if led.present("father"):
        for key in GRANDFATHERS:
            led.block(key, "father", "grandfather")
        for key in GRANDMOTHERS:  # majority; the Hanbalis let the father's mother inherit
            if KIN[key].up[0] == M:
                led.block(key, "father", "grandmothers", " (majority; Hanbali differ)")
    gk = _first(led, GRANDFATHERS)
    if gk:
        for key in (*GRANDFATHERS, *GRANDMOTHERS):
            kin = KIN[key]
            if key != gk and kin.up[:len(KIN[gk].up)] == KIN[gk].up:
                led.block(key, gk, "grandfather")
    if led.present("mother"):  # consensus
        for key in GRANDMOTHERS:
            led.block(key, "mother", "grandmothers")
    alive = [k for k in GRANDMOTHERS if led.present(k)]
    if alive:
        near = min(len(KIN[k].up) for k in alive)
        nearest = [k for k in alive if len(KIN[k].up) == near]
        for key in alive:
            if len(KIN[key].up) > near:  # Hanafi, Hanbali: the nearer excludes the farther
                led.block(key, nearest[0], "grandmothers")
                if KIN[key].up[0] != M and all(KIN[k].up[0] == M for k in nearest):
                    led.flag("grandmother_nearer_paternal")
        if any(KIN[k].up[:2] == (M, M) for k in nearest):
            led.flag("grandmother_through_grandfather")


def _block(led: Ledger, hanafi: bool, fsb: bool) -> bool:
    """Apply exclusion (ḥajb al-ḥirmān); return True when the grandfather shares with siblings."""
    c = led.counts
    _descendants(led)  # exclusion only; shares are taken again in _fixed
    _grandparents(led)
    male_desc = tuple(k for k in MALE_DESC if led.present(k))
    female_desc = any(led.present(k) for k in FEMALE_DESC)
    gk = _first(led, GRANDFATHERS)
    gf_shares = bool(gk and not hanafi and not male_desc and not led.present("father")
                     and any(c[k] for k in SIBLINGS[:4]))
    if gk and hanafi and any(led.present(k) for k in SIBLINGS[:4]):
        led.cite("hanafi_grandfather")
    # Full siblings: excluded by a male descendant and the father (Q 4:176, kalāla); by the
    # grandfather too for Abu Hanifa.
    blockers = (*male_desc, "father", *((gk,) if gk and hanafi else ()))
    for key in ("full_brother", "full_sister"):
        if b := _first(led, blockers):
            led.block(key, b)
    fs_asaba = led.present("full_sister") and not led.present("full_brother") and female_desc
    fs_blocks = fs_asaba or (fsb and led.present("full_sister"))
    half = (*blockers, "full_brother", *(("full_sister",) if fs_blocks else ()))
    for key in ("paternal_half_brother", "paternal_half_sister"):
        if b := _first(led, half):
            _statute(led, key, b, fsb and not fs_asaba)
    if (c["full_sister"] >= 2 and not led.present("paternal_half_brother") and not gf_shares
            and not female_desc):  # two full sisters exhaust the sisters' 2/3 (Sirajiyya)
        led.exclude("paternal_half_sister", "blocked by two or more full sisters", rule="takmila")
    phs_asaba = (led.present("paternal_half_sister") and not led.present("paternal_half_brother")
                 and female_desc)
    # Uterine siblings: excluded by any descendant heir and any male ascendant (Q 4:12, kalāla).
    uterine = (*male_desc, *(k for k in FEMALE_DESC if led.present(k)), "father",
               *((gk,) if gk else ()))
    for key in UTERINE:
        if b := _first(led, uterine):
            led.block(key, b)
    # Farther agnates: excluded by every nearer agnate, and by a sister who is residuary with a
    # daughter (ʿaṣaba maʿa al-ghayr, Bukhari 6736) or, in Iraq, any full sister.
    nearer: tuple[str, ...] = (*male_desc, "father", *((gk,) if gk else ()), "full_brother",
                               "paternal_half_brother")
    nearer += ("full_sister",) if fs_blocks else ()
    nearer += ("paternal_half_sister",) if phs_asaba else ()
    for key in CHAIN:
        if b := _first(led, nearer):
            _statute(led, key, b, fsb and not fs_asaba)
        nearer += (key,)
    return gf_shares


def _statute(led: Ledger, key: str, blocker: str, by_statute: bool) -> None:
    if blocker == "full_sister" and by_statute:  # Iraq PSL art 89(4)
        led.flag("iraq_art_89_4")
        led.exclude(key, "blocked by full_sister (Iraq PSL art 89(4))",
                    "محجوب بالأخت الشقيقة (م 89/4 من قانون الأحوال الشخصية)")
    else:
        led.block(key, blocker)


def _fixed(led: Ledger, gf_shares: bool) -> tuple[dict[str, Fraction], list[str]]:
    """The Qur'anic and Sunna fixed shares (furūḍ) of the heirs not excluded."""
    c, p = led.counts, led.present
    fixed, blessed = _descendants(led)
    desc = any(p(k) for k in (*MALE_DESC, *FEMALE_DESC))
    female_desc = any(p(k) for k in FEMALE_DESC)
    if p("husband"):
        fixed["husband"] = F(1, 4) if desc else F(1, 2)  # Q 4:12
    if p("wife"):
        fixed["wife"] = F(1, 8) if desc else F(1, 4)  # Q 4:12, shared by the wives
    if p("husband") or p("wife"):
        led.cite("spouse_share")
    spouse = sum((fixed.get(k, F(0)) for k in SPOUSES), F(0))
    if p("father") and desc:
        fixed["father"] = F(1, 6)  # Q 4:11
    gk = _first(led, GRANDFATHERS)
    if gk and desc and not gf_shares:
        fixed[gk] = F(1, 6)  # grandfather in the father's place (consensus)
    if gk:
        led.cite("grandfather")
    if p("mother"):
        led.cite("parents")
        if desc or sum(c[k] for k in SIBLINGS) >= 2:
            fixed["mother"] = F(1, 6)  # Q 4:11, also when the siblings are themselves excluded
        elif p("father") and spouse:
            led.flag("umariyya")  # al-ʿumariyyatān: a third of what the spouse leaves (Umar)
            fixed["mother"] = (1 - spouse) / 3
        else:
            fixed["mother"] = F(1, 3)  # Q 4:11
    grandmothers = [k for k in GRANDMOTHERS if p(k)]
    for key in grandmothers:  # one sixth shared by the grandmothers (Abu Dawud 2894)
        fixed[key] = F(1, 6) / len(grandmothers)
        led.cite("grandmothers")
    if not female_desc and not gf_shares:
        if p("full_sister") and not p("full_brother"):
            fixed["full_sister"] = F(1, 2) if c["full_sister"] == 1 else F(2, 3)  # Q 4:176
            led.cite("sisters")
        if p("paternal_half_sister") and not p("paternal_half_brother"):
            led.cite("sisters")
            if not p("full_sister"):
                one = c["paternal_half_sister"] == 1
                fixed["paternal_half_sister"] = F(1, 2) if one else F(2, 3)  # Q 4:176
            else:
                fixed["paternal_half_sister"] = F(1, 6)  # completing two thirds (consensus)
    uterine = led.n("maternal_half_brother") + led.n("maternal_half_sister")
    if uterine:  # Q 4:12: one sixth for one, a third shared equally by two or more
        led.cite("uterine")
        pool = F(1, 6) if uterine == 1 else F(1, 3)
        for key in UTERINE:
            if p(key):
                fixed[key] = pool * c[key] / uterine
    return fixed, blessed


def _residuaries(led: Ledger, blessed: list[str]) -> dict[str, int]:
    """Weights of the residuary group (nearest ʿaṣaba first; males take twice, Q 4:11, 4:176)."""
    p = led.present
    female_desc = any(p(k) for k in FEMALE_DESC)
    for male, female in LEVELS:
        if p(male):
            led.cite("children")
            return {male: 2, female: 1, **dict.fromkeys(blessed, 1)}
    groups: list[tuple[bool, dict[str, int]]] = [
        (p("father"), {"father": 1}),
        *((p(k), {k: 1}) for k in GRANDFATHERS),
        (p("full_brother"), {"full_brother": 2, "full_sister": 1}),
        (p("full_sister") and female_desc, {"full_sister": 1}),  # with daughters (Bukhari 6736)
        (p("paternal_half_brother"), {"paternal_half_brother": 2, "paternal_half_sister": 1}),
        (p("paternal_half_sister") and female_desc, {"paternal_half_sister": 1}),
        *((p(k), {k: 1}) for k in CHAIN),
    ]
    found = next((w for ok, w in groups if ok), {})
    if any(k in found for k in ("full_sister", "paternal_half_sister")) and female_desc:
        led.cite("sister_with_daughters")
    return found


def _radd(led: Ledger, fixed: dict[str, Fraction], residue: Fraction, hanafi: bool) -> None:
    """Return the surplus to the sharers in proportion, never to a spouse (radd; Hanafi and
    Hanbali, later Shafi'i and Maliki); with only a spouse, the distant kindred take it, then
    (Hanafi, later fatwa) the spouse, else the treasury."""
    others = {k: v for k, v in fixed.items() if k not in SPOUSES}
    if others:
        _no_kindred(led)
        led.flag("radd")
        total = sum(others.values(), F(0))
        for key, share in others.items():
            led.shares[key] += residue * share / total
        return
    if any(led.present(k) for k in KINDRED):
        kindred.divide(led, residue, KINDRED)
        return
    spouse = _first(led, SPOUSES)
    if spouse and hanafi:
        led.flag("radd_to_spouse")
        led.shares[spouse] += residue
        return
    led.treasury = residue
    led.flag("treasury_subject_to_unlisted_relatives")
