"""PSL art 74 (as amended by Law 72/1979): the obligatory bequest (الوصية الواجبة).

"If a child, male or female, dies before his father or mother, he is deemed alive at the death
of either of them, and what he would have inherited passes to his children, male or female,
according to the sharia rules, as an obligatory bequest, not exceeding one third of the estate"
(74(1)); it comes before every other bequest (74(2)) and, being a bequest, before the heirs
(art 87). Computed here: the heirs' own division; then the estate as if each predeceased child
whose children do not inherit in their own right were alive; each such child's share, the whole
capped at one third, passes to the children 2:1; the rest is divided among the heirs as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

from agencies.inheritance.relations import Counts, Family
from agencies.inheritance.result import Bequest, ShareResult

F = Fraction
CHILDREN = ("son", "daughter")


def with_bequests(family: Family, compute: Callable[[Family], ShareResult]) -> ShareResult:
    """The result of ``compute`` with the obligatory bequests of ``family.stocks`` taken first."""
    actual = compute(family)
    stocks = [s for s in family.stocks if s.parent in CHILDREN]
    if not stocks:
        return actual
    own = [s for s in stocks
           if any(actual.heirs.get(k) and actual.heirs[k].share for k in s.members())]
    due = [s for s in stocks if not any(s is o for o in own)]
    cited = list(actual.sources)
    if own:
        cited.append("art_74_heir_in_own_right")
    if not due:
        return replace(actual, sources=tuple(dict.fromkeys(cited)))
    counts = Counts(family.counts)
    for stock in due:  # the child deemed alive; their children stand behind them
        counts[stock.parent] = counts.get(stock.parent, 0) + 1
        for key, n in stock.members().items():
            counts[key] -= n
            if not counts[key]:
                del counts[key]
    alive = compute(Family(counts, family.sex,
                           [s for s in family.stocks if not any(s is d for d in due)]))
    each = [alive.heirs[s.parent].per_head for s in due]
    total = sum(each, F(0))
    cited.append("art_74")
    scale = F(1)
    if total > F(1, 3):
        scale = F(1, 3) / total
        cited.append("art_74_capped")
    bequests = tuple(Bequest(s.parent, s.sons, s.daughters, e, e * scale)
                     for s, e in zip(due, each, strict=True))
    rest = 1 - sum((b.share for b in bequests), F(0))
    heirs = {k: replace(h, share=h.share * rest) for k, h in actual.heirs.items()}
    stocks_out = tuple(replace(s, share=s.share * rest,
                               members={k: v * rest for k, v in s.members.items()})
                       for s in actual.stocks)
    excluded, excluded_ar = dict(actual.excluded), dict(actual.excluded_ar)
    for stock in due:
        for key in stock.members():
            if key in excluded:
                excluded[key] += " (takes the obligatory bequest, PSL art 74)"
                excluded_ar[key] += " (يأخذ الوصية الواجبة، م 74)"
    flags = (*actual.flags, *(("art_74_capped",) if scale != 1 else ()))
    return replace(actual, heirs=heirs, excluded=excluded, excluded_ar=excluded_ar,
                   treasury=None if actual.treasury is None else actual.treasury * rest,
                   stocks=stocks_out, bequests=bequests, flags=flags,
                   sources=tuple(dict.fromkeys(cited)))
