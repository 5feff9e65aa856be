"""Demographic evidence: rare names weigh more than common ones, families are capped,
disagreement is negative evidence, and the file of shares is read as documented."""

from __future__ import annotations

from matching import demographic, thresholds

BASE = {"given_name": "علي", "father_name": "حسين", "grandfather_name": "كاظم",
        "surname": "الجبوري", "mother_name": "زينب", "maternal_grandfather_name": "جاسم",
        "sex": "M", "birth_date": "1984-03-17", "birthplace": "Baghdad"}


def _field(ev: demographic.DemographicEvidence, name: str) -> demographic.FieldEvidence:
    return next(f for f in ev.fields if f.field == name)


def test_shares_are_read_and_common_names_say_little() -> None:
    shares = demographic.name_shares()
    assert shares["male"]["محمد"] > 0.04 and shares["female"]["فاطمه"] > 0.01
    common = demographic.compare(dict(BASE, given_name="محمد"), dict(BASE, given_name="محمد"))
    rare = demographic.compare(dict(BASE, given_name="سلوان"), dict(BASE, given_name="سلوان"))
    assert _field(rare, "given_name").llr > _field(common, "given_name").llr + 4


def test_spelling_variants_agree_and_errors_disagree() -> None:
    a = dict(BASE, given_name="أحمد", mother_name="فاطمة", surname="الجبوري")
    b = dict(BASE, given_name="احمد", mother_name="فاطمه", surname="جبوري")
    ev = demographic.compare(a, b)
    assert all(f.agrees for f in ev.fields)
    other = demographic.compare(a, dict(a, given_name="حسن", birth_date="1990-01-02"))
    assert not _field(other, "given_name").agrees and _field(other, "given_name").llr < 0
    assert _field(other, "birth_date").llr < 0


def test_a_sibling_is_not_the_same_person() -> None:
    same = demographic.compare(BASE, BASE)
    sibling = demographic.compare(BASE, dict(BASE, given_name="حسن", birth_date="1986-08-09"))
    assert same.llr == thresholds.value("demographic.max_llr")
    family = sum(f.llr for f in sibling.fields if f.field in demographic.FAMILY_FIELDS)
    assert family > thresholds.value("demographic.family_max_llr")  # the cap applies
    assert sibling.llr < 8 < same.llr


def test_default_birthdays_say_less_than_real_ones() -> None:
    real = demographic.compare(BASE, BASE)
    default = demographic.compare(dict(BASE, birth_date="1984-07-01"),
                                  dict(BASE, birth_date="1984-07-01"))
    assert _field(default, "birth_date").llr < _field(real, "birth_date").llr - 1
