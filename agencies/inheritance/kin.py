"""The relation vocabulary, generated from one shape: how a relative is reached from the deceased.

A relative is ``Kin(line, up, tie, down)``:

- ``line="spouse"``: ``husband`` / ``wife``.
- ``line="desc"``: a descendant; ``down`` is the sex of each generation going down, the last
  being the relative (``("M", "F")`` is ``sons_daughter``).
- ``line="asc"``: an ascendant; ``up`` is the sex of each generation going up
  (``("F", "M")`` is ``maternal_grandfather``, ``("M", "M", "F")`` is
  ``paternal_grandfathers_mother``).
- ``line="coll"``: a collateral. ``up`` leads to the person whose sibling starts the line (empty:
  the deceased; ``("M",)``: the father; ``("F",)``: the mother; ``("M", "M")``: the father's
  father); ``tie`` says how that sibling shares their parents (``full``, ``paternal``
  (consanguine) or ``maternal`` (uterine)); ``down`` is the sibling and their descendants.

Depth supported (every key is listed by ``RELATIONS``): descendants and ascendants to the third
generation; siblings, their children and grandchildren; the parents' siblings (every tie, both
sides) and their children; the paternal uncles' sons' sons; the father's full and consanguine
paternal uncles, their sons and sons' sons.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Literal

Sex = Literal["male", "female"]
Line = Literal["spouse", "desc", "asc", "coll"]
Tie = Literal["full", "paternal", "maternal"]
M, F = "M", "F"
TIES: tuple[Tie, ...] = ("full", "paternal", "maternal")
DEPTH = 3  # generations of descendants and ascendants


@dataclass(frozen=True)
class Kin:
    key: str
    line: Line
    up: tuple[str, ...] = ()
    tie: Tie | None = None
    down: tuple[str, ...] = ()

    @property
    def male(self) -> bool:
        if self.line == "spouse":
            return self.key == "husband"
        path = self.down or self.up
        return path[-1] == M

    @property
    def sex(self) -> Sex:
        return "male" if self.male else "female"

    @property
    def level(self) -> int:
        """Generations from the deceased (desc, asc) or below the sibling (coll, 1 = sibling)."""
        return len(self.up) if self.line == "asc" else len(self.down)

    @property
    def side(self) -> str | None:
        """``M`` (father's side) or ``F`` (mother's side) for ascendants and parents' kin."""
        return self.up[0] if self.up else None

    @property
    def parent(self) -> Kin | None:
        """The relative through whom this one is reached (None for spouses, parents, siblings)."""
        if self.line == "desc" and len(self.down) > 1:
            return BY_PATH.get(("desc", (), None, self.down[:-1]))
        if self.line == "asc" and len(self.up) > 1:
            return BY_PATH.get(("asc", self.up[:-1], None, ()))
        if self.line == "coll" and len(self.down) > 1:
            return BY_PATH.get(("coll", self.up, self.tie, self.down[:-1]))
        return None

    @property
    def root(self) -> Kin:
        """The sibling (coll), the child (desc) or the parent (asc) the line starts from."""
        node = self
        while node.parent is not None:
            node = node.parent
        return node


def _noun(sex: str) -> str:
    return "son" if sex == M else "daughter"


def _desc_name(down: tuple[str, ...]) -> str:
    return "_".join(_noun(s) + "s" for s in down[:-1]) + ("_" if len(down) > 1 else "") + _noun(
        down[-1])


def _asc_name(up: tuple[str, ...]) -> str:
    if len(up) == 1:
        return "father" if up[0] == M else "mother"
    side = "paternal" if up[0] == M else "maternal"
    base = f"{side}_grand{'father' if up[1] == M else 'mother'}"
    for s in up[2:]:
        base += "s_" + ("father" if s == M else "mother")
    return base


_SIBLING = {"full": "full_", "paternal": "paternal_half_", "maternal": "maternal_half_"}
_PARENTS_SIBLING = {
    ("M", "full"): "full_paternal_", ("M", "paternal"): "paternal_half_",
    ("M", "maternal"): "maternal_half_paternal_", ("F", "full"): "full_maternal_",
    ("F", "paternal"): "paternal_half_maternal_", ("F", "maternal"): "maternal_half_maternal_",
}


def _coll_name(up: tuple[str, ...], tie: Tie, down: tuple[str, ...]) -> str:
    if not up:
        head = _SIBLING[tie] + ("brother" if down[0] == M else "sister")
    elif len(up) == 1:
        head = _PARENTS_SIBLING[(up[0], tie)] + ("uncle" if down[0] == M else "aunt")
        if (up[0], tie) == ("M", "paternal"):
            head = "paternal_half_" + ("uncle" if down[0] == M else "aunt")
    else:
        head = "fathers_" + _PARENTS_SIBLING[("M", tie)] + "uncle"
    if len(down) == 1:
        return head
    return head + "s_" + _desc_name(down[1:])


def _generate() -> list[Kin]:
    out = [Kin("husband", "spouse"), Kin("wife", "spouse")]
    for n in range(1, DEPTH + 1):
        out += [Kin(_desc_name(p), "desc", down=p) for p in product((M, F), repeat=n)]
    for n in range(1, DEPTH + 1):
        out += [Kin(_asc_name(p), "asc", up=p) for p in product((M, F), repeat=n)]
    for tie in TIES:  # siblings, their children and grandchildren
        for n in range(1, 4):
            out += [Kin(_coll_name((), tie, p), "coll", (), tie, p)
                    for p in product((M, F), repeat=n)]
    for side, tie in product((M, F), TIES):  # parents' siblings and their children
        for n in range(1, 3):
            out += [Kin(_coll_name((side,), tie, p), "coll", (side,), tie, p)
                    for p in product((M, F), repeat=n)]
    for tie in ("full", "paternal"):  # the paternal uncles' sons' sons (agnates)
        out.append(Kin(_coll_name((M,), tie, (M, M, M)), "coll", (M,), tie, (M, M, M)))
    for tie in ("full", "paternal"):  # the father's paternal uncles and their agnatic line
        for n in range(1, 4):
            out.append(Kin(_coll_name((M, M), tie, (M,) * n), "coll", (M, M), tie, (M,) * n))
    return out


KINS: tuple[Kin, ...] = tuple(_generate())
KIN: dict[str, Kin] = {k.key: k for k in KINS}
BY_PATH: dict[tuple[object, ...], Kin] = {(k.line, k.up, k.tie, k.down): k for k in KINS}
assert len(KIN) == len(KINS), "relation keys must be unique"


def find(line: Line, up: tuple[str, ...] = (), tie: Tie | None = None,
         down: tuple[str, ...] = ()) -> Kin | None:
    """The vocabulary's relative of that shape, or None when it is beyond the supported depth."""
    return BY_PATH.get((line, up, tie, down))


def child_key(parent: str, sex: str) -> str | None:
    """The key of a child (``M``/``F``) of a relative ``parent`` (None: beyond the depth)."""
    kin = KIN[parent]
    if kin.line == "desc":
        found = find("desc", down=(*kin.down, sex))
    elif kin.line == "coll":
        found = find("coll", kin.up, kin.tie, (*kin.down, sex))
    else:
        found = None
    return found.key if found else None


# ---- heir types shared by the rule sets -------------------------------------------------------

def agnatic(kin: Kin) -> bool:
    """Every link between the deceased and ``kin`` is male (the relative may be female)."""
    if kin.line == "desc":
        return all(s == M for s in kin.down[:-1])
    if kin.line == "asc":
        return all(s == M for s in kin.up[:-1])
    if kin.line == "coll":
        return (all(s == M for s in kin.up) and kin.tie != "maternal"
                and all(s == M for s in kin.down[:-1]))
    return False


def true_ascendant(kin: Kin) -> bool:
    """A parent, a true grandfather (all links male) or a true grandmother (no male above a
    female in the path: ``M* F*``)."""
    if kin.line != "asc":
        return False
    seen_female = False
    for s in kin.up:
        if s == F:
            seen_female = True
        elif seen_female:
            return False
    return True
