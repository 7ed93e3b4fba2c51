"""Tests of configurator.catalog.yamlsource: YAML 1.2 scalars, positions, and hostile input refused clearly."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import pytest

from configurator import load_catalog
from configurator.catalog.yamlsource import MAX_BYTES, MAX_DEPTH, format_path, parse_yaml, read_yaml
from configurator.errors import CatalogError, Location


def refused(text: str, **limits: int) -> CatalogError:
    """The CatalogError parse_yaml raises for ``text``."""
    with pytest.raises(CatalogError) as caught:
        parse_yaml(text, "x.yaml", **limits)
    return caught.value


def billion_laughs(levels: int) -> str:
    """The classic alias bomb: each level is 9 aliases of the previous one."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


# --- scalars ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("-3", -3),
        ("+1", 1),
        ("1.50", Decimal("1.50")),
        (".5", Decimal("0.5")),
        ("1e3", Decimal("1E+3")),
        ("true", True),
        ("True", True),
        ("FALSE", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("2026-01-31", dt.date(2026, 1, 31)),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("2026-02-30", "2026-02-30"),
        ("2026-01-01T10:00:00", "2026-01-01T10:00:00"),
        ("0x10", "0x10"),
        ("0o7", "0o7"),
        ("1_000", "1_000"),
        (".inf", ".inf"),
        ("NaN", "NaN"),
        ('"12"', "12"),
        ("'true'", "true"),
        ("!!str 12", "12"),
    ],
)
def test_scalars_follow_yaml_1_2_core_with_exact_decimals(text: str, value: object) -> None:
    """Plain scalars resolve with YAML 1.2 core rules; decimals are exact; quoted scalars stay strings."""
    data = parse_yaml(f"v: {text}\n").data["v"]
    assert data == value
    assert type(data) is type(value)


def test_money_is_never_a_float() -> None:
    """Prices keep their exact digits."""
    assert parse_yaml("price: 0.10\n").data["price"] == Decimal("0.10")
    assert str(parse_yaml("price: 1190.00\n").data["price"]) == "1190.00"


# --- positions --------------------------------------------------------------------------------------------


def test_positions_of_values_and_keys() -> None:
    """Every value and key remembers its 1-based line and column; where() falls back to the parent."""
    doc = parse_yaml("modules:\n  frame:\n    price: 12.50\n", "bike.yaml")
    assert doc.where(("modules", "frame", "price")) == Location("bike.yaml", 3, 12, "modules.frame.price")
    assert doc.where(("modules", "frame", "price"), key=True) == Location(
        "bike.yaml", 3, 5, "modules.frame.price"
    )
    assert doc.where(("modules", "frame", "nope", 3)) == Location("bike.yaml", 3, 5, "modules.frame.nope[3]")
    assert doc.where(()) == Location("bike.yaml", 1, 1, "")


def test_positions_inside_sequences() -> None:
    """Sequence items are addressed by index."""
    doc = parse_yaml("rules:\n  - id: a\n  - id: b\n")
    assert doc.where(("rules", 1, "id")).line == 3
    assert doc.where(("rules", 1, "id")).path == "rules[1].id"


def test_format_path() -> None:
    """Key paths read as dotted names with [index] for sequences."""
    assert (
        format_path(("modules", "frame", "options", "alu_m", "price")) == "modules.frame.options.alu_m.price"
    )
    assert format_path(("rules", 3, "requires")) == "rules[3].requires"
    assert format_path((0, "a")) == "[0].a"
    assert format_path(()) == ""


# --- merge keys and aliases -------------------------------------------------------------------------------


def test_merge_keys_fill_in_missing_keys() -> None:
    """<<: *base copies keys the mapping does not set itself."""
    doc = parse_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert doc.data["other"] == {"x": 1, "y": 3}


def test_merge_key_list() -> None:
    """<<: [*a, *b] merges several mappings."""
    doc = parse_yaml("a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n")
    assert doc.data["c"] == {"x": 1, "y": 2}


def test_merge_key_needs_a_mapping() -> None:
    """<<: 5 is refused."""
    assert (
        str(refused("a:\n  <<: 5\n"))
        == "x.yaml:2:7: a: a merge key '<<' takes a mapping or a list of mappings"
    )


def test_aliases_of_scalars_and_keys() -> None:
    """Aliases may stand for values and for mapping keys."""
    doc = parse_yaml("x: &k key\n*k : 1\ny: *k\n")
    assert doc.data == {"x": "key", "key": 1, "y": "key"}


def test_unknown_alias() -> None:
    """An alias without anchor is an error at the alias."""
    assert str(refused("a: *nope\n")) == (
        "x.yaml:1:4: unknown alias *nope ('*' starts an alias; to write the text, quote it: \"*nope\")"
    )


def test_non_scalar_keys_are_refused() -> None:
    """A mapping or sequence used as a key is an error."""
    assert str(refused("? [a]\n: 1\n")) == "x.yaml:1:3: mapping keys must be plain scalars"


# --- hostile and broken input -----------------------------------------------------------------------------


def test_tabs_are_refused_with_a_hint() -> None:
    """Tab indentation is an error that mentions tabs, at the offending line."""
    error = refused("a:\n\tb: 1\n")
    assert error.problems[0].location.line == 2
    assert "tabs" in str(error)
    assert "tab" in str(refused("a: 1\n\tb: 2\n"))


def test_duplicate_keys_name_both_lines() -> None:
    """A duplicate key is reported at the second occurrence and names the line of the first."""
    assert (
        str(refused("a:\n  b: 1\n  c: 2\n  b: 3\n"))
        == "x.yaml:4:3: a.b: duplicate key 'b' (first defined at line 2)"
    )


def test_billion_laughs_is_refused_quickly() -> None:
    """A 9-level alias bomb is refused by the node budget in well under a second."""
    start = time.perf_counter()
    error = refused(billion_laughs(9))
    assert time.perf_counter() - start < 1
    assert "document expands to more than 4,194,304 values" in str(error)
    assert "alias bomb" in str(error)


def test_small_alias_fan_out_is_fine() -> None:
    """Aliases within the node budget are expanded normally."""
    doc = parse_yaml(billion_laughs(2))
    assert len(doc.data["a2"]) == 9
    assert doc.data["a2"][8][8] == ["lol"] * 9


def test_node_budget_is_configurable() -> None:
    """max_nodes bounds the number of values."""
    assert "more than 3 values" in str(refused("a: [1, 2, 3]\n", max_nodes=3))


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "a: &x {b: *x}\n", "a: &x {b: [1, {c: *x}]}\n"])
def test_recursive_aliases_are_refused(text: str) -> None:
    """An alias inside its own anchor is refused, not expanded forever."""
    assert "refers to its own enclosing anchor" in str(refused(text))


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo pwned']\n",
        "a: !!python/name:os.system\n",
        "a: !!python/object/new:subprocess.Popen [['ls']]\n",
        "a: !custom 1\n",
        "a: !!binary aGVsbG8=\n",
        "!!python/object:__main__.X {}\n",
    ],
)
def test_unknown_tags_are_refused(text: str) -> None:
    """Tags that would build Python objects (or any non-standard tag) are refused."""
    error = refused(text)
    assert "is not allowed" in str(error)
    assert "catalogs are plain data" in str(error)


def test_multiple_documents_are_refused() -> None:
    """A second document is an error at its '---'."""
    assert (
        str(refused("a: 1\n---\nb: 2\n"))
        == "x.yaml:2:1: expected a single YAML document, found a second one ('---')"
    )


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_empty_documents_are_none(text: str) -> None:
    """An empty file parses to None (the loader then says what it expected)."""
    assert parse_yaml(text).data is None


def test_nesting_limit() -> None:
    """Nesting up to MAX_DEPTH is fine, one more level is refused, and absurd depth fails fast."""
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_yaml(ok).data is not None
    assert str(refused("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))).endswith(
        f"nesting deeper than {MAX_DEPTH} levels"
    )
    start = time.perf_counter()
    refused("[" * 200_000)
    refused("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 500)))
    assert time.perf_counter() - start < 5


def test_nul_bytes_in_text() -> None:
    """Text with NUL characters is refused as binary, at the right line."""
    assert (
        str(refused("a: 1\nb: \x00\n"))
        == "x.yaml:2:1: file contains NUL bytes (this looks like a binary file, not YAML)"
    )


def test_control_characters_and_surrogates() -> None:
    """Control characters and lone surrogates are refused as invalid YAML."""
    assert "control characters are not allowed" in str(refused("a: \x07\n"))
    assert "invalid YAML" in str(refused("a: \ud800\n"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1, 2", "invalid YAML: did not find expected ',' or ']'"),
        ("a: b: c", "invalid YAML: found ': ' inside the value of 'a', which YAML reads as a new key"),
        ("a: 'open\n", "invalid YAML"),
        ("- a\nb: c\n", "invalid YAML"),
    ],
)
def test_syntax_errors_have_a_location(text: str, message: str) -> None:
    """Broken YAML is a located CatalogError."""
    error = refused(text)
    assert message in str(error)
    assert error.problems[0].location.line >= 1


# --- files ------------------------------------------------------------------------------------------------


def test_read_yaml_accepts_a_bom(tmp_path: Path) -> None:
    """A UTF-8 byte order mark is ignored."""
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_yaml(path).data == {"a": 1}


def test_read_yaml_uses_the_display_name(tmp_path: Path) -> None:
    """Messages name the file as given by display=."""
    path = tmp_path / "dup.yaml"
    path.write_text("a: 1\na: 2\n")
    with pytest.raises(CatalogError, match=r"^shown\.yaml:2:1: a: duplicate key"):
        read_yaml(path, display="shown.yaml")


def test_large_file_is_refused_by_size_without_reading_it(tmp_path: Path) -> None:
    """A 50 MB (sparse) file is refused by its size, quickly."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    start = time.perf_counter()
    with pytest.raises(CatalogError) as caught:
        read_yaml(path)
    assert time.perf_counter() - start < 1
    assert str(caught.value) == (
        f"{path}: file is 52,428,800 bytes, larger than the limit of {MAX_BYTES:,} bytes (split it with 'include:')"
    )
    with pytest.raises(CatalogError, match="larger than the limit"):
        load_catalog(path)


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    """max_bytes bounds the file size."""
    path = tmp_path / "small.yaml"
    path.write_text("a: 12345\n")
    with pytest.raises(CatalogError, match="file is 9 bytes, larger than the limit of 8 bytes"):
        read_yaml(path, max_bytes=8)


def test_binary_garbage_with_nul_bytes(tmp_path: Path) -> None:
    """A file with NUL bytes is refused as binary, naming the line."""
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"a: 1\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CatalogError) as caught:
        read_yaml(path, display="bin.yaml")
    assert (
        str(caught.value) == "bin.yaml:4:1: file contains NUL bytes (this looks like a binary file, not YAML)"
    )


def test_invalid_utf8(tmp_path: Path) -> None:
    """A file that is not UTF-8 is refused, naming the line, byte and offset."""
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nname: Alumínio\n".encode("latin-1"))
    with pytest.raises(CatalogError) as caught:
        read_yaml(path, display="latin1.yaml")
    assert str(caught.value) == "latin1.yaml:2:1: file is not valid UTF-8 (byte 0xed at offset 15)"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    """A missing file and a directory are clear errors."""
    with pytest.raises(CatalogError, match="file not found"):
        read_yaml(tmp_path / "nope.yaml")
    with pytest.raises(CatalogError, match="expected a YAML file, found a directory"):
        read_yaml(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02",
        b"\xff\xfe\xfd",
        b"\t\t\t",
        b"key: [unclosed",
        b"- 1\n- 2\n",
        b"just a string",
        b"%YAML 1.1\n---\na: 1\n",
        b"a: 1\n...\n---\nb: 2\n",
    ],
)
def test_load_catalog_only_raises_catalog_error_on_garbage(tmp_path: Path, content: bytes) -> None:
    """Garbage files make load_catalog raise CatalogError, never anything else."""
    path = tmp_path / "garbage.yaml"
    path.write_bytes(content)
    with pytest.raises(CatalogError):
        load_catalog(path)


def test_alias_of_a_mapping_as_key_is_refused() -> None:
    """An alias standing for a mapping cannot be a key."""
    assert str(refused("a: &m {x: 1}\n*m : 2\n")) == "x.yaml:2:1: mapping keys must be plain scalars"
