"""Customer search in SQL: identifiers by index, names through a cached :class:`~configurator.customers.search.NameIndex`.

The ranking and normalisation rules live in :mod:`configurator.customers.search`; this module finds the
candidates and checks them against the live rows:

1. **Identifiers, in SQL, by index**: the customer id exactly (a merged id finds its person) and as a prefix
   (a range on the ``customers`` key), emails and phones exactly and as prefixes (ranges on the
   ``identities`` key: every email and phone the identity rules saw). A prefix look-up returns at most
   :data:`~configurator.customers.search.PREFIX_LIMIT` rows.
2. **Names and companies, in Python**: SQL cannot fold accents portably and a ``LIKE`` scan of a big base is
   slower than the whole search, so each process keeps one name index per tenant (built from one read of the
   canonical customers' names and companies) and rebuilds it when the tenant's count of customers changes or
   it is older than :data:`INDEX_MAX_AGE` seconds (a rebuild reuses the folded tokens of unchanged names).
3. **Live check**: every candidate is read again by key in the same transaction; a customer erased or merged
   since is left out, and names and companies are scored on their current values.

Every statement is scoped to the store's tenant, and the index cache is keyed by engine and tenant.

Example:
    >>> import datetime as dt
    >>> from configurator.customers.identity import Profile
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> people = SearchRepository(engine, "shop")
    >>> at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    >>> with people.atomic():
    ...     people.session.execute(table(Customer).insert(), [{"tenant": "shop", "customer_id": "c-1",
    ...         "origin": "external", "name": "Inês Carvalho", "extra": {}, "created_at": at}])
    ...     people.session.execute(table(Identity).insert(), [{"tenant": "shop", "kind": "email",
    ...         "value": "ines@example.pt", "customer_id": "c-1", "created_at": at}])
    <...>
    >>> [str(h) for h in people.search_customers("Ines Carvalo")]
    ['c-1 (name: Inês Carvalho, 96.6)']
    >>> [str(h) for h in people.search_customers("INES@example.PT")]
    ['c-1 (email: ines@example.pt, 100.0)']
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, select

from configurator.customers.search import (
    DEFAULT_LIMIT,
    NAME_THRESHOLD,
    PREFIX_LIMIT,
    MatchKind,
    NameIndex,
    SearchHit,
    SearchQuery,
    best_hits,
    check_limit,
    identifier_hits,
    name_score,
    parse_query,
    tokens,
)
from configurator.storage.models import Customer, Identity
from configurator.storage.sql import chunks, table
from configurator.storage.transaction import UnitOfWork

__all__ = ["INDEX_MAX_AGE", "SearchRepository", "clear_name_indexes"]

INDEX_MAX_AGE = 300.0
"""Seconds a tenant's name index serves before it is rebuilt (sooner when the count of customers changes).

A rebuild reads every name again (about a second at 100,000 customers); until then a renamed customer is found
by the new name only through their id, email or phone (hits always show and score the live name)."""
_MAX_TENANTS = 64
"""Name indexes kept per engine (the least recently used goes first)."""

_CUSTOMERS = table(Customer)
_IDENTITIES = table(Identity)
_COMPANY = _CUSTOMERS.c.extra["company"].as_string()


@dataclass(frozen=True)
class _Cached:
    index: NameIndex
    count: int
    built: float


_INDEXES: weakref.WeakKeyDictionary[Engine, dict[str, _Cached]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def clear_name_indexes() -> None:
    """Forget every cached name index (the next search of each tenant rebuilds its own)."""
    with _LOCK:
        _INDEXES.clear()


def _starts_with(column: Any, prefix: str, dialect: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix`` (case-sensitive); a key range on SQLite so its index serves it."""
    exact: ColumnElement[bool] = func.substr(column, 1, len(prefix)) == prefix
    if dialect == "sqlite":  # binary collation: every string with the prefix sorts in [prefix, prefix+max)
        return and_(column >= prefix, column < prefix + "\U0010ffff", exact)
    return exact


class SearchRepository(UnitOfWork):
    """Customer search of the tenant (part of :class:`~configurator.storage.store.SqlStore`)."""

    def search_customers(self, query: str, *, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        """The customers a query names (id, email, phone, name or company), best first, at most ``limit``.

        Phone numbers without a country code are read in the store's region. Erased and merged customers
        are never returned (a merged id finds the person it was merged into).

        Raises:
            CustomerError: an empty, too long or invisible-character query, or a limit outside 1 to 50.
        """
        check_limit(limit)
        q = parse_query(query, self.region)
        with self.atomic():
            hits = self._identifier_hits(q)
            candidates = self._name_index().match(q.tokens, 2 * limit + 10) if q.tokens else []
            wanted = {h[0] for h in hits} | {c[0] for c in candidates}
            live = self._live(wanted)
        found = list(hits)
        named = {c[0] for c in candidates}
        for customer_id in named & live.keys():
            name, company = live[customer_id]
            kinds: tuple[tuple[MatchKind, str | None], ...] = (("name", name), ("company", company))
            for kind, text in kinds:
                if text:
                    found.append((customer_id, kind, text, name_score(q.tokens, tokens(text))))
        names = {c: name or company for c, (name, company) in live.items()}
        kept = [h for h in found if h[1] not in ("name", "company") or h[3] >= NAME_THRESHOLD]
        return best_hits(kept, names, limit)

    def _identifier_hits(self, q: SearchQuery) -> list[tuple[str, MatchKind, str, float]]:
        """Hits on the customer id (exact, merged, prefix) and on email and phone identifiers."""
        dialect = self.session.get_bind().dialect.name
        c, i, t = _CUSTOMERS.c, _IDENTITIES.c, self.tenant
        hits: list[tuple[str, MatchKind, str, float]] = []
        exact = self.session.execute(
            select(c.customer_id, c.merged_into).where(c.tenant == t, c.customer_id == q.text)
        ).first()
        if exact is not None:
            hits.append((exact.merged_into or exact.customer_id, "customer_id", q.text, 100.0))
        # merged_into is filtered here, not in SQL: there SQLite would walk the (tenant, merged_into) index.
        rows: list[tuple[str, str, str]] = [
            ("customer_id", cid, cid)
            for cid, merged in self.session.execute(
                select(c.customer_id, c.merged_into)
                .where(c.tenant == t, _starts_with(c.customer_id, q.text, dialect))
                .order_by(c.customer_id)
                .limit(PREFIX_LIMIT)
            )
            if merged is None
        ]
        for kind, values in (("email", q.emails), ("phone", q.phones)):
            if values:
                rows += self._identities(i.kind == kind, i.value.in_(values))
        prefixes = [("email", q.email_prefix)] if q.email_prefix else []
        prefixes += [("phone", p) for p in q.phone_prefixes]
        for kind, prefix in prefixes:
            rows += self._identities(
                i.kind == kind, _starts_with(i.value, prefix, dialect), limit=PREFIX_LIMIT
            )
        hits += identifier_hits(q, rows)
        return hits

    def _identities(
        self, *where: ColumnElement[bool], limit: int | None = None
    ) -> list[tuple[str, str, str]]:
        i = _IDENTITIES.c
        stmt = select(i.kind, i.value, i.customer_id).where(i.tenant == self.tenant, *where).order_by(i.value)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [(k, v, owner) for k, v, owner in self.session.execute(stmt)]

    def _live(self, customer_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """``customer id -> (name, company)`` of the canonical, stored customers among ``customer_ids``."""
        c = _CUSTOMERS.c
        found: dict[str, tuple[str | None, str | None]] = {}
        for chunk in chunks(sorted(customer_ids)):
            rows = self.session.execute(
                select(c.customer_id, c.merged_into, c.name, _COMPANY).where(
                    c.tenant == self.tenant, c.customer_id.in_(chunk)
                )
            )
            found.update({cid: (name, company) for cid, merged, name, company in rows if merged is None})
        return found

    def _name_index(self) -> NameIndex:
        """The tenant's name index, rebuilt when the count of customers changed or it is too old."""
        c = _CUSTOMERS.c
        count = int(
            self.session.execute(
                select(func.count())
                .select_from(_CUSTOMERS)
                .where(c.tenant == self.tenant, c.merged_into.is_(None))
            ).scalar_one()
        )
        now = time.monotonic()
        with _LOCK:
            tenants = _INDEXES.setdefault(self.engine, {})
            cached = tenants.pop(self.tenant, None)
            if cached is not None:
                tenants[self.tenant] = cached  # the most recently used goes last
        if cached is not None and cached.count == count and now - cached.built < INDEX_MAX_AGE:
            return cached.index
        rows: Sequence[Any] = self.session.execute(
            select(c.customer_id, c.name, _COMPANY).where(c.tenant == self.tenant, c.merged_into.is_(None))
        ).all()
        index = NameIndex(
            ((cid, name, company) for cid, name, company in rows), reuse=cached.index if cached else None
        )
        with _LOCK:
            tenants = _INDEXES.setdefault(self.engine, {})
            tenants.pop(self.tenant, None)
            tenants[self.tenant] = _Cached(index, count, now)
            while len(tenants) > _MAX_TENANTS:
                del tenants[next(iter(tenants))]
        return index
