"""Storage tests: the ``slow`` marker (the concurrent-writer tests; they still run in ``make test``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``slow`` marker (deselect with ``-m 'not slow'``)."""
    config.addinivalue_line("markers", "slow: takes more than a few seconds; still part of `make test`")
