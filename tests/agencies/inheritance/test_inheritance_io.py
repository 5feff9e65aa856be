"""Input validation, the CLI and the HTTP schemas."""

from __future__ import annotations

import json

import pytest
import typer
from pydantic import ValidationError
from typer.testing import CliRunner

from agencies.inheritance import InheritanceError, compute_shares
from agencies.inheritance.cli import app, shares
from agencies.inheritance.schemas import SharesRequest


@pytest.mark.parametrize(
    ("rules", "heirs", "deceased", "code"),
    [
        ("sunni", {"cousin": 1}, None, "unknown_relation"),
        ("sunni", {"son": -1}, None, "bad_count"),
        ("sunni", {"son": 1.5}, None, "bad_count"),
        ("sunni", {"son": True}, None, "bad_count"),
        ("sunni", {"father": 2}, None, "bad_count"),
        ("sunni", {"wife": 5}, None, "bad_count"),
        ("hanbali", {"son": 1}, None, "unknown_rules"),
        ("sunni", {"husband": 1}, "male", "bad_deceased"),
        ("sunni", {"wife": 1}, "female", "bad_deceased"),
        ("sunni", {"wife": 1, "husband": 1}, None, "bad_deceased"),
        ("sunni", {"son": 1}, "other", "bad_deceased"),
    ],
)
def test_bad_input_is_a_422_domain_error(
    rules: str, heirs: dict[str, object], deceased: str | None, code: str
) -> None:
    with pytest.raises(InheritanceError) as info:
        compute_shares(rules, heirs, deceased=deceased)
    assert info.value.status_code == 422 and info.value.code == code


def test_zero_counts_are_ignored() -> None:
    result = compute_shares("sunni", {"son": 1, "daughter": 0})
    assert set(result.heirs) == {"son"} and not result.excluded


def test_shares_function_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    shares("sunni", "male", '{"wife": 1, "son": 1}')
    out = json.loads(capsys.readouterr().out)
    assert out["heirs"]["son"]["share"] == "7/8" and out["base"] == 8
    with pytest.raises(InheritanceError) as info:
        shares("sunni", None, "[1]")
    assert info.value.code == "bad_heirs_json"


def test_cli_mounted_as_hawiya_shares() -> None:
    main = typer.Typer()

    @main.command()
    def version() -> None:
        """Another command, as the real CLI has."""

    main.add_typer(app)
    runner = CliRunner()
    ok = runner.invoke(
        main,
        [
            "shares",
            "--rules",
            "iraq",
            "--deceased",
            "male",
            "--heirs",
            '{"daughter": 1, "full_brother": 1}',
        ],
    )
    assert ok.exit_code == 0, ok.output
    daughter = json.loads(ok.stdout)["heirs"]["daughter"]
    assert daughter["share"] == "1" and daughter["sihams"] == 1
    bad = runner.invoke(main, ["shares", "--rules", "sunni", "--heirs", '{"cousin": 1}'])
    assert bad.exit_code == 2 and "unknown_relation" in bad.output


def test_request_schema_limits() -> None:
    req = SharesRequest.model_validate({"rules": "jafari", "heirs": {"husband": 1}})
    assert req.deceased is None and req.school == "sunni"
    for body in (
        {"rules": "x", "heirs": {}},
        {"rules": "sunni", "heirs": {"son": -1}},
        {"rules": "sunni", "heirs": {"son": "1"}},
        {"rules": "sunni", "heirs": {"k" * 100: 1}},
        {"rules": "sunni", "heirs": {}, "extra": 1},
    ):
        with pytest.raises(ValidationError):
            SharesRequest.model_validate(body)
