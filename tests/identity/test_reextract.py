"""Re-extraction from the stored samples after an extractor version change (SQLite and
PostgreSQL): every sample gets a current template with its owner, old rows stay, a second run
has nothing to do, the deciding lease is taken and given back."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bench.packets import packet
from identity.biometrics import templates
from identity.biometrics.reextract import pending, reextract
from identity.platform.db import session_factory
from models.enrollment import Sample, Template
from models.lease import DeciderLease
from tests.conftest import bearer

pytestmark = pytest.mark.shared_data


def test_reextract_after_a_version_change(shared_data, client, engine, make_key):
    key = make_key("station", name="st-re")
    data, files = packet(shared_data, capture_id="re-1")
    keep = ("face", "finger_1", "finger_2", "finger_3", "finger_4")  # 4: no exception needed
    files = [f for f in files if f[0] in keep]
    data["missing_fingers"] = '{"5":"unusable","6":"unusable",' \
        '"7":"unusable","8":"unusable","9":"unusable","10":"unusable"}'
    r = client.post("/v1/enrollments", data=data, files=files, headers=bearer(key))
    assert r.status_code in (200, 201), r.text
    client.app.state.decider.release(session_factory(engine)())  # as a stopped server would
    with session_factory(engine)() as s:
        person_id = s.scalars(select(Template.person_id)).first()
        # what a gallery of an older extractor looks like: no current-version template
        s.execute(update(Template).values(extractor_version="0-old"))
        s.commit()
        assert len(pending(s, limit=100)) == 5
        assert templates.enrolled(s, [person_id], face=True, positions=[1, 2, 3, 4])[person_id] \
            .faces == []
        counts = reextract(s, max_pixels=10**8)
        assert counts == {"extracted": 5, "failed": 0}
        held = templates.enrolled(s, [person_id], face=True, positions=[1, 2, 3, 4])[person_id]
        assert len(held.faces) == 1 and sorted(held.fingers) == [1, 2, 3, 4]
        rows = s.scalars(select(Template)).all()
        assert len(rows) == 10 and {r.person_id for r in rows} == {person_id}
        assert pending(s, limit=100) == []
        assert reextract(s, max_pixels=10**8) == {"extracted": 0, "failed": 0}
        assert s.scalars(select(DeciderLease)).all() == []
        assert len(s.scalars(select(Sample)).all()) == 5
