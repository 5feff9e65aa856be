"""The README's Limits section names every limit setting (issue 16)."""

from __future__ import annotations

from pathlib import Path

from identity.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
LIMIT_PREFIXES = ("max_", "rate_limit", "auth_failures", "verify_lock_", "db_lock_",
                  "kinship_max_csv", "admin_session_", "docs_")


def test_every_limit_setting_is_in_the_readme_limits_section() -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Limits", 1)[1].split("\n## ", 1)[0]
    limits = [n for n in Settings.model_fields if n.startswith(LIMIT_PREFIXES)]
    assert len(limits) >= 12
    missing = [n for n in limits if f"`HAWIYA_{n.upper()}`" not in section]
    assert not missing, f"README Limits lacks {missing}"
