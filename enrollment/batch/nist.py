"""ANSI/NIST-ITL transactions of the legacy registers, read (and written by the test generator).

One file = one person's record. The records used, per ANSI/NIST-ITL 1-2011:

- Type-1: ``1.015 DCS`` names the character encoding; ``3^UTF-8`` is expected for Arabic text
  (without it, text is read as Latin-1), unless the register's profile names another.
- Type-2 (user-defined): read through the register's mapping profile (``profiles``); the
  default ``hawiya`` profile: ``2.010`` register (optional; must equal ``--register``),
  ``2.011`` legacy document number, ``2.018`` names ``given^father^grandfather^surname``,
  ``2.019`` ``mother^maternal grandfather``, ``2.020`` birthplace (governorate), ``2.022``
  birth date ``YYYYMMDD``, ``2.024`` sex ``M``/``F``. Items a record lacks are left out (the
  record is held for a clerk, not rejected).
- Type-4 (binary, 500 ppi class): IMP, FGP (first byte = finger position 1-15), ISR, HLL, VLL,
  GCA (0 uncompressed 8-bit, 1 WSQ) and the image.
- Type-14: ``14.006/007`` HLL/VLL, ``14.008`` SLC (1 = ppi, 2 = ppcm), ``14.009`` THPS,
  ``14.011`` CGA (``NONE``, ``WSQ20``, ``PNG``), ``14.013`` FGP, ``14.018`` AMP
  (``position^XX`` amputated, ``position^UP`` unable to print), ``14.999`` the image.
- Finger positions 1-10 are the rolled fingers; 11-15 the plain impressions of a ten-print
  card (11/12 right/left thumb, 13/14 right/left four-finger slap, 15 both thumbs): kept in
  ``LegacyRecord.plain`` to check the rolls' order (``plain``), never a reason to refuse.
- Type-10: ``10.003`` IMT ``FACE``, ``10.011`` CGA (``JPEGB``, ``JPEGL``, ``PNG``), ``10.999``.

Uncompressed pixels become PNG (with their resolution); WSQ stays WSQ when it is 500 ppi and is
re-encoded losslessly as PNG with its resolution otherwise (the decoder assumes 500 ppi for WSQ).
"""

from __future__ import annotations

import io
import struct
from typing import Any

import nistitl
from PIL import Image

from enrollment.batch.records import LegacyRecord, RecordRejected

WSQ_PPI = 500
_AMP = {"XX": "amputated", "UP": "unusable"}


def _text(value: Any, encoding: str | None) -> str:
    """A field's text: nistitl hands bytes over as Latin-1 characters; ``encoding`` (None:
    Latin-1 as it is) decodes them."""
    text = str(value or "")
    if encoding and encoding.lower().replace("_", "-") not in ("latin-1", "iso-8859-1"):
        try:
            return text.encode("latin-1").decode(encoding)
        except (UnicodeEncodeError, UnicodeDecodeError) as exc:
            raise RecordRejected("nist_bad_field", f"text is not valid {encoding}") from exc
    return text


def _items(record: Any, tag: int, utf8: bool | str | None) -> list[str]:
    """All values of a field, flattened (subfields and items), decoded."""
    encoding = "utf-8" if utf8 is True else utf8 or None
    field = record[tag]
    if field is None:
        return []
    value = field.value
    if not isinstance(value, list):
        return [_text(value, encoding)]
    out: list[str] = []
    for sub in value:
        out.extend(_text(v, encoding) for v in (sub if isinstance(sub, list) else [sub]))
    return out


def _int(record: Any, tag: int, what: str) -> int:
    field = record[tag]
    try:
        return int(str(field.value))
    except (AttributeError, TypeError, ValueError) as exc:
        raise RecordRejected("nist_bad_field", f"{what} ({record.type}.{tag:03d}) is not a "
                             "number") from exc


def _png(pixels: bytes, width: int, height: int, ppi: int) -> bytes:
    if width <= 0 or height <= 0 or len(pixels) != width * height:
        raise RecordRejected("nist_bad_field", f"image data is {len(pixels)} bytes, "
                             f"expected {width}x{height}")
    img = Image.frombytes("L", (width, height), pixels)
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(ppi, ppi))
    return buf.getvalue()


def _wsq(data: bytes, ppi: int) -> bytes:
    if abs(ppi - WSQ_PPI) <= WSQ_PPI // 50:
        return data
    import wsq  # noqa: F401  (registers the codec)

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception as exc:
        raise RecordRejected("corrupt_image", f"WSQ image cannot be decoded ({exc})") from exc
    buf = io.BytesIO()
    img.convert("L").save(buf, format="PNG", dpi=(ppi, ppi))
    return buf.getvalue()


def _type4(rec: Any, native_ppi: int) -> tuple[int, bytes]:
    value = rec.value
    if len(value) < 13:
        raise RecordRejected("nist_bad_field", "Type-4 record is too short")
    _imp, fgp, isr, hll, vll, gca = struct.unpack("!B6sBHHB", value[:13])
    pos = fgp[0]
    ppi = native_ppi if isr == 1 else WSQ_PPI
    data = value[13:]
    if gca == 0:
        return pos, _png(data, hll, vll, ppi)
    if gca == 1:
        return pos, _wsq(data, ppi)
    raise RecordRejected("unsupported_media_type", f"Type-4 compression {gca} is not supported")


def _type14(rec: Any, missing: dict[int, str]) -> tuple[int, bytes] | None:
    positions = [p for p in _items(rec, 13, False) if p.strip()]
    if not positions or not positions[0].isdigit():
        raise RecordRejected("nist_bad_field", "Type-14 has no finger position (14.013)")
    pos = int(positions[0])
    amp = _items(rec, 18, False)
    for fgp, code in zip(amp[0::2], amp[1::2], strict=False):
        if fgp.isdigit() and code in _AMP:
            missing[int(fgp)] = _AMP[code]
    data = rec[999].value if rec[999] is not None else b""
    if not data:
        if pos in missing:
            return None
        raise RecordRejected("nist_bad_field", f"Type-14 for finger {pos} has no image data")
    slc = _int(rec, 8, "scale units")
    thps = _int(rec, 9, "horizontal pixel scale")
    ppi = thps if slc == 1 else round(thps * 2.54) if slc == 2 else WSQ_PPI
    cga = str(rec[11].value if rec[11] is not None else "NONE").upper()
    if cga == "NONE":
        return pos, _png(data, _int(rec, 6, "HLL"), _int(rec, 7, "VLL"), ppi)
    if cga in ("WSQ", "WSQ20"):
        return pos, _wsq(data, ppi)
    if cga == "PNG":
        return pos, data
    raise RecordRejected("unsupported_media_type", f"Type-14 compression {cga!r} is not supported")


def _values(t2: Any, tag: int, spec: Any, encoding: str | None) -> dict[str, str]:
    """The profile items one Type-2 field gives (empty values left out)."""
    if isinstance(spec, dict):
        text = "".join(_items(t2, tag, encoding)).strip()
        items, sep = list(spec["items"]), str(spec.get("split", ""))
        parts = [p.strip() for p in text.split(sep)] if text and sep else [text] if text else []
        if len(parts) > len(items):  # a name with the separator in it: the rest is the last
            parts = [*parts[: len(items) - 1], sep.join(parts[len(items) - 1:])]
    else:
        items = list(spec) if isinstance(spec, list) else [spec]
        parts = [p.strip() for p in _items(t2, tag, encoding)]
        if len(items) == 1:
            parts = ["".join(parts).strip()]
    return {item: part for item, part in zip(items, parts, strict=False) if part}


def _date(raw: str, fmt: str) -> str:
    from datetime import datetime

    try:
        return datetime.strptime(raw, fmt).date().isoformat()
    except ValueError:
        return raw  # left as read: validation names it


def _demographics(t2: Any, profile: dict[str, Any], dcs_utf8: bool) -> tuple[str, str | None,
                                                                          dict[str, Any]]:
    enc = profile["encoding"]
    encoding = ("utf-8" if dcs_utf8 else None) if enc == "dcs" else enc
    got: dict[str, str] = {}
    for key, spec in profile["fields"].items():
        got.update(_values(t2, int(key.partition(".")[2]), spec, encoding))
    number = got.pop("legacy_number", "")
    if not number:
        raise RecordRejected("nist_bad_field", "no legacy document number "
                             f"(profile {profile['name']})")
    register = got.pop("register", None)
    if "birth_date" in got:
        got["birth_date"] = _date(got["birth_date"], profile["date_format"])
    if "sex" in got:
        got["sex"] = profile["values"].get("sex", {}).get(got["sex"], got["sex"])
    return number, register, got


def read_transaction(data: bytes, profile: dict[str, Any] | None = None) -> LegacyRecord:
    """Parse one transaction file into a legacy record (Type-2 through ``profile``, default
    ``hawiya``); raise ``RecordRejected`` with a reason."""
    if profile is None:
        from enrollment.batch.profiles import load_profile

        profile = load_profile(None)
    msg = nistitl.Message()
    try:
        msg.parse(data)
    except Exception as exc:  # nistitl raises NistException, and IndexError/ValueError on junk
        raise RecordRejected("nist_malformed", f"not an ANSI/NIST-ITL transaction ({exc})") from exc
    t1 = msg[0]
    dcs = " ".join(_items(t1, 15, False)).upper()
    utf8 = "UTF-8" in dcs or "UTF8" in dcs
    nsr = t1[11]
    try:
        native_ppi = round(float(str(nsr.value)) * 25.4) if nsr is not None else WSQ_PPI
    except ValueError:
        native_ppi = WSQ_PPI
    native_ppi = native_ppi or WSQ_PPI
    t2s = list(msg.iter(2))
    if len(t2s) != 1:
        raise RecordRejected("nist_missing_record", f"expected one Type-2 record, found {len(t2s)}")
    number, register, demo = _demographics(t2s[0], profile, utf8)
    record = LegacyRecord(legacy_number=number, demographics=demo, register=register)
    for rec in msg:
        if rec.type == 4:
            pos, image = _type4(rec, native_ppi)
        elif rec.type == 14:
            got = _type14(rec, record.missing_fingers)
            if got is None:
                continue
            pos, image = got
        elif rec.type == 10:
            imt = str(rec[3].value if rec[3] is not None else "").upper()
            if imt != "FACE":
                continue
            if record.face is not None:
                raise RecordRejected("nist_bad_field", "more than one Type-10 face")
            record.face = rec[999].value if rec[999] is not None else b""
            continue
        else:
            continue
        if not 1 <= pos <= 15:
            raise RecordRejected("nist_bad_field", f"finger position {pos} is not 1-15")
        into = record.fingers if pos <= 10 else record.plain
        if pos in into:
            raise RecordRejected("nist_bad_field", f"finger position {pos} appears twice")
        into[pos] = image
    if record.face is None and not record.fingers:
        raise RecordRejected("nist_missing_record", "no Type-4, Type-14 or Type-10 image")
    return record
