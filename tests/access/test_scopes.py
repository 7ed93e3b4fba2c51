"""Scopes: parsing and what admin grants."""

from __future__ import annotations

import pytest

from configurator.access import SCOPES, Principal, grants, parse_scopes


def test_admin_grants_every_scope_and_others_only_themselves() -> None:
    """Admin holds every scope; each other scope holds only itself."""
    for scope in SCOPES:
        assert grants(["admin"], scope)
        assert [s for s in SCOPES if grants([scope], s)] == ([scope] if scope != "admin" else list(SCOPES))


def test_scopes_parse_from_repeats_and_commas() -> None:
    """`--scope read,quote --scope read` is read and quote."""
    assert parse_scopes(["read,quote", "read"]) == ("quote", "read")
    with pytest.raises(ValueError, match="unknown scope"):
        parse_scopes(["read", "delete"])


def test_the_audit_log_names_keys_and_reps_apart() -> None:
    """A key is key:<id>, a rep user:<login>."""
    assert Principal("t", "key", "k", "n", ("read",)).actor == "key:k"
    assert Principal("t", "account", "a@b", "n", ("read",)).actor == "user:a@b"
