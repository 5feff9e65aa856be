"""Representation (Ja'fari): relatives who inherit through a dead relative take that relative's
share, divided per stock. The claimants of one level are arranged as a tree of the persons they
are reached through; a stock named by the caller (``relations.Stock``) is one person, and the
claimants no stock names are taken to descend from one person per relation (flagged)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from agencies.inheritance.kin import Kin, find
from agencies.inheritance.result import Ledger, StockShare


@dataclass
class Node:
    """A relative the claimants are reached through (or, at the bottom, the claimants)."""

    key: str
    male: bool
    heads: int  # claimants in a leaf; 1 for a person they are reached through
    children: list[Node] = field(default_factory=list)

    def leaves(self) -> int:
        return self.heads if not self.children else sum(c.leaves() for c in self.children)


def _prefix(kin: Kin, depth: int) -> Kin:
    if kin.line == "desc":
        found = find("desc", down=kin.down[:depth + 1])
    else:
        found = find("coll", kin.up, kin.tie, kin.down[:depth + 1])
    assert found is not None
    return found


def tree(led: Ledger, kins: list[Kin], depth: int = 0) -> list[Node]:
    """Nodes at ``depth`` generations below the start of the line, for claimants of one level."""
    groups: dict[str, list[Kin]] = {}
    for k in kins:
        groups.setdefault(_prefix(k, depth).key, []).append(k)
    nodes: list[Node] = []
    for key, group in groups.items():
        here = _prefix(group[0], depth)
        if len(here.down) == len(group[0].down):  # the claimants themselves
            nodes.append(Node(key, here.male, led.counts[key]))
            continue
        left = {k.key: led.counts[k.key] for k in group}
        stocks = led.family.stocks if led.family else []
        for stock in stocks:
            members = stock.members()
            if stock.parent == key and set(members) <= set(left):
                nodes.append(Node(key, here.male, 1, [Node(m, _male(m), n)
                                                      for m, n in members.items()]))
                for m, n in members.items():
                    left[m] -= n
        rest = [k for k in group if left[k.key] > 0]
        if rest:
            saved = {k.key: led.counts[k.key] for k in rest}
            for k in rest:
                led.counts[k.key] = left[k.key]
            node = Node(key, here.male, 1, tree(led, rest, depth + 1))
            led.counts.update(saved)
            if node.leaves() > 1:
                led.flag("assumed_single_stock")
            nodes.append(node)
    return nodes


def _male(key: str) -> bool:
    from agencies.inheritance.kin import KIN

    return KIN[key].male


def weight(node: Node, equal: bool) -> Fraction:
    return Fraction(node.heads * (1 if equal or not node.male else 2))


def pass_down(node: Node, amount: Fraction, equal: bool, out: dict[str, Fraction]) -> None:
    """Divide ``amount`` below ``node``: males twice females unless ``equal``."""
    if not node.children:
        out[node.key] = out.get(node.key, Fraction(0)) + amount
        return
    total = sum(weight(c, equal) for c in node.children)
    for child in node.children:
        pass_down(child, amount * weight(child, equal) / total, equal, out)


def settle(led: Ledger, nodes: list[tuple[Node, Fraction, bool]]) -> None:
    """Give each top node's share (``(node, share, equal)``) to its claimants; a node that
    stands for a dead relative is recorded as a stock."""
    led.cite("jafari_representation") if any(n.children for n, _, _ in nodes) else None
    for node, share, equal in nodes:
        out: dict[str, Fraction] = {}
        pass_down(node, share, equal, out)
        for key, value in out.items():
            led.shares[key] = led.shares.get(key, Fraction(0)) + value
        if node.children:
            counts = {k: sum(leaf.heads for leaf in _leaf_nodes(node) if leaf.key == k)
                      for k in out}
            led.stocks.append(StockShare(node.key, share, out, counts))


def _leaf_nodes(node: Node) -> list[Node]:
    if not node.children:
        return [node]
    return [leaf for c in node.children for leaf in _leaf_nodes(c)]
