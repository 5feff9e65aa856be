"""Relations derived from births and marriages (never typed in), and the validating loader."""

from __future__ import annotations

import pytest

from identity.platform.errors import Invalid, TooLarge
from identity.registry import kinship, kinship_load, national_id
from identity.registry.vital_schemas import BirthIn, MarriageIn
from models.security import AuditRow
from models.vital import Birth, Marriage
from tests.agencies.heirs.family import (
    BIRTHS,
    births_csv,
    build_family,
    count,
    marriages_csv,
    person,
)


@pytest.fixture
def family(session):
    return build_family(session)


def _labels(session, subject) -> dict[str, set[str]]:
    by_person: dict[str, set[str]] = {}
    for r in kinship.relatives(session, subject):
        by_person.setdefault(r.person.national_id, set()).add(r.relation)
    return by_person


def test_relations_are_derived_from_the_links(session, family) -> None:
    labels = _labels(session, family["deceased"])
    expected = {
        "father": "father", "mother": "mother", "grandfather": "paternal_grandfather",
        "grandmother": "paternal_grandmother", "son": "son", "daughter": "daughter",
        "grandson": "sons_son", "brother": "full_brother", "sister": "full_sister",
        "half_brother": "paternal_half_brother", "uterine_sister": "maternal_half_sister",
        "nephew": "full_brothers_son", "uncle": "full_paternal_uncle",
        "aunt": "full_paternal_aunt", "cousin": "full_paternal_uncles_son", "wife": "wife",
    }
    assert {name: labels.get(family[name].national_id) for name in expected} == {
        name: {label} for name, label in expected.items()}
    assert family["stranger"].national_id not in labels
    assert family["second_wife"].national_id not in labels  # a father's wife is no relative
    assert family["mothers_ex"].national_id not in labels
    assert count(session, Birth) == len(BIRTHS) and count(session, Marriage) == 4


def test_relations_seen_from_other_members(session, family) -> None:
    assert kinship.relations_between(session, family["nephew"], family["deceased"]) == [
        "full_paternal_uncle"]
    assert kinship.relations_between(session, family["half_brother"], family["deceased"]) == [
        "paternal_half_brother"]
    assert kinship.relations_between(session, family["uterine_sister"], family["sister"]) == [
        "maternal_half_sister"]
    assert kinship.relations_between(session, family["grandson"], family["deceased"]) == [
        "paternal_grandfather"]
    assert kinship.relations_between(session, family["son"], family["nephew"]) == [
        "full_paternal_uncles_son"]
    assert kinship.relations_between(session, family["son"], family["stranger"]) == []
    assert kinship.relations_between(session, family["wife"], family["deceased"]) == ["husband"]


def test_a_missing_parent_link_is_noted_on_the_sibling(session, family) -> None:
    extra = person(session, born="1990-01-01")
    session.commit()
    kinship_load.load(session, births=[BirthIn(child_national_id=extra.national_id,
                                               father_national_id=family["father"].national_id)],
                      actor="test")
    sib = next(r for r in kinship.relatives(session, family["deceased"])
               if r.person.id == extra.id)
    assert sib.relation == "paternal_half_brother" and sib.note and "missing" in sib.note


def test_loading_again_changes_nothing_and_a_parent_can_be_added(session, family) -> None:
    people = family
    summary = kinship_load.load(
        session, births=kinship_load.parse_csv(births_csv(people), BirthIn),
        marriages=kinship_load.parse_csv(marriages_csv(people), MarriageIn), actor="test")
    assert summary["births"] == {"created": 0, "updated": 0, "unchanged": len(BIRTHS)}
    assert summary["marriages"] == {"created": 0, "updated": 0, "unchanged": 4}
    # The nephew's mother was not recorded: adding her is an update, not a conflict.
    mum = person(session, sex="F", born="1983-01-01")
    session.commit()
    result = kinship_load.record_birth(session, BirthIn(
        child_national_id=people["nephew"].national_id, mother_national_id=mum.national_id,
        father_national_id=people["brother"].national_id), actor="test")
    assert result["outcome"] == "updated"
    assert count(session, AuditRow, AuditRow.action == "kinship.load") == 2


def _fails(session, code: str, *, births=None, marriages=None) -> None:
    before = (count(session, Birth), count(session, Marriage))
    with pytest.raises(Invalid) as err:
        kinship_load.load(session, births=births, marriages=marriages, actor="test")
    assert err.value.code == "invalid_kinship_rows"
    assert [d["code"] for d in err.value.details] == [code], err.value.details
    assert (count(session, Birth), count(session, Marriage)) == before


def _birth(child, mother=None, father=None) -> BirthIn:
    return BirthIn(child_national_id=child.national_id,
                   mother_national_id=mother.national_id if mother else None,
                   father_national_id=father.national_id if father else None)


def test_birth_validation(session, family) -> None:
    f = family
    _fails(session, "cycle", births=[_birth(f["grandfather"], father=f["grandson"])])
    _fails(session, "cycle", births=[_birth(f["stranger"], father=f["stranger"])])
    _fails(session, "wrong_sex", births=[_birth(f["stranger"], mother=f["brother"])])
    _fails(session, "implausible_parent_age", births=[_birth(f["stranger"], father=f["nephew"])])
    _fails(session, "implausible_parent_age",
           births=[_birth(f["grandson"], mother=f["grandmother"])])
    _fails(session, "parentage_conflict", births=[_birth(f["deceased"], father=f["uncle"])])
    _fails(session, "person_not_found", births=[BirthIn(
        child_national_id=f["stranger"].national_id, father_national_id=national_id.draw())])
    _fails(session, "invalid_national_id", births=[BirthIn(
        child_national_id=f["stranger"].national_id, father_national_id="000000000001")])


def test_a_bad_row_stores_nothing_of_the_batch(session) -> None:
    a, b, c = person(session, born="1950-01-01"), person(session, born="1975-01-01"), \
        person(session, sex="F", born="1990-01-01")
    session.commit()
    good = _birth(b, father=a)
    bad = _birth(a, mother=c)  # a 1950 child of a mother born in 1990
    with pytest.raises(Invalid) as err:
        kinship_load.load(session, births=[good, bad], actor="test")
    assert err.value.details[0]["line"] == 3
    assert count(session, Birth) == 0


def _marriage(h, w, contract="2010-01-01", **kw) -> MarriageIn:
    return MarriageIn(husband_national_id=h.national_id, wife_national_id=w.national_id,
                      contract_date=contract, **kw)


def test_marriage_validation_and_end(session, family) -> None:
    f = family
    _fails(session, "prohibited_degree", marriages=[_marriage(f["brother"], f["sister"])])
    _fails(session, "prohibited_degree", marriages=[_marriage(f["uncle"], f["sister"])])
    _fails(session, "prohibited_degree", marriages=[_marriage(f["nephew"], f["sister"],
                                                              contract="2024-01-01")])
    # At any depth: a great-uncle and his grand-niece, a great-grandson and his ancestor.
    _fails(session, "prohibited_degree", marriages=[_marriage(f["uncle"], f["daughter"],
                                                              contract="2023-01-01")])
    _fails(session, "prohibited_degree", marriages=[_marriage(f["son"], f["grandmother"],
                                                              contract="2023-01-01")])
    _fails(session, "wife_already_married", marriages=[_marriage(f["stranger"], f["wife"])])
    _fails(session, "implausible_marriage_age", marriages=[_marriage(f["stranger"],
                                                                     f["daughter"])])
    _fails(session, "wrong_sex", marriages=[_marriage(f["wife"], f["stranger"])])
    # A cousin marriage is allowed; the regime is kept; the end is recorded later.
    m = kinship_load.record_marriage(session, _marriage(f["cousin"], f["daughter"],
                                                        contract="2023-02-01", regime="jafari"),
                                     actor="test")
    assert m["outcome"] == "created"
    ended = kinship_load.record_marriage(session, _marriage(
        f["cousin"], f["daughter"], contract="2023-02-01", regime="jafari",
        end_date="2024-01-01", end_reason="divorce"), actor="test")
    assert ended["outcome"] == "updated"
    with pytest.raises(Invalid) as err:
        kinship_load.record_marriage(session, _marriage(f["cousin"], f["daughter"],
                                                        contract="2023-02-01"), actor="test")
    assert err.value.code == "marriage_conflict" and err.value.status_code == 409


def test_four_wives_at_most(session) -> None:
    husband = person(session, born="1960-01-01")
    wives = [person(session, sex="F", born="1970-01-01") for _ in range(5)]
    session.commit()
    kinship_load.load(session, marriages=[_marriage(husband, w) for w in wives[:4]],
                      actor="test")
    _fails(session, "too_many_wives", marriages=[_marriage(husband, wives[4])])


def test_csv_parsing_errors(session, family) -> None:
    with pytest.raises(Invalid) as err:
        kinship_load.parse_csv("child,mum\n1,2\n", BirthIn)
    assert err.value.code == "invalid_csv_header"
    text = births_csv(family).replace("birth_certificate", "hearsay", 1)
    with pytest.raises(Invalid) as err:
        kinship_load.parse_csv(text, BirthIn)
    assert err.value.code == "invalid_csv_rows" and err.value.details[0]["line"] == 2
    with pytest.raises(Invalid):
        kinship_load.parse_csv("child_national_id\n1,2\n", BirthIn)


def test_csv_limits(session, monkeypatch) -> None:
    from identity.platform.settings import get_settings

    monkeypatch.setattr(get_settings(), "kinship_max_csv_rows", 2)
    with pytest.raises(TooLarge):
        kinship_load.parse_csv("child_national_id,mother_national_id\n" + "1,2\n" * 3, BirthIn)
