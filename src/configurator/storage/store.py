"""The SQL store: every repository of one tenant over one engine (SQLite or PostgreSQL), one transaction at a time.

:class:`SqlStore` implements ``customers.identity.IdentityStore``, ``customers.consent.PrivacyStore``,
``customers.ingest.EventSink`` and ``assembly.context.TierSource``, and reads and writes catalogs, quotes,
orders, the audit log, the frames for value and tiers, and the tier snapshot. Each aggregate's methods are
defined in its own module (one repository class each) and reached through the store;
:class:`~configurator.storage.transaction.UnitOfWork` holds the transaction they share. Use one store per
thread.

Example:
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> from configurator.customers.events import validate_event
    >>> e = validate_event({"event_id": "e1", "type": "purchased", "customer_id": "c1", "channel": "store",
    ...     "ts": "2026-05-01T12:00:00Z", "order_id": "o1", "margin": 30,
    ...     "lines": [{"item": "bell", "unit_price": 12.5, "quantity": 2}]}, tenant="shop")
    >>> store.write_events([e]), store.write_events([e])
    (WriteResult(accepted=1, duplicates=0, suppressed=0), WriteResult(accepted=0, duplicates=1, suppressed=0))
    >>> store.events_frame().select("customer_id", "type", "amount", "margin").rows()
    [('c1', 'purchased', 25.0, 30.0)]
    >>> with store.atomic():  # one transaction for several calls
    ...     [o["order_id"] for o in store.orders_for("c1")], store.profiling_allowed()
    (['o1'], {'c1'})
"""

from __future__ import annotations

from configurator.storage.campaign import CampaignRepository
from configurator.storage.catalogs import CatalogRepository
from configurator.storage.events import EventRepository
from configurator.storage.frames import FrameRepository
from configurator.storage.outbox import OutboxRepository
from configurator.storage.overview import OverviewRepository
from configurator.storage.retention import RetentionRepository
from configurator.storage.search import SearchRepository
from configurator.storage.sessions import ConfigSessionRepository
from configurator.storage.tiers import TierRepository

__all__ = ["SqlStore"]


class SqlStore(
    CampaignRepository,
    RetentionRepository,
    EventRepository,
    TierRepository,
    OutboxRepository,
    FrameRepository,
    CatalogRepository,
    ConfigSessionRepository,
    SearchRepository,
    OverviewRepository,
):
    """Identity, consent, privacy, events, frames, tiers, catalogs, quotes, orders and audit log of one tenant.

    Every method runs in a transaction: the caller's when inside :meth:`atomic`, else its own.
    :meth:`write_events` and :meth:`in_transaction` run their transaction once more after a race with
    another writer (:mod:`configurator.storage.retry`). The methods by aggregate:

    - unit of work (:mod:`~configurator.storage.transaction`): ``atomic``, ``session``, ``current_session``,
      ``in_transaction``, ``execute``, ``joining``;
    - identity (:mod:`~configurator.storage.identity`): ``get_profile``, ``add_profile``, ``add_profiles``,
      ``update_profile``, ``owner``, ``claim``, ``claim_anonymous_ids``, ``identifiers``, ``merged_ids``,
      ``repoint``, ``canonical_profiles``, ``canonical_ids``, ``anonymous_owners``, ``suppressed``;
    - consent (:mod:`~configurator.storage.consent`): ``set_consent``, ``replace_consent``, ``consents``;
    - privacy (:mod:`~configurator.storage.privacy`): ``personal_data``, ``erase``, ``add_suppressions``;
    - events (:mod:`~configurator.storage.events`): ``write_events``, ``customer_events``, ``catalog_sales``;
    - frames (:mod:`~configurator.storage.frames`): ``events_frame``, ``consents_frame``, ``profiling_allowed``;
    - tier snapshot (:mod:`~configurator.storage.tiers`): ``refresh_tiers``, ``replace_tiers``, ``tier_of``,
      ``stored_tier``, ``tiers_frame``, ``tiers_computed_at``, ``tier_counts`` (``erase`` and
      ``personal_data`` cover the snapshot);
    - catalogs (:mod:`~configurator.storage.catalogs`): ``save_catalog``, ``catalog_versions``,
      ``load_catalog_text``;
    - quotes and orders (:mod:`~configurator.storage.quotes`): ``add_quote``, ``quote_head``,
      ``quote_version_rows``, ``insert_quote_head``, ``insert_quote_version``, ``advance_quote_head``,
      ``set_quote_status``, ``stamp_quote_version``, ``expire_quote_heads``, ``quotes_for``, ``orders_for``,
      ``installed_base_for``, ``order_event``, ``project_orders``;
    - audit (:mod:`~configurator.storage.audit`): ``audit``, ``audit_entries``;
    - configuration sessions (:mod:`~configurator.storage.sessions`): ``open_config_session``,
      ``config_session``, ``save_config_choices``, ``touch_config_session``, ``close_config_session``,
      ``config_session_count``;
    - customer search (:mod:`~configurator.storage.search`): ``search_customers``;
    - customer overview (:mod:`~configurator.storage.overview`): ``quote_activity``;
    - campaigns (:mod:`~configurator.storage.campaign`): ``finished_partitions``, ``finish_partition``,
      ``campaign_offers``, ``campaign_offer_count`` (``erase`` and ``personal_data`` cover the offers).

    API keys, accounts and sign-ins are not a tenant's repository: :class:`~configurator.storage.access.
    CredentialStore` finds a credential before its tenant is known.
    """
