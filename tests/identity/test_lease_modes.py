"""The deciding lease's two modes: any number of shared-gallery (Milvus) deciders at once, one
embedded-gallery (FAISS) process alone, and never the two modes side by side."""

from __future__ import annotations

import pytest

from identity.access import lease


def test_shared_deciders_coexist_and_exclude_the_embedded_one(session) -> None:
    a = lease.Holder(seconds=30, name="host:1:a", shared=True)
    b = lease.Holder(seconds=30, name="host:1:b", shared=True)
    a.check_and_renew(session)
    b.check_and_renew(session)  # several shared deciders: no refusal
    session.commit()
    assert a.held and b.held and a.row_name != b.row_name
    embedded = lease.Holder(seconds=30, name="host:1:faiss")
    with pytest.raises(lease.NotTheDecider) as refused:
        embedded.check_and_renew(session)
    assert refused.value.details["holder"] in {"host:1:a", "host:1:b"}
    session.rollback()
    a.release(session)
    b.release(session)
    assert embedded.try_acquire(session)  # once they are gone


def test_the_embedded_decider_excludes_shared_ones(session) -> None:
    embedded = lease.Holder(seconds=30, name="host:1:faiss")
    assert embedded.try_acquire(session)
    shared = lease.Holder(seconds=30, name="host:1:milvus", shared=True)
    with pytest.raises(lease.NotTheDecider) as refused:
        shared.check_and_renew(session)
    assert refused.value.details == {"holder": "host:1:faiss"}
    session.rollback()
    embedded.release(session)
    shared.check_and_renew(session)
    session.commit()
    assert shared.held
