"""``hawiya shares``: the inheritance engine from the command line.

Mount with ``main_app.add_typer(app)`` (no name: typer merges the ``shares`` command into the
main app, giving ``hawiya shares --rules ... --heirs ...``) or
``main_app.command("shares")(shares_command)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated

import typer

from agencies.inheritance.engine import compute_shares
from agencies.inheritance.errors import InheritanceError

app = typer.Typer(help="Inheritance shares (the inheritance deed).", no_args_is_help=True)


class Rules(StrEnum):
    sunni = "sunni"
    jafari = "jafari"
    iraq = "iraq"


class Deceased(StrEnum):
    male = "male"
    female = "female"


class School(StrEnum):
    sunni = "sunni"
    jafari = "jafari"


def shares(
    rules: str,
    deceased: str | None,
    heirs: str | Mapping[str, object],
    *,
    school: str = "sunni",
    hanafi: bool | None = None,
) -> None:
    """Print the shares as JSON to stdout. ``heirs`` is a JSON object text or a mapping of
    relation key to count (with the special entries of ``relations``: ``predeceased``,
    ``unborn``, ``missing``, ``died_after``, ``same_person``). Raises ``InheritanceError``
    (code ``bad_heirs_json`` for bad JSON)."""
    if isinstance(heirs, str):
        try:
            parsed = json.loads(heirs)
        except json.JSONDecodeError as exc:
            raise BadHeirsJson(f"--heirs is not valid JSON: {exc.msg}") from exc
        if not isinstance(parsed, dict):
            raise BadHeirsJson("--heirs must be a JSON object of relation key to count")
        heirs = parsed
    result = compute_shares(rules, heirs, deceased=deceased, school=school, hanafi=hanafi)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))


class BadHeirsJson(InheritanceError):
    code = "bad_heirs_json"


@app.command("shares")
def shares_command(
    rules: Annotated[Rules, typer.Option(help="rule set")],
    heirs: Annotated[str, typer.Option(
        help='JSON object, e.g. \'{"son": 1, "predeceased": [{"parent": "son", "sons": 1}]}\'')],
    deceased: Annotated[Deceased | None, typer.Option(help="sex of the deceased")] = None,
    school: Annotated[School, typer.Option(help="deceased's school (iraq only)")] = School.sunni,
    hanafi: Annotated[bool, typer.Option(
        help="Abu Hanifa's positions under --rules sunni (iraq applies them to a Sunni "
             "deceased always, PSL art 90)")] = False,
) -> None:
    """Compute each heir's share of the estate and print it as JSON."""
    try:
        shares(
            rules.value,
            deceased.value if deceased else None,
            heirs,
            school=school.value,
            hanafi=hanafi if rules is not Rules.iraq else None,
        )
    except InheritanceError as exc:
        typer.echo(json.dumps({"code": exc.code, "detail": exc.detail}), err=True)
        raise typer.Exit(code=2) from exc
