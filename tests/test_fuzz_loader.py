"""Fuzzing the loader: whatever the input, load_catalog and parse_yaml raise CatalogError or succeed, quickly.

Random bytes, random text, random YAML documents mutated after dumping, and valid random catalogs with one
value perturbed. Any other exception (TypeError, KeyError, RecursionError...) or a slow parse is a bug.
About 2,050 examples per run in total.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator import Catalog, load_catalog
from configurator.catalog.yamlsource import parse_yaml, scalar_value
from configurator.errors import CatalogError
from strategies import catalog_data, perturbations, yamlish_trees

LIMIT_S = 5.0
"""Longest a single load may take: generous, to stay reliable on slow machines; real loads take milliseconds."""


class _Dumper(yaml.SafeDumper):
    """Writes Decimals as plain numbers, and quotes strings YAML 1.2 would read as something else (0E0)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if type(scalar_value(value, plain=True)) is not str else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))
_Dumper.add_representer(str, _str)


def only_catalog_errors(action: Callable[[], object]) -> object:
    """Run ``action``; a CatalogError is fine, any other exception fails the test; so does a slow run."""
    start = time.perf_counter()
    try:
        return action()
    except CatalogError as exc:
        assert exc.problems, "a CatalogError lists its problems"
        assert str(exc)
        return None
    finally:
        assert time.perf_counter() - start < LIMIT_S


def load_bytes(content: bytes) -> Catalog | None:
    """Write ``content`` to a fresh file and load it as a catalog."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_bytes(content)
        result = only_catalog_errors(lambda: load_catalog(path))
    return result if isinstance(result, Catalog) else None


@settings(max_examples=700)
@given(st.binary(max_size=2000))
def test_random_bytes(content: bytes) -> None:
    """Random bytes never raise anything but CatalogError."""
    load_bytes(content)


@settings(max_examples=700)
@given(st.text(max_size=500))
def test_random_text(text: str) -> None:
    """Random text never makes parse_yaml or load_catalog raise anything but CatalogError."""
    only_catalog_errors(lambda: parse_yaml(text, "fuzz.yaml"))
    load_bytes(text.encode("utf-8", "surrogatepass"))


_edits = st.lists(
    st.tuples(
        st.integers(0, 10**6),
        st.sampled_from(["delete", "insert", "replace"]),
        st.sampled_from(
            [*" \t\n:-[]{},&*!|>'\"#%@`?<=", "  ", "- ", ": ", "&a ", "*a", "!!", "\x00", "\ufeff", "é"]
        )
        | st.characters(codec="utf-8"),
    ),
    max_size=4,
)


def mutate(text: str, edits: list[tuple[int, str, str]]) -> str:
    """Apply character edits at (wrapped) positions."""
    for position, action, chars in edits:
        at = position % (len(text) + 1)
        if action == "delete":
            text = text[:at] + text[at + 1 :]
        elif action == "insert":
            text = text[:at] + chars + text[at:]
        else:
            text = text[:at] + chars + text[at + 1 :]
    return text


@settings(max_examples=500)
@given(yamlish_trees, _edits)
def test_random_yaml_documents_mutated(tree: Any, edits: list[tuple[int, str, str]]) -> None:
    """YAML dumped from random nested data, then mutated, never raises anything but CatalogError."""
    text = mutate(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), edits)
    only_catalog_errors(lambda: parse_yaml(text, "fuzz.yaml"))
    load_bytes(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=150)
@given(st.data(), catalog_data(max_modules=3, max_options=3))
def test_random_catalogs_with_one_value_perturbed(data: st.DataObject, catalog: dict[str, Any]) -> None:
    """A valid catalog with one value replaced, deleted or added loads or raises CatalogError, nothing else."""
    broken = data.draw(perturbations(catalog))
    text = yaml.dump(broken, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    loaded = load_bytes(text.encode("utf-8"))
    if loaded is not None:
        assert loaded.modules


def test_perturbation_baseline_loads() -> None:
    """Unperturbed random catalogs, written the same way, load (so perturbations start from valid input)."""

    @settings(max_examples=40)
    @given(catalog_data(max_modules=3, max_options=3))
    def check(catalog: dict[str, Any]) -> None:
        text = yaml.dump(catalog, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
        assert load_bytes(text.encode("utf-8")) is not None

    check()


def test_dates_in_perturbations_are_written_as_dates() -> None:
    """The fuzz dumper writes dates as YYYY-MM-DD, which the loader reads back as dates."""
    text = yaml.dump({"d": dt.date(2026, 1, 2), "p": Decimal("1.50")}, Dumper=_Dumper)
    assert parse_yaml(text).data == {"d": dt.date(2026, 1, 2), "p": Decimal("1.50")}
