"""Writing ANSI/NIST-ITL transactions in the profile ``enrollment.batch.nist`` reads.

Used by the test-batch generator; a legacy system's export would look the same.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping
from typing import Any

import nistitl
from PIL import Image

FINGER_FORMATS = ("type14-wsq", "type14-raw", "type4-wsq", "type4-raw")


def _utf8(text: str) -> str:
    """nistitl writes str as Latin-1: hand it the UTF-8 bytes as Latin-1 characters."""
    return text.encode("utf-8").decode("latin-1")


def wsq_bytes(img: Image.Image) -> bytes:
    import wsq  # noqa: F401  (registers the codec)

    buf = io.BytesIO()
    img.convert("L").save(buf, format="WSQ")
    return buf.getvalue()


def to_500ppi(img: Image.Image, ppi: int) -> Image.Image:
    if ppi == 500:
        return img
    w, h = img.size
    return img.resize((round(w * 500 / ppi), round(h * 500 / ppi)), Image.Resampling.LANCZOS)


def _type2(idc: int, number: str, register: str | None, demo: dict[str, Any]) -> Any:
    r2 = nistitl.AsciiRecord(2)
    r2.IDC = idc
    if register:
        r2 += nistitl.Field(2, 10, register)
    r2 += nistitl.Field(2, 11, _utf8(number))
    names = [demo.get(k, "") for k in ("given_name", "father_name", "grandfather_name",
                                         "surname")]
    r2 += nistitl.Field(2, 18, [[_utf8(n) for n in names]])
    mother = [demo.get("mother_name", ""), demo.get("maternal_grandfather_name", "")]
    if any(mother):  # an incomplete record lacks the line
        r2 += nistitl.Field(2, 19, [[_utf8(n) for n in mother]])
    for tag, key in ((20, "birthplace"), (24, "sex")):
        if demo.get(key):
            r2 += nistitl.Field(2, tag, _utf8(str(demo[key])))
    if demo.get("birth_date"):
        r2 += nistitl.Field(2, 22, str(demo["birth_date"]).replace("-", ""))
    return r2


def finger_record(idc: int, pos: int, img: Image.Image, ppi: int, fmt: str) -> Any:
    img = img.convert("L")
    wsq = fmt.endswith("wsq")
    if wsq or fmt.startswith("type4"):  # WSQ and Type-4 (ISR 0) images are 500 ppi
        img = to_500ppi(img, ppi)
        ppi = 500
    data = wsq_bytes(img) if wsq else img.tobytes()
    w, h = img.size
    if fmt.startswith("type4"):
        rec = nistitl.BinaryRecord(4)
        rec.IDC = idc
        # IMP 0 (live-scan plain), FGP (position + 5 unused), ISR 0 (500 ppi), HLL, VLL, GCA.
        rec.value = struct.pack("!B6sBHHB", 0, bytes([pos, 255, 255, 255, 255, 255]), 0, w, h,
                                1 if wsq else 0) + data
        return rec
    rec = nistitl.AsciiRecord(14)
    rec.IDC = idc
    for tag, value in ((3, "0"), (4, "HAWIYA-GEN"), (6, str(w)), (7, str(h)), (8, "1"),
                       (9, str(ppi)), (10, str(ppi)), (11, "WSQ20" if wsq else "NONE"),
                       (12, "8"), (13, str(pos))):
        rec += nistitl.Field(14, tag, value)
    rec += nistitl.BinaryField(14, 999, data)
    return rec


def _face(idc: int, jpeg: bytes) -> Any:
    img = Image.open(io.BytesIO(jpeg))
    rec = nistitl.AsciiRecord(10)
    rec.IDC = idc
    for tag, value in ((3, "FACE"), (4, "HAWIYA-GEN"), (6, str(img.width)),
                       (7, str(img.height)), (8, "0"), (9, "1"), (10, "1"),
                       (11, "JPEGB"), (12, "SRGB")):
        rec += nistitl.Field(10, tag, value)
    rec += nistitl.BinaryField(10, 999, jpeg)
    return rec


def write_transaction(*, number: str, register: str | None, demographics: dict[str, Any],
                      face_jpeg: bytes | None, fingers: Mapping[int, tuple[Image.Image, int]],
                      amputated: tuple[int, ...] = (), finger_format: str = "type14-wsq",
                      tcn: str = "") -> bytes:
    """One person's transaction: Type-1, Type-2, a Type-4/14 per finger, a Type-10 face.

    ``fingers``: position (1-10 rolled, 11-15 plain) -> (greyscale image, its resolution in
    ppi). ``amputated``: positions
    declared in a Type-14 AMP field (written only with a Type-14 format).
    """
    if finger_format not in FINGER_FORMATS:
        raise ValueError(f"finger_format must be one of {FINGER_FORMATS}")
    msg = nistitl.Message()
    msg.TOT = "HWI"
    msg[0].DAT = "20250101"
    msg[0].TCN = tcn or number
    msg[0]._15 = [["3", "UTF-8"]]
    msg += _type2(0, number, register, demographics)
    idc = 1
    for pos in sorted(fingers):
        img, ppi = fingers[pos]
        msg += finger_record(idc, pos, img, ppi, finger_format)
        idc += 1
    if amputated and finger_format.startswith("type14"):
        rec = nistitl.AsciiRecord(14)
        rec.IDC = idc
        rec += nistitl.Field(14, 13, str(amputated[0]))
        rec += nistitl.Field(14, 18, [[str(p), "XX"] for p in amputated])
        msg += rec
        idc += 1
    if face_jpeg is not None:
        msg += _face(idc, face_jpeg)
    return bytes(msg.NIST)
