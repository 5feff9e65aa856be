"""Calibrate the demographic likelihood ratios (``matching.demographic``) on generated registers.

No Iraqi register is available to this project, so the data are generated — and every
assumption is here to read:

- **Families** draw a surname, the father's line (father, grandfather) and the mother (with her
  father) from the shares of ``matching/data/iraqi_names.csv`` (names not listed take the
  default shares: a Zipf tail of 2,000 generated rare names per class), a governorate of birth
  from the census shares (85% of a family's children born in one governorate), and 1-7
  children born within 20 years; birthdays are unknown (1 January / 1 July) for 10%.
- **A genuine pair** is a person and the same person typed again by another clerk: each name
  is re-spelt with probability 0.4 by a variant generator (hamza forms of alef, taa marbuta/haa,
  alef maqsura/yaa, a tatweel, diacritics, spacing inside عبد/ابو/…الدين compounds, ال on a
  surname), a field is replaced by another name with ``demographic.name_error``; the birth date
  is the same, another day of the year, a year apart or other with the ``demographic.date_*``
  rates; the governorate and the sex err with their rates.
- **Impostor pairs** are two people of different families (``random``) and two children of one
  family (``siblings``: the hard case, sharing the father's line, the mother and often the
  birthplace).

Reported: the fraction of genuine fields that still disagree after folding (folding must absorb
every variant, leaving only the injected errors), the LLR distributions, and the calibration
check of each impostor population: P(LLR >= t | impostor) against e^-t (a calibrated LLR
cannot exceed it) — before and after the ``demographic.max_llr`` cap.

    .venv/bin/python -m bench.demographic_calibrate --pairs 20000
"""

from __future__ import annotations

import argparse
import json
import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from matching import demographic, thresholds
from matching.demographic import GOVERNORATE_SHARE, name_shares
from matching.names import fold

_LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"


def _rare_names(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 6))) for _ in range(n)]


class Names:
    """Draw names of a class with the listed shares; the rest of the mass goes to a Zipf tail
    of generated rare names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        raw = _raw_names()
        self.tables: dict[str, tuple[list[str], list[float]]] = {}
        for cls in ("male", "female", "surname"):
            names = list(raw[cls])
            weights = [raw[cls][n] for n in names]
            tail = max(0.0, 1.0 - sum(weights))
            rare = _rare_names(rng, 2000)
            zipf = np.array([1.0 / (i + 1) for i in range(len(rare))])
            zipf = zipf / zipf.sum() * tail
            self.tables[cls] = (names + rare, weights + zipf.tolist())

    def draw(self, cls: str) -> str:
        names, weights = self.tables[cls]
        return self.rng.choices(names, weights)[0]


def _raw_names() -> dict[str, dict[str, float]]:
    path = Path(demographic.__file__).with_name("data") / "iraqi_names.csv"
    out: dict[str, dict[str, float]] = {"male": {}, "female": {}, "surname": {}}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("class,"):
            continue
        cls, name, share, _src = line.split(",")
        out[cls][name] = float(share)
    return out


def variant(name: str, rng: random.Random, surname: bool = False) -> str:
    """Another clerk's spelling of ``name`` (what folding must absorb)."""
    choices = []
    if "ا" in name:
        choices.append(lambda s: s.replace("ا", rng.choice("أإآ"), 1))
    if "أ" in name or "إ" in name:
        choices.append(lambda s: s.replace("أ", "ا").replace("إ", "ا"))
    if s_end := name.endswith("ة"):
        choices.append(lambda s: s[:-1] + "ه")
    if name.endswith("ى"):
        choices.append(lambda s: s[:-1] + "ي")
    if name.startswith("عبد") and not name.startswith("عبد "):
        choices.append(lambda s: "عبد " + s[3:])
    if name.startswith("عبد "):
        choices.append(lambda s: s.replace("عبد ", "عبد"))
    if surname:
        choices.append(lambda s: s[2:] if s.startswith("ال") else "ال" + s)
    choices.append(lambda s: s[: len(s) // 2] + "ـ" + s[len(s) // 2:])
    choices.append(lambda s: s[:1] + "\u064e" + s[1:])  # a fatha
    del s_end
    return rng.choice(choices)(name)


@dataclass(frozen=True)
class Person:
    given: str
    father: str
    grandfather: str
    surname: str
    mother: str
    maternal_grandfather: str
    sex: str
    birth_date: date
    birthplace: str

    def as_dict(self) -> dict[str, Any]:
        return {"given_name": self.given, "father_name": self.father,
                "grandfather_name": self.grandfather, "surname": self.surname,
                "mother_name": self.mother, "maternal_grandfather_name": self.maternal_grandfather,
                "sex": self.sex, "birth_date": self.birth_date.isoformat(),
                "birthplace": self.birthplace}


def _governorate(rng: random.Random) -> str:
    names = list(GOVERNORATE_SHARE)
    return rng.choices(names, [GOVERNORATE_SHARE[n] for n in names])[0]


def _birthday(rng: random.Random, year: int) -> date:
    if rng.random() < thresholds.value("demographic.default_day_share"):
        return date(year, rng.choice((1, 7)), 1)
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def family(names: Names, rng: random.Random) -> list[Person]:
    surname, father, grandfather = names.draw("surname"), names.draw("male"), names.draw("male")
    mother, mgf = names.draw("female"), names.draw("male")
    home = _governorate(rng)
    first = rng.randint(1950, 2015)
    kids = []
    for _ in range(rng.randint(1, 7)):
        sex = rng.choice("MF")
        kids.append(Person(names.draw("male" if sex == "M" else "female"), father, grandfather,
                           surname, mother, mgf, sex,
                           _birthday(rng, min(2024, first + rng.randint(0, 20))),
                           home if rng.random() < 0.85 else _governorate(rng)))
    return kids


def retyped(p: Person, names: Names, rng: random.Random) -> Person:
    """The same person typed again by another clerk (variants, errors, date slips)."""
    v = thresholds.value
    err = v("demographic.name_error")

    def name(value: str, cls: str, surname: bool = False) -> str:
        if rng.random() < err:
            return names.draw(cls)
        return variant(value, rng, surname) if rng.random() < 0.4 else value

    r = rng.random()
    day = p.birth_date
    if r < v("demographic.date_exact"):
        pass
    elif r < v("demographic.date_exact") + v("demographic.date_same_year"):
        day = _birthday(rng, day.year)
    elif r < v("demographic.date_exact") + v("demographic.date_same_year") \
            + v("demographic.date_adjacent_year"):
        day = _birthday(rng, day.year + rng.choice((-1, 1)))
    else:
        day = _birthday(rng, day.year + rng.choice((-7, -4, 3, 6)))
    place = p.birthplace if rng.random() >= v("demographic.place_error") else _governorate(rng)
    sex = p.sex if rng.random() >= v("demographic.sex_error") else ("F" if p.sex == "M" else "M")
    given_cls = "male" if p.sex == "M" else "female"
    return replace(p, given=name(p.given, given_cls), father=name(p.father, "male"),
                   grandfather=name(p.grandfather, "male"),
                   surname=name(p.surname, "surname", True), mother=name(p.mother, "female"),
                   maternal_grandfather=name(p.maternal_grandfather, "male"), sex=sex,
                   birth_date=day, birthplace=place)


def _uncapped(a: Person, b: Person) -> float:
    return sum(f.llr for f in demographic.compare(a.as_dict(), b.as_dict()).fields)


def _llr(a: Person, b: Person) -> float:
    return demographic.compare(a.as_dict(), b.as_dict()).llr


def tail_check(llrs: np.ndarray) -> list[dict[str, float]]:
    """P(LLR >= t) against the bound e^-t a calibrated LLR obeys."""
    out = []
    for t in range(0, 31, 2):
        p = float((llrs >= t).mean())
        out.append({"t": t, "p": p, "bound": math.exp(-t),
                    "ok": bool(p <= math.exp(-t) * 1.5 or (llrs >= t).sum() <= 3)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, default=Path("bench/out/demographic_calibration.json"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    names = Names(rng)
    name_shares()  # the shares the LLRs use (folded)
    families = [family(names, rng) for _ in range(max(2000, args.pairs // 2))]
    people = [p for f in families for p in f]
    genuine, disagree = [], {k: 0 for k, _ in demographic.NAME_FIELDS}
    for _ in range(args.pairs):
        p = rng.choice(people)
        q = retyped(p, names, rng)
        ev = demographic.compare(p.as_dict(), q.as_dict())
        genuine.append(sum(f.llr for f in ev.fields))
        for f in ev.fields:
            if f.field in disagree and not f.agrees:
                disagree[f.field] += 1
    random_pairs = []
    for _ in range(args.pairs):
        a, b = rng.sample(families, 2)
        random_pairs.append(_llr(rng.choice(a), rng.choice(b)))
    siblings, siblings_raw, twins = [], [], []
    big = [f for f in families if len(f) >= 2]
    for _ in range(args.pairs):
        a, b = rng.sample(rng.choice(big), 2)
        siblings.append(_llr(a, b))
        siblings_raw.append(_uncapped(a, b))
        twins.append(_llr(a, replace(b, birth_date=a.birth_date, sex=a.sex)))
    cap = thresholds.value("demographic.max_llr")
    g, r, s = (np.asarray(x) for x in (genuine, random_pairs, siblings))
    s_raw, tw = np.asarray(siblings_raw), np.asarray(twins)
    report = {
        "pairs": args.pairs, "seed": args.seed, "cap": cap,
        "genuine_fields_disagreeing_after_folding": {k: v / args.pairs
                                                     for k, v in disagree.items()},
        "injected_name_error": thresholds.value("demographic.name_error"),
        "genuine_llr": {"p1": float(np.percentile(g, 1)), "median": float(np.median(g)),
                        "share_below_0": float((g < 0).mean())},
        "random_impostor_llr": {"median": float(np.median(r)), "p99_9": float(
            np.percentile(r, 99.9)), "max": float(r.max())},
        "sibling_llr_fields_summed": {"median": float(np.median(s_raw)),
                                      "p99": float(np.percentile(s_raw, 99))},
        "sibling_llr": {"median": float(np.median(s)), "p99": float(np.percentile(s, 99)),
                        "max": float(s.max())},
        "twin_llr": {"median": float(np.median(tw)), "max": float(tw.max())},
        "tail_random": tail_check(r),
        "tail_siblings": tail_check(s),
        "folding_examples": {n: fold(variant(n, rng)) == fold(n)
                             for n in ("عبدالله", "فاطمة", "أحمد", "مصطفى", "الجبوري")},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
