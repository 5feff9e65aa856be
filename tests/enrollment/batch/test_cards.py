"""Files as registers hold them: ten-print cards with plain impressions (kept, used to check the
rolls' order, never a reason to refuse), Type-2 mapping profiles, incomplete records held for
a clerk and completed, Latin-script names transliterated with the names as given kept."""

from __future__ import annotations

from pathlib import Path

import nistitl
import pytest
from sqlalchemy import select

from bench.packets import DEMOGRAPHICS
from enrollment.batch import intake
from enrollment.batch.generator import BatchSpec, make_batch, ten_print_card
from enrollment.batch.job import run_import
from enrollment.batch.nist import read_transaction
from enrollment.batch.profiles import load_profile
from enrollment.batch.records import LegacyRecord
from enrollment.batch.worker import RecordHeld, to_packet
from identity.platform.db import session_factory
from identity.platform.errors import Invalid
from models.import_intake import ImportFlag, ImportHold
from models.imports import ImportRecord

pytestmark = pytest.mark.shared_data


def _card(shared: Path, out: Path, name: str, number: str, fvc_set: str,
          swap: tuple[int, int] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(ten_print_card(shared, number=number, register="civil_status",
                                            demographics=DEMOGRAPHICS, fvc_set=fvc_set,
                                            swap=swap))


def test_card_with_plain_impressions_is_read_not_refused(shared_data: Path, tmp_path: Path):
    _card(shared_data, tmp_path, "a.nist", "CS-1", "FVC2002_DB1_B")
    record = read_transaction((tmp_path / "a.nist").read_bytes())
    assert sorted(record.fingers) == list(range(1, 11))
    assert sorted(record.plain) == [11, 12, 13, 14, 15]


def test_swapped_rolls_are_flagged_and_a_good_card_is_not(shared_data: Path, tmp_path: Path,
                                                           sqlite_engine, settings):
    folder = tmp_path / "cards"
    _card(shared_data, folder, "1-good.nist", "CS-10", "FVC2002_DB1_B")
    _card(shared_data, folder, "2-swapped.nist", "CS-11", "FVC2002_DB3_B", swap=(2, 3))
    report = run_import(folder, "civil_status", engine=sqlite_engine, settings=settings,
                        workers=0, bar=False)
    assert report["outcomes"].get("rejected", 0) == 0, report
    with session_factory(sqlite_engine)() as s:
        rows = {r.record_key: r.status for r in s.scalars(select(ImportRecord))}
        flags = {(f.record_key, f.code): f.detail for f in s.scalars(select(ImportFlag))}
    assert rows == {"1-good.nist": "issued", "2-swapped.nist": "issued"}
    assert not [k for k in flags if k[0] == "1-good.nist"]
    detail = flags[("2-swapped.nist", "finger_order_mismatch")]
    pairs = {(d["expected"], d["matched"]) for d in detail["disagreements"]}
    assert pairs == {(2, 3), (3, 2)}


def test_profiles_map_other_layouts(shared_data: Path):
    msg = nistitl.Message()
    msg.TOT = "CAR"
    msg[0]._15 = [["3", "UTF-8"]]
    r2 = nistitl.AsciiRecord(2)
    r2.IDC = 0
    r2 += nistitl.Field(2, 15, "X-77")
    r2 += nistitl.Field(2, 18, "Smith,John Paul")
    r2 += nistitl.Field(2, 22, "19800102")
    r2 += nistitl.Field(2, 24, "M")
    msg += r2
    from PIL import Image

    from bench.packets import finger_path
    from enrollment.batch.nist_write import finger_record

    msg += finger_record(1, 1, Image.open(finger_path(shared_data, 1)), 500, "type14-raw")
    record = read_transaction(bytes(msg.NIST), load_profile("ebts"))
    assert record.legacy_number == "X-77"
    assert record.demographics == {"surname": "Smith", "given_name": "John Paul",
                                   "birth_date": "1980-01-02", "sex": "M"}
    old = load_profile("civil_status_1990")
    assert old["encoding"] == "cp1256" and old["date_format"] == "%d/%m/%Y"
    with pytest.raises(Invalid) as err:
        load_profile("no-such-profile")
    assert err.value.code == "bad_profile"


def test_latin_names_are_transliterated_and_kept_as_given():
    demo = dict(DEMOGRAPHICS, given_name="Mohammed", surname="al-Jubouri")
    flags: list[dict] = []
    packet = to_packet(LegacyRecord("CS-5", demo, fingers={1: b"x"}), "civil_status",
                       flags=flags)
    assert packet.demographics.given_name == "محمد"
    assert packet.demographics.surname == "الجبوري"
    assert flags == [{"code": "names_transliterated",
                      "detail": {"as_given": {"given_name": "Mohammed", "surname": "al-Jubouri"},
                                 "for_matching": {"given_name": "محمد", "surname": "الجبوري"}}}]


def test_incomplete_record_is_held_then_completed(shared_data: Path, tmp_path: Path,
                                                  engine, settings):
    demo = {k: v for k, v in DEMOGRAPHICS.items() if k != "mother_name"}
    with pytest.raises(RecordHeld) as err:
        to_packet(LegacyRecord("CS-6", demo, fingers={1: b"x"}), "civil_status")
    assert err.value.missing == ["mother_name"]

    truth = make_batch(tmp_path / "batch", shared_data,
                       BatchSpec(persons=1, fingers=1, duplicate_share=0.0, weak=0,
                                 incomplete=1, seed=3))
    folder = Path(truth["folders"]["civil_status"])
    held_file = next(r["file"] for r in truth["records"] if r["expect"] == "held")
    key = held_file.split("/", 1)[1]
    report = run_import(folder, "civil_status", engine=engine, settings=settings,
                        workers=0, bar=False)
    assert report["outcomes"].get("rejected", 0) == 0, report
    sessions = session_factory(engine)
    with sessions() as s:
        row = s.scalars(select(ImportRecord).where(ImportRecord.record_key == key)).one()
        assert (row.status, row.reason) == ("held", "incomplete_demographics")
        hold = s.scalars(select(ImportHold)).one()
        assert hold.missing == ["mother_name", "maternal_grandfather_name"]
        job_id = row.job_id
        done = intake.complete(s, job_id=job_id, record_key=key,
                               items={"mother_name": "زينب"}, clerk="clerk-1")
        assert done.status == "held" and done.missing == ["maternal_grandfather_name"]
        done = intake.complete(s, job_id=job_id, record_key=key,
                               items={"maternal_grandfather_name": "جاسم"}, clerk="clerk-1")
        assert done.status == "completed"
    run_import(folder, "civil_status", engine=engine, settings=settings, workers=0,
               bar=False)
    with sessions() as s:
        rows = s.scalars(select(ImportRecord).where(ImportRecord.record_key == key)).all()
        assert [r.status for r in rows] == ["issued"]
        assert s.scalars(select(ImportHold)).one().status == "imported"
    # a third run changes nothing
    run_import(folder, "civil_status", engine=engine, settings=settings, workers=0,
               bar=False)
    with sessions() as s:
        assert len(s.scalars(select(ImportRecord).where(ImportRecord.record_key == key)).all()) \
            == 1
