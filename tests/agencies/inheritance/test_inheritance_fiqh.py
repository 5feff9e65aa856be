"""Cases worked by hand from the fiqh texts (not from a published test table): the named
Sunni cases, the Hanafi option, the Ja'fari classes and Sistani's settlement cases, the treasury."""

from __future__ import annotations

from fractions import Fraction as F

from agencies.inheritance import compute_shares


def shares(rules: str, heirs: dict[str, int], **kw: object) -> dict[str, F]:
    result = compute_shares(rules, heirs, **kw)  # type: ignore[arg-type]
    return {k: h.share for k, h in result.heirs.items()}


def test_sunni_akdariyya_pools_grandfather_and_sister() -> None:
    heirs = {"husband": 1, "mother": 1, "paternal_grandfather": 1, "full_sister": 1}
    result = compute_shares("sunni", heirs)
    assert shares("sunni", heirs) == {
        "husband": F(1, 3),
        "mother": F(2, 9),
        "paternal_grandfather": F(8, 27),
        "full_sister": F(4, 27),
    }
    assert result.base == 27 and "akdariyya" in result.flags
    # Abu Hanifa: the grandfather excludes the sister.
    hanafi = compute_shares("sunni", heirs, hanafi=True)
    assert {k: h.share for k, h in hanafi.heirs.items()} == {
        "husband": F(1, 2),
        "mother": F(1, 3),
        "paternal_grandfather": F(1, 6),
    }
    assert hanafi.excluded == {"full_sister": "blocked by paternal_grandfather"}


def test_sunni_grandfather_with_siblings_majority_and_hanafi() -> None:
    # Zayd's "ʿushriyya": grandfather 4/10, full sister 5/10, paternal half-sisters 1/10.
    heirs = {"paternal_grandfather": 1, "full_sister": 1, "paternal_half_sister": 2}
    assert shares("sunni", heirs) == {
        "paternal_grandfather": F(2, 5),
        "full_sister": F(1, 2),
        "paternal_half_sister": F(1, 10),
    }
    # Sharing as a brother beats a third with one brother.
    assert shares("sunni", {"paternal_grandfather": 1, "full_brother": 1}) == {
        "paternal_grandfather": F(1, 2),
        "full_brother": F(1, 2),
    }
    # A third beats sharing with many brothers.
    assert shares("sunni", {"paternal_grandfather": 1, "full_brother": 3})[
        "paternal_grandfather"
    ] == F(1, 3)
    assert shares("sunni", {"paternal_grandfather": 1, "full_brother": 1}, hanafi=True) == {
        "paternal_grandfather": F(1)
    }


def test_sunni_mushtaraka() -> None:
    heirs = {"husband": 1, "mother": 1, "maternal_half_brother": 2, "full_brother": 1}
    majority = compute_shares("sunni", heirs)
    assert "mushtaraka" in majority.flags
    assert majority.heirs["maternal_half_brother"].per_head == F(1, 9)
    assert majority.heirs["full_brother"].share == F(1, 9)
    hanafi = compute_shares("sunni", heirs, hanafi=True)
    assert hanafi.heirs["full_brother"].share == 0
    assert hanafi.heirs["maternal_half_brother"].share == F(1, 3)


def test_sunni_mother_reduced_by_siblings_the_father_excludes() -> None:
    assert shares("sunni", {"father": 1, "mother": 1, "full_brother": 2}) == {
        "father": F(5, 6),
        "mother": F(1, 6),
    }


def test_sunni_blessed_brother_makes_the_paternal_sister_residuary() -> None:
    got = shares("sunni", {"full_sister": 2, "paternal_half_brother": 1, "paternal_half_sister": 1})
    assert got == {
        "full_sister": F(2, 3),
        "paternal_half_brother": F(2, 9),
        "paternal_half_sister": F(1, 9),
    }


def test_sunni_spouse_alone_leaves_the_rest_to_the_treasury() -> None:
    result = compute_shares("sunni", {"wife": 1})
    assert result.treasury == F(3, 4) and result.heirs["wife"].share == F(1, 4)
    assert "treasury_subject_to_unlisted_relatives" in result.flags
    assert compute_shares("sunni", {}).treasury == 1


def test_jafari_no_umariyya_and_mother_reduced_by_brothers() -> None:
    assert shares("jafari", {"husband": 1, "father": 1, "mother": 1}) == {
        "husband": F(1, 2),
        "father": F(1, 6),
        "mother": F(1, 3),
    }
    assert shares("jafari", {"father": 1, "mother": 1, "full_brother": 2}) == {
        "father": F(5, 6),
        "mother": F(1, 6),
    }
    # Paternal half-brothers reduce her too; uterine brothers do not (Sistani 2749).
    assert shares("jafari", {"father": 1, "mother": 1, "maternal_half_brother": 2})["mother"] == F(
        1, 3
    )


def test_jafari_settlement_when_the_mother_is_reduced_with_a_daughter() -> None:
    # Sistani ruling 2750: father 1/5, mother 1/6, daughter 3/5, 1/30 left to settlement.
    result = compute_shares("jafari", {"father": 1, "mother": 1, "daughter": 1, "full_brother": 2})
    assert {k: h.share for k, h in result.heirs.items()} == {
        "father": F(1, 5),
        "mother": F(1, 6),
        "daughter": F(3, 5),
    }
    assert result.left_to_settlement and result.total == F(29, 30)


def test_jafari_no_awl_shortfall_on_daughters_and_sisters() -> None:
    assert shares("jafari", {"husband": 1, "father": 1, "mother": 1, "daughter": 2}) == {
        "husband": F(1, 4),
        "father": F(1, 6),
        "mother": F(1, 6),
        "daughter": F(5, 12),
    }
    assert shares("jafari", {"husband": 1, "full_sister": 2, "maternal_half_sister": 2}) == {
        "husband": F(1, 2),
        "full_sister": F(1, 6),
        "maternal_half_sister": F(1, 3),
    }
    assert shares("jafari", {"husband": 1, "full_sister": 2}) == {
        "husband": F(1, 2),
        "full_sister": F(1, 2),
    }


def test_jafari_radd_not_to_spouse_and_only_to_the_paternal_side() -> None:
    assert shares("jafari", {"husband": 1, "daughter": 1}) == {
        "husband": F(1, 4),
        "daughter": F(3, 4),
    }
    assert shares("jafari", {"full_sister": 1, "maternal_half_brother": 1}) == {
        "full_sister": F(5, 6),
        "maternal_half_brother": F(1, 6),
    }


def test_jafari_grandparents_and_classes() -> None:
    assert shares("jafari", {"paternal_grandfather": 1, "maternal_grandmother": 1}) == {
        "paternal_grandfather": F(2, 3),
        "maternal_grandmother": F(1, 3),
    }
    got = shares("jafari", {"paternal_grandfather": 1, "full_sister": 1})
    assert got == {"paternal_grandfather": F(2, 3), "full_sister": F(1, 3)}
    result = compute_shares("jafari", {"full_brother": 1, "full_paternal_uncle": 1})
    assert result.excluded == {"full_paternal_uncle": "excluded by class 2 heir full_brother"}


def test_jafari_wife_alone_rest_to_treasury() -> None:
    result = compute_shares("jafari", {"wife": 1})
    assert result.heirs["wife"].share == F(1, 4) and result.treasury == F(3, 4)
    assert "wife_excluded_from_land" in result.flags


def test_jafari_ijmaiyya_and_its_settlement() -> None:
    result = compute_shares("jafari", {"paternal_half_uncle": 1, "full_paternal_uncles_son": 1})
    assert result.heirs["full_paternal_uncles_son"].share == 1
    assert "paternal_half_uncle" in result.excluded
    # With a widow, or more than one of either, the ruling is not established (Sistani 2745).
    widow = compute_shares(
        "jafari", {"wife": 1, "paternal_half_uncle": 1, "full_paternal_uncles_son": 1}
    )
    assert widow.left_to_settlement and widow.total == F(1, 4)
    two = compute_shares("jafari", {"paternal_half_uncle": 2, "full_paternal_uncles_son": 1})
    assert two.left_to_settlement and two.total == 0
