"""Development cases of the inheritance engine, and further cases worked from the fiqh texts.

"Shares are per class": each expected value is the share of all heirs of that relation together.
A "0" means the relation takes nothing (excluded, or a residuary left with nothing).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from agencies.inheritance import ShareResult, compute_shares

# Source: ilmsummit test table via DOMAIN.md (Sunni majority).
SUNNI_CASES: list[tuple[dict[str, int], dict[str, str]]] = [
    ({"wife": 1, "son": 1}, {"wife": "1/8", "son": "7/8"}),
    (
        {"husband": 1, "mother": 1, "maternal_half_brother": 1, "full_paternal_uncle": 1},
        {
            "husband": "1/2",
            "mother": "1/3",
            "maternal_half_brother": "1/6",
            "full_paternal_uncle": "0",
        },
    ),
    ({"daughter": 1, "full_sister": 2}, {"daughter": "1/2", "full_sister": "1/2"}),
    (
        {"daughter": 2, "paternal_half_sister": 1},
        {"daughter": "2/3", "paternal_half_sister": "1/3"},
    ),
    (
        {"daughter": 1, "sons_daughter": 1, "full_sister": 2},
        {"daughter": "1/2", "sons_daughter": "1/6", "full_sister": "1/3"},
    ),
    ({"father": 1, "full_brother": 1}, {"father": "1", "full_brother": "0"}),
    ({"wife": 1, "son": 1, "mother": 1}, {"wife": "1/8", "son": "17/24", "mother": "1/6"}),
    ({"husband": 1, "full_sister": 2}, {"husband": "3/7", "full_sister": "4/7"}),  # ʿawl
    # al-ʿumariyya: mother 1/3 of the remainder
    (
        {"husband": 1, "father": 1, "mother": 1},
        {"husband": "1/2", "father": "1/3", "mother": "1/6"},
    ),
    ({"wife": 1, "father": 1, "mother": 1}, {"wife": "1/4", "father": "1/2", "mother": "1/4"}),
    ({"daughter": 2}, {"daughter": "1"}),  # radd
    ({"mother": 1, "full_sister": 1}, {"mother": "2/5", "full_sister": "3/5"}),  # radd
    ({"daughter": 1, "sons_daughter": 2}, {"daughter": "3/4", "sons_daughter": "1/4"}),
    ({"wife": 1, "full_sister": 2}, {"wife": "1/4", "full_sister": "3/4"}),
    (
        {"wife": 1, "daughter": 1, "mother": 1},
        {"wife": "1/8", "daughter": "21/32", "mother": "7/32"},
    ),
    ({"husband": 1, "son": 1, "daughter": 1}, {"husband": "1/4", "son": "1/2", "daughter": "1/4"}),
    (
        {"daughter": 2, "father": 1, "mother": 1},
        {"daughter": "2/3", "father": "1/6", "mother": "1/6"},
    ),
    (
        {"husband": 1, "daughter": 1, "father": 1},
        {"husband": "1/4", "daughter": "1/2", "father": "1/4"},
    ),
    ({"daughter": 1, "sons_son": 1}, {"daughter": "1/2", "sons_son": "1/2"}),
    (
        {"wife": 1, "son": 1, "father": 1, "mother": 1},
        {"wife": "1/8", "son": "13/24", "father": "1/6", "mother": "1/6"},
    ),
    (
        {"husband": 1, "daughter": 2, "mother": 1},
        {"husband": "3/13", "daughter": "8/13", "mother": "2/13"},
    ),
]

# Source: Sistani's rulings via DOMAIN.md (Ja'fari).
JAFARI_CASES: list[tuple[dict[str, int], dict[str, str]]] = [
    ({"son": 1, "daughter": 1}, {"son": "2/3", "daughter": "1/3"}),
    ({"father": 1, "mother": 1}, {"father": "2/3", "mother": "1/3"}),
    # no blocking brothers
    (
        {"father": 1, "mother": 1, "daughter": 1},
        {"father": "1/5", "mother": "1/5", "daughter": "3/5"},
    ),
    ({"daughter": 1, "full_brother": 1}, {"daughter": "1", "full_brother": "0"}),
    ({"husband": 1}, {"husband": "1"}),
]


def check(result: ShareResult, expected: dict[str, str]) -> None:
    """Every expected relation has its share; the rest of the estate goes nowhere else."""
    for key, text in expected.items():
        want = Fraction(text)
        if key in result.heirs:
            assert result.heirs[key].share == want, (key, result.to_json())
        else:
            assert want == 0 and key in result.excluded, (key, result.to_json())
    assert set(result.heirs) | set(result.excluded) == set(expected)
    assert result.total == 1
    assert result.treasury is None


@pytest.mark.parametrize(("heirs", "expected"), SUNNI_CASES)
def test_sunni_development_cases(heirs: dict[str, int], expected: dict[str, str]) -> None:
    check(compute_shares("sunni", heirs), expected)


@pytest.mark.parametrize(("heirs", "expected"), JAFARI_CASES)
def test_jafari_development_cases(heirs: dict[str, int], expected: dict[str, str]) -> None:
    check(compute_shares("jafari", heirs), expected)


def test_base_is_the_asl_after_awl_and_radd() -> None:
    assert compute_shares("sunni", {"husband": 1, "full_sister": 2}).base == 7
    assert compute_shares("sunni", {"husband": 1, "daughter": 2, "mother": 1}).base == 13
    assert compute_shares("sunni", {"mother": 1, "full_sister": 1}).base == 5
    assert compute_shares("sunni", {"wife": 1, "daughter": 1, "mother": 1}).base == 32
    assert compute_shares("sunni", {"wife": 1, "son": 1, "mother": 1}).base == 24


def test_flags_name_awl_radd_and_umariyya() -> None:
    assert "awl" in compute_shares("sunni", {"husband": 1, "full_sister": 2}).flags
    assert "radd" in compute_shares("sunni", {"daughter": 2}).flags
    assert "umariyya" in compute_shares("sunni", {"wife": 1, "father": 1, "mother": 1}).flags


def test_excluded_heirs_name_who_blocks_them() -> None:
    result = compute_shares("sunni", {"father": 1, "full_brother": 1})
    assert result.excluded == {"full_brother": "blocked by father"}
    result = compute_shares("jafari", {"daughter": 1, "full_brother": 1})
    assert result.excluded["full_brother"] == "excluded by class 1 heir daughter"


def test_per_head_divides_the_class_share() -> None:
    result = compute_shares("sunni", {"wife": 2, "son": 3, "daughter": 1})
    assert result.heirs["wife"].per_head == Fraction(1, 16)
    assert result.heirs["son"].per_head == Fraction(7, 8) * 2 / 7
    daughter = result.to_json()["heirs"]["daughter"]
    assert daughter == {"count": 1, "share": "1/8", "per_head": "1/8", "sihams": 2,
                        "sihams_per_head": 2, "label_ar": "بنت"}
    assert result.tashih == 16  # wives 1/16 each: the corrected base
