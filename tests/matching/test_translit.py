"""Latin-script names → Arabic spellings for matching."""

from __future__ import annotations

import pytest

from matching.translit import has_latin, latin_key, transliterate


@pytest.mark.parametrize(("latin", "arabic"), [
    ("Mohammed", "محمد"), ("Muhammad", "محمد"), ("MOHAMED", "محمد"), ("Hussein", "حسين"),
    ("Husain", "حسين"), ("Fatima", "فاطمة"), ("al-Jubouri", "الجبوري"), ("Al Jubouri", "الجبوري"),
    ("AlTamimi", "التميمي"), ("Kadhim", "كاظم"), ("Zeinab", "زينب"),
])
def test_common_names(latin, arabic):
    assert transliterate(latin) == arabic


def test_unknown_names_letter_by_letter_and_arabic_unchanged():
    assert transliterate("Khalaf") == "خلف"
    assert transliterate("Shakir") == "شكر"
    assert transliterate("علي") == "علي"
    assert transliterate("Ali Hassan") == "علي حسن"
    assert not has_latin(transliterate("Xyzzy Qwerty"))


def test_latin_key_folds_spellings():
    assert latin_key("Al-Jubouri") == "aljubouri"
    assert latin_key("Hussein") == latin_key("Husein")
    assert has_latin("Ahmed") and not has_latin("أحمد")
