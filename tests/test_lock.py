"""The locked dependency set (requirements.lock) agrees with pyproject.toml and with what is installed."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from support import ROOT

LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
SELF = "configurator"

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>\S+)")
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


@dataclass
class Pin:
    """One package of the lock: its version, hashes and what asked for it."""

    version: Version
    hashes: int = 0
    via: list[str] = field(default_factory=list)


def parse_lock(text: str) -> dict[str, Pin]:
    """The pins of a ``uv pip compile --generate-hashes`` file by canonical name."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            current = Pin(Version(match["version"]))
            pins[canonicalize_name(match["name"])] = current
        elif current is not None:
            current.hashes += len(_HASH.findall(line))
            comment = line.strip().removeprefix("#").strip()
            if line.lstrip().startswith("#") and comment not in ("", "via"):
                current.via.append(comment.removeprefix("via ").strip())
    return pins


def project_requirements(pyproject: dict[str, object]) -> list[Requirement]:
    """Every requirement of the project and of each of its extras, except the project itself."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    requirements = [Requirement(line) for line in lines]
    return [req for req in requirements if canonicalize_name(req.name) != SELF]


def lock_problems(pyproject: dict[str, object], lock_text: str) -> list[str]:
    """What makes the lock disagree with the project's requirements (empty when they agree)."""
    pins = parse_lock(lock_text)
    problems: list[str] = []
    wanted: set[str] = set()
    for req in project_requirements(pyproject):
        name = canonicalize_name(req.name)
        wanted.add(name)
        pin = pins.get(name)
        if pin is None:
            problems.append(f"{req}: pyproject.toml asks for it, the lock does not hold it")
        elif not req.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{req}: the lock pins {pin.version}, outside the range pyproject.toml asks for")
    for locked, pin in sorted(pins.items()):
        if pin.hashes == 0:
            problems.append(f"{locked}=={pin.version}: no hash in the lock")
        if any(via.startswith(f"{SELF} (pyproject.toml)") for via in pin.via) and locked not in wanted:
            problems.append(f"{locked}: the lock holds it for pyproject.toml, which no longer asks for it")
    header = "\n".join(line for line in lock_text.splitlines()[:5] if line.startswith("#"))
    if "--all-extras" not in header:
        problems.append("the lock was not compiled with --all-extras (make lock)")
    return problems


def _pyproject() -> dict[str, object]:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def test_lock_agrees_with_pyproject() -> None:
    """Every requirement of pyproject.toml (all extras) is pinned in the lock within its range, with hashes."""
    problems = lock_problems(_pyproject(), LOCK.read_text(encoding="utf-8"))
    assert not problems, "requirements.lock disagrees with pyproject.toml; run `make lock`:\n" + "\n".join(
        problems
    )


def test_lock_check_catches_a_new_requirement() -> None:
    """A dependency added to pyproject.toml but not to the lock is reported."""
    pyproject = _pyproject()
    project = pyproject["project"]
    assert isinstance(project, dict)
    project["dependencies"] = [*project["dependencies"], "left-pad>=1"]
    problems = lock_problems(pyproject, LOCK.read_text(encoding="utf-8"))
    assert problems == ["left-pad>=1: pyproject.toml asks for it, the lock does not hold it"]


def test_lock_check_catches_a_range_the_pin_misses_and_a_dropped_requirement() -> None:
    """A pin outside the asked range and a direct pin nothing asks for any more are both reported."""
    pyproject = _pyproject()
    project = pyproject["project"]
    assert isinstance(project, dict)
    deps = [dep for dep in project["dependencies"] if not dep.startswith("rapidfuzz")]
    project["dependencies"] = [dep if not dep.startswith("babel") else "babel>=999" for dep in deps]
    problems = lock_problems(pyproject, LOCK.read_text(encoding="utf-8"))
    assert any(p.startswith("babel>=999: the lock pins") for p in problems), problems
    assert any(p.startswith("rapidfuzz: the lock holds it for pyproject.toml") for p in problems), problems


def test_lock_parser_reads_versions_hashes_and_origins() -> None:
    """The parser takes the pin, counts its hashes and keeps every ``via`` line."""
    text = (
        "# uv pip compile pyproject.toml --all-extras\n"
        "Babel==2.19.0 \\\n    --hash=sha256:" + "a" * 64 + " \\\n    --hash=sha256:" + "b" * 64 + "\n"
        "    # via\n    #   configurator (pyproject.toml)\n    #   sphinx\n"
    )
    pins = parse_lock(text)
    assert pins == {"babel": Pin(Version("2.19.0"), 2, ["configurator (pyproject.toml)", "sphinx"])}


def test_installed_packages_are_the_locked_versions() -> None:
    """The environment the tests run in holds exactly the locked version of every locked package."""
    pins = parse_lock(LOCK.read_text(encoding="utf-8"))
    wrong: list[str] = []
    for name, pin in sorted(pins.items()):
        try:
            installed = Version(importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            wrong.append(f"{name}: locked {pin.version}, not installed")
            continue
        if installed != pin.version:
            wrong.append(f"{name}: locked {pin.version}, installed {installed}")
    if wrong and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip(f"not running in the project's .venv ({sys.prefix}): " + "; ".join(wrong[:3]))
    assert not wrong, "the environment is not the locked set; run `make test` (it reinstalls):\n" + "\n".join(
        wrong
    )
