"""The runtime dependencies are what the service's code imports: every third-party module a
runtime package imports (at the top, or inside a function) belongs to a distribution that the
project's base dependencies pull in, never to the test extra alone. (``make run`` installs the
base only: an import of a test-only library is a crash after a fresh install.)"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests.test_layers import imports_of

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ("identity", "matching", "enrollment", "api", "models", "agencies")
PROJECT = {*RUNTIME, "bench", "tests"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _closure(roots: list[str]) -> set[str]:
    """Distributions the requirements pull in (markers for extras skipped)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo.extend(_name(r) for r in reqs if "extra ==" not in r)
    return seen


def _base_requirements() -> list[str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [_name(r) for r in project["dependencies"]]


def test_runtime_code_imports_only_base_dependencies() -> None:
    allowed = _closure(_base_requirements())
    owners = metadata.packages_distributions()
    missing: dict[str, set[str]] = {}
    for pkg in RUNTIME:
        for path in (ROOT / pkg).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for mod in imports_of(path):
                top = mod.split(".")[0]
                if not top or top in PROJECT or top in sys.stdlib_module_names:
                    continue
                dists = {d.lower().replace("_", "-") for d in owners.get(top, [])}
                if not dists:
                    continue  # a name from a from-import of a project module, or an alias
                if not dists & allowed:
                    missing.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    assert not missing, f"imported by runtime code but not a base dependency: {missing}"


@pytest.mark.parametrize("extra", ["httpx", "pytest", "hypothesis", "schemathesis",
                                   "playwright"])
def test_the_test_extra_is_not_pulled_in_by_the_base(extra: str) -> None:
    """The checker's premise: these are the test extra's, not the base's."""
    assert extra not in _closure(_base_requirements())
