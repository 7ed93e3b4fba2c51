"""Shared fixtures: repository paths, a YAML file writer, and the Hypothesis profile."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine

from support import ROOT, Writer, demo_store

settings.register_profile(
    "configurator",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "configurator"))


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write dedented text to ``tmp_path / name`` (creating folders) and return the path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run the test from ``tmp_path``, so that file names in messages are short and predictable."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run the test from the repository root, so that file names in messages are relative to it."""
    monkeypatch.chdir(ROOT)
    yield ROOT


@pytest.fixture(scope="module")
def demo() -> Iterator[Engine]:
    """The demo event log (examples/data/events.jsonl) in an in-memory SQLite database, tenant ``demo``."""
    engine = demo_store().engine
    yield engine
    engine.dispose()
