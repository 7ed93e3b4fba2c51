"""Customer tests: the server secret is set, as it is outside tests (suppression hashes and tokens are keyed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support import SECRET


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``CONFIGURATOR_SECRET_KEY`` is the test secret (erasure needs it; suppression checks use it)."""
    monkeypatch.setenv("CONFIGURATOR_SECRET_KEY", SECRET)
    monkeypatch.delenv("CONFIGURATOR_PREVIOUS_SECRET_KEYS", raising=False)
    yield SECRET
