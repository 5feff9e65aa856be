"""Arabic names of the relation keys, as a deed writes them (``label_ar("sons_daughter")`` is
``"بنت الابن"``), generated from the same shape as the keys (``kin.Kin``)."""

from __future__ import annotations

from functools import cache

from agencies.inheritance.kin import KIN, Kin, M

_CHILD = {M: "ابن", "F": "بنت"}
_TIE_SIB = {("full", M): "شقيق", ("full", "F"): "شقيقة", ("paternal", M): "لأب",
            ("paternal", "F"): "لأب", ("maternal", M): "لأم", ("maternal", "F"): "لأم"}


def _of(chain: list[str]) -> str:
    """``["ابن", "الأخ الشقيق"]`` -> ``"ابن الأخ الشقيق"``: nouns in construct, the last one
    definite."""
    return " ".join(chain)


def _definite(word: str) -> str:
    head, _, rest = word.partition(" ")
    head = "ال" + head
    if rest:  # the adjective agrees: "الأخ الشقيق", "العم لأب"
        rest = " ".join(("ال" + w) if w in ("شقيق", "شقيقة") else w for w in rest.split())
        return f"{head} {rest}"
    return head


def _desc(down: tuple[str, ...]) -> str:
    if len(down) == 1:
        return _CHILD[down[0]]
    return _of([_CHILD[down[-1]], _genitive_desc(down[:-1])])


def _genitive_desc(down: tuple[str, ...]) -> str:
    if len(down) == 1:
        return _definite(_CHILD[down[0]])
    return _desc(down)


def _asc(up: tuple[str, ...]) -> str:
    names = {M: "أب", "F": "أم"}
    if len(up) == 1:
        return names[up[0]]
    return _of([{M: "أبو", "F": "أم"}[up[-1]], _genitive_asc(up[:-1])])


def _genitive_asc(up: tuple[str, ...]) -> str:
    if len(up) == 1:
        return _definite({M: "أب", "F": "أم"}[up[0]])
    return _of([{M: "أبي", "F": "أم"}[up[-1]], _genitive_asc(up[:-1])])


def _coll_head(kin: Kin) -> str:
    first = kin.down[0]
    tie = _TIE_SIB[(kin.tie or "full", first)]
    if not kin.up:
        noun = "أخ" if first == M else "أخت"
    elif len(kin.up) == 1:
        if kin.up[0] == M:
            noun = "عم" if first == M else "عمة"
        else:
            noun = "خال" if first == M else "خالة"
    else:
        return "عم الأب " + ("الشقيق" if kin.tie == "full" else "لأب")
    return f"{noun} {tie}"


def _coll(kin: Kin) -> str:
    head = _coll_head(kin)
    if len(kin.down) == 1:
        return head
    chain = [_CHILD[s] for s in reversed(kin.down[1:])]
    return _of([*chain, head if kin.up[:2] == (M, M) else _definite(head)])


@cache
def label_ar(key: str) -> str:
    """The Arabic name of a relation key (the key itself when unknown)."""
    kin = KIN.get(key)
    if kin is None:
        return key
    if kin.line == "spouse":
        return "زوج" if key == "husband" else "زوجة"
    if kin.line == "desc":
        return _desc(kin.down)
    if kin.line == "asc":
        return _asc(kin.up)
    return _coll(kin)
