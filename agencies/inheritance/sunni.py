"""Sunni shares (majority of the four schools, Hanafi positions as an option).

Order of work: exclusion (ḥajb), fixed shares (furūḍ), residue to the nearest agnate (ʿaṣaba),
then ʿawl when the shares exceed the estate or radd (never to a spouse) when they fall short.
Sources: Qur'an 4:11, 4:12, 4:176; hadith "give the shares to those entitled, what remains to
the nearest male" (Bukhari 6732); the consensus rules of al-Sirājiyya.
"""

from __future__ import annotations

from fractions import Fraction

from agencies.inheritance.grandfather import grandfather_with_siblings
from agencies.inheritance.relations import SIBLINGS, Counts
from agencies.inheritance.result import Ledger

F = Fraction
SPOUSES = ("husband", "wife")
UTERINE = ("maternal_half_brother", "maternal_half_sister")
# Agnates after the siblings, nearest first (al-Sirājiyya, ʿaṣaba bi-nafsih).
CHAIN = (
    "full_brothers_son",
    "paternal_half_brothers_son",
    "full_paternal_uncle",
    "paternal_half_uncle",
    "full_paternal_uncles_son",
)


def _first(ledger: Ledger, keys: tuple[str, ...]) -> str | None:
    return next((k for k in keys if ledger.present(k)), None)


def compute_sunni(
    counts: Counts, *, hanafi: bool = False, full_sister_blocks: bool = False
) -> Ledger:
    """Shares under Sunni rules. ``hanafi``: Abu Hanifa's positions where the majority differs
    (grandfather excludes siblings; no sharing in al-mushtaraka). ``full_sister_blocks``: Iraq PSL
    art 89(4), the full sister excludes whom a full brother would."""
    led = Ledger(counts)
    gf_shares = _block(led, hanafi, full_sister_blocks)
    fixed = _fixed(led, gf_shares)
    if gf_shares:
        grandfather_with_siblings(led, fixed, full_sister_blocks)
        return led
    weights = _residuaries(led)
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
        led.give(residue, weights)
    elif residue > 0:
        _radd(led, fixed, residue)
    return led


def _block(led: Ledger, hanafi: bool, fsb: bool) -> bool:
    """Apply exclusion (ḥajb al-ḥirmān); return True when the grandfather shares with siblings."""
    c = led.counts
    if led.present("son"):  # nearer descendant excludes farther (consensus)
        led.exclude("sons_son", "blocked by son")
        led.exclude("sons_daughter", "blocked by son")
    elif c["daughter"] >= 2 and not led.present("sons_son"):  # daughters took the 2/3 (Sirājiyya)
        led.exclude("sons_daughter", "blocked by two or more daughters")
    if led.present("father"):  # father excludes his father and (majority) his mother
        led.exclude("paternal_grandfather", "blocked by father")
    if led.present("mother"):  # mother excludes every grandmother (consensus)
        led.exclude("paternal_grandmother", "blocked by mother")
        led.exclude("maternal_grandmother", "blocked by mother")
    elif led.present("father"):
        led.exclude("paternal_grandmother", "blocked by father (majority; Hanbali differ)")
    male_desc = ("son", "sons_son")
    female_desc = led.present("daughter") or led.present("sons_daughter")
    gf = led.present("paternal_grandfather")
    gf_shares = (
        gf
        and not hanafi
        and not _first(led, (*male_desc, "father"))
        and any(c[k] for k in SIBLINGS[:4])
    )
    # Full siblings: excluded by a male descendant and the father (Q 4:176, kalāla); by the
    # grandfather too for Abu Hanifa.
    blockers = (*male_desc, "father", *(("paternal_grandfather",) if hanafi else ()))
    for key in ("full_brother", "full_sister"):
        if b := _first(led, blockers):
            led.exclude(key, f"blocked by {b}")
    fs_asaba = led.present("full_sister") and not led.present("full_brother") and female_desc
    fs_blocks = fs_asaba or (fsb and led.present("full_sister"))
    half = (*blockers, "full_brother", *(("full_sister",) if fs_blocks else ()))
    for key in ("paternal_half_brother", "paternal_half_sister"):
        if b := _first(led, half):
            led.exclude(key, _reason(b, fsb and not fs_asaba, led))
    if (
        c["full_sister"] >= 2
        and not led.present("paternal_half_brother")
        and not gf_shares
        and not female_desc
    ):  # two full sisters exhaust the sisters' 2/3 (Sirājiyya)
        led.exclude("paternal_half_sister", "blocked by two or more full sisters")
    phs_asaba = (
        led.present("paternal_half_sister")
        and not led.present("paternal_half_brother")
        and female_desc
    )
    # Uterine siblings: excluded by any descendant and any male ascendant (Q 4:12, kalāla).
    uterine = (*male_desc, "daughter", "sons_daughter", "father", "paternal_grandfather")
    for key in ("maternal_half_brother", "maternal_half_sister"):
        if b := _first(led, uterine):
            led.exclude(key, f"blocked by {b}")
    # Farther agnates: excluded by every nearer agnate, and by a sister who is residuary with a
    # daughter (ʿaṣaba maʿa al-ghayr, Bukhari 6736) or, in Iraq, any full sister.
    nearer: tuple[str, ...] = (
        *male_desc,
        "father",
        "paternal_grandfather",
        "full_brother",
        "paternal_half_brother",
    )
    nearer += ("full_sister",) if fs_blocks else ()
    nearer += ("paternal_half_sister",) if phs_asaba else ()
    for key in CHAIN:
        if b := _first(led, nearer):
            led.exclude(key, _reason(b, fsb and not fs_asaba, led))
        nearer += (key,)
    return bool(gf_shares)


def _reason(blocker: str, by_statute: bool, led: Ledger) -> str:
    if blocker == "full_sister" and by_statute:  # Iraq PSL art 89(4)
        led.flag("iraq_art_89_4")
        return "blocked by full_sister (Iraq PSL art 89(4))"
    return f"blocked by {blocker}"


def _fixed(led: Ledger, gf_shares: bool) -> dict[str, Fraction]:
    """The Qur'anic and Sunna fixed shares (furūḍ) of the heirs not excluded."""
    c, p, fixed = led.counts, led.present, {}
    desc = any(p(k) for k in ("son", "daughter", "sons_son", "sons_daughter"))
    female_desc = p("daughter") or p("sons_daughter")
    if p("husband"):
        fixed["husband"] = F(1, 4) if desc else F(1, 2)  # Q 4:12
    if p("wife"):
        fixed["wife"] = F(1, 8) if desc else F(1, 4)  # Q 4:12, shared by the wives
    spouse = sum(fixed.values(), F(0))
    if p("father") and desc:
        fixed["father"] = F(1, 6)  # Q 4:11
    if p("paternal_grandfather") and desc and not gf_shares:
        fixed["paternal_grandfather"] = F(1, 6)  # grandfather in the father's place (consensus)
    if p("mother"):
        if desc or sum(c[k] for k in SIBLINGS) >= 2:
            fixed["mother"] = F(1, 6)  # Q 4:11, also when the siblings are themselves excluded
        elif p("father") and spouse:
            led.flag("umariyya")  # al-ʿumariyyatān: a third of what the spouse leaves (Umar)
            fixed["mother"] = (1 - spouse) / 3
        else:
            fixed["mother"] = F(1, 3)  # Q 4:11
    grandmothers = [k for k in ("paternal_grandmother", "maternal_grandmother") if p(k)]
    for key in grandmothers:  # one sixth shared by the grandmothers (Abu Dawud 2894)
        fixed[key] = F(1, 6) / len(grandmothers)
    if p("daughter") and not p("son"):
        fixed["daughter"] = F(1, 2) if c["daughter"] == 1 else F(2, 3)  # Q 4:11
    if p("sons_daughter") and not p("sons_son"):
        if not p("daughter"):
            fixed["sons_daughter"] = F(1, 2) if c["sons_daughter"] == 1 else F(2, 3)
        else:
            fixed["sons_daughter"] = F(1, 6)  # completing two thirds (Bukhari 6736)
    if not female_desc and not gf_shares:
        if p("full_sister") and not p("full_brother"):
            fixed["full_sister"] = F(1, 2) if c["full_sister"] == 1 else F(2, 3)  # Q 4:176
        if p("paternal_half_sister") and not p("paternal_half_brother"):
            if not p("full_sister"):
                one = c["paternal_half_sister"] == 1
                fixed["paternal_half_sister"] = F(1, 2) if one else F(2, 3)  # Q 4:176
            else:
                fixed["paternal_half_sister"] = F(1, 6)  # completing two thirds (consensus)
    uterine = led.n("maternal_half_brother") + led.n("maternal_half_sister")
    if uterine:  # Q 4:12: one sixth for one, a third shared equally by two or more
        pool = F(1, 6) if uterine == 1 else F(1, 3)
        for key in ("maternal_half_brother", "maternal_half_sister"):
            if p(key):
                fixed[key] = pool * c[key] / uterine
    return fixed


def _residuaries(led: Ledger) -> dict[str, int]:
    """Weights of the residuary group (nearest ʿaṣaba first; males take twice, Q 4:11, 4:176)."""
    p = led.present
    female_desc = p("daughter") or p("sons_daughter")
    groups: list[tuple[bool, dict[str, int]]] = [
        (p("son"), {"son": 2, "daughter": 1}),
        (p("sons_son"), {"sons_son": 2, "sons_daughter": 1}),
        (p("father"), {"father": 1}),
        (p("paternal_grandfather"), {"paternal_grandfather": 1}),
        (p("full_brother"), {"full_brother": 2, "full_sister": 1}),
        (p("full_sister") and female_desc, {"full_sister": 1}),  # with daughters (Bukhari 6736)
        (p("paternal_half_brother"), {"paternal_half_brother": 2, "paternal_half_sister": 1}),
        (p("paternal_half_sister") and female_desc, {"paternal_half_sister": 1}),
        *((p(k), {k: 1}) for k in CHAIN),
    ]
    return next((w for ok, w in groups if ok), {})


def _radd(led: Ledger, fixed: dict[str, Fraction], residue: Fraction) -> None:
    """Return the surplus to the sharers in proportion, never to a spouse (radd; Hanafi and
    Hanbali, later Shafi'i and Maliki); with only a spouse it goes to the treasury."""
    others = {k: v for k, v in fixed.items() if k not in SPOUSES}
    if not others:
        led.treasury = residue
        led.flag("treasury_subject_to_unlisted_relatives")
        return
    led.flag("radd")
    total = sum(others.values(), F(0))
    for key, share in others.items():
        led.shares[key] += residue * share / total
