"""Arabic name folding for comparisons: the usual spelling variants compare equal.

Hamza forms of alef (أ إ آ ٱ) → ا, taa marbuta ة → ه, alef maqsura ى → ي, hamza on waw/yaa
(ؤ ئ) → و/ي; diacritics (harakat) and the tatweel are dropped; spaces collapsed.
"""

from __future__ import annotations

import re
import unicodedata

_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و",
                      "ئ": "ي", "ـ": None})
_MARKS = re.compile(r"[\u064B-\u0652\u0670]")


def fold(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = _MARKS.sub("", name).translate(_MAP)
    return " ".join(name.split())


def demographic_differences(a: dict[str, object], b: dict[str, object]) -> list[str]:
    """Fields whose values disagree after folding (names) or exactly (sex, birth date)."""
    diffs = []
    for key in ("given_name", "father_name", "grandfather_name", "surname", "mother_name"):
        if fold(str(a.get(key, ""))) != fold(str(b.get(key, ""))):
            diffs.append(key)
    for key in ("sex", "birth_date"):
        if str(a.get(key)) != str(b.get(key)):
            diffs.append(key)
    return diffs
