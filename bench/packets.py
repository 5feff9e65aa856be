"""Builders for enrollment packets from the shared data (the tests and the benches use them;
tests skip where the data is absent)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

DEMOGRAPHICS: dict[str, Any] = {
    "given_name": "علي",
    "father_name": "حسين",
    "grandfather_name": "كاظم",
    "surname": "الجبوري",
    "mother_name": "زينب",
    "maternal_grandfather_name": "جاسم",
    "sex": "M",
    "birth_date": "1984-03-17",
    "birthplace": "Baghdad",
}


# Another family altogether (names, mother, birth date, birthplace): demographics that are no
# evidence of being the person above.
OTHER_DEMOGRAPHICS: dict[str, Any] = {
    "given_name": "يوسف",
    "father_name": "عبد الكريم",
    "grandfather_name": "نعمان",
    "surname": "البياتي",
    "mother_name": "سلوى",
    "maternal_grandfather_name": "رشيد",
    "sex": "M",
    "birth_date": "1962-11-02",
    "birthplace": "Basra",
}


def hands_photo() -> bytes:
    """A JPEG standing for the exception's photo of the hands (decoded and stored, never
    matched)."""
    rng = np.random.default_rng(3)
    img = Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8))
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    return buf.getvalue()


Files = list[tuple[str, tuple[str, bytes, str]]]


def with_exception(data_files: tuple[dict[str, str], Files],
                   approver_key: str) -> tuple[dict[str, str], Files]:
    """The same packet sent as an approved exception (photo of the hands, a second operator)."""
    data, files = data_files
    return ({**data, "approver_key": approver_key},
            [*files, ("exception_photo", ("hands.jpg", hands_photo(), "image/jpeg"))])


def face_path(shared: Path, name: str = "obama.jpg") -> Path:
    return shared / "faces" / "ageitgey_face_recognition" / "tests" / "test_images" / name


def finger_path(shared: Path, finger: int, impression: int = 1, db: str = "FVC2002_DB1_B") -> Path:
    return shared / "fingerprints" / db / f"{100 + finger}_{impression}.tif"


def png_bytes(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def packet(
    shared: Path,
    *,
    capture_id: str = "cap-1",
    demographics: dict[str, Any] | None = None,
    face: bytes | str | None = "default",
    fingers: dict[int, bytes] | None = None,
    db: str = "FVC2002_DB1_B",
    impression: int = 1,
    missing: dict[int, str] | None = None,
) -> tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]]:
    """Form fields and files for ``POST /v1/enrollments``; by default a face and 10 fingers.

    The ten fingers of one FVC set (101..110 → positions 1..10) stand for one person's hands:
    another ``db`` is another person, another ``impression`` another capture of the same one.
    """
    data = {"capture_id": capture_id, "demographics": json.dumps(demographics or DEMOGRAPHICS)}
    files: list[tuple[str, tuple[str, bytes, str]]] = []
    if face == "default":
        face = face_path(shared).read_bytes()
    if face is not None:
        assert isinstance(face, bytes)
        files.append(("face", ("face.jpg", face, "image/jpeg")))
    if fingers is None:
        fingers = {p: finger_path(shared, p, impression, db).read_bytes() for p in range(1, 11)}
    for pos, content in sorted(fingers.items()):
        files.append((f"finger_{pos}", (f"f{pos}.tif", content, "image/tiff")))
    if missing:
        data["missing_fingers"] = json.dumps({str(k): v for k, v in missing.items()})
    return data, files
