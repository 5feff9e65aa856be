"""CSV manifests: image paths relative to the manifest, each bad row rejected with its reason
while the run goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.packets import DEMOGRAPHICS, face_path
from enrollment.batch.job import run_import
from enrollment.batch.sources import manifest_bytes
from identity.platform.errors import Invalid


def test_manifest_rows_and_their_rejects(sqlite_engine, settings, shared_data: Path,
                                         tmp_path: Path) -> None:
    shutil.copy(face_path(shared_data, "obama.jpg"), tmp_path / "a.jpg")
    shutil.copy(face_path(shared_data, "biden.jpg"), tmp_path / "b.jpg")
    rows = [
        dict(DEMOGRAPHICS, legacy_number="RC-1", face="a.jpg"),
        dict(DEMOGRAPHICS, legacy_number="RC-2", face="missing.jpg"),
        dict(DEMOGRAPHICS, legacy_number="RC-3", face="../../etc/passwd"),
        dict(DEMOGRAPHICS, legacy_number="RC-4", face="b.jpg", missing_fingers="11:amputated"),
        dict(DEMOGRAPHICS, legacy_number="RC-5", face="b.jpg", register="residence"),
        dict(DEMOGRAPHICS, legacy_number="RC-1", face="b.jpg"),  # the number again, other face
        dict(DEMOGRAPHICS, legacy_number="RC-6", face="b.jpg", birth_date="2990-01-01"),
        dict(DEMOGRAPHICS, legacy_number="RC-7"),
    ]
    manifest = tmp_path / "ration.csv"
    manifest.write_bytes(manifest_bytes(rows))
    report = run_import(manifest, "ration", engine=sqlite_engine, settings=settings,
                        workers=0, bar=False)
    assert report["kind"] == "csv" and report["records"] == len(rows)
    assert report["outcomes"] == {"issued": 1, "rejected": 7}
    assert report["rejects_by_reason"] == {
        "file_unreadable": 1, "csv_bad_row": 1, "invalid_missing_fingers": 1,
        "register_mismatch": 1, "legacy_number_reused": 1, "invalid_demographics": 1,
        "no_biometrics": 1,
    }


def test_bad_sources_are_refused(sqlite_engine, settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("legacy_number,given_name\nX,Y\n", encoding="utf-8")
    with pytest.raises(Invalid) as err:
        run_import(bad, "ration", engine=sqlite_engine, settings=settings, workers=0)
    assert err.value.code == "bad_import_source"
    with pytest.raises(Invalid) as err:
        run_import(tmp_path, "passport", engine=sqlite_engine, settings=settings, workers=0)
    assert err.value.code == "bad_register"
