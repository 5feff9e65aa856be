"""The identity decision for a packet, from the posterior that it belongs to someone on file.

Prior: a packet is a re-enrollment of someone already on file (a person, or a packet held for
review) with probability ``rate`` (a stated re-enrollment rate per packet kind, rows
``posterior.reenrollment_rate*``); if so, each of the ``population`` records on file is equally
likely. The evidence for candidate *i* is its likelihood ratio ``exp(llr_i)`` (calibrated
biometric LLRs summed over modalities, plus the demographic LLR where demographics agree), so

    odds(i) = rate / (1 - rate) / population * exp(llr_i)

and the records the search did not return add ``rate / (1 - rate) * (miss + unseen)``:
``miss`` is the probability that the search loses a mate (``posterior.search_miss_rate``), and
when the search's shortlist was full the records beyond it are bounded by the weakest
shortlisted one: ``unseen = (population - shortlisted) / population * exp(llr_weakest)``. (On a
national gallery this is what keeps weak evidence — a face alone, two fingers — from ever
minting an ID: thousands of strangers resemble it nearly as much.) Then

    P(existing) = sum(odds) / (1 + sum(odds)),   P(i) = odds(i) / (1 + sum(odds)).

The packet is **issued** a new ID only when ``P(existing) < posterior.issue_max``; it is
**matched** to a person only when that person's posterior *from the biometrics alone* reaches
``posterior.match_min`` (demographics can raise suspicion, never make a match, and never lower
the evidence: a station controls what it types); otherwise it goes to **review**. A candidate's
band says what it alone would do: ``match`` at ``match_min``, ``review`` when it alone keeps
the packet from being issued, else ``no_match``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matching import thresholds

ISSUE, MATCH, REVIEW, NO_MATCH = "issue", "match", "review", "no_match"


@dataclass(frozen=True)
class Prior:
    """``population``: records on file a re-enrollment could be of; ``rate``: P(re-enrollment)."""

    population: int
    rate: float


@dataclass(frozen=True)
class Evidence:
    """One candidate: ``biometric_llr`` (fused calibrated LLR), ``demographic_llr`` (the
    demographic LLR; only its positive part counts unless ``demographics_decide``: a birth
    registration, where the typed record is the only evidence there is), ``identical`` (a
    template on file is near-identical to the packet's: the same capture sent again),
    ``decidable`` (a person with an ID, not a packet still held)."""

    biometric_llr: float
    demographic_llr: float = 0.0
    identical: bool = False
    decidable: bool = True
    demographics_decide: bool = False

    @property
    def llr(self) -> float:
        demo = self.demographic_llr if self.demographics_decide else max(0.0,
                                                                         self.demographic_llr)
        return self.biometric_llr + demo


@dataclass(frozen=True)
class Verdict:
    """``decision``: issue, match or review; ``best``: index of the most probable candidate;
    ``p_existing``: P(the packet is someone on file); ``posteriors``: P(candidate i) with
    demographics; ``bands``: each candidate's band."""

    decision: str
    best: int | None
    p_existing: float
    posteriors: tuple[float, ...]
    bands: tuple[str, ...]


def _log_prior(prior: Prior) -> float:
    if not 0.0 < prior.rate < 1.0:
        raise ValueError(f"re-enrollment rate must be in (0, 1), got {prior.rate}")
    return math.log(prior.rate / (1 - prior.rate)) - math.log(max(1, prior.population))


def _posteriors(log_odds: Sequence[float], log_floor: float) -> tuple[float, list[float]]:
    """P(existing) and P(i) from per-candidate log odds and the unseen records' log odds."""
    top = max([log_floor, *log_odds])
    scaled = [math.exp(lo - top) for lo in log_odds]
    total = sum(scaled) + math.exp(log_floor - top)
    # odds / (1 + odds) in scaled space (no overflow at LLRs of hundreds): the 1 is e^-top.
    denom = (math.exp(-top) if top > -700 else math.inf) + total
    return total / denom, [s / denom for s in scaled]


def _log_floor(prior: Prior, seen: int, unseen_llr: float | None) -> float:
    """log odds of the records the search did not return (see the module docstring)."""
    terms = [math.log(thresholds.value("posterior.search_miss_rate"))]
    rest = max(0, prior.population - seen)
    if unseen_llr is not None and rest:
        terms.append(math.log(rest / max(1, prior.population)) + unseen_llr)
    top = max(terms)
    return (math.log(prior.rate / (1 - prior.rate)) + top
            + math.log(sum(math.exp(x - top) for x in terms)))


def decide(evidence: Sequence[Evidence], prior: Prior, *,
           unseen_llr: float | None = None) -> Verdict:
    """The decision for a packet whose search returned ``evidence`` (any order).
    ``unseen_llr``: the biometric LLR of the weakest shortlisted candidate when the shortlist
    was full (the bound for every record not returned), None when every record was seen."""
    v = thresholds.value
    issue_max, match_min = v("posterior.issue_max"), v("posterior.match_min")
    base = _log_prior(prior)
    log_floor = _log_floor(prior, len(evidence), unseen_llr)
    # An identical template is the same capture: decisive whatever the calibration says.
    sure = v("posterior.identical_llr")
    full = [base + (max(e.llr, sure) if e.identical else e.llr) for e in evidence]
    bio = [base + (max(e.biometric_llr, sure) if e.identical else e.biometric_llr)
           for e in evidence]
    p_existing, post = _posteriors(full, log_floor)
    _, post_bio = _posteriors(bio, log_floor)
    bands = []
    for e, lo_bio, p in zip(evidence, bio, post, strict=True):
        alone = _posteriors([base + e.llr], log_floor)[0]
        alone_bio = _posteriors([lo_bio], log_floor)[1][0]
        bands.append(MATCH if alone_bio >= match_min and e.decidable
                     else REVIEW if alone >= issue_max or p >= issue_max else NO_MATCH)
    best = max(range(len(evidence)), key=lambda i: post[i]) if evidence else None
    if best is not None and evidence[best].decidable and post_bio[best] >= match_min:
        decision = MATCH
    elif p_existing < issue_max:
        decision = ISSUE
    else:
        decision = REVIEW
    return Verdict(decision, best, p_existing, tuple(post), tuple(bands))


def llr_bounds(prior: Prior) -> tuple[float, float]:
    """(review, match): the LLR from which one candidate alone keeps a packet from being issued,
    and the biometric LLR from which it alone is matched (the unseen-records term ignored).
    For reports and benches; decisions go through ``decide``."""
    v = thresholds.value
    base = _log_prior(prior)
    issue, match = v("posterior.issue_max"), v("posterior.match_min")
    return (math.log(issue / (1 - issue)) - base, math.log(match / (1 - match)) - base)
