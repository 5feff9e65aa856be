"""``hawiya make-batch``: ANSI/NIST-ITL test batches with known duplicates and a truth file.

A synthetic person = one LFW identity's face + a group of fingers from one FVC "B" set. The
shared data hold 5 sets of 10 fingers x 8 impressions, so persons with F fingers per record
number at most 5 x (10 // F): 5 with ten fingers, 15 with three, 50 with one; persons past that
carry a face only (and only the face can find their duplicates). Another record of the same
person uses the next impression of the same fingers and the next image of the same face (a
real re-capture, never the same bytes).

Planted: a share of the persons appear 2-3 times (the first such person twice in one register,
a duplicate *within* a register; the others across registers), with spelling variants of the
given name that fold equal (hamza forms); ``weak`` persons get one more record with their
fingers and no face (weaker evidence: with the calibrated tables a finger adds at most ~9.5 to
the LLR, so 3+ fingers are needed to reach the review band; the record ends matched or in an
open case); ``malformed`` bad files (cut
NIST, junk, corrupt WSQ, no Type-2, names not in Arabic script) with their expected reasons.
``truth.json`` lists every record, its person and what it should become.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import nistitl
from PIL import Image

from enrollment.batch.nist_write import finger_record, write_transaction
from identity.registry.schemas import GOVERNORATES, LEGACY_REGISTERS

FVC_SETS = (("FVC2002_DB1_B", 500), ("FVC2002_DB2_B", 569), ("FVC2002_DB3_B", 500),
            ("FVC2002_DB4_B", 500), ("FVC2004_DB2_B", 500))
_PREFIX = {"civil_status": "CS", "nationality": "NT", "residence": "RS", "ration": "RC"}
_GIVEN_M = ("أحمد", "إبراهيم", "علي", "حسين", "محمد", "عمر", "يوسف", "كريم")
_GIVEN_F = ("أمل", "فاطمة", "زينب", "مريم", "نور", "سارة", "هدى", "آمنة")
_NAMES = ("حسن", "جاسم", "كاظم", "عباس", "صالح", "خليل", "سعيد", "ناصر", "مهدي", "رشيد")
_SURNAMES = ("الجبوري", "التميمي", "العبيدي", "الدليمي", "الساعدي", "الربيعي", "الخزرجي")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا"})
MALFORMED = (("truncated_nist", "nist_malformed"), ("junk", "nist_malformed"),
             ("corrupt_wsq", "corrupt_image"), ("no_type2", "nist_missing_record"),
             ("future_birth", "invalid_demographics"))


@dataclass
class BatchSpec:
    persons: int = 6
    fingers: int = 10  # per record, 1-10
    duplicate_share: float = 0.5
    weak: int = 1
    max_copies: int = 3  # records of one duplicated person (2 or more)
    malformed: int = 0
    finger_format: str = "type14-wsq"
    seed: int = 7
    incomplete: int = 0  # records with no mother's line (2.019): held for a clerk


def _finger_groups(fingers: int) -> list[tuple[str, int, list[int]]]:
    if not 1 <= fingers <= 10:
        raise ValueError("fingers per record must be 1-10")
    return [(name, ppi, list(range(101 + i, 101 + i + fingers)))
            for name, ppi in FVC_SETS for i in range(0, 10 - fingers + 1, fingers)]


def _faces(data: Path, need: int, rng: random.Random) -> list[list[Path]]:
    root = data / "faces" / "lfw" / "images"
    people = sorted(p for p in root.iterdir() if p.is_dir())
    many = [sorted(p.glob("*.jpg")) for p in people]
    many = [imgs for imgs in many if len(imgs) >= 4]
    rng.shuffle(many)
    if len(many) < need:
        raise ValueError(f"only {len(many)} LFW identities with 4+ images for {need} persons")
    return many[:need]


def _demographics(rng: random.Random) -> dict[str, Any]:
    sex = rng.choice("MF")
    return {"given_name": rng.choice(_GIVEN_M if sex == "M" else _GIVEN_F),
            "father_name": rng.choice(_NAMES), "grandfather_name": rng.choice(_NAMES),
            "surname": rng.choice(_SURNAMES), "mother_name": rng.choice(_GIVEN_F),
            "maternal_grandfather_name": rng.choice(_NAMES), "sex": sex,
            "birth_date": f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-"
                          f"{rng.randint(1, 28):02d}",
            "birthplace": rng.choice(GOVERNORATES)}


class _Writer:
    def __init__(self, out: Path, spec: BatchSpec, rng: random.Random, data: Path) -> None:
        self.out, self.spec, self.rng, self.data = out, spec, rng, data
        self.count = dict.fromkeys(LEGACY_REGISTERS, 0)
        self.numbers: set[str] = set()
        self.records: list[dict[str, Any]] = []

    def number(self, register: str) -> str:
        while True:
            n = f"{_PREFIX[register]}-{self.rng.randrange(10**7, 10**8)}"
            if n not in self.numbers:
                self.numbers.add(n)
                return n

    def write(self, register: str, payload: bytes, **truth: Any) -> dict[str, Any]:
        self.count[register] += 1
        folder = self.out / register
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{register}-{self.count[register]:05d}.nist"
        (folder / name).write_bytes(payload)
        rec = {"register": register, "file": f"{register}/{name}", **truth}
        self.records.append(rec)
        return rec

    def person_record(self, register: str, person: int, demo: dict[str, Any], face: Path | None,
                      group: tuple[str, int, list[int]] | None, impression: int,
                      positions: int | None = None, expect: str = "new") -> dict[str, Any]:
        number = self.number(register)
        fingers: dict[int, tuple[Image.Image, int]] = {}
        if group is not None:
            name, ppi, ids = group
            for pos, fid in list(enumerate(ids, start=1))[:positions]:
                path = self.data / "fingerprints" / name / f"{fid}_{impression}.tif"
                fingers[pos] = (Image.open(path), ppi)
        payload = write_transaction(number=number, register=register, demographics=demo,
                                    face_jpeg=face.read_bytes() if face else None,
                                    fingers=fingers, finger_format=self.spec.finger_format)
        return self.write(register, payload, legacy_number=number, person=person, expect=expect)


def _malformed(w: _Writer, kind: str, reason: str, good: bytes) -> None:
    register = LEGACY_REGISTERS[0]
    demo = _demographics(w.rng)
    number = w.number(register)
    if kind == "truncated_nist":
        payload = good[: len(good) // 2]
    elif kind == "junk":
        payload = bytes(w.rng.randrange(256) for _ in range(2048))
    else:
        finger = Image.open(w.data / "fingerprints" / FVC_SETS[0][0] / "101_1.tif")
        if kind == "future_birth":
            demo = dict(demo, birth_date="2099-01-01")
        payload = write_transaction(number=number, register=register, demographics=demo,
                                    face_jpeg=None, fingers={1: (finger, 500)},
                                    finger_format="type14-wsq")
        if kind == "corrupt_wsq":
            start = payload.index(b"\xff\xa0")  # the WSQ stream in the Type-14 record
            body = bytearray(payload)
            for i in range(start + 200, len(body) - 1, 37):
                body[i] ^= 0x5A
            payload = bytes(body)
        elif kind == "no_type2":
            msg = nistitl.Message()
            msg += finger_record(1, 1, finger, 500, "type14-wsq")
            payload = bytes(msg.NIST)
    w.write(register, payload, legacy_number=number, person=None, expect="reject",
            reason=reason, kind=kind)


def make_batch(out: Path, data: Path, spec: BatchSpec) -> dict[str, Any]:
    """Write the batch under ``out`` (``<register>/*.nist`` + ``truth.json``); return the truth."""
    rng = random.Random(spec.seed)
    groups = _finger_groups(spec.fingers)
    faces = _faces(Path(data), spec.persons, rng)
    w = _Writer(Path(out), spec, rng, Path(data))
    n_dups = round(spec.persons * spec.duplicate_share)
    clusters = []
    for person in range(spec.persons):
        demo = _demographics(rng)
        group = groups[person] if person < len(groups) else None
        copies = 1 if person >= n_dups else 2 if person == 0 else rng.randint(2, spec.max_copies)
        if person == 0 and copies > 1:
            registers = [LEGACY_REGISTERS[0]] * copies  # a duplicate inside one register
        else:
            registers = rng.sample(LEGACY_REGISTERS, copies)
        numbers, weak = [], []
        for copy, register in enumerate(registers):
            variant = dict(demo, given_name=demo["given_name"].translate(_FOLD)) if copy else demo
            rec = w.person_record(register, person, variant, faces[person][copy], group,
                                  impression=copy + 1, expect="new" if copy == 0 else "duplicate")
            numbers.append(rec["legacy_number"])
        if person < spec.weak and group is not None:
            register = rng.choice([r for r in LEGACY_REGISTERS if r not in registers])
            rec = w.person_record(register, person, demo, None, group, impression=copies + 1,
                                  expect="weak")
            weak.append(rec["legacy_number"])
        if len(numbers) + len(weak) > 1:
            clusters.append({"person": person, "records": numbers, "weak": weak})
    if spec.malformed:
        good = (Path(out) / w.records[0]["file"]).read_bytes()
        for i in range(spec.malformed):
            kind, reason = MALFORMED[i % len(MALFORMED)]
            _malformed(w, kind, reason, good)
    for _ in range(spec.incomplete):
        demo = {k: v for k, v in _demographics(rng).items()
                if k not in ("mother_name", "maternal_grandfather_name")}
        face = faces[0][-1]
        w.person_record(LEGACY_REGISTERS[0], -1, demo, face, None, impression=1, expect="held")
    folders = {r: str(Path(out) / r) for r in LEGACY_REGISTERS if w.count[r]}
    truth = {"spec": asdict(spec), "folders": folders, "records": w.records,
             "clusters": clusters}
    (Path(out) / "truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False))
    return truth


def slap(images: list[Image.Image], gap: int = 24) -> Image.Image:
    """A plain impression of several fingers: the images side by side on white, ``gap``
    pixels apart (what ``matching.fingerprint.slaps.segment`` splits)."""
    grey = [im.convert("L") for im in images]
    height = max(im.height for im in grey)
    width = sum(im.width for im in grey) + gap * (len(grey) + 1)
    out = Image.new("L", (width, height + 2 * gap), 255)
    x = gap
    for im in grey:
        out.paste(im, (x, gap + (height - im.height) // 2))
        x += im.width + gap
    return out


def ten_print_card(data: Path, *, number: str, register: str, demographics: dict[str, Any],
                   fvc_set: str = "FVC2002_DB1_B", impression: int = 1,
                   swap: tuple[int, int] | None = None) -> bytes:
    """A ten-print card of one FVC "person" (fingers 101-110 = positions 1-10): rolls from
    ``impression``, plain impressions 11-15 from the next one (thumbs, the two four-finger
    slaps in ``slaps.SLAPS`` order). ``swap``: two roll positions printed in each other's
    box (the card error the plain impressions catch)."""
    from matching.fingerprint.slaps import SLAPS

    ppi = dict(FVC_SETS)[fvc_set]
    folder = Path(data) / "fingerprints" / fvc_set

    def finger(pos: int, imp: int) -> Image.Image:
        return Image.open(folder / f"{100 + pos}_{imp}.tif").convert("L")

    rolls = {pos: (finger(pos, impression), ppi) for pos in range(1, 11)}
    if swap is not None:
        a, b = swap
        rolls[a], rolls[b] = rolls[b], rolls[a]
    plain = {pos: (slap([finger(p, impression + 1) for p in order]), ppi)
             for pos, order in SLAPS.items()}
    return write_transaction(number=number, register=register, demographics=demographics,
                             face_jpeg=None, fingers={**rolls, **plain},
                             finger_format="type14-raw")
