from __future__ import annotations

from pathlib import Path

import pytest

from identity.settings import get_settings


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared test data folder (``HAWIYA_TEST_DATA``); skips where it is absent."""
    path = Path(get_settings().test_data)
    if not path.is_dir():
        pytest.skip(f"shared test data not found at {path} (set HAWIYA_TEST_DATA)")
    return path
