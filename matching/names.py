"""Arabic name folding for comparisons: the usual spelling variants of one name compare equal.

``fold`` maps a name written by any clerk to one comparison form:

- Unicode NFC; diacritics (harakat, superscript alef, shadda) and the tatweel dropped;
- hamza forms of alef (أ إ آ ٱ) → ا; hamza on waw/yaa (ؤ ئ) → و/ي; a standalone hamza (ء) dropped;
- taa marbuta ة → ه; alef maqsura ى → ي;
- Persian/Kurdish keyboard forms of Arabic letters (ک → ك, ی/ې → ي, ھ → ه);
- spaces dropped inside a name field, so compounds compare whatever the spacing
  (عبد الله / عبدالله, نور الدين / نورالدين, أبو بكر / ابوبكر);
- for surnames (``surname=True``) a leading definite article ال is dropped (الجبوري / جبوري).

Folding is for comparison and blocking keys only; names are stored as written (NFC).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_MAP = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ء": None,
    "ة": "ه", "ى": "ي", "ک": "ك", "ی": "ي", "ې": "ي", "ھ": "ه", "ـ": None,
})
_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]")
_SPACE = re.compile(r"[\s\-]+")


def fold(name: str, *, surname: bool = False) -> str:
    """The comparison form of one name field (see the module docstring)."""
    name = unicodedata.normalize("NFC", name)
    name = _MARKS.sub("", name).translate(_MAP)
    name = _SPACE.sub("", name)
    if surname and name.startswith("ال") and len(name) > 3:
        name = name[2:]
    return name


def blocking_keys(given: str, father: str, grandfather: str, surname: str, mother: str,
                  birth_date: date) -> list[str]:
    """Indexed keys under which a record is found by a demographic search: each tolerates an
    error in the fields it leaves out (a changed birth date, a misspelt mother's name, a
    different surname). Folded, so spelling variants share keys."""
    g, f, gf = fold(given), fold(father), fold(grandfather)
    s, m = fold(surname, surname=True), fold(mother)
    day, year = birth_date.isoformat(), str(birth_date.year)
    return [f"n3:{g}|{f}|{gf}", f"md:{m}|{day}", f"gm:{g}|{m}|{year}", f"gs:{g}|{s}|{day}"]
