"""The heirs report on a family a court meets: a predeceased son's children (PSL art 74), a
husband who is also the paternal cousin, a daughter who died before the division (a chained
deed), a half-sister whose mother link is missing, and the school as an explicit input."""

from __future__ import annotations

from fractions import Fraction

import pytest

from agencies.heirs import create_report
from agencies.heirs.schemas import HeirsReportRequest
from identity.platform.errors import Invalid
from identity.platform.settings import Settings
from tests.agencies.heirs.family import agency, build_deed_family

SETTINGS = Settings(environment="test")


def report(session, people, **kw) -> dict:
    request = HeirsReportRequest.model_validate(
        {"deceased_national_id": people["amina"].national_id, **kw})
    return create_report(session, request, principal=agency(session, "court", ("heirs",)),
                         settings=SETTINGS)


def test_the_deed_family(session) -> None:
    people = build_deed_family(session)
    with pytest.raises(Invalid) as info:  # never guessed: the court names the school
        report(session, people)
    assert info.value.code == "school_required" and "statute" in info.value.message
    body = report(session, people, school="sunni", case_reference="KRK/2024/77")
    lines = {r["national_id"]: r for r in body["unclaimed_relatives"]}

    def line(name: str) -> dict:
        return lines[people[name].national_id]

    # Art 74: Hussein deemed alive takes 3/10 (husband 1/4, children 2:2:1); within a third.
    bequest = body["shares"]["bequests"][0]
    assert bequest["parent"] == "son" and bequest["share"] == "3/10"
    assert line("mahdi")["bequest"] == "1/5" and line("zahra")["bequest"] == "1/10"
    assert body["stocks"][0]["national_id"] == people["hussein"].national_id
    # The rest, 7/10, by the Hanafi school: husband 1/4, Ali and Noor 2:1.
    husband = line("kadhim")
    assert husband["relation_keys"] == ["husband", "full_paternal_uncles_son"]
    assert husband["share"] == "7/40" and husband["reason"].startswith("heir as husband")
    assert husband["shares_by_relation"] == {"husband": "7/40"}  # the cousin is blocked by Ali
    assert Fraction(line("ali")["share"]) == Fraction(7, 20)
    assert Fraction(line("noor")["share"]) == Fraction(7, 40)
    total = sum(Fraction(r["share"]) for r in lines.values() if r["share"]) + Fraction(3, 10)
    assert total == 1
    # Noor died after her mother: her 7/40 passes by her own deed (art 91(2): her husband 1/4,
    # her father 1/6, her daughter the rest).
    (chain,) = body["chained"]
    assert chain["national_id"] == people["noor"].national_id
    got = {h["national_id"]: Fraction(h["share_of_this_estate"]) for h in chain["heirs"]}
    assert got == {people["yasser"].national_id: Fraction(7, 160),
                   people["kadhim"].national_id: Fraction(7, 240),
                   people["sara"].national_id: Fraction(49, 480)}
    # Huda's mother link is missing: listed, flagged, not counted as consanguine.
    huda = line("huda")
    assert huda["uncertain"] and huda["heir"] is False and huda["relation_keys"] == []
    assert any("uncertain link" in f for f in body["findings"])
    assert body["ready_to_sign"] is False
    assert body["shares"]["tashih"] % 40 == 0
