"""Readers: ANSI/NIST-ITL (Type-2, Type-4/14 raw or WSQ, Type-10) and CSV manifests, with the
reasons bad records are rejected for (no extraction needed for most of these)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bench.packets import DEMOGRAPHICS, face_path, finger_path
from enrollment.batch.nist import read_transaction
from enrollment.batch.nist_write import FINGER_FORMATS, write_transaction
from enrollment.batch.records import RecordRejected, Task
from enrollment.batch.worker import prepare, to_packet
from identity.platform.media import FINGER_TYPES, decode


def _nist(shared: Path, fmt: str) -> bytes:
    fingers = {1: (Image.open(finger_path(shared, 1)), 500),
               2: (Image.open(finger_path(shared, 2, db="FVC2002_DB2_B")), 569)}
    return write_transaction(number="CS-1", register="civil_status", demographics=DEMOGRAPHICS,
                             face_jpeg=face_path(shared).read_bytes(), fingers=fingers,
                             amputated=(7,), finger_format=fmt)


@pytest.mark.parametrize("fmt", FINGER_FORMATS)
def test_nist_round_trip(shared_data: Path, fmt: str) -> None:
    record = read_transaction(_nist(shared_data, fmt))
    assert record.legacy_number == "CS-1" and record.register == "civil_status"
    assert record.demographics["surname"] == DEMOGRAPHICS["surname"]  # UTF-8 Arabic
    assert record.demographics["birth_date"] == DEMOGRAPHICS["birth_date"]
    assert record.face == face_path(shared_data).read_bytes()
    assert sorted(record.fingers) == [1, 2]
    assert record.missing_fingers == ({7: "amputated"} if fmt.startswith("type14") else {})
    one = decode(record.fingers[1], FINGER_TYPES, max_pixels=10**7, grey=True)
    original = Image.open(finger_path(shared_data, 1))
    assert one.pixels.shape == (original.height, original.width)
    two = decode(record.fingers[2], FINGER_TYPES, max_pixels=10**7, grey=True)
    if fmt.endswith("raw"):  # lossless
        assert one.pixels.tobytes() == original.convert("L").tobytes()
    # Type-14 uncompressed keeps the 569-ppi finger's resolution; WSQ and Type-4 are 500 ppi.
    assert two.dpi == (569 if fmt == "type14-raw" else 500 if fmt == "type4-raw" else None)
    assert two.pixels.shape[0] == (560 if fmt == "type14-raw" else round(560 * 500 / 569))
    packet = to_packet(record, "civil_status")
    assert packet.station_id == "import:civil_status" and packet.capture_id == "CS-1"
    assert packet.demographics.legacy_ids == {"civil_status": "CS-1"}


@pytest.mark.parametrize("cut", ["empty", "half", "junk", "extra"])
def test_malformed_nist_is_rejected(shared_data: Path, cut: str) -> None:
    good = _nist(shared_data, "type14-wsq")
    bad = {"empty": b"", "half": good[: len(good) // 2], "junk": b"\x00\x01garbage" * 50,
           "extra": good + b"x"}[cut]
    with pytest.raises(RecordRejected) as err:
        read_transaction(bad)
    assert err.value.reason == "nist_malformed"


def test_bad_fields_and_wrong_register(shared_data: Path) -> None:
    record = read_transaction(_nist(shared_data, "type4-raw"))
    with pytest.raises(RecordRejected) as err:
        to_packet(record, "ration")
    assert err.value.reason == "register_mismatch"
    record.register = None
    record.demographics["birthplace"] = "Paris"
    with pytest.raises(RecordRejected) as err:
        to_packet(record, "ration")
    assert err.value.reason == "invalid_demographics" and "birthplace" in err.value.message
    bare = write_transaction(number="CS-2", register=None, demographics=DEMOGRAPHICS,
                              face_jpeg=None, fingers={}, finger_format="type14-raw")
    with pytest.raises(RecordRejected) as err:
        read_transaction(bare)
    assert err.value.reason == "nist_missing_record"  # Type-2 alone, no biometric record


def test_corrupt_wsq_is_rejected_with_its_finger(shared_data: Path, tmp_path: Path) -> None:
    data = bytearray(_nist(shared_data, "type14-wsq"))
    start = data.index(b"\xff\xa0")
    for i in range(start + 200, start + 4000, 37):
        data[i] ^= 0x5A
    path = tmp_path / "bad.nist"
    path.write_bytes(bytes(data))
    prep = prepare(Task(key="bad.nist", kind="nist", register="civil_status",
                        max_pixels=10**7, path=str(path)))
    assert prep.packet is None and prep.legacy_number == "CS-1"
    assert prep.reason == "corrupt_image" and "finger_1" in (prep.detail or "")


def test_png_of_raw_pixels_is_deterministic(shared_data: Path) -> None:
    a = read_transaction(_nist(shared_data, "type4-raw")).fingers[1]
    b = read_transaction(_nist(shared_data, "type4-raw")).fingers[1]
    assert a == b  # a replayed record has the same content hash
    assert Image.open(io.BytesIO(a)).format == "PNG"
