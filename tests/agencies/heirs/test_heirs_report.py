"""The heirs report below the API: complete claim, missing child, a "son" who is a nephew, a
predeceased heir, the rule set from the marriage regime, and the stored, audited report."""

from __future__ import annotations

from fractions import Fraction

import pytest

from agencies.heirs import create_report, get_report
from agencies.heirs.schemas import HeirsReportRequest
from identity.platform.errors import Conflict, Invalid, NotFound
from identity.platform.settings import Settings
from identity.registry import deaths
from identity.registry.vital_schemas import DeathReport
from models.heirs import HeirsReport
from models.security import AuditRow
from tests.agencies.heirs.family import agency, build_family, count

SETTINGS = Settings(environment="test")
HEIRS = ("wife", "son", "daughter", "father", "mother")


def die(session, who, day: str, doc: str) -> None:
    deaths.record_death(session, DeathReport(
        national_id=who.national_id, source_type="hospital_certificate", document_number=doc,
        date_of_death=day, place="بغداد"), principal=agency(session, "health"))


@pytest.fixture
def family(session):
    people = build_family(session)
    die(session, people["deceased"], "2024-05-10", "HC-1")
    return people


def ask(session, people, claims: dict[str, str], **kw) -> dict:
    kw.setdefault("school", "sunni")
    request = HeirsReportRequest.model_validate({
        "deceased_national_id": people["deceased"].national_id, "case_reference": "PSC/77",
        "claimed_heirs": [{"national_id": people[name].national_id, "relationship": rel}
                          for name, rel in claims.items()], **kw})
    return create_report(session, request, principal=agency(session, "karkh-court", ("heirs",)),
                         settings=SETTINGS)


def by_nid(lines: list[dict]) -> dict[str, dict]:
    return {line["national_id"]: line for line in lines}


def test_complete_claim_gets_shares_and_is_stored(session, family) -> None:
    report = ask(session, family, {h: h for h in HEIRS})
    assert report["claim_complete"] and report["claim_consistent"], report["findings"]
    assert report["rules"] == "iraq" and report["rules_source"] == "marriage_regime"
    assert report["school"] == "sunni" and report["school_source"] == "request"
    assert any("statute" in e for e in report["school_evidence"])
    assert report["death_records"][0]["source_type"] == "hospital_certificate"
    assert report["date_of_death"] == "2024-05-10"
    shares = {c["stated_relationship"]: Fraction(c["share"]) for c in report["claimed_heirs"]}
    # Wife 1/8, each parent 1/6, the rest 13/24 to the son and daughter 2:1.
    assert shares == {"wife": Fraction(1, 8), "father": Fraction(1, 6),
                      "mother": Fraction(1, 6), "son": Fraction(13, 36),
                      "daughter": Fraction(13, 72)}
    assert sum(shares.values()) == 1
    assert all(c["relationship_confirmed"] and c["alive_at_death"] for c in
               report["claimed_heirs"])
    others = by_nid(report["unclaimed_relatives"])
    assert not any(line["heir"] for line in others.values())
    assert "son" in others[family["brother"].national_id]["reason"]
    assert "father" in others[family["grandfather"].national_id]["reason"]
    assert others[family["grandson"].national_id]["relation_key"] == "sons_son"
    assert family["stranger"].national_id not in others
    assert others[family["cousin"].national_id]["relation_key"] == "full_paternal_uncles_son"
    assert others[family["aunt"].national_id]["reason"].startswith("distant kindred")
    # Stored as answered, read back by the same agency only, and audited.
    again = get_report(session, report["report_id"],
                       principal=agency(session, "karkh-court", ("heirs",)))
    assert again == report
    with pytest.raises(NotFound):
        get_report(session, report["report_id"], principal=agency(session, "other", ("heirs",)))
    assert count(session, HeirsReport) == 1
    assert count(session, AuditRow, AuditRow.action == "heirs.report") == 1


def test_a_child_missing_from_the_claim_is_named(session, family) -> None:
    report = ask(session, family, {h: h for h in HEIRS if h != "daughter"})
    assert not report["claim_complete"] and report["claim_consistent"]
    missing = by_nid(report["unclaimed_relatives"])[family["daughter"].national_id]
    assert missing["heir"] and missing["relation_key"] == "daughter"
    assert Fraction(missing["share"]) == Fraction(13, 72)
    assert any("unclaimed heir: daughter" in f for f in report["findings"])


def test_a_claimed_son_who_is_a_nephew(session, family) -> None:
    claims = {h: h for h in HEIRS}
    claims["nephew"] = "son"
    report = ask(session, family, claims)
    line = by_nid(report["claimed_heirs"])[family["nephew"].national_id]
    assert line["relationship_confirmed"] is False
    assert line["registry_relationships"] == ["full_brothers_son"]
    assert line["heir"] is False and "son" in line["reason"]  # blocked by the real son
    assert not report["claim_consistent"]
    assert any("the registry shows full_brothers_son" in f for f in report["findings"])


def test_a_claimed_heir_who_died_before_the_deceased(session, family) -> None:
    die(session, family["father"], "2020-01-15", "HC-0")
    report = ask(session, family, {h: h for h in HEIRS})
    father = by_nid(report["claimed_heirs"])[family["father"].national_id]
    assert father["alive_at_death"] is False and father["heir"] is False
    assert "predeceased" in father["reason"]
    assert not report["claim_consistent"]
    # With the father gone, the paternal grandfather inherits: the claim misses him.
    grandfather = by_nid(report["unclaimed_relatives"])[family["grandfather"].national_id]
    assert grandfather["heir"] and grandfather["relation_key"] == "paternal_grandfather"
    assert not report["claim_complete"]


def test_an_unrelated_or_unknown_claimant(session, family) -> None:
    from identity.registry import national_id

    report = ask(session, family, {"stranger": "son"})
    line = report["claimed_heirs"][0]
    assert line["registry_relationships"] == [] and line["heir"] is False
    request = HeirsReportRequest(deceased_national_id=family["deceased"].national_id,
                                 school="sunni",
                                 claimed_heirs=[{"national_id": national_id.draw(),
                                                 "relationship": "son"}])
    unknown = create_report(session, request, principal=agency(session, "c", ("heirs",)),
                            settings=SETTINGS)
    assert unknown["claimed_heirs"][0]["found"] is False


def test_rules_follow_the_marriage_regime(session) -> None:
    people = build_family(session, regime="jafari")
    die(session, people["deceased"], "2024-05-10", "HC-9")
    report = ask(session, people, {h: h for h in HEIRS})
    assert report["rules"] == "jafari" and report["school"] == "jafari"
    assert "wife_excluded_from_land" in report["shares"]["flags"]
    forced = ask(session, people, {}, rules="sunni", school=None)
    assert forced["rules"] == "sunni" and forced["rules_source"] == "request"


def test_divorced_wife_does_not_inherit(session) -> None:
    people = build_family(session)
    from identity.registry import kinship_load
    from identity.registry.vital_schemas import MarriageIn

    kinship_load.record_marriage(session, MarriageIn(
        husband_national_id=people["deceased"].national_id,
        wife_national_id=people["wife"].national_id, contract_date="2001-01-01",
        end_date="2023-01-01", end_reason="divorce"), actor="test")
    die(session, people["deceased"], "2024-05-10", "HC-3")
    report = ask(session, people, {"wife": "wife"})
    wife = report["claimed_heirs"][0]
    assert wife["heir"] is False and "divorced" in wife["reason"]


def test_refusals(session, family) -> None:
    with pytest.raises(Conflict) as err:  # alive: no death record
        ask(session, {**family, "deceased": family["brother"]}, {})
    assert err.value.code == "not_deceased"
    twice = [{"national_id": family["son"].national_id, "relationship": "son"}] * 2
    with pytest.raises(Invalid) as err:
        ask(session, family, {}, claimed_heirs=twice)
    assert err.value.code == "duplicate_claim"
    with pytest.raises(Invalid) as err:
        ask(session, family, {"deceased": "son"})
    assert err.value.code == "deceased_claimed"
    assert count(session, HeirsReport) == 0


def test_distant_kindred_inherit_before_the_treasury(session) -> None:
    """A daughter's son is distant kindred: with no other heir he takes the estate."""
    from identity.registry import kinship_load
    from identity.registry.vital_schemas import BirthIn
    from tests.agencies.heirs.family import person

    grandma = person(session, sex="F", born="1930-01-01")
    mum = person(session, sex="F", born="1955-01-01")
    boy = person(session, born="1980-01-01")
    session.commit()
    kinship_load.load(session, births=[
        BirthIn(child_national_id=mum.national_id, mother_national_id=grandma.national_id),
        BirthIn(child_national_id=boy.national_id, mother_national_id=mum.national_id)],
        actor="test")
    die(session, mum, "2010-01-01", "HC-M")
    die(session, grandma, "2024-01-01", "HC-G")
    people = {"deceased": grandma}
    alone = ask(session, people, {})
    line = by_nid(alone["unclaimed_relatives"])[boy.national_id]
    assert line["registry_relationships"] == ["daughters_son"]
    # Distant kindred inherit before the treasury (al-Sirajiyya); not art 74: he inherits
    # in his own right.
    assert line["heir"] is True and line["share"] == "1" and line["bequest"] is None
    assert alone["shares"]["treasury"] is None
