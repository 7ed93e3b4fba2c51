"""What assembly needs from a store: Protocols that ``storage.SqlStore`` satisfies structurally.

Assembly never imports the storage layer: :func:`~configurator.assembly.needs.needs_for` takes a
:class:`NeedsStore` (a customer's events, the catalog's sales, the tenant's consents, besides the identity and
consent rules of ``customers``); reading a customer's whole context takes a :class:`CustomerStore` (the customer's
installed base, too; their tier comes from ``assembly.context.TierSource``). Any object with these methods will do:
the SQL store, or a store in memory in a test.

Example:
    >>> from configurator.storage import SqlStore, make_engine
    >>> store: CustomerStore = SqlStore(make_engine("sqlite://"), "shop")
    >>> isinstance(store, NeedsStore), isinstance(store, CustomerStore), isinstance(object(), NeedsStore)
    (True, True, False)
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from configurator.customers.consent import PrivacyStore

if TYPE_CHECKING:
    import polars as pl

    from configurator.customers.events import Event

__all__ = ["CustomerStore", "NeedsStore"]


@runtime_checkable
class NeedsStore(PrivacyStore, Protocol):
    """What learning a customer's needs for a catalog reads: events, sales and consents of one tenant."""

    def customer_events(self, customer_id: str) -> list[Event]:
        """Every event of the customer (across merged profiles and their anonymous ids), oldest first."""
        ...

    def catalog_sales(self, catalog_id: str, *, latest: int | None = None) -> list[Event]:
        """The catalog's sales (completed configurations and purchases naming it), oldest first.

        ``latest``: only the most recent sales, at most that many.
        """
        ...

    def canonical_ids(self, customer_ids: Collection[str]) -> dict[str, str]:
        """``customer id -> canonical id`` (following a merge) of the stored ones among ``customer_ids``."""
        ...

    def consents_frame(self) -> pl.DataFrame:
        """One row per canonical customer: ``customer_id``, ``profiling``, ``marketing`` (defaults applied)."""
        ...


@runtime_checkable
class CustomerStore(NeedsStore, Protocol):
    """What a customer's context reads besides their needs: what they own."""

    def installed_base_for(self, customer_id: str) -> list[dict[str, Any]]:
        """What a customer owns: one row per order line (``catalog_id``, ``configuration``, ...), oldest first."""
        ...
