"""Tests of configurator.api.sessions: a customer's session recommends with what other catalogs teach."""

from __future__ import annotations

import datetime as dt

import pytest

from configurator.access import Principal
from configurator.api.sessions import Sessions
from configurator.assembly.needs import recommendations, transfer_for
from configurator.needs.transfer import Transfer
from configurator.settings import Settings
from configurator.storage import SqlStore
from support import transfer_shop

WHO = Principal("shop", "key", "k1", "web", ("read", "write"))


def _clock() -> dt.datetime:
    return dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize("profiling", [True, False])
def test_a_customer_session_recommends_with_what_other_catalogs_teach(profiling: bool) -> None:
    """Ann bought the lightest bike frame: her first laptop session ranks the lightest chassis first."""
    store, bike, laptop = transfer_shop(profiling=profiling)
    catalogs = {"bike": bike, "laptop": laptop}
    asked: list[str] = []

    def transfer(on: SqlStore, catalog_id: str) -> Transfer:
        asked.append(catalog_id)
        return transfer_for(on, catalogs, besides=catalog_id)

    sessions = Sessions(Settings(), catalogs.get, _clock, transfer=transfer)
    plain = Sessions(Settings(), catalogs.get, _clock)
    _, live = sessions.open(store, WHO, laptop, on=None, customer_id="ann")
    _, alone = plain.open(store, WHO, laptop, on=None, customer_id="ann")
    assert live.view is not None and live.needs is not None and alone.view is not None and alone.needs
    ranked = recommendations(live.session, live.view, live.needs)["chassis"]
    untaught = recommendations(alone.session, alone.view, alone.needs)["chassis"]
    assert asked == (["laptop"] if profiling else [])
    if profiling:
        assert ranked[0][0] == "light" and ranked[0][1] > dict(untaught)["light"]
    else:
        assert ranked == untaught
    _, anonymous = sessions.open(store, WHO, laptop, on=None, customer_id=None)
    assert anonymous.needs is None and len(asked) <= 1
