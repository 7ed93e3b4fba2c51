"""Catalog messages that teach: each broken snippet and the exact text the loader says about it.

Every message names file:line:col, what was expected and what was found, and, when one fix is obvious, the fix:
indentation slips point at the key whose lines to check, text YAML misreads (a comma in ``{...}``, a leading
``*``, ``&``, ``!`` or ``@``, a ``: `` inside a value) says how to quote it, ``yes``/``no`` where a bool belongs
says to use true or false, and no message shows a Python repr such as ``Decimal('240.00')``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from configurator.catalog.loader import validate_catalog

HEAD = 'catalog: bike\nversion: "1"\ncurrency: EUR\nlocales: [en]\n'

CASES: list[tuple[str, str, list[str]]] = [
    (
        "dedented-under-empty",
        HEAD + ("modules:\n  frame:\n    options:\n      alu:\n      price: 240.00\n"),
        [
            "c.yaml:8:11: modules.frame.options.alu: expected a mapping, got nothing (null) (check the indentation of the lines below 'alu:')",
            "c.yaml:9:14: modules.frame.options.price: expected a mapping, got 240.00 (check the indentation of the lines below 'alu:')",
        ],
    ),
    (
        "dedented-after-option",
        HEAD + ("modules:\n  frame:\n    options:\n      alu:\n        label: Alu\n      price: 240.00\n"),
        [
            "c.yaml:10:14: modules.frame.options.price: expected a mapping, got 240.00 (check the indentation of the lines below 'alu:')",
        ],
    ),
    (
        "dedented-module-body",
        HEAD + ("modules:\n  frame:\n  options:\n    alu: {price: 1}\n"),
        [
            "c.yaml:6:9: modules.frame: expected a mapping, got nothing (null) (check the indentation of the lines below 'frame:')",
            "c.yaml:8:5: modules.options: missing required key 'options' (check the indentation of the lines below 'frame:')",
            "c.yaml:8:5: modules.options.alu: unknown key 'alu' (check the indentation of the lines below 'frame:')",
        ],
    ),
    (
        "comma-in-text",
        HEAD + ("modules:\n  frame:\n    label: {en: Frame, light}\n    options: {alu: {}}\n"),
        [
            "c.yaml:7:24: modules.frame.label.light: expected 'key: value', got 'light' alone: a comma inside {...} ends an entry (quote the text: en: \"Frame, light\")",
        ],
    ),
    (
        "commas-in-text",
        HEAD + ("modules:\n  frame:\n    label: {en: Frame, light, strong}\n    options: {alu: {}}\n"),
        [
            "c.yaml:7:24: modules.frame.label.light: expected 'key: value', got 'light' alone: a comma inside {...} ends an entry (quote the text: en: \"Frame, light, strong\")",
        ],
    ),
    (
        "star-cell",
        HEAD
        + (
            "modules:\n"
            "  frame: {choose: optional, options: {alu: {}}}\n"
            "  rack: {choose: optional, options: {a: {}}}\n"
            "rules:\n"
            "  - id: t\n"
            "    table:\n"
            "      columns: [frame, rack]\n"
            "      rows: [[alu, *]]\n"
        ),
        [
            "c.yaml:12:20: invalid YAML: found '*' (the start of an alias) where a value was expected (quote it: \"*\")",
        ],
    ),
    (
        "star-expression",
        HEAD + ("modules:\n  frame:\n    options:\n      alu: {}\nrules:\n  - id: t\n    requires: *frame\n"),
        [
            "c.yaml:11:15: unknown alias *frame ('*' starts an alias; to write the text, quote it: \"*frame\")",
        ],
    ),
    (
        "ampersand-expression",
        HEAD
        + ("modules:\n  frame:\n    options:\n      alu: {}\nrules:\n  - id: t\n    requires: &frame.alu\n"),
        [
            "c.yaml:11:15: invalid YAML: found '&' (the start of an anchor) where a value was expected (quote it: \"&frame.alu\")",
        ],
    ),
    (
        "bang-expression",
        HEAD
        + ("modules:\n  frame:\n    options:\n      alu: {}\nrules:\n  - id: t\n    requires: !frame.alu\n"),
        [
            "c.yaml:11:15: YAML tag '!frame.alu' is not allowed (catalogs are plain data: '!' starts a YAML tag; to write the text, quote it: \"!frame.alu\")",
        ],
    ),
    (
        "colon-in-text",
        HEAD + ("modules:\n  frame:\n    label: Frame: light\n    options: {alu: {}}\n"),
        [
            "c.yaml:7:17: invalid YAML: found ': ' inside the value of 'label', which YAML reads as a new key (quote it: label: \"Frame: light\")",
        ],
    ),
    (
        "at-sign",
        HEAD + ("modules:\n  frame:\n    label: @home\n    options: {alu: {}}\n"),
        [
            "c.yaml:7:12: invalid YAML: found '@' at the start of a value, which YAML reserves (quote it: \"@home\")",
        ],
    ),
    (
        "yes-for-bool",
        HEAD
        + (
            "attributes:\n"
            "  motorised: {type: bool}\n"
            "modules:\n"
            "  frame:\n"
            "    options:\n"
            "      alu: {attrs: {motorised: yes}}\n"
        ),
        [
            "c.yaml:10:32: modules.frame.options.alu.attrs.motorised: attribute 'motorised': expected a bool value, got 'yes' (use true or false; YAML 1.2 reads yes as text)",
        ],
    ),
    (
        "off-for-bool",
        HEAD
        + (
            "attributes:\n"
            "  motorised: {type: bool}\n"
            "modules:\n"
            "  frame:\n"
            "    options:\n"
            "      alu:\n"
            "        attrs:\n"
            "          motorised: off\n"
        ),
        [
            "c.yaml:12:22: modules.frame.options.alu.attrs.motorised: attribute 'motorised': expected a bool value, got 'off' (use true or false; YAML 1.2 reads off as text)",
        ],
    ),
    (
        "quoted-true-for-bool",
        HEAD
        + (
            "attributes:\n"
            "  motorised: {type: bool}\n"
            "modules:\n"
            "  frame:\n"
            "    options:\n"
            "      alu: {attrs: {motorised: 'true'}}\n"
        ),
        [
            "c.yaml:10:32: modules.frame.options.alu.attrs.motorised: attribute 'motorised': expected a bool value, got 'true' (use true or false without quotes; \"true\" in quotes is text)",
        ],
    ),
    (
        "date-as-version",
        (
            "catalog: bike\n"
            "version: 2026-11-01\n"
            "currency: EUR\n"
            "locales: [en]\n"
            "modules:\n"
            "  frame:\n"
            "    options:\n"
            "      alu: {}\n"
        ),
        [
            'c.yaml:2:10: version: expected a string, got 2026-11-01 (quote it: "2026-11-01")',
        ],
    ),
    (
        "number-as-text",
        HEAD + ("modules:\n  frame:\n    label: {en: 2026}\n    options: {alu: {}}\n"),
        [
            'c.yaml:7:17: modules.frame.label.en: expected a string, got 2026 (quote it: "2026")',
        ],
    ),
    (
        "bad-date",
        HEAD + ("modules:\n  frame:\n    options:\n      alu: {valid_from: 2026-13-01}\n"),
        [
            "c.yaml:8:25: modules.frame.options.alu.valid_from: expected a date YYYY-MM-DD, got '2026-13-01'",
        ],
    ),
    (
        "fractional-quantity",
        HEAD + ("modules:\n  frame:\n    options:\n      alu: {qty: {min: 1.5}}\n"),
        [
            "c.yaml:8:24: modules.frame.options.alu.qty.min: expected an integer, got 1.5",
        ],
    ),
    (
        "date-as-attribute",
        HEAD
        + (
            "attributes:\n"
            "  weight_g: {type: int}\n"
            "modules:\n"
            "  frame:\n"
            "    options:\n"
            "      alu: {attrs: {weight_g: 2026-01-01}}\n"
        ),
        [
            "c.yaml:10:31: modules.frame.options.alu.attrs.weight_g: expected a number, true/false or an enum value, got 2026-01-01",
        ],
    ),
    (
        "text-as-price",
        HEAD + ("modules:\n  frame:\n    options:\n      alu: {price: cheap}\n"),
        [
            "c.yaml:8:20: modules.frame.options.alu.price: expected a decimal, got 'cheap'",
        ],
    ),
]
"""(case, catalog file text, the exact problems ``validate_catalog`` reports, in order)."""


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_snippet_gets_the_teaching_message(
    text: str, expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader reports exactly the expected problems, each at file:line:col, with the fix when obvious."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    assert [str(p) for p in validate_catalog("c.yaml").errors] == expected


@pytest.mark.parametrize("text", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_no_message_shows_a_python_repr(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No problem text shows Decimal(...), datetime.date(...) or another Python repr."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    for problem in validate_catalog("c.yaml").errors:
        assert "Decimal(" not in str(problem)
        assert "datetime." not in str(problem)
        assert problem.location.line > 0
        assert problem.location.column > 0
