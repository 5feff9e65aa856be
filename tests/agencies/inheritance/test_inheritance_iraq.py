"""Iraq: Personal Status Law 188/1959 on top of the deceased's school."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from agencies.inheritance import compute_shares


def shares(rules: str, heirs: dict[str, int], **kw: object) -> dict[str, F]:
    result = compute_shares(rules, heirs, **kw)  # type: ignore[arg-type]
    return {k: h.share for k, h in result.heirs.items()}


@pytest.mark.parametrize("school", ["sunni", "jafari"])
def test_art_91_2_daughter_alone_with_full_brother_takes_all(school: str) -> None:
    result = compute_shares("iraq", {"daughter": 1, "full_brother": 1}, school=school)
    assert {k: h.share for k, h in result.heirs.items()} == {"daughter": F(1)}
    assert result.excluded == {"full_brother": "excluded by daughter (Iraq PSL art 91(2))"}
    assert "iraq_art_91_2" in result.flags
    # Plain Sunni rules give the brother the residue.
    assert shares("sunni", {"daughter": 1, "full_brother": 1})["full_brother"] == F(1, 2)


def test_art_91_2_daughters_take_the_rest_after_parents_and_spouse() -> None:
    assert shares("iraq", {"husband": 1, "father": 1, "daughter": 1, "full_paternal_uncle": 2}) == {
        "husband": F(1, 4),
        "father": F(1, 6),
        "daughter": F(7, 12),
    }
    # No ʿawl: the shortfall falls on the daughters.
    assert shares("iraq", {"husband": 1, "father": 1, "mother": 1, "daughter": 2}) == {
        "husband": F(1, 4),
        "father": F(1, 6),
        "mother": F(1, 6),
        "daughter": F(5, 12),
    }
    # And no settlement case for the reduced mother under the statute.
    result = compute_shares(
        "iraq", {"father": 1, "mother": 1, "daughter": 1, "full_brother": 2}, school="jafari"
    )
    assert not result.left_to_settlement and result.heirs["daughter"].share == F(2, 3)


def test_art_91_2_does_not_apply_with_a_son() -> None:
    assert shares("iraq", {"son": 1, "daughter": 1, "full_brother": 1}) == {
        "son": F(2, 3),
        "daughter": F(1, 3),
    }


def test_art_89_4_full_sister_blocks_like_a_full_brother() -> None:
    result = compute_shares("iraq", {"full_sister": 1, "paternal_half_brother": 1})
    assert {k: h.share for k, h in result.heirs.items()} == {"full_sister": F(1)}
    assert result.excluded == {
        "paternal_half_brother": "blocked by full_sister (Iraq PSL art 89(4))"
    }
    assert "iraq_art_89_4" in result.flags
    assert shares("sunni", {"full_sister": 1, "paternal_half_brother": 1}) == {
        "full_sister": F(1, 2),
        "paternal_half_brother": F(1, 2),
    }
    # She excludes the uncle too; the mother shares the radd with her.
    assert shares("iraq", {"mother": 1, "full_sister": 1, "full_paternal_uncle": 1}) == {
        "mother": F(2, 5),
        "full_sister": F(3, 5),
    }


def test_art_91_1_spouse_shares() -> None:
    assert shares("iraq", {"husband": 1, "son": 1})["husband"] == F(1, 4)
    assert shares("iraq", {"husband": 1, "full_brother": 1})["husband"] == F(1, 2)
    assert shares("iraq", {"wife": 2, "son": 1})["wife"] == F(1, 8)
    assert shares("iraq", {"wife": 1, "full_brother": 1})["wife"] == F(1, 4)
