"""Latin-script names → Arabic script, for matching (legacy files and foreign registers).

A name written in Latin letters ("Mohammed al-Jubouri") cannot be compared with the Arabic
one it stands for. ``transliterate`` gives an Arabic spelling to compare with: the common Iraqi
names and tribal surnames through a table keyed by a folded Latin spelling (``latin_key``:
"Mohammed", "Muhammad", "Mohamad" → one key → محمد), anything else letter by letter (long
vowels written, short ones dropped, as Arabic spells). The result is for matching only: the
name as given is kept beside it by the caller. Pass the result through the name folding of
``matching.names`` before comparing (hamza forms, taa marbuta), as for any Arabic name.
"""

from __future__ import annotations

import re
import unicodedata

_LATIN = re.compile(r"[A-Za-z]")
_ARABIC = re.compile(r"[\u0600-\u06FF]")

# Folded Latin key → Arabic. Keys come from ``latin_key`` of the usual spellings.
_NAMES_SRC = {
    "محمد": "mohammed muhammad mohamed mohammad mohamad mohamed muhammed",
    "احمد": "ahmed ahmad", "علي": "ali aly", "حسين": "hussein husain hussain husein hosein",
    "حسن": "hassan hasan", "عباس": "abbas", "فاطمة": "fatima fatimah fatma",
    "زينب": "zainab zeinab zaynab", "عبدالله": "abdullah abdallah abdulla",
    "عمر": "omar umar", "مهدي": "mahdi mehdi", "كاظم": "kadhim kazim kathem kadhem kazem",
    "جاسم": "jassim jasim jasem", "مريم": "maryam mariam", "نور": "noor nour nur",
    "سارة": "sara sarah", "هدى": "huda houda hoda", "امل": "amal", "ابراهيم": "ibrahim ebrahim",
    "يوسف": "yousif yusuf youssef yousef yosef", "كريم": "karim kareem",
    "صالح": "saleh salih", "خليل": "khalil khaleel", "سعيد": "saeed said saied",
    "ناصر": "nasser nasir naser", "رشيد": "rasheed rashid", "امنة": "amna amina aminah",
    "عمار": "ammar", "مصطفى": "mustafa mustapha moustafa", "حيدر": "haider hayder haidar",
    "الجبوري": "aljubouri aljuburi aljabouri", "التميمي": "altamimi",
    "العبيدي": "alobaidi alubaidi", "الدليمي": "aldulaimi aldulaymi",
    "الساعدي": "alsaadi alsaedi", "الربيعي": "alrubaie alrubaiee alrubaiy",
    "الخزرجي": "alkhazraji", "البغدادي": "albaghdadi",
}

# Letter-by-letter fallback: digraphs first.
_DIGRAPHS = (("kh", "خ"), ("sh", "ش"), ("th", "ث"), ("dh", "ذ"), ("gh", "غ"), ("ch", "چ"),
             ("aa", "ا"), ("ee", "ي"), ("ii", "ي"), ("oo", "و"), ("ou", "و"), ("uu", "و"),
             ("ai", "ي"), ("ay", "ي"), ("ei", "ي"))
_LETTERS = {"b": "ب", "t": "ت", "j": "ج", "h": "ه", "d": "د", "r": "ر", "z": "ز", "s": "س",
            "f": "ف", "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "w": "و", "y": "ي",
            "g": "ك", "v": "ف", "p": "ب", "c": "ك", "x": "كس"}
_VOWELS = {"a": "ا", "e": "ي", "i": "ي", "o": "و", "u": "و"}


def has_latin(text: str) -> bool:
    """Whether ``text`` holds a Latin letter."""
    return bool(_LATIN.search(text))


def latin_key(word: str) -> str:
    """A folded spelling of one Latin name: lower case, ASCII, no separators or apostrophes,
    doubled letters single (``Al-Jubouri`` → ``aljubouri``, ``Hussein`` → ``husein``)."""
    ascii_ = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    letters = re.sub(r"[^a-z]", "", ascii_)
    return re.sub(r"(.)\1+", r"\1", letters)


_NAMES = {latin_key(v): ar for ar, spellings in _NAMES_SRC.items() for v in spellings.split()}


def _by_letters(key: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(key):
        pair = key[i:i + 2]
        digraph = next((ar for lat, ar in _DIGRAPHS if pair == lat), None)
        if digraph is not None:
            out.append(digraph)
            i += 2
            continue
        ch = key[i]
        if ch in _VOWELS:
            # Arabic writes a vowel at the start (alef) and long/final ones; short medial
            # vowels are not written.
            if i == 0:
                out.append("ا")
            elif i == len(key) - 1:
                out.append("ة" if ch == "a" else _VOWELS[ch])
        else:
            out.append(_LETTERS.get(ch, ""))
        i += 1
    return "".join(out)


def _word(word: str) -> str:
    key = latin_key(word)
    if not key:
        return ""
    if key in _NAMES:
        return _NAMES[key]
    if key.startswith("al") and len(key) > 3:  # the article: al-X, Al X, AlX
        rest = key[2:]
        known = _NAMES.get(key) or _NAMES.get(rest)
        return "ال" + (known if known else _by_letters(rest))
    return _by_letters(key)


def transliterate(name: str) -> str:
    """An Arabic spelling of ``name`` for matching; Arabic text passes through unchanged.

    ``"Mohammed"`` → ``"محمد"``; ``"al-Jubouri"`` → ``"الجبوري"``; ``"Abd al-Karim"`` word by
    word. Words are split on spaces; ``al``/``el`` before a space joins the next word."""
    if not has_latin(name):
        return unicodedata.normalize("NFC", name)
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    merged: list[str] = []
    for w in words:
        if merged and latin_key(merged[-1]) in ("al", "el"):
            merged[-1] = "al" + w
        else:
            merged.append(w)
    parts = [w if _ARABIC.search(w) and not has_latin(w) else _word(w) for w in merged]
    return unicodedata.normalize("NFC", " ".join(p for p in parts if p))
