"""Customer search on SQLite and PostgreSQL: identifiers by index, names by the cached index, live checks."""

from __future__ import annotations

import datetime as dt

import pytest

from configurator.customers.consent import erase_person
from configurator.customers.identity import identify, merge
from configurator.customers.search import search_profiles
from configurator.errors import CustomerError
from configurator.storage import SqlStore
from configurator.storage.search import clear_name_indexes
from pg import Database
from pg import database as database

AT = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)


def _person(store: SqlStore, customer_id: str, **traits: str) -> None:
    identify(store, customer_id=customer_id, traits=traits, at=AT)


def _shop(database: Database, tenant: str = "shop") -> SqlStore:
    clear_name_indexes()
    store = SqlStore(database.engine, tenant)
    _person(store, "c-1", name="Inês Carvalho", email="Ines@Example.pt", phone="+351 912 345 678")
    _person(store, "c-2", name="Inês Costa", email="ines.costa@example.pt")
    _person(store, "c-3", name="Rui Carvalheira", company="Carvalho & Filhos Lda")
    _person(store, "c-10", name="João Ferreira", phone="913 000 111")
    return store


def _first(store: SqlStore, query: str) -> tuple[str, str, str, float]:
    hit = store.search_customers(query)[0]
    return hit.customer_id, hit.kind, hit.value, hit.score


def test_the_callers_words_find_her(database: Database) -> None:
    """The words "Inês", "Ines Carvalo", her email and her phone in any format find c-1 with the identity that matched."""
    store = _shop(database)
    assert {h.customer_id for h in store.search_customers("Ines")[:2]} == {"c-1", "c-2"}
    assert _first(store, "Ines Carvalo")[:3] == ("c-1", "name", "Inês Carvalho")
    assert _first(store, "carvalo, INÊS")[:3] == ("c-1", "name", "Inês Carvalho")
    assert _first(store, "INES@EXAMPLE.PT") == ("c-1", "email", "ines@example.pt", 100.0)
    for phone in ("+351 912 345 678", "912345678", "00351912345678"):
        assert _first(store, phone) == ("c-1", "phone", "+351912345678", 100.0)
    assert store.search_customers("Ines Carvalo")[0].display_name == "Inês Carvalho"


def test_prefixes_company_and_id(database: Database) -> None:
    """Email and phone prefixes, a company's words, an exact id and an id prefix are hits; limit holds."""
    store = _shop(database)
    assert _first(store, "ines.costa@")[:2] == ("c-2", "email")
    assert _first(store, "913 000")[:3] == ("c-10", "phone", "+351913000111")
    assert _first(store, "carvalho filhos")[:3] == ("c-3", "company", "Carvalho & Filhos Lda")
    assert _first(store, "c-10") == ("c-10", "customer_id", "c-10", 100.0)
    assert [h.customer_id for h in store.search_customers("c-1", limit=2)] == ["c-1", "c-10"]
    with pytest.raises(CustomerError, match="1 to 50"):
        store.search_customers("ines", limit=51)
    with pytest.raises(CustomerError, match="empty"):
        store.search_customers("  ")


def test_agrees_with_the_in_memory_reference(database: Database) -> None:
    """The SQL store ranks as :func:`search_profiles` does over the same profiles."""
    store = _shop(database)
    profiles = store.canonical_profiles()
    for query in ("ines", "Ines Carvalo", "carvalho", "c-", "ines@example.pt", "912345678", "joao"):
        expected = [(h.customer_id, h.kind, h.score) for h in search_profiles(profiles, query)]
        assert [(h.customer_id, h.kind, h.score) for h in store.search_customers(query)] == expected, query


def test_another_tenants_customers_are_never_found(database: Database) -> None:
    """Tenant other's customer with the same name, email and phone is never among shop's hits."""
    store = _shop(database)
    other = SqlStore(database.engine, "other")
    _person(other, "o-1", name="Inês Carvalho", email="ines@example.pt", phone="912345678")
    for query in ("Inês Carvalho", "ines@example.pt", "912345678", "o-1", "o-"):
        assert "o-1" not in {h.customer_id for h in store.search_customers(query)}, query
    assert [h.customer_id for h in other.search_customers("Inês Carvalho")] == ["o-1"]


def test_erased_and_merged_customers_are_never_returned(database: Database) -> None:
    """After erasure nothing finds the person (even from a warm index); a merged id finds its person."""
    store = _shop(database)
    assert _first(store, "Ines Carvalo")[0] == "c-1"  # the name index is warm
    erase_person(store, "c-1", actor="tests")
    for query in ("Ines Carvalo", "ines@example.pt", "912345678", "c-1"):
        assert "c-1" not in {h.customer_id for h in store.search_customers(query)}, query
    merge(store, "c-2", "c-3", actor="tests", reason="same person")
    assert [(h.customer_id, h.kind, h.value) for h in store.search_customers("c-3")] == [
        ("c-2", "customer_id", "c-3")
    ]
    assert "c-3" not in {h.customer_id for h in store.search_customers("Rui Carvalheira")}


def test_new_customers_are_found_at_once_and_names_are_read_live(database: Database) -> None:
    """A customer added after the index was built is found; a renamed one shows and scores the live name."""
    store = _shop(database)
    assert store.search_customers("Beatriz Lopes") == []
    _person(store, "c-20", name="Beatriz Lopes")
    assert _first(store, "beatriz lopes") == ("c-20", "name", "Beatriz Lopes", 100.0)
    identify(store, customer_id="c-20", traits={"name": "Beatriz Lopes Pinto"}, at=AT + dt.timedelta(days=1))
    hit = store.search_customers("beatriz lopes")[0]
    assert (hit.customer_id, hit.value, hit.display_name) == (
        "c-20",
        "Beatriz Lopes Pinto",
        "Beatriz Lopes Pinto",
    )
    assert hit.score < 100
