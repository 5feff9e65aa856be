"""1:N search of a packet against the gallery: index proposals, 1:1 re-scoring, fusion.

The indexes propose template ids; their owners — persons, and packets still held for review
(a held packet is somebody too: a second packet of the same person must not get an ID while the
first waits) — are re-scored 1:1 against every current template they hold (face L2 distance,
LSS-R per finger position) and fused into one biometric LLR.

A search has two halves, so that several deciders can search at once and still commit one
after another (``enrollment.decider``):

- ``look_ahead`` (outside the decision lock): the index proposals and the 1:1 re-scoring
  against a view of the gallery (every gallery template up to a high-water id H is indexed);
- ``recheck`` (inside the decision, under the lock): the gallery templates committed since the
  view (ids above H: template rows are only inserted by serialised decisions, so ids follow
  commit order) are re-scored too, the owners of everything found are resolved again (a held
  packet decided meanwhile, templates that left the gallery), and only owners whose comparable
  templates changed are re-scored. Nothing committed before the lock is missed.

Run under the lock with no search ahead, both halves run there and the delta is empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from identity.biometrics import gallery as galleries
from identity.biometrics import templates
from identity.biometrics.gallery import GalleryEngine
from identity.biometrics.probes import Probe
from matching import proposals, rescore, thresholds
from matching.demographic import DemographicEvidence
from matching.fusion import FusedScore, fuse

PERSON, HELD = "person", "held"
Owner = tuple[str, int]  # (PERSON, person id) or (HELD, enrollment id)


@dataclass
class Candidate:
    """A person (``person_id``) or a held packet (``held_enrollment_id``) and its evidence:
    the fused biometric score, and (filled by the decision) the demographic evidence, whether a
    template is near-identical to the packet's, the posterior and the band."""

    person_id: int | None
    fused: FusedScore
    face_distance: float | None
    finger_scores: dict[int, float] = field(default_factory=dict)
    held_enrollment_id: int | None = None
    demographic: DemographicEvidence | None = None
    identical: bool = False
    posterior: float = 0.0
    band: str = "no_match"

    @property
    def llr(self) -> float:
        """The fused biometric LLR (face + fingers)."""
        return self.fused.llr

    @property
    def demographic_llr(self) -> float:
        return 0.0 if self.demographic is None else self.demographic.llr

    @property
    def owner(self) -> Owner:
        if self.person_id is not None:
            return (PERSON, self.person_id)
        return (HELD, int(self.held_enrollment_id or 0))


def _owners(session: Session, tids: list[int]) -> dict[int, Owner]:
    out: dict[int, Owner] = {}
    for tid, pid, eid, status in templates.owners(session, tids):
        if pid is not None:
            out[tid] = (PERSON, pid)
        elif status == "review":
            out[tid] = (HELD, eid)
    return out


@dataclass
class Ahead:
    """A search against a view of the gallery: its high-water template id, the index's
    proposals (template id -> weight) and each shortlisted owner's candidate with the ids of
    the templates it was scored on."""

    high_water: int
    weights: dict[int, float]
    scored: dict[Owner, tuple[tuple[int, ...], Candidate]]


_AHEAD: ContextVar[dict[int, Ahead] | None] = ContextVar("hawiya_search_ahead", default=None)


@contextmanager
def searched_ahead(probe: Probe | None, ahead: Ahead | None) -> Iterator[None]:
    """While the decision runs, ``search`` of ``probe`` starts from ``ahead``."""
    token = _AHEAD.set({id(probe): ahead} if probe is not None and ahead is not None else None)
    try:
        yield
    finally:
        _AHEAD.reset(token)


def _comparable(session: Session, owners: Sequence[Owner],
                probe: Probe) -> dict[Owner, tuple[int, ...]]:
    persons, held = templates.comparable_ids(
        session, [i for k, i in owners if k == PERSON], [i for k, i in owners if k == HELD],
        face=probe.face is not None, positions=probe.finger_templates.keys())
    out: dict[Owner, tuple[int, ...]] = {(PERSON, k): v for k, v in persons.items()}
    out.update({(HELD, k): v for k, v in held.items()})
    return out


def _resolve(session: Session, tids: list[int],
             exclude_enrollment: int | None) -> dict[int, Owner]:
    return {t: o for t, o in _owners(session, tids).items() if o != (HELD, exclude_enrollment)}


def look_ahead(session: Session, gallery: GalleryEngine, probe: Probe,
               exclude_enrollment: int | None = None, *, release: bool = False) -> Ahead:
    """Proposals and 1:1 scores against the gallery's current view (no lock needed).
    ``release``: outside a decision, end each read transaction as soon as it has read."""
    view = gallery.view(session)
    if release:
        session.rollback()
    weights = gallery.propose(view, probe.face_vector, probe.finger_templates)
    if not weights:
        return Ahead(view.high_water, {}, {})
    owner_of = _resolve(session, list(weights), exclude_enrollment)
    limit = int(thresholds.value("dedup.max_candidates"))
    short = proposals.shortlist(weights, lambda tids: {t: owner_of[t] for t in tids
                                                       if t in owner_of}, limit)
    ids = _comparable(session, short, probe)  # before the templates: a later row is re-scored
    found = rescore_owners(session, short, probe, gallery.pool, release=release)
    return Ahead(view.high_water, weights, {c.owner: (ids[c.owner], c) for c in found})


def recheck(session: Session, gallery: GalleryEngine, probe: Probe, ahead: Ahead,
            exclude_enrollment: int | None = None) -> list[Candidate]:
    """Under the decision lock: ``ahead``'s candidates brought up to date with every commit
    since its view, best fused LLR first (at most ``dedup.max_candidates``)."""
    fresh = galleries.delta(session, ahead.high_water)
    if not ahead.weights and not fresh:
        return []
    owner_of = _resolve(session, sorted(set(ahead.weights) | set(fresh)), exclude_enrollment)
    limit = int(thresholds.value("dedup.max_candidates"))
    proposed = {t: w for t, w in ahead.weights.items() if t in owner_of}
    wanted = list(proposals.shortlist(proposed, lambda tids: {t: owner_of[t] for t in tids},
                                      limit))
    wanted += sorted({owner_of[t] for t in fresh if t in owner_of} - set(wanted))
    ids = _comparable(session, wanted, probe)
    kept = {o: ahead.scored[o][1] for o in wanted
            if o in ahead.scored and ahead.scored[o][0] == ids[o]}
    redo = [o for o in wanted if o not in kept]
    found = list(kept.values()) + rescore_owners(session, redo, probe, gallery.pool)
    return sorted(found, key=lambda c: (-c.llr, c.owner))[:limit]


def search(session: Session, gallery: GalleryEngine, probe: Probe,
           exclude_enrollment: int | None = None) -> list[Candidate]:
    """Ranked candidates (best fused LLR first) for a probe's templates; the held packet
    ``exclude_enrollment`` (the probe itself, searched again) is left out. Inside a decision
    whose search ran ahead (``searched_ahead``) only the commits since then are re-checked."""
    ahead = (_AHEAD.get() or {}).pop(id(probe), None)
    if ahead is None:
        ahead = look_ahead(session, gallery, probe, exclude_enrollment)
    return recheck(session, gallery, probe, ahead, exclude_enrollment)


def rescore_owners(session: Session, owners: Sequence[Owner], probe: Probe,
                   pool: Executor | None = None, *, release: bool = False) -> list[Candidate]:
    """Candidates for these owners, in the given order (1:1 re-scoring and fusion).
    ``release``: end the session's transaction once the templates are read (outside a
    decision: SQLite's lock is not held through the 1:1 comparisons)."""
    face, positions = probe.face is not None, probe.finger_templates.keys()
    persons = [i for kind, i in owners if kind == PERSON]
    held = [i for kind, i in owners if kind == HELD]
    stored = {(PERSON, k): v for k, v in
              templates.enrolled(session, persons, face=face, positions=positions).items()}
    stored.update({(HELD, k): v for k, v in
                   templates.held(session, held, face=face, positions=positions).items()})
    if release:
        session.rollback()
    keys = list(stored)
    evidence = rescore.rescore(probe.face_vector, probe.finger_templates,
                               {n: stored[k] for n, k in enumerate(keys)}, pool)
    by_owner = {k: evidence[n] for n, k in enumerate(keys)}
    out = []
    for kind, i in owners:
        ev = by_owner.get((kind, i))  # None: no template comparable with the probe's
        distance, scores = (None, {}) if ev is None else (ev.face_distance, ev.finger_scores)
        out.append(Candidate(i if kind == PERSON else None, fuse(distance, scores), distance,
                             scores, i if kind == HELD else None))
    return out


def rescore_person(session: Session, person_id: int, probe: Probe) -> Candidate:
    return rescore_owners(session, [(PERSON, person_id)], probe)[0]
