"""Tests of the command line (configurator.cli.main): validate, check and schema, with exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from configurator.cli import main
from support import Writer

CATALOG = """\
catalog: bike
version: "2026.11"
currency: EUR
locales: [en, pt]
modules:
  frame:
    label: {en: Frame, pt: Quadro}
    options:
      alu: {label: {en: Aluminium, pt: Alumínio}, price: 420.00}
      carbon: {label: {en: Carbon, pt: Carbono}, price: 1190.00, valid_from: 2026-01-01}
  brakes:
    label: {en: Brakes, pt: Travões}
    choose: optional
    options:
      disc: {label: {en: Disc, pt: Disco}}
rules:
  - id: carbon-needs-disc
    requires: "frame.carbon -> brakes.disc"
    message: {en: Carbon frames need disc brakes, pt: Quadros de carbono precisam de travões de disco}
"""


@pytest.fixture
def catalog(write: Writer, in_tmp: Path) -> Path:
    """A valid catalog, bike.yaml, in the current directory."""
    return write("bike.yaml", CATALOG)


@pytest.fixture
def good(write: Writer) -> Path:
    """A valid configuration."""
    return write("good.yaml", "catalog: bike\nselections:\n  frame: carbon\n  brakes: disc\n")


@pytest.fixture
def bad(write: Writer) -> Path:
    """A configuration that violates carbon-needs-disc."""
    return write("bad.yaml", "catalog: bike\nselections:\n  frame: carbon\n")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one command."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- validate ---------------------------------------------------------------------------------------------


def test_validate_ok_prints_a_summary(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A valid catalog exits 0 with one summary line."""
    code, out, _ = run(capsys, "validate", "bike.yaml")
    assert code == 0
    assert out == "bike.yaml: ok: bike 2026.11, 2 modules, 3 options, 1 rules, 0 services\n"


def test_validate_several_files(catalog: Path, write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    """Each file gets its verdict; one invalid file makes the exit code 1."""
    write("broken.yaml", CATALOG.replace("brakes.disc", "brakes.disk"))
    code, out, _ = run(capsys, "validate", "bike.yaml", "broken.yaml")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("bike.yaml: ok:")
    assert lines[1] == (
        "broken.yaml:18:15: rules[0].requires: unknown option or attribute 'brakes.disk' at column 17 of "
        "'frame.carbon -> brakes.disk' (did you mean 'brakes.disc'?)"
    )


def test_validate_errors_exit_1(write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Errors are printed as file:line:col: message and exit 1."""
    write(
        "bad.yaml",
        CATALOG.replace("currency: EUR", "currency: euro").replace("choose: optional", "choose: some"),
    )
    code, out, err = run(capsys, "validate", "bad.yaml")
    assert code == 1
    assert out.splitlines() == [
        "bad.yaml:3:11: currency: expected an ISO 4217 currency code such as 'EUR', got 'euro'",
        "bad.yaml:13:13: modules.brakes.choose: expected exactly_one, optional, any or a mapping {min: M, max: N}, "
        "got 'some'",
    ]
    assert "Traceback" not in out + err


def test_validate_warnings_and_strict(
    write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Warnings are printed but pass; --strict makes them fail; --quiet hides them."""
    write("warn.yaml", CATALOG.replace("label: {en: Brakes, pt: Travões}", "label: {en: Brakes}"))
    code, out, _ = run(capsys, "validate", "warn.yaml")
    assert code == 0
    assert out.splitlines() == [
        "warn.yaml:12:12: modules.brakes.label: warning: missing translation for pt (falls back to en)",
        "warn.yaml: ok: bike 2026.11, 2 modules, 3 options, 1 rules, 0 services, 1 warnings",
    ]
    code, out, _ = run(capsys, "validate", "--strict", "warn.yaml")
    assert code == 1
    assert out.splitlines() == [
        "warn.yaml:12:12: modules.brakes.label: warning: missing translation for pt (falls back to en)"
    ]
    code, out, _ = run(capsys, "validate", "--quiet", "warn.yaml")
    assert code == 0
    assert out.splitlines() == [
        "warn.yaml: ok: bike 2026.11, 2 modules, 3 options, 1 rules, 0 services, 1 warnings"
    ]


def test_validate_missing_file(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing catalog is reported as an error line, exit 1, without traceback."""
    code, out, err = run(capsys, "validate", "nope.yaml")
    assert code == 1
    assert out == "nope.yaml: file not found\n"
    assert "Traceback" not in err


# --- check ------------------------------------------------------------------------------------------------


def test_check_valid_configuration(catalog: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A valid configuration exits 0 and says so."""
    code, out, _ = run(capsys, "check", "bike.yaml", "good.yaml", "--on", "2026-11-23")
    assert code == 0
    assert out == "good.yaml: valid for bike on 2026-11-23\n"


def test_check_invalid_configuration(catalog: Path, bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An invalid configuration exits 1 and prints each violated rule id, message and the options involved."""
    code, out, _ = run(capsys, "check", "bike.yaml", "bad.yaml", "--on", "2026-11-23")
    assert code == 1
    assert out == "carbon-needs-disc: Carbon frames need disc brakes [frame.carbon]\n"


def test_check_effective_dates_use_on(catalog: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--on sets the date effective dates are judged on."""
    code, out, _ = run(capsys, "check", "bike.yaml", "good.yaml", "--on", "2025-06-01")
    assert code == 1
    assert out == "option:frame.carbon:effective: Carbon is not available on 2025-06-01 [frame.carbon]\n"


def test_check_locale(catalog: Path, bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--locale picks the language of the messages."""
    code, out, _ = run(capsys, "check", "bike.yaml", "bad.yaml", "--on", "2026-11-23", "--locale", "pt")
    assert code == 1
    assert out == "carbon-needs-disc: Quadros de carbono precisam de travões de disco [frame.carbon]\n"


def test_check_json(catalog: Path, bad: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints the violations as a JSON list (empty when valid)."""
    code, out, _ = run(capsys, "check", "bike.yaml", "bad.yaml", "--on", "2026-11-23", "--json")
    assert code == 1
    assert json.loads(out) == [
        {
            "rule_id": "carbon-needs-disc",
            "kind": "requires",
            "message": "Carbon frames need disc brakes",
            "choices": ["frame.carbon"],
            "path": "",
        }
    ]
    code, out, _ = run(capsys, "check", "bike.yaml", "good.yaml", "--on", "2026-11-23", "--json")
    assert (code, json.loads(out)) == (0, [])


def test_check_bad_date_is_a_usage_error(
    catalog: Path, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed --on date exits 2 with a message naming the option."""
    code, out, err = run(capsys, "check", "bike.yaml", "good.yaml", "--on", "23/11/2026")
    assert code == 2
    assert "expected a date YYYY-MM-DD, got '23/11/2026'" in err
    assert "--on" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("which", "message"),
    [("catalog", "error: nope.yaml: file not found"), ("configuration", "error: nope.yaml: file not found")],
)
def test_check_missing_file(
    catalog: Path, good: Path, capsys: pytest.CaptureFixture[str], which: str, message: str
) -> None:
    """A missing catalog or configuration exits 2 with a one-line message and no traceback."""
    args = ["nope.yaml", "good.yaml"] if which == "catalog" else ["bike.yaml", "nope.yaml"]
    code, out, err = run(capsys, "check", *args, "--on", "2026-11-23")
    assert code == 2
    assert err.strip() == message
    assert "Traceback" not in out + err


def test_check_invalid_catalog_exits_2(
    write: Writer, in_tmp: Path, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid catalog given to check is reported with its located errors, exit 2."""
    write("bike.yaml", CATALOG.replace("brakes.disc", "brakes.disk"))
    code, _, err = run(capsys, "check", "bike.yaml", "good.yaml", "--on", "2026-11-23")
    assert code == 2
    assert err.startswith(
        "error: bike.yaml:18:15: rules[0].requires: unknown option or attribute 'brakes.disk'"
    )


def test_check_unknown_option_exits_2(
    catalog: Path, write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A configuration naming an unknown option exits 2 with the suggestion."""
    write("typo.yaml", "catalog: bike\nselections:\n  frame: carbn\n")
    code, _, err = run(capsys, "check", "bike.yaml", "typo.yaml", "--on", "2026-11-23")
    assert code == 2
    assert err.strip() == "error: unknown option frame.carbn (did you mean 'carbon'?)"


# --- schema and usage -------------------------------------------------------------------------------------


def test_schema_is_json_with_definitions(capsys: pytest.CaptureFixture[str]) -> None:
    """`configurator schema` prints a JSON Schema with $defs for the catalog language's parts."""
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert "$defs" in schema
    assert {"Module", "Option", "Rule", "Attribute"} <= set(schema["$defs"])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "configurator catalog"
    assert set(schema["$defs"]["Catalog"]["required"]) >= {
        "catalog",
        "version",
        "currency",
        "locales",
        "modules",
    }
    assert "if" in schema["$defs"]["Rule"]["properties"]


def test_no_arguments_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Without arguments the help is shown (exit code 2, like every usage error) and no traceback."""
    code, out, err = run(capsys)
    assert code in (0, 2)
    assert "validate" in out + err
    assert "Traceback" not in out + err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown command exits 2."""
    code, _, err = run(capsys, "frobnicate")
    assert code == 2
    assert "No such command" in err


def test_serve_runs_the_api_with_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    """``configurator serve`` hands the app factory, host, port and workers to uvicorn."""
    import uvicorn

    from configurator.api.app import app_from_environment

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    monkeypatch.setenv("CONFIGURATOR_SECRET_KEY", "s" * 32)
    monkeypatch.setenv("CONFIGURATOR_DATABASE_URL", "sqlite://")
    catalogs = Path(__file__).resolve().parent.parent / "catalogs"
    args = ["serve", "--host", "0.0.0.0", "--port", "8123", "--catalogs", str(catalogs), "--workers", "2"]
    assert main(args) == 0
    assert seen["host"] == "0.0.0.0" and seen["port"] == 8123 and seen["workers"] == 2
    assert seen["app"] == "configurator.api.app:app_from_environment" and seen["factory"] is True
    assert [c["id"] for c in _catalog_ids(app_from_environment())] != []


def _catalog_ids(app: Any) -> list[dict[str, Any]]:
    """The catalogs an app made from the environment serves (through an admin key)."""
    from fastapi.testclient import TestClient

    token, _ = app.state.service.keys().create("shop", "test", ["read"], created_by="test")
    return list(TestClient(app, headers={"Authorization": f"Bearer {token}"}).get("/catalogs").json())


def test_serve_without_a_secret_key_says_how_to_set_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``configurator serve`` with no CONFIGURATOR_SECRET_KEY stops with the fix, before any worker starts."""
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: pytest.fail("uvicorn started"))
    monkeypatch.delenv("CONFIGURATOR_SECRET_KEY", raising=False)
    assert main(["serve"]) != 0
    assert "set CONFIGURATOR_SECRET_KEY" in capsys.readouterr().err
