"""A process killed between the inserts and the commit leaves no half-written enrollment."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from identity.platform.db import make_engine, session_factory
from identity.platform.migrate import upgrade
from models.enrollment import Enrollment, Sample, Template
from models.person import NationalId, Person
from models.security import AuditRow, Event

SCRIPT = textwrap.dedent("""
    import os, sys
    from sqlalchemy.orm import Session
    from enrollment.packet import Packet
    from enrollment.service import enroll
    from identity.platform.db import make_engine, session_factory
    from enrollment.decider import Decider
    from identity.biometrics.gallery import Gallery
    from identity.access.keys import Principal
    from identity.registry.schemas import Demographics
    from bench.packets import DEMOGRAPHICS, face_path, finger_path

    shared = __import__("pathlib").Path(sys.argv[2])
    packet = Packet("st", "cap-crash", Demographics.model_validate(DEMOGRAPHICS),
                    face=face_path(shared).read_bytes(),
                    fingers={p: finger_path(shared, p).read_bytes() for p in (1, 2, 3, 4)},
                    missing_fingers={p: "not_captured" for p in range(5, 11)})
    if sys.argv[3] == "crash":
        def die(self):  # the power goes out after every insert, before the commit
            os._exit(137)
        Session.commit = die
    session = session_factory(make_engine(sys.argv[1]))()
    gallery = Gallery(__import__("pathlib").Path(sys.argv[4]))
    gallery.load(session)
    out = enroll(session, packet, Principal(1, "st", "station", frozenset(), None, None),
                 max_pixels=4096 * 4096, decider=Decider(gallery))
    print(out.status_code)
""")


def _run(url: str, shared: Path, mode: str, index: Path) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-c", SCRIPT, url, str(shared.resolve()), mode,
                           str(index)], cwd=root,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(root)})


def test_kill_before_commit_leaves_nothing(tmp_path: Path, shared_data: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    crashed = _run(url, shared_data, "crash", tmp_path / "index")
    assert crashed.returncode == 137, crashed.stderr[-2000:]
    with session_factory(engine)() as s:
        for model in (Enrollment, Sample, Template, Person, NationalId, Event, AuditRow):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    done = _run(url, shared_data, "normal", tmp_path / "index")
    assert done.returncode == 0 and done.stdout.strip() == "201", done.stderr[-2000:]
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 1
