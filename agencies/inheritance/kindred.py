"""Sunni distant kindred (ذوو الأرحام), by the Hanafi method of kinship (ahl al-qaraba), after
al-Sirajiyya, bab dhawi al-arham. They inherit when no sharer or agnate but a spouse survives.

Four classes, the first with anyone present taking all: (1) descendants through a female;
(2) false grandparents; (3) the siblings' descendants who are not heirs; (4) the aunts and uncles
who are not agnates, the maternal ones, and their children. Within a class: the nearest degree;
then the child of an heir (class 1), the one who connects through an heir (class 2), the child of
an agnate (classes 3, 4); in class 4 the stronger tie; the father's side two thirds and the
mother's one third (classes 2, 4); and at last Muhammad's division: at the first generation where
the lines differ, each root takes by its sex (the male twice the female) counted once for every
claimant below it, then the same below (the fatwa; Abu Yusuf divides by the claimants' own sex).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from agencies.inheritance.kin import KIN, Kin, M, agnatic, true_ascendant
from agencies.inheritance.result import Ledger

F = Fraction
_STRENGTH = {"full": 0, "paternal": 1, "maternal": 2}


def _weight(sex: str) -> int:
    return 2 if sex == M else 1


def muhammad(amount: Fraction, items: Sequence[tuple[str, tuple[str, ...], int]],
             start: int = 0) -> dict[str, Fraction]:
    """Muhammad's division of ``amount`` among claimants ``(key, path, count)`` whose paths
    (sexes from the root down to the claimant) have equal length, from position ``start``."""
    length = len(items[0][1])
    diff = next((i for i in range(start, length - 1)
                 if len({path[i] for _, path, _ in items}) > 1), None)
    if diff is None:  # no difference above the claimants: by their own sex
        total = sum(_weight(path[-1]) * n for _, path, n in items)
        return {key: amount * _weight(path[-1]) * n / total for key, path, n in items}
    groups: dict[str, list[tuple[str, tuple[str, ...], int]]] = {}
    for item in items:
        groups.setdefault(item[1][diff], []).append(item)
    total = sum(_weight(sex) * sum(n for _, _, n in g) for sex, g in groups.items())
    out: dict[str, Fraction] = {}
    for sex, group in groups.items():
        part = amount * _weight(sex) * sum(n for _, _, n in group) / total
        out.update(muhammad(part, group, diff + 1))
    return out


def _class(kin: Kin) -> int:
    if kin.line == "desc":
        return 1
    if kin.line == "asc":
        return 2
    return 3 if not kin.up else 4


def _nearest(kins: list[Kin]) -> list[Kin]:
    low = min(k.level for k in kins)
    return [k for k in kins if k.level == low]


def _prefer(kins: list[Kin], better: list[Kin]) -> list[Kin]:
    return better or kins


def _agnate(kin: Kin | None) -> bool:
    return kin is not None and kin.male and agnatic(kin)


def _items(led: Ledger, kins: list[Kin], path: str) -> list[tuple[str, tuple[str, ...], int]]:
    return [(k.key, getattr(k, path), led.counts[k.key]) for k in kins]


def _class1(led: Ledger, kins: list[Kin], amount: Fraction) -> dict[str, Fraction]:
    kins = _nearest(kins)
    kins = _prefer(kins, [k for k in kins if k.parent is not None and agnatic(k.parent)])
    return muhammad(amount, _items(led, kins, "down"))


def _by_side(kins: list[Kin], amount: Fraction) -> list[tuple[list[Kin], Fraction]]:
    """Father's side two thirds, mother's side one third, when both are present."""
    sides = {s: [k for k in kins if k.side == s] for s in (M, "F")}
    if sides[M] and sides["F"]:
        return [(sides[M], amount * 2 / 3), (sides["F"], amount / 3)]
    return [(kins, amount)]


def _class2(led: Ledger, kins: list[Kin], amount: Fraction) -> dict[str, Fraction]:
    kins = _nearest(kins)
    kins = _prefer(kins, [k for k in kins if k.parent is not None and true_ascendant(k.parent)])
    out: dict[str, Fraction] = {}
    for side, part in _by_side(kins, amount):
        out.update(muhammad(part, _items(led, side, "up"), 1))
    return out


def _class3(led: Ledger, kins: list[Kin], amount: Fraction) -> dict[str, Fraction]:
    from agencies.inheritance.relations import Counts, Family
    from agencies.inheritance.sunni import compute_sunni

    kins = _nearest(kins)
    agnate_children = [k for k in kins if _agnate(k.parent)]
    distant_children = [k for k in kins if k.parent is not None and k.parent.level > 1
                        and not _agnate(k.parent)]
    if agnate_children and distant_children:  # the child of an agnate first (al-Sirajiyya)
        kins = [k for k in kins if k not in distant_children]
    roots = Counts()
    for k in kins:  # each sibling counted once for every claimant below him (Muhammad)
        roots[k.root.key] = roots.get(k.root.key, 0) + led.counts[k.key]
    virtual = compute_sunni(Family(roots, None), hanafi=True)
    out: dict[str, Fraction] = {}
    for root, heads in roots.items():
        part = amount * virtual.shares.get(root, F(0))
        branch = [k for k in kins if k.root.key == root]
        if not part:
            continue
        if KIN[root].tie == "maternal":  # the uterine line shares equally
            out.update({k.key: part * led.counts[k.key] / heads for k in branch})
        else:
            out.update(muhammad(part, _items(led, branch, "down"), 1))
    return out


def _class4(led: Ledger, kins: list[Kin], amount: Fraction) -> dict[str, Fraction]:
    kins = _nearest(kins)
    out: dict[str, Fraction] = {}
    for side, part in _by_side(kins, amount):
        best = min(_STRENGTH[k.tie or "full"] for k in side)  # the stronger tie first
        side = [k for k in side if _STRENGTH[k.tie or "full"] == best]
        side = _prefer(side, [k for k in side if _agnate(k.parent)])
        out.update(muhammad(part, _items(led, side, "down")))
    return out


_DIVIDE = {1: _class1, 2: _class2, 3: _class3, 4: _class4}


def divide(led: Ledger, amount: Fraction, keys: Sequence[str]) -> None:
    """Give ``amount`` to the distant kindred among ``keys`` (Hanafi method) and exclude the
    rest of them, each with the reason."""
    led.cite("distant_kindred")
    led.flag("kindred_method_hanafi")
    kins = [KIN[k] for k in keys if led.present(k)]
    first = min(_class(k) for k in kins)
    members = [k for k in kins if _class(k) == first]
    got = {k: v for k, v in _DIVIDE[first](led, members, amount).items() if v}
    winner = next(iter(got))
    for k in kins:
        if k.key not in got:
            led.block(k.key, winner, "distant_kindred", " (distant kindred: nearer by class, "
                      "degree or tie)")
    for key, share in got.items():
        led.shares[key] = led.shares.get(key, F(0)) + share
