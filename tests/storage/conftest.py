"""Storage tests: the ``slow`` marker and the server secret.

The concurrent-writer tests are ``slow`` (they still run in ``make test``); the server secret is set as it is
outside tests (suppression hashes and erased-person tokens are keyed).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support import SECRET


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``slow`` marker (deselect with ``-m 'not slow'``)."""
    config.addinivalue_line("markers", "slow: takes more than a few seconds; still part of `make test`")


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``CONFIGURATOR_SECRET_KEY`` is the test secret (erasure needs it; suppression checks use it)."""
    monkeypatch.setenv("CONFIGURATOR_SECRET_KEY", SECRET)
    monkeypatch.delenv("CONFIGURATOR_PREVIOUS_SECRET_KEYS", raising=False)
    yield SECRET
