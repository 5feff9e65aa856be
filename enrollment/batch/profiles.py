"""Per-register mapping profiles of ANSI/NIST-ITL Type-2: which field holds which demographic
item, the date format, the text encoding.

Registers (and other countries' EBTS files) lay Type-2 out differently. A profile is a small
TOML file (``enrollment/batch/profiles/*.toml``; ``hawiya.toml`` is the layout ``hawiya
make-batch`` writes):

- ``encoding``: ``dcs`` (as Type-1 field 1.015 declares: ``UTF-8``, else Latin-1) or a Python
  codec name (``cp1256``, ``utf-8``, ``latin-1``);
- ``date_format``: ``strptime`` format of the birth date (``%Y%m%d``, ``%d/%m/%Y``);
- ``[fields]``: ``"2.NNN" = "item"``, ``"2.NNN" = ["item", ...]`` (one item per subfield
  value) or ``"2.NNN" = { split = ",", items = [...] }`` (one text split on a separator).
  Items: ``legacy_number``, ``register`` and the demographics' fields;
- ``[values.sex]``: the register's codes → ``M``/``F``.

A record's fields that the profile does not name, or that are empty, are left out: the
record is then held for a clerk (``intake``) rather than rejected.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from identity.platform.errors import Invalid

FOLDER = Path(__file__).with_name("profiles")
ITEMS = frozenset({"legacy_number", "register", "given_name", "father_name", "grandfather_name",
                   "surname", "mother_name", "maternal_grandfather_name", "sex", "birth_date",
                   "birthplace"})
DEFAULT = "hawiya"


def _check(profile: dict[str, Any], origin: str) -> dict[str, Any]:
    fields = profile.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise Invalid(f"profile {origin} has no [fields]", code="bad_profile")
    for tag, spec in fields.items():
        rtype, _, num = tag.partition(".")
        if rtype != "2" or not num.isdigit():
            raise Invalid(f"profile {origin}: field {tag!r} is not 2.NNN", code="bad_profile")
        items = spec if isinstance(spec, list) else \
            spec.get("items", []) if isinstance(spec, dict) else [spec]
        unknown = sorted(set(items) - ITEMS)
        if unknown or not items:
            raise Invalid(f"profile {origin}: {tag} maps to unknown items {unknown}",
                          code="bad_profile")
    if "legacy_number" not in {i for s in fields.values()
                               for i in (s if isinstance(s, list) else
                                         s.get("items", []) if isinstance(s, dict) else [s])}:
        raise Invalid(f"profile {origin} maps no field to legacy_number", code="bad_profile")
    enc = str(profile.get("encoding", "dcs"))
    if enc != "dcs":
        try:
            "".encode(enc)
        except LookupError as exc:
            raise Invalid(f"profile {origin}: unknown encoding {enc!r}",
                          code="bad_profile") from exc
    profile.setdefault("encoding", "dcs")
    profile.setdefault("date_format", "%Y%m%d")
    profile.setdefault("values", {})
    profile.setdefault("name", origin)
    return profile


def load_profile(name_or_path: str | Path | None, register: str | None = None) -> dict[str, Any]:
    """The profile named (a file in ``profiles/`` without ``.toml``) or at a path; with
    ``None``, the register's own profile when one is shipped, else ``hawiya``."""
    if name_or_path is None:
        own = FOLDER / f"{register}.toml" if register else None
        path = own if own is not None and own.is_file() else FOLDER / f"{DEFAULT}.toml"
    else:
        candidate = Path(name_or_path)
        path = candidate if candidate.suffix == ".toml" else FOLDER / f"{name_or_path}.toml"
    if not path.is_file():
        raise Invalid(f"no mapping profile {name_or_path!r}", code="bad_profile")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise Invalid(f"profile {path.name} is not valid TOML ({exc})", code="bad_profile") \
            from exc
    return _check(data, path.stem)
