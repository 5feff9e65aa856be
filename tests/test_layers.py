"""The import direction of DESIGN.md, checked on every module's source (relative imports
resolved, imports inside functions and TYPE_CHECKING blocks included):

    bench → api → enrollment, agencies → identity → matching, models

``matching`` and ``models`` import nothing else of the project; ``agencies`` reach persons and
biometrics only through ``identity``'s services (their own aggregates in ``models`` excepted);
``api`` holds no table; nothing imports ``tests``; the CLI reaches ``bench`` only through the
``hawiya.commands`` entry points."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("matching", "models", "identity", "enrollment", "agencies", "api", "bench")
ALLOWED = {
    "matching": {"matching"},
    "models": {"models"},
    "identity": {"identity", "matching", "models"},
    "enrollment": {"enrollment", "identity", "matching", "models"},
    "agencies": {"agencies", "identity", "models"},
    "api": {"api", "enrollment", "agencies", "identity", "matching"},
    "bench": {"bench", "api", "enrollment", "agencies", "identity", "matching", "models"},
}
# The tables an agency package owns; every other table is identity's (reach it via services).
AGENCY_MODELS = {"models.ration", "models.ration_cases", "models.heirs", "models.base"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[str]:
    """Every module ``path`` imports (absolute names; relative imports resolved)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            out.append(mod)
            out.extend(f"{mod}.{a.name}" for a in node.names)
    return out


# Known edges being moved (strict: the mark fails once the edge is gone, so it is removed).
KNOWN: dict[str, str] = {}


def _sources() -> list[object]:
    paths = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
                   if "migrations" not in p.parts)
    return [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=KNOWN[key]))
            if (key := str(p.relative_to(ROOT))) in KNOWN else p for p in paths]


def forbidden(top: str, mod: str) -> bool:
    """True when package ``top`` may not import module ``mod``."""
    first = mod.split(".")[0]
    if first == "tests":
        return True
    if first in PACKAGES and first not in ALLOWED[top]:
        return True
    if first != "models" or "." not in mod:
        return False
    if top == "api":  # the web layer holds no table: queries live in the services below it
        return True
    return top == "agencies" and not any(mod == m or mod.startswith(m + ".")
                                         for m in AGENCY_MODELS)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(Path(str(p)).relative_to(ROOT)))
def test_imports_run_one_way(path: Path) -> None:
    top = path.relative_to(ROOT).parts[0]
    bad = sorted({mod for mod in imports_of(path) if forbidden(top, mod)})
    assert not bad, f"{path.relative_to(ROOT)} imports against the layers: {bad}"


def test_relative_imports_are_resolved() -> None:
    """The checker itself: a relative import names its absolute module."""
    found = imports_of(ROOT / "matching" / "fingerprint" / "__init__.py")
    assert "matching.fingerprint.errors" in found and "matching.fingerprint.template" in found
