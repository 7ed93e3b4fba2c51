"""Configuration sessions and credentials in the database (SQLite and PostgreSQL): tenants, owners, limits."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command

from configurator.errors import SessionLimitError
from configurator.storage import (
    CredentialStore,
    KeyRecord,
    SqlStore,
    StoredSession,
    current_revision,
    upgrade,
)
from configurator.storage.migrate import _config
from pg import Database
from pg import database as database

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
ROW = StoredSession("s1", "key:a", "bike", "1", "2026-11-23", None, (), 0, AT, AT)


def _open(store: SqlStore, row: StoredSession, per_owner: int = 5, per_tenant: int = 10) -> list[str]:
    return store.open_config_session(row, per_owner=per_owner, per_tenant=per_tenant, idle_before=AT)


def test_a_session_is_found_only_by_its_tenant_and_owner(database: Database) -> None:
    """Another tenant, or another key of the tenant, does not see, change or close the session."""
    shop, other = SqlStore(database.engine, "shop"), SqlStore(database.engine, "other")
    _open(shop, ROW)
    assert shop.config_session("s1", "key:a", idle_before=AT) == ROW
    assert other.config_session("s1", "key:a", idle_before=AT) is None
    assert shop.config_session("s1", "key:b", idle_before=AT) is None
    assert not other.save_config_choices("s1", "key:a", 0, ({"module": "m"},), AT)
    assert not shop.close_config_session("s1", "key:b") and not other.close_config_session("s1", "key:a")
    assert shop.close_config_session("s1", "key:a")


def test_changes_apply_once_per_revision(database: Database) -> None:
    """A change based on an old revision is refused; the stored choices are the winner's."""
    shop = SqlStore(database.engine, "shop")
    _open(shop, ROW)
    first = ({"module": "frame", "option": "alu", "selected": True, "qty": None},)
    assert shop.save_config_choices("s1", "key:a", 0, first, AT)
    assert not shop.save_config_choices("s1", "key:a", 0, (), AT)
    found = shop.config_session("s1", "key:a", idle_before=AT)
    assert found is not None and (found.choices, found.revision) == (first, 1)


def test_limits_close_the_owners_oldest_and_refuse_past_the_tenants(database: Database) -> None:
    """An owner at its limit loses its least recently used session; a full tenant refuses a new one."""
    shop = SqlStore(database.engine, "shop")
    for n in range(3):
        row = dataclasses.replace(ROW, session_id=f"a{n}", used_at=AT + dt.timedelta(seconds=n))
        assert _open(shop, row, per_owner=2) == ([] if n < 2 else ["a0"])
    _open(shop, dataclasses.replace(ROW, session_id="b0", owner="key:b"), per_owner=2)
    assert shop.config_session_count() == 3 and shop.config_session_count("key:a") == 2
    with pytest.raises(SessionLimitError):
        _open(shop, dataclasses.replace(ROW, session_id="c0", owner="key:c"), per_tenant=3)


def test_idle_sessions_are_gone(database: Database) -> None:
    """A session idle since before the cut-off is not found, and the next open drops it."""
    shop = SqlStore(database.engine, "shop")
    _open(shop, ROW)
    later = AT + dt.timedelta(hours=1)
    assert shop.config_session("s1", "key:a", idle_before=later) is None
    shop.open_config_session(
        dataclasses.replace(ROW, session_id="s2", used_at=later),
        per_owner=5,
        per_tenant=10,
        idle_before=later,
    )
    assert shop.config_session_count() == 1


def test_migration_0004_adds_and_drops_the_access_tables(database: Database) -> None:
    """Downgrading to 0003 drops keys, accounts, sign-ins and sessions; upgrading creates them empty."""
    CredentialStore(database.engine).add_key(KeyRecord("k", "shop", "n", ("read",), "h" * 64, AT, "t"))
    config = _config(database.engine)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert current_revision(database.engine) == "0003"
    names = set(sa.inspect(database.engine).get_table_names())
    assert not names & {"api_keys", "accounts", "sign_ins", "config_sessions"}
    upgrade(database.engine)
    assert CredentialStore(database.engine).keys() == []
