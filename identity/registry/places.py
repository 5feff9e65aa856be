"""Places of birth: Iraq's governorates (ISO 3166-2:IQ) and the countries (ISO 3166-1).

A birthplace is stored as a code: ``IQ-BG`` for a governorate, the alpha-2 code (``SY``) for a
person born abroad. Stations may send the Arabic name, the English name (with the usual
spellings) or the code; ``governorate_code`` and ``country_code`` resolve all three. Names are
folded before comparison (hamza forms, alef maqsura, taa marbuta, harakat, tatweel, case, a
leading "محافظة"/"governorate"), so ``"محافظة البصره"`` and ``"Al-Basrah"`` both give ``IQ-BA``.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Governorate:
    code: str  # ISO 3166-2:IQ (Halabja: see HALABJA_NOTE)
    english: str
    arabic: str
    aliases: tuple[str, ...] = ()


# Halabja became Iraq's 19th governorate by Iraqi law; ISO 3166-2:IQ has no code for it yet, so
# the registry uses IQ-HA (the pattern ISO uses) until one is assigned.
HALABJA_NOTE = "IQ-HA is not (yet) in ISO 3166-2:IQ"

GOVERNORATE_TABLE: tuple[Governorate, ...] = (
    Governorate("IQ-BG", "Baghdad", "بغداد"),
    Governorate("IQ-BA", "Basra", "البصرة", ("Basrah", "Al Basrah")),
    Governorate("IQ-NI", "Nineveh", "نينوى", ("Ninawa", "Ninewa", "Mosul", "الموصل")),
    Governorate("IQ-AR", "Erbil", "أربيل", ("Arbil", "Irbil", "Hawler", "هولير")),
    Governorate("IQ-SU", "Sulaymaniyah", "السليمانية", ("As Sulaymaniyah", "Sulaimani",
                                                        "Slemani")),
    Governorate("IQ-DA", "Duhok", "دهوك", ("Dahuk", "Dohuk")),
    Governorate("IQ-KI", "Kirkuk", "كركوك"),
    Governorate("IQ-AN", "Anbar", "الأنبار", ("Al Anbar",)),
    Governorate("IQ-BB", "Babil", "بابل", ("Babylon",)),
    Governorate("IQ-KA", "Karbala", "كربلاء", ("Kerbala",)),
    Governorate("IQ-NA", "Najaf", "النجف", ("An Najaf",)),
    Governorate("IQ-QA", "Qadisiyyah", "القادسية", ("Al Qadisiyah", "Qadisiyah", "Diwaniyah",
                                                   "الديوانية")),
    Governorate("IQ-WA", "Wasit", "واسط", ("Kut", "الكوت")),
    Governorate("IQ-MA", "Maysan", "ميسان", ("Missan", "Amarah", "العمارة")),
    Governorate("IQ-DQ", "Dhi Qar", "ذي قار", ("Thi Qar", "Nasiriyah", "الناصرية")),
    Governorate("IQ-MU", "Muthanna", "المثنى", ("Al Muthanna", "Samawah", "السماوة")),
    Governorate("IQ-DI", "Diyala", "ديالى", ("Baqubah", "بعقوبة")),
    Governorate("IQ-SD", "Saladin", "صلاح الدين", ("Salah ad Din", "Salahuddin", "Salah al-Din",
                                                  "Tikrit", "تكريت")),
    Governorate("IQ-HA", "Halabja", "حلبجة"),
)
GOVERNORATE_CODES = tuple(g.code for g in GOVERNORATE_TABLE)
IRAQ = "IQ"

_HARAKAT = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, superscript alef, tatweel
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و",
                       "ئ": "ي", "ک": "ك", "ی": "ي", "-": " ", "'": "", "’": "", "‘": "",
                       "ʿ": "", "ʾ": "", ".": " ", ",": " ", "،": " "})
_PREFIXES = ("محافظه ", "governorate of ", "دوله ", "جمهوريه ")
_SUFFIXES = (" governorate", " province")


def fold(name: str) -> str:
    """A comparison key: NFKD without accents, harakat and tatweel removed, letter variants
    unified, lower case, single spaces, a leading "محافظة"/"governorate of" dropped."""
    value = unicodedata.normalize("NFKC", name)
    value = _HARAKAT.sub("", value).translate(_FOLD).lower()
    value = "".join(c for c in unicodedata.normalize("NFKD", value)
                    if not unicodedata.combining(c) or "\u0600" <= c <= "\u06ff")
    value = " ".join(value.split())
    for prefix in _PREFIXES:
        value = value.removeprefix(prefix)
    for suffix in _SUFFIXES:
        value = value.removesuffix(suffix)
    return value.strip()


def _keys(*names: str) -> set[str]:
    """Folded names, with and without the article (البصرة = بصرة, Al Anbar = Anbar)."""
    out: set[str] = set()
    for name in names:
        key = fold(name)
        out.add(key)
        for article in ("ال", "al ", "as ", "an ", "ad "):
            if key.startswith(article) and len(key) > len(article) + 2:
                out.add(key[len(article):].strip())
    return out


@lru_cache(maxsize=1)
def _governorate_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for g in GOVERNORATE_TABLE:
        for key in _keys(g.code, g.english, g.arabic, *g.aliases):
            index[key] = g.code
    return index


def governorate_code(value: str) -> str | None:
    """The ISO 3166-2:IQ code of a governorate given by code, English or Arabic name; None when
    the value names no governorate."""
    key = fold(value)
    index = _governorate_index()
    if key in index:
        return index[key]
    for article in ("ال", "al "):
        if key.startswith(article) and key[len(article):].strip() in index:
            return index[key[len(article):].strip()]
    return None


def governorate(code: str) -> Governorate | None:
    return next((g for g in GOVERNORATE_TABLE if g.code == code), None)


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    english: str
    arabic: str


# Arabic names missing from (or too formal in) the iso-codes translations.
_ARABIC_OVERRIDES = {
    "TR": "تركيا", "SY": "سوريا", "IR": "إيران", "GB": "المملكة المتحدة",
    "US": "الولايات المتحدة", "RU": "روسيا", "KR": "كوريا الجنوبية", "KP": "كوريا الشمالية",
    "PS": "فلسطين", "VE": "فنزويلا", "BO": "بوليفيا", "TZ": "تنزانيا", "MD": "مولدوفا",
    "VN": "فيتنام", "LA": "لاوس",
}


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    """Every ISO 3166-1 country (pycountry's table), with its Arabic name (iso-codes'
    translations, a few common forms overridden), sorted by code."""
    import pycountry

    arabic = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"],
                                 fallback=True)
    out = []
    for c in pycountry.countries:
        english = getattr(c, "common_name", None) or c.name
        ar = _ARABIC_OVERRIDES.get(c.alpha_2) or arabic.gettext(english)
        if ar == english:
            ar = arabic.gettext(c.name)
        out.append(Country(c.alpha_2, english, unicodedata.normalize("NFC", ar)))
    return tuple(sorted(out, key=lambda c: c.code))


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    import pycountry

    index: dict[str, str] = {}
    arabic = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"],
                                 fallback=True)
    for c in pycountry.countries:
        names = [c.alpha_2, c.alpha_3, c.name, getattr(c, "common_name", ""),
                 getattr(c, "official_name", ""), arabic.gettext(c.name)]
        for key in _keys(*(n for n in names if n)):
            index.setdefault(key, c.alpha_2)
    for country in countries():
        for key in _keys(country.arabic, country.english):
            index.setdefault(key, country.code)
    return index


def country_code(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country given by alpha-2/alpha-3 code, English or Arabic
    name; None when the value names no country."""
    return _country_index().get(fold(value))


def birthplace_label(code: str, lang: str = "ar") -> str:
    """A stored birthplace code as a person reads it (the code itself when unknown)."""
    g = governorate(code)
    if g is not None:
        return g.arabic if lang == "ar" else g.english
    c = next((c for c in countries() if c.code == code), None)
    if c is not None:
        return c.arabic if lang == "ar" else c.english
    return code
