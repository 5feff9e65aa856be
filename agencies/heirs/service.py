"""``create_report`` / ``get_report``: the heirs report, stored and audited."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.heirs import extras, probes
from agencies.heirs.determine import Determination, Line, alive_at, determine
from agencies.heirs.schemas import HeirsReport, HeirsReportRequest
from identity.access import agencies, journal
from identity.access.keys import Principal
from identity.biometrics import agency_verify
from identity.platform.errors import Conflict, Invalid, NotFound
from identity.platform.settings import Settings
from identity.registry import deaths, kinship, persons
from identity.registry.persons import Person
from models.heirs import HeirsReport as ReportRow


def _name(p: Person) -> str:
    return " ".join((p.given_name, p.father_name, p.grandfather_name, p.surname))


def _rules(session: Session, deceased: Person, day: date, request: HeirsReportRequest,
           settings: Settings) -> tuple[str, str, str, str, list[str]]:
    """(rules, where they came from, school, where it came from, the registry's evidence).

    Rules: the request, else the Ja'fari code when the marriage in force at the death (the
    latest one otherwise) elected it, else the settings' default. The school is never guessed:
    under ``iraq`` the request must name it; the marriage regimes are shown as evidence."""
    marriages = [m for m, _ in kinship.marriages(session, deceased)]
    evidence = [f"marriage of {m.contract_date} registered under the "
                f"{'Jaʿfari code (Law 1/2025 election)' if m.regime == 'jafari' else 'statute'}"
                + (f", ended {m.end_date} ({m.end_reason})" if m.end_date else "")
                for m in marriages] or ["no marriage recorded"]
    standing = [m for m in marriages if kinship.married_at(m, day)] or marriages
    regime = standing[-1].regime if standing else None
    if request.rules is not None:
        rules, source = request.rules, "request"
    elif regime == "jafari":
        rules, source = "jafari", "marriage_regime"
    else:
        rules, source = settings.heirs_default_rules, "marriage_regime" if regime else "default"
    if rules == "iraq" and request.school is None:
        raise Invalid("under rules=iraq the deceased's school is an input (sunni or jafari); the "
                      "registry shows: " + "; ".join(evidence), code="school_required")
    if rules == "iraq":
        return rules, source, str(request.school), "request", evidence
    return rules, source, "jafari" if rules == "jafari" else "sunni", "rules", evidence


def _line_json(line: Line, tashih: int | None = None) -> dict[str, Any]:
    return {"national_id": line.person.national_id, "name": _name(line.person),
            "registry_relationships": line.labels, "alive_at_death": line.alive_at_death,
            "heir": line.heir, "reason": line.reason, "relation_key": line.key,
            "share": None if line.share is None else str(line.share),
            "relation_keys": line.keys,
            "shares_by_relation": {k: str(v) for k, v in line.by_relation.items()},
            "sihams": None if line.share is None or tashih is None else int(line.share * tashih),
            "reason_ar": line.reason_ar or line.reason, "uncertain": line.uncertain,
            "evidence": line.evidence,
            "bequest": None if line.bequest is None else str(line.bequest)}


def _verify(session: Session, principal: Principal, person: Person,
            prepared: probes.Prepared, policy: agencies.LockPolicy) -> dict[str, Any]:
    """A claimed heir's live probe, judged as ``/v1/verify`` judges one (the same lock across
    agencies, the same refusal of probes that cannot decide), audited."""
    assert principal.agency_id is not None
    check = agency_verify.live_check(session, agency_id=principal.agency_id, person=person,
                                     probe=prepared.probe, policy=policy)
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="heirs.verify", outcome=check.status, person_id=person.id,
                  purpose="heirs report", details={"locked": check.locked})
    return {"status": check.status, "modalities_used": check.modalities_used}


def _claims(session: Session, request: HeirsReportRequest, principal: Principal,
            deceased: Person, death: tuple[date, date], found: Determination,
            prepared: dict[int, probes.Prepared], tashih: int | None,
            policy: agencies.LockPolicy) -> tuple[list[dict[str, Any]], list[str]]:
    out: list[dict[str, Any]] = []
    findings: list[str] = []
    for i, claim in enumerate(request.claimed_heirs):
        base = {"national_id": claim.national_id, "stated_relationship": claim.relationship}
        try:
            person = persons.get_by_national_id(session, claim.national_id)
        except NotFound:
            out.append({**base, "name": None, "found": False, "registry_relationships": [],
                        "relationship_confirmed": False, "alive_at_death": None,
                        "heir": False, "reason": "no person has this national ID",
                        "relation_key": None, "share": None})
            findings.append(f"claimed {claim.relationship} {claim.national_id}: unknown ID")
            continue
        if person.id == deceased.id:
            raise Invalid(f"claimed_heirs[{i}] is the deceased", code="deceased_claimed")
        line = found.lines.get(person.id)
        if line is None:
            alive, _why = alive_at(session, person, death, [], deceased)
            line = Line(person, [], [], alive, False,
                        "the registry shows no relationship to the deceased",
                        "لا يُظهر السجل قرابة بالمتوفى")
        row = {**base, **_line_json(line, tashih), "found": True,
               "relationship_confirmed": claim.relationship in line.labels}
        if not row["relationship_confirmed"]:
            shown = ", ".join(line.labels) or "no relationship"
            findings.append(f"claimed {claim.relationship} {claim.national_id}: the registry "
                            f"shows {shown}")
        if line.alive_at_death is False:
            findings.append(f"claimed {claim.relationship} {claim.national_id}: {line.reason}")
        if i in prepared:
            row["verification"] = _verify(session, principal, person, prepared[i], policy)
            row["identity_verified"] = row["verification"]["status"] == "match"
            if not row["identity_verified"]:
                findings.append(f"claimed {claim.relationship} {claim.national_id}: the live "
                                f"probe did not verify ({row['verification']['status']})")
        out.append(row)
    return out, findings


def create_report(session: Session, request: HeirsReportRequest, *, principal: Principal,
                  settings: Settings) -> dict[str, Any]:
    """Check a claim of heirs against the registry; store, audit and return the report.

    Probes are extracted before the transaction. Raises ``NotFound`` (deceased unknown),
    ``Conflict`` (no death recorded), ``Invalid`` (bad IDs, images, duplicate claims). Commits.
    """
    if principal.agency_id is None or principal.agency_name is None:
        raise Invalid("heirs reports are requested with an agency key", code="agency_required")
    ids = [c.national_id for c in request.claimed_heirs]
    if len(ids) != len(set(ids)):
        raise Invalid("a national ID is claimed twice", code="duplicate_claim")
    prepared = {i: probes.prepare(c.probe, index=i, max_pixels=settings.max_image_pixels,
                                  max_bytes=settings.max_image_bytes)
                for i, c in enumerate(request.claimed_heirs) if c.probe is not None}
    session.rollback()  # start the transaction only now (SQLite holds its lock during it)
    deceased = persons.get_by_national_id(session, request.deceased_national_id)
    records = deaths.death_records_of(session, deceased)
    if not records:
        raise Conflict("no death is recorded for this person", code="not_deceased")
    death = deaths.death_period(records[0])
    rules, source, school, school_source, evidence = _rules(session, deceased, death[0],
                                                            request, settings)
    unborn = extras.unborn_relations(session, request, deceased, death[0])
    found = determine(session, deceased, death, rules=rules, school=school)
    missing = extras.missing_ids(session, request, found)
    if missing or unborn:
        found = determine(session, deceased, death, rules=rules, school=school,
                          missing=missing, unborn=unborn)
    tashih = (found.shares or {}).get("tashih")
    claimed, findings = _claims(session, request, principal, deceased, death, found, prepared,
                                tashih, agencies.LockPolicy.from_settings(settings))
    claimed_ids = {c["national_id"] for c in claimed}
    unclaimed = [_line_json(line, tashih) for line in found.lines.values()
                 if line.person.national_id not in claimed_ids]  # every relative found
    for line in unclaimed:
        if line["heir"]:
            findings.append(f"unclaimed heir: {line['relation_key']} {line['national_id']}")
        elif line["bequest"]:
            findings.append(f"unclaimed obligatory bequest (PSL art 74): {line['national_id']}")
    uncertain = [f"uncertain link: {line.person.national_id} ({line.uncertain})"
                 for line in found.lines.values() if line.uncertain]
    open_order = [f"order of deaths unknown: {line.person.national_id}"
                  for line in found.lines.values()
                  if line.keys and line.alive_at_death is None]
    chained = extras.chained_deeds(session, found, rules=rules, school=school)
    row = ReportRow(report_id=f"hr_{secrets.token_hex(8)}", agency_id=principal.agency_id,
                    agency_name=principal.agency_name, actor=principal.actor,
                    deceased_person_id=deceased.id, case_reference=request.case_reference,
                    claim={**request.model_dump(mode="json", exclude={"claimed_heirs"}),
                           "claimed_heirs": [{"national_id": c.national_id,
                                              "relationship": c.relationship,
                                              "probe": sorted(_modalities(c.probe))}
                                             for c in request.claimed_heirs]})
    session.add(row)
    session.flush()
    report = HeirsReport.model_validate({
        "report_id": row.report_id, "created_at": journal.canonical_time(row.created_at) + "Z",
        "case_reference": request.case_reference, "deceased_national_id": deceased.national_id,
        "deceased_sex": deceased.sex, "date_of_death": records[0].date_of_death.isoformat(),
        "date_precision": records[0].date_precision,
        "death_records": [deaths.record_view(session, r, with_cause=False) for r in records],
        "rules": rules, "rules_source": source, "school": school,
        "school_source": school_source, "school_evidence": evidence, "claimed_heirs": claimed,
        "unclaimed_relatives": unclaimed, "shares": found.shares,
        "claim_complete": not any(line["heir"] for line in unclaimed),
        "claim_consistent": all(c["relationship_confirmed"] and c["alive_at_death"] is True
                                and c.get("identity_verified") is not False for c in claimed),
        "findings": found.notes + findings + uncertain + open_order,
        "stocks": [{"parent": st["parent"], "national_id": st["person"].national_id,
                    "name": _name(st["person"]),
                    "children": [p.national_id for p in st["members"]]} for st in found.stocks],
        "chained": chained, "reserved": (found.shares or {}).get("reserved", {}),
    }).model_dump(mode="json")
    report["ready_to_sign"] = bool(
        report["claim_complete"] and report["claim_consistent"] and found.shares
        and not uncertain and not open_order and not missing and not unborn
        and not set(found.shares.get("flags", [])) & {"settlement_mother_excess",
                                                       "settlement_ijmaiyya"})
    row.report = report
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="heirs.report", outcome="complete" if report["claim_complete"]
                  else "incomplete", person_id=deceased.id, purpose="inheritance deed",
                  details={"report_id": row.report_id, "claimed": len(claimed),
                           "findings": len(report["findings"])})
    session.commit()
    return report


def _modalities(probe: Any) -> list[str]:
    if probe is None:
        return []
    return (["face"] if probe.face else []) + [f"finger_{p}" for p in sorted(probe.fingers)]


def get_report(session: Session, report_id: str, *, principal: Principal) -> dict[str, Any]:
    """A stored report, for the agency that asked for it (any other gets the same 404)."""
    row = session.scalars(select(ReportRow).where(ReportRow.report_id == report_id)).first()
    if row is None or row.agency_id != principal.agency_id:
        raise NotFound("no heirs report has this id", code="heirs_report_not_found")
    return dict(row.report)
