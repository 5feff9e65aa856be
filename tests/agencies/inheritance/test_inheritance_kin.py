"""The rules of issue 20, each checked on a case worked by hand from its published source
(named in each test): PSL art 74, art 90 (Hanafi), the distant kindred of al-Sirajiyya, the
grandmothers, the agnates past two generations, Ja'fari representation, held shares, chained
deeds, one person with two relationships, and the deed's corrected base."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction as F

import pytest

from agencies.inheritance import InheritanceError, compute_shares
from agencies.inheritance.labels import label_ar


def shares(rules: str, heirs: Mapping[str, object], **kw: object) -> dict[str, F]:
    result = compute_shares(rules, heirs, **kw)  # type: ignore[arg-type]
    return {k: h.share for k, h in result.heirs.items()}


# --- PSL art 74 (as amended by Law 72/1979): the obligatory bequest ----------------------------

def test_art_74_bequest_is_the_parents_share_within_a_third() -> None:
    """Art 74(1): the predeceased son's and daughter's children take what their parents would
    have taken (2/5 and 1/5 beside the living son), cut back together to one third."""
    heirs = {"son": 1, "predeceased": [{"parent": "son", "sons": 1, "daughters": 2},
                                       {"parent": "daughter", "sons": 1}]}
    result = compute_shares("iraq", heirs, deceased="male")
    son_stock, daughter_stock = result.bequests
    assert (son_stock.as_if_alive, daughter_stock.as_if_alive) == (F(2, 5), F(1, 5))
    assert (son_stock.share, daughter_stock.share) == (F(2, 9), F(1, 9))
    assert (son_stock.per_son, son_stock.per_daughter) == (F(1, 9), F(1, 18))
    assert result.heirs["son"].share == F(2, 3) and "art_74_capped" in result.flags
    assert result.tashih == 18 and result.total == 1
    assert "art_74" in result.sources


def test_art_74_within_the_third_is_the_whole_parents_share() -> None:
    """Art 74: two living sons and a predeceased son's daughter: she takes her father's third
    whole (1/3 is not exceeded); the sons share the rest."""
    result = compute_shares("iraq", {"son": 2, "predeceased": [{"parent": "son", "daughters": 1}]})
    assert result.bequests[0].share == F(1, 3) and "art_74_capped" not in result.flags
    assert result.heirs["son"].share == F(2, 3)


def test_art_74_not_for_grandchildren_who_inherit_in_their_own_right() -> None:
    """A predeceased only son's son inherits as the agnate (Bukhari 6732): no bequest
    (Egyptian Law 71/1946 art 76, the source law of art 74)."""
    result = compute_shares("iraq", {"wife": 1, "predeceased": [{"parent": "son", "sons": 1}]})
    assert not result.bequests
    assert {k: h.share for k, h in result.heirs.items()} == {"wife": F(1, 8), "sons_son": F(7, 8)}
    assert "art_74_heir_in_own_right" in result.sources


def test_art_74_with_art_91_2() -> None:
    """Art 91(2) excludes the son's daughter beside a daughter; art 74 gives her the deemed-alive
    son's 2/3, cut to a third; the daughter keeps the rest."""
    result = compute_shares("iraq", {"daughter": 1,
                                     "predeceased": [{"parent": "son", "daughters": 1}]})
    assert result.bequests[0].share == F(1, 3) and result.heirs["daughter"].share == F(2, 3)


def test_art_74_is_statute_only() -> None:
    """Under the Ja'fari code (rules=jafari) and the plain schools there is no obligatory
    bequest: the stocks are grandchildren (excluded by the son)."""
    for rules in ("jafari", "sunni"):
        result = compute_shares(rules, {"son": 1, "predeceased": [{"parent": "son", "sons": 1}]})
        assert not result.bequests and result.heirs["son"].share == 1
        assert "predeceased_not_iraq" in result.sources


def test_art_74_applies_to_a_shii_deceased_under_the_statute() -> None:
    result = compute_shares("iraq", {"son": 1, "predeceased": [{"parent": "son", "sons": 1}]},
                            school="jafari")
    assert result.bequests[0].share == F(1, 3) and result.heirs["son"].share == F(2, 3)


# --- PSL art 90: the Hanafi school for a Sunni deceased --------------------------------------

def test_iraq_applies_hanafi_positions() -> None:
    """Al-Sirajiyya, bab al-jadd: Abu Hanifa's grandfather excludes the brothers; and no sharing
    in al-mushtaraka."""
    assert shares("iraq", {"paternal_grandfather": 1, "full_brother": 2}) == {
        "paternal_grandfather": F(1)}
    assert shares("sunni", {"paternal_grandfather": 1, "full_brother": 1})[
        "paternal_grandfather"] == F(1, 2)
    heirs = {"husband": 1, "mother": 1, "maternal_half_brother": 2, "full_brother": 1}
    assert shares("iraq", heirs)["full_brother"] == 0
    with pytest.raises(InheritanceError) as info:
        compute_shares("iraq", {"son": 1}, hanafi=False)
    assert info.value.code == "bad_option"


def test_hanafi_returns_the_rest_to_a_spouse_left_alone() -> None:
    """Ibn ʿAbidin, Radd al-Muhtar: the later Hanafi fatwa returns the rest to the spouse; the
    majority set keeps the treasury."""
    result = compute_shares("iraq", {"wife": 1})
    assert result.heirs["wife"].share == 1 and "radd_to_spouse" in result.flags
    assert compute_shares("sunni", {"wife": 1}).treasury == F(3, 4)


# --- Distant kindred, Hanafi method (al-Sirajiyya, bab dhawi al-arham) ------------------------

def test_kindred_class_one_before_class_two_and_by_sex() -> None:
    assert shares("iraq", {"daughters_son": 1, "daughters_daughter": 1,
                           "maternal_grandfather": 1}) == {
        "daughters_son": F(2, 3), "daughters_daughter": F(1, 3)}


def test_kindred_the_heirs_child_first() -> None:
    """Same degree: the son's daughter's son (child of a sharer) before the daughter's
    daughter's son."""
    result = compute_shares("iraq", {"sons_daughters_son": 1, "daughters_daughters_son": 1})
    assert {k: h.share for k, h in result.heirs.items()} == {"sons_daughters_son": F(1)}


def test_kindred_muhammads_division_at_the_first_difference() -> None:
    """Muhammad (the fatwa): the daughter's son's daughter takes her grandfather's two shares,
    the daughter's daughter's son his grandmother's one; Abu Yusuf would reverse it."""
    assert shares("iraq", {"daughters_sons_daughter": 1, "daughters_daughters_son": 1}) == {
        "daughters_sons_daughter": F(2, 3), "daughters_daughters_son": F(1, 3)}


def test_kindred_siblings_children_by_their_parents() -> None:
    """Al-Sirajiyya, third class: a full brother's daughter and a full sister's son divide as
    their parents would, 2:1; a spouse keeps a full share beside them."""
    assert shares("iraq", {"husband": 1, "full_brothers_daughter": 1, "full_sisters_son": 1}) == {
        "husband": F(1, 2), "full_brothers_daughter": F(1, 3), "full_sisters_son": F(1, 6)}


def test_kindred_aunts_and_uncles_by_side_and_tie() -> None:
    """Fourth class: the father's side 2/3, the mother's 1/3; the full tie before the half; the
    paternal uncle's daughter (child of an agnate) before the full paternal aunt's son."""
    assert shares("iraq", {"full_paternal_aunt": 1, "full_maternal_uncle": 2}) == {
        "full_paternal_aunt": F(2, 3), "full_maternal_uncle": F(1, 3)}
    assert shares("iraq", {"full_paternal_aunt": 1, "paternal_half_aunt": 1}) == {
        "full_paternal_aunt": F(1)}
    assert shares("iraq", {"full_paternal_uncles_daughter": 1, "full_paternal_aunts_son": 1}) == {
        "full_paternal_uncles_daughter": F(1)}


def test_kindred_excluded_by_any_sharer_or_agnate() -> None:
    result = compute_shares("iraq", {"mother": 1, "daughters_son": 1})
    assert result.heirs["mother"].share == 1 and "daughters_son" in result.excluded


# --- Grandmothers and agnates past two generations (al-Sirajiyya, hajb and ʿasabat) ----------

def test_grandmothers_of_one_degree_share_the_sixth() -> None:
    heirs = {"son": 1, "paternal_grandfathers_mother": 1, "paternal_grandmothers_mother": 1,
             "maternal_grandmothers_mother": 1}
    got = shares("iraq", heirs)
    assert [got[k] for k in heirs if k != "son"] == [F(1, 18)] * 3
    result = compute_shares("iraq", {"son": 1, "paternal_grandmother": 1,
                                     "maternal_grandmothers_mother": 1})
    assert "maternal_grandmothers_mother" in result.excluded
    assert "grandmother_nearer_paternal" in result.flags


def test_the_lower_male_makes_the_sons_daughter_residuary() -> None:
    """Al-Sirajiyya, banat al-ibn: two daughters take 2/3; the son's son's son makes the son's
    daughter (above him, with no share left) residuary with him, 2:1."""
    assert shares("sunni", {"daughter": 2, "sons_daughter": 1, "sons_sons_son": 1}) == {
        "daughter": F(2, 3), "sons_daughter": F(1, 9), "sons_sons_son": F(2, 9)}
    result = compute_shares("sunni", {"daughter": 1, "sons_daughter": 1, "sons_sons_daughter": 1})
    assert result.heirs["sons_daughter"].share == F(1, 4)  # her 1/6 and its radd
    assert "sons_sons_daughter" in result.excluded


def test_agnates_past_the_cousins() -> None:
    assert shares("iraq", {"wife": 1, "full_paternal_uncles_sons_son": 1,
                           "fathers_full_paternal_uncle": 1}) == {
        "wife": F(1, 4), "full_paternal_uncles_sons_son": F(3, 4)}
    assert shares("iraq", {"fathers_paternal_half_uncles_son": 2})[
        "fathers_paternal_half_uncles_son"] == 1


# --- Ja'fari classes and representation (Sistani; Sharaʾiʿ) ----------------------------------

def test_jafari_daughters_child_is_first_class_and_maternal_grandfather_second() -> None:
    result = compute_shares("jafari", {"daughters_son": 1, "full_brother": 1})
    assert result.heirs["daughters_son"].share == 1 and "full_brother" in result.excluded
    assert shares("jafari", {"maternal_grandfather": 1, "paternal_grandfather": 1}) == {
        "paternal_grandfather": F(2, 3), "maternal_grandfather": F(1, 3)}


def test_jafari_grandchildren_take_their_parents_share_per_stock() -> None:
    heirs = {"predeceased": [{"parent": "son", "sons": 3}, {"parent": "son", "daughters": 1},
                             {"parent": "daughter", "sons": 1}]}
    result = compute_shares("jafari", heirs)
    assert [(s.root, s.share) for s in result.stocks] == [
        ("son", F(2, 5)), ("son", F(2, 5)), ("daughter", F(1, 5))]
    assert result.heirs["sons_son"].per_head == F(2, 15)
    assert result.heirs["sons_daughter"].share == F(2, 5)
    assert "assumed_single_stock" not in result.flags


def test_jafari_uncles_and_aunts_by_side() -> None:
    assert shares("jafari", {"full_paternal_uncle": 1, "full_paternal_aunt": 1,
                             "full_maternal_uncle": 1, "full_maternal_aunt": 1}) == {
        "full_paternal_uncle": F(4, 9), "full_paternal_aunt": F(2, 9),
        "full_maternal_uncle": F(1, 6), "full_maternal_aunt": F(1, 6)}


def test_jafari_unsupported_case_is_named() -> None:
    with pytest.raises(InheritanceError) as info:
        compute_shares("jafari", {"paternal_grandfathers_father": 1, "full_brother": 1})
    assert info.value.code == "unsupported_case"


# --- Held shares, chained deeds, two relationships, the deed's form ---------------------------

def test_unborn_child_share_is_held() -> None:
    """Al-Sirajiyya, bab al-haml (Abu Yusuf): the larger of one son's or one daughter's share is
    held, the son gets the least of every outcome; Ja'fari holds two sons' share."""
    result = compute_shares("iraq", {"wife": 1, "son": 1, "unborn": ["child"]})
    assert result.heirs["son"].share == F(7, 16) and result.held == F(7, 16)
    assert result.heirs["wife"].share == F(1, 8) and result.total == 1
    jafari = compute_shares("jafari", {"wife": 1, "son": 1, "unborn": ["child"]})
    assert jafari.heirs["son"].share == F(7, 24)


def test_missing_heirs_share_is_held() -> None:
    """Al-Sirajiyya, bab al-mafqud: the missing son's share is held as if alive."""
    result = compute_shares("iraq", {"wife": 1, "son": 2, "missing": {"son": 1}})
    assert result.heirs["son"].count == 1 and result.heirs["son"].share == F(7, 16)
    assert result.held == F(7, 16)


def test_chained_deed() -> None:
    """Al-Sirajiyya, bab al-munasakha: the son died before the division; his 7/12 passes to his
    widow (1/4) and mother (1/3 + radd 3/4)."""
    result = compute_shares("iraq", {"wife": 1, "son": 1, "daughter": 1, "died_after": [
        {"relation": "son", "heirs": {"wife": 1, "mother": 1}}]})
    (chain,) = result.chained
    assert chain["share"] == "7/12"
    assert chain["of_this_estate"] == {"wife": {"count": 1, "per_head": "7/48"},
                                       "mother": {"count": 1, "per_head": "7/16"}}
    assert chain["jamia"] == 48


def test_husband_who_is_a_cousin_inherits_as_both() -> None:
    result = compute_shares("iraq", {"husband": 1, "full_paternal_uncles_son": 1,
                                     "same_person": [["husband", "full_paternal_uncles_son"]]})
    assert result.persons == ((("husband", "full_paternal_uncles_son"), F(1)),)


def test_corrected_base_and_sihams() -> None:
    body = compute_shares("iraq", {"wife": 2, "son": 1, "daughter": 2}).to_json()
    assert body["base"] == 16 and body["tashih"] == 32  # a daughter's 7/32 needs 32 portions
    assert body["heirs"]["wife"]["sihams_per_head"] == 2
    assert body["heirs"]["son"]["sihams"] == 14 and body["heirs"]["daughter"]["sihams"] == 14
    assert body["heirs"]["daughter"]["sihams_per_head"] == 7


def test_arabic_labels() -> None:
    assert label_ar("sons_daughter") == "بنت الابن"
    assert label_ar("paternal_grandfathers_mother") == "أم أبي الأب"
    assert label_ar("full_brothers_sons_son") == "ابن ابن الأخ الشقيق"
    assert label_ar("maternal_half_maternal_aunt") == "خالة لأم"
