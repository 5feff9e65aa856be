"""An admin's decision on a duplicate case, applied and audited with the admin's identity.

- ``same``: the packet is the candidate. A held packet becomes a new encounter of the candidate
  (its templates join the candidate's gallery entries); every other candidate it matched at the
  match band gets a person-to-person case with that candidate, unless the two were judged
  distinct before (``DistinctPair``); when the packet's person already has an
  ID (a case between two issued persons), the two are merged: the candidate survives, the
  packet's ID becomes an alias. With ``merge_needs_two_admins`` a merge is first proposed and
  applied only when a different admin confirms the same decision.
- ``different``: a held packet gets a new national ID; every candidate is remembered as distinct
  from the packet's person (``DistinctPair``) so the pair is never raised again. Before the ID
  is issued the held packet is searched again: a person enrolled since the case opened (the
  same person's other packet, decided first) that now reaches the review band is added to the
  case and the decision is refused (409 ``case_changed``), so two open cases of one person
  cannot end with two IDs.
- ``fraud``: the packet is flagged, no ID is issued; the judged candidate is flagged too.

A candidate may be a packet still held for review: "same" with it is refused until its own case
is decided (409 ``candidate_held``); "different" is allowed (its later decision re-searches and
meets this packet's new person).

Decisions, unmerges and candidates added to a case all run through the decision unit
(``enrollment.decider.Decider.run``), as live enrollment and the import do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from enrollment import births, search
from enrollment.decider import Decider, Decision, Status
from enrollment.dedup import assess, candidate_row
from enrollment.names import demographic_differences
from enrollment.search import Candidate
from identity.access import journal
from identity.access.keys import Principal
from identity.biometrics import templates
from identity.platform.errors import Conflict, Invalid, NotFound
from identity.registry import merge, persons
from identity.registry.schemas import Demographics
from models.adjudication import CaseDecision
from models.base import utcnow
from models.dedup import DistinctPair, DuplicateCandidate, DuplicateCase
from models.enrollment import Enrollment, Template
from models.person import Person

REASONS: dict[str, tuple[str, ...]] = {
    "same": ("biometric_match", "same_documents", "name_spelling_variant", "other"),
    "different": ("different_biometrics", "twins_or_relatives", "different_demographics",
                  "other"),
    "fraud": ("identity_theft", "multiple_identities", "forged_documents", "other"),
}
UNMERGE_REASONS = ("merge_error", "court_order", "other")
MAX_NOTE = 2000


class CaseChanged(Exception):
    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__("new candidates")
        self.candidates = candidates


def check_reason(decision: str, reason_code: str, note: str) -> None:
    if decision not in REASONS:
        raise Invalid(f"decision must be one of {', '.join(REASONS)}", code="invalid_decision")
    if reason_code not in REASONS[decision]:
        raise Invalid(f"reason_code for {decision!r} must be one of "
                      f"{', '.join(REASONS[decision])}", code="invalid_reason")
    if len(note) > MAX_NOTE:
        raise Invalid(f"note is over {MAX_NOTE} characters", code="note_too_long")
    if reason_code == "other" and not note.strip():
        raise Invalid("reason 'other' needs a note", code="note_required")


def _candidates(session: Session, case: DuplicateCase) -> list[DuplicateCandidate]:
    return list(session.scalars(select(DuplicateCandidate)
                                .where(DuplicateCandidate.case_id == case.id)
                                .order_by(DuplicateCandidate.rank)))


def candidate_person(session: Session, cand: DuplicateCandidate) -> Person | None:
    """The person a candidate is now (after merges, or after its held packet was decided);
    None while it is a packet still held for review (or one judged fraudulent)."""
    if cand.person_id is not None:
        return persons.resolve_person(session, cand.person_id)
    held = session.get(Enrollment, cand.held_enrollment_id)
    if held is None or held.person_id is None:
        return None
    return persons.resolve_person(session, held.person_id)


def _target(session: Session, case: DuplicateCase, national_id: str | None,
            decision: str) -> Person | None:
    """The candidate judged to be the packet's person (rank 1 unless named), after merges.
    None only for "different" on a case whose candidates are all held packets."""
    cands = _candidates(session, case)
    if not cands:
        raise Conflict("the case has no candidate", code="case_without_candidate")
    resolved = [(c, candidate_person(session, c)) for c in cands]
    if not national_id:
        if decision != "same":
            return next((p for _c, p in resolved if p is not None), None)
        first, person = resolved[0]
        if person is None:
            raise Conflict(f"candidate 1 is a packet held in its own case (enrollment "
                           f"{first.held_enrollment_id}): decide that case first",
                           code="candidate_held")
        return person
    wanted = persons.get_by_national_id(session, national_id)
    for _cand, person in resolved:
        if person is not None and person.id == wanted.id:
            return wanted
    raise Invalid("that national ID is not a candidate of this case", code="not_a_candidate")


def _pending(session: Session, case: DuplicateCase) -> CaseDecision | None:
    return session.scalars(select(CaseDecision).where(CaseDecision.case_id == case.id,
                                                      CaseDecision.status == "proposed")).first()


def decide(session: Session, *, case_id: int, principal: Principal, decision: str,
           reason_code: str, note: str = "", candidate_national_id: str | None = None,
           decider: Decider, two_admins: bool) -> Decision:
    """Decide a case; commits. 200 when applied, 202 when a merge awaits a second admin."""
    check_reason(decision, reason_code, note)
    try:
        return decider.run(session, lambda s: _decide(
            s, case_id=case_id, principal=principal, decision=decision,
            reason_code=reason_code, note=note.strip(),
            candidate_national_id=candidate_national_id, two_admins=two_admins,
            decider=decider))
    except CaseChanged as changed:
        fresh = changed.candidates
        decider.run(session, lambda s: _add_candidates(s, case_id, fresh, principal))
        raise Conflict("persons enrolled since this case opened also match the packet; "
                       "they were added to the case: review it again",
                       code="case_changed") from None


def _decide(session: Session, *, case_id: int, principal: Principal, decision: str,
            reason_code: str, note: str, candidate_national_id: str | None,
            two_admins: bool, decider: Decider) -> Decision:
    case = session.get(DuplicateCase, case_id)
    if case is None:
        raise NotFound("no such duplicate case", code="case_not_found")
    if case.status != "open":
        raise Conflict(f"the case was already decided ({case.decision})", code="case_decided")
    enrollment = session.get(Enrollment, case.enrollment_id)
    assert enrollment is not None
    target = _target(session, case, candidate_national_id if decision == "same" else None,
                     decision)
    packet_person = (persons.resolve_person(session, enrollment.person_id)
                     if enrollment.person_id is not None else None)
    is_merge = (decision == "same" and packet_person is not None and target is not None
                and packet_person.id != target.id)

    pending = _pending(session, case)
    confirmed_by: str | None = None
    row: CaseDecision | None = None
    if pending is not None:
        same_admin = (pending.proposed_key_id == principal.key_id
                      or pending.proposed_by.split("#")[0] == principal.actor.split("#")[0])
        agrees = (pending.decision == decision and target is not None
                  and pending.target_person_id == target.id)
        if same_admin:
            raise Conflict("this merge was proposed by you: a different admin must confirm it",
                           code="second_admin_required")
        if agrees and is_merge:
            row, confirmed_by = pending, principal.actor
            row.confirmed_by, row.confirmed_key_id = principal.actor, principal.key_id
        else:
            pending.status = "superseded"
            journal.audit(session, actor=principal.actor, action="case.supersede_proposal",
                          outcome="superseded", details={"case_id": case.id,
                                                         "decision_id": pending.id})
    if row is None:
        row = CaseDecision(case_id=case.id, decision=decision, reason_code=reason_code,
                           note=note, target_person_id=target.id if target else None,
                           status="proposed",
                           proposed_by=principal.actor, proposed_key_id=principal.key_id,
                           result={})
        session.add(row)
        session.flush()
        if is_merge and two_admins:
            assert target is not None
            journal.audit(session, actor=principal.actor, action="case.propose_merge",
                          outcome="proposed", person_id=target.id,
                          details={"case_id": case.id, "decision_id": row.id,
                                   "reason_code": reason_code, "note": note})
            return Decision(202, {"case_id": case.id, "decision": decision,
                                 "status": "awaiting_second_admin", "decision_id": row.id,
                                 "proposed_by": principal.actor})

    reason = {"reason_code": row.reason_code, "note": row.note}
    removed: list[int] = []
    if decision == "same":
        assert target is not None
        result = _same(session, case, enrollment, target, packet_person, principal,
                       confirmed_by, row, reason)
    elif decision == "different":
        if packet_person is None and enrollment.kind == "update":
            raise Conflict("a held biometric update never gets an ID of its own: decide "
                           "'same' (the person it updates, or another candidate) or 'fraud'",
                           code="update_cannot_issue")
        if packet_person is None:
            _check_unchanged(session, case, enrollment, decider)
        result = _different(session, case, enrollment, packet_person, principal)
    else:
        result, removed = _fraud(session, enrollment, target, packet_person)
    case.status, case.decision, case.decided_at = "decided", decision, utcnow()
    row.status, row.applied_at, row.result = "applied", utcnow(), result
    journal.audit(session, actor=principal.actor, action="case.decide", outcome=decision,
                  person_id=result.get("person_id"),
                  details={"case_id": case.id, "decision_id": row.id, **reason,
                           "proposed_by": row.proposed_by, "confirmed_by": confirmed_by,
                           **{k: v for k, v in result.items() if k != "person_id"}})
    body = {"case_id": case.id, "decision": decision, "status": "applied",
            "decision_id": row.id, **{k: v for k, v in result.items() if k != "person_id"}}
    return Decision(200, body, gallery_remove=removed)


def _attach_templates(session: Session, enrollment: Enrollment, person_id: int) -> None:
    """A held packet's templates become the person's (they are in the gallery already)."""
    session.execute(update(Template).where(Template.enrollment_id == enrollment.id,
                                           Template.person_id.is_(None))
                    .values(person_id=person_id))


def _same(session: Session, case: DuplicateCase, enrollment: Enrollment, target: Person,
          packet_person: Person | None, principal: Principal, confirmed_by: str | None,
          row: CaseDecision, reason: dict[str, Any]) -> dict[str, Any]:
    if packet_person is None:  # a held packet: a new encounter of the candidate
        legacy = Demographics.model_validate(enrollment.demographics).legacy_ids
        persons.link_legacy_ids(session, target, legacy, on_taken="skip", actor=principal.actor)
        enrollment.person_id, enrollment.status = target.id, Status.MATCHED
        _attach_templates(session, enrollment, target.id)
        births.link_held(session, enrollment, target, principal.actor)
        diffs = demographic_differences(dict(enrollment.demographics),
                                        persons.demographics_of(target))
        enrollment.response = {"enrollment_id": enrollment.id, "status": "matched",
                               "national_id": target.national_id, "fraud_flag": False}
        pairs = _pair_cases(session, case, enrollment, target, principal)
        return {"person_id": target.id, "national_id": target.national_id,
                "outcome": "encounter", "demographic_differences": diffs,
                "pair_cases": pairs}
    if packet_person.id == target.id:  # merged meanwhile: nothing left to do
        return {"person_id": target.id, "national_id": target.national_id,
                "outcome": "already_one_person"}
    record = merge.merge(session, survivor=target, absorbed=packet_person,
                         actor=row.proposed_by, case_id=case.id, confirmed_by=confirmed_by,
                         reason=reason)
    return {"person_id": target.id, "national_id": target.national_id, "outcome": "merged",
            "alias": packet_person.national_id, "merge_id": record.id}


def _check_unchanged(session: Session, case: DuplicateCase, enrollment: Enrollment,
                     decider: Decider) -> None:
    """Raise ``CaseChanged`` when the held packet now reaches the review band with a person who
    is not a candidate of the case (one issued since it opened). Packets held since then are
    not: their own cases hold this packet as a candidate and follow its decision."""
    known: set[tuple[str, int]] = set()
    for c in _candidates(session, case):
        person = candidate_person(session, c)
        known.add((search.PERSON, person.id) if person is not None
                  else (search.HELD, int(c.held_enrollment_id or 0)))
    fresh = []
    probe = templates.of_enrollment(session, enrollment.id)
    if enrollment.kind == births.NEWBORN:
        found = births.assess(session, probe, dict(enrollment.demographics),
                              births.parents_of(enrollment), exclude_enrollment=enrollment.id)
    else:
        found = assess(session, decider.gallery, probe, dict(enrollment.demographics),
                       kind=enrollment.kind, exclude_enrollment=enrollment.id)
    for cand in found.candidates:
        if cand.band == "no_match" or cand.person_id is None:
            continue
        key = (search.PERSON, persons.resolve_person(session, cand.person_id).id)
        if key not in known:
            fresh.append(cand)
    if fresh:
        raise CaseChanged(fresh)


def _add_candidates(session: Session, case_id: int, candidates: list[Candidate],
                    principal: Principal) -> Decision:
    case = session.get(DuplicateCase, case_id)
    if case is None or case.status != "open":
        return Decision(409, {})
    rank = max((c.rank for c in _candidates(session, case)), default=0)
    for cand in candidates:
        rank += 1
        session.add(candidate_row(case.id, cand, rank))
        if cand.llr > case.best_llr:
            case.best_llr, case.band = cand.llr, cand.band
    journal.audit(session, actor=principal.actor, action="case.candidates_added",
                  outcome="case_changed",
                  details={"case_id": case.id, "person_ids": [c.person_id for c in candidates],
                           "held_enrollment_ids": [c.held_enrollment_id for c in candidates]})
    return Decision(409, {})


def _pair_cases(session: Session, case: DuplicateCase, enrollment: Enrollment, target: Person,
                principal: Principal) -> list[int]:
    """The packet is ``target``; any other candidate it matched at the match band is then
    probably ``target`` too: open a person-to-person case (deciding it ``same`` merges them),
    unless an admin already judged the two distinct (``DistinctPair``)."""
    opened = []
    for cand in _candidates(session, case):
        other = candidate_person(session, cand)
        if (cand.band != "match" or other is None or other.id == target.id
                or are_distinct(session, target.id, other.id)):
            continue
        pair = DuplicateCase(enrollment_id=enrollment.id, station_id=case.station_id,
                             birthplace=case.birthplace, status="open", best_llr=cand.llr,
                             band=cand.band)
        session.add(pair)
        session.flush()
        session.add(DuplicateCandidate(
            case_id=pair.id, person_id=other.id, rank=1, llr=cand.llr,
            demographic_llr=cand.demographic_llr, posterior=cand.posterior,
            identical=cand.identical, band=cand.band, face_distance=cand.face_distance,
            finger_scores=dict(cand.finger_scores)))
        journal.audit(session, actor=principal.actor, action="dedup.case_opened",
                      outcome="review", person_id=target.id,
                      details={"case_id": pair.id, "enrollment_id": enrollment.id,
                               "from_case": case.id, "candidate_person_id": other.id})
        opened.append(pair.id)
    return opened


def _different(session: Session, case: DuplicateCase, enrollment: Enrollment,
               packet_person: Person | None, principal: Principal) -> dict[str, Any]:
    if packet_person is None:
        demographics = Demographics.model_validate(enrollment.demographics)
        packet_person = persons.issue_person(
            session, demographics, actor=principal.actor,
            source={"enrollment_id": enrollment.id, "station_id": enrollment.station_id,
                    "case_id": case.id}, legacy_taken="skip")
        enrollment.person_id, enrollment.status = packet_person.id, Status.DISTINCT
        _attach_templates(session, enrollment, packet_person.id)
        births.link_held(session, enrollment, packet_person, principal.actor)
        enrollment.response = {"enrollment_id": enrollment.id, "status": "issued",
                               "national_id": packet_person.national_id}
    distinct = []
    for cand in _candidates(session, case):
        other = candidate_person(session, cand)
        if other is not None and other.id != packet_person.id:
            remember_distinct(session, packet_person.id, other.id)
            distinct.append(other.national_id)
    return {"person_id": packet_person.id, "national_id": packet_person.national_id,
            "outcome": "distinct", "distinct_from": distinct}


def remember_distinct(session: Session, a: int, b: int) -> None:
    low, high = min(a, b), max(a, b)
    exists = session.scalars(select(DistinctPair.id).where(
        DistinctPair.person_low == low, DistinctPair.person_high == high)).first()
    if exists is None:
        session.add(DistinctPair(person_low=low, person_high=high))
        session.flush()


def are_distinct(session: Session, a: int, b: int) -> bool:
    """True when an adjudicator declared persons ``a`` and ``b`` (after merges) different."""
    low, high = min(a, b), max(a, b)
    return session.scalars(select(DistinctPair.id).where(
        DistinctPair.person_low == low, DistinctPair.person_high == high)).first() is not None


def _fraud(session: Session, enrollment: Enrollment, target: Person | None,
           packet_person: Person | None) -> tuple[dict[str, Any], list[int]]:
    """Flag the judged candidate and the packet's person; a held packet is refused for good
    and its templates leave the gallery (returned for the decision unit to drop)."""
    flagged = []
    if target is not None:
        target.fraud_flag = True
        flagged.append(target.national_id)
    removed: list[int] = []
    if packet_person is not None:
        packet_person.fraud_flag = True
        flagged.append(packet_person.national_id)
    else:
        enrollment.status = Status.FRAUD
        enrollment.response = {"enrollment_id": enrollment.id, "status": Status.FRAUD.value}
        removed = list(session.scalars(select(Template.id).where(
            Template.enrollment_id == enrollment.id, Template.person_id.is_(None))))
    return {"person_id": target.id if target else None, "outcome": "flagged",
            "flagged": flagged}, removed


def unmerge(session: Session, *, national_id: str, principal: Principal, reason_code: str,
            decider: Decider, note: str = "") -> dict[str, Any]:
    """Reverse the merge that made ``national_id`` an alias; commits."""
    if reason_code not in UNMERGE_REASONS:
        raise Invalid(f"reason_code must be one of {', '.join(UNMERGE_REASONS)}",
                      code="invalid_reason")
    if len(note) > MAX_NOTE:
        raise Invalid(f"note is over {MAX_NOTE} characters", code="note_too_long")
    def apply(s: Session) -> Decision:
        absorbed = merge.find_absorbed(s, national_id)
        record = merge.unmerge(s, absorbed=absorbed, actor=principal.actor,
                               reason={"reason_code": reason_code, "note": note.strip()})
        return Decision(200, {"national_id": absorbed.national_id,
                              "survivor_national_id": record.survivor_national_id,
                              "restored_ids": list(record.national_ids), "merge_id": record.id,
                              "status": "unmerged"})

    return decider.run(session, apply).body
