"""Frames for value and tiers (polars; computed from the stored rows, so merges and erasures show at once).

``SqlStore.events_frame() -> polars.DataFrame``
    One row per stored interaction event (``consent`` records excluded), columns exactly
    (:data:`EVENTS_SCHEMA`):

    ========================  ==========================  =======================================================
    column                    dtype                       meaning
    ========================  ==========================  =======================================================
    ``tenant``                ``Utf8``                    the tenant
    ``event_id``              ``Utf8``                    the event id (unique per tenant)
    ``customer_id``           ``Utf8`` (nullable)         canonical customer id after identity resolution and
                                                          merges; null for events of visitors still anonymous
    ``type``                  ``Utf8``                    viewed, configured, quote_requested, quote_sent,
                                                          purchased, returned, support_ticket, referral, review,
                                                          stated_need, feedback
    ``channel``               ``Utf8``                    web, sales_rep, email, phone, store, api
    ``ts``                    ``Datetime("us", "UTC")``   when it happened
    ``amount``                ``Float64``                 order total (purchased), refund (returned), else 0
    ``margin``                ``Float64``                 gross margin (purchased), lost margin (returned), else 0
    ``cost``                  ``Float64``                 cost to serve (support_ticket), else 0
    ``referred_customer_id``  ``Utf8`` (nullable)         referral: the referred person (canonical when known)
    ``converted``             ``Boolean`` (nullable)      referral: did the referred person buy
    ``rating``                ``Int64`` (nullable)        review: 1-5
    ========================  ==========================  =======================================================

``SqlStore.consents_frame() -> polars.DataFrame``
    One row per canonical customer: ``customer_id`` (Utf8), ``profiling`` (Boolean), ``marketing`` (Boolean),
    defaults applied (profiling allowed until objected, marketing opt-in) (:data:`CONSENTS_SCHEMA`).

``SqlStore.profiling_allowed() -> set[str]``
    Canonical ids of the customers whose data may be used for learned personalisation (tiers, needs); those
    who objected are left out and get catalog defaults.

Example:
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> frames = FrameRepository(engine, "shop")
    >>> frames.events_frame().columns == list(EVENTS_SCHEMA), frames.consents_frame().height
    (True, 0)
    >>> frames.profiling_allowed()
    set()
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from sqlalchemy import Float, func, select

from configurator.customers.consent import DEFAULTS, PURPOSES
from configurator.storage.models import Consent, Customer, Identity
from configurator.storage.models import Event as EventRow
from configurator.storage.transaction import UnitOfWork

__all__ = ["CONSENTS_SCHEMA", "EVENTS_SCHEMA", "FrameRepository"]

EVENTS_SCHEMA: Mapping[str, pl.DataType] = {
    "tenant": pl.Utf8(),
    "event_id": pl.Utf8(),
    "customer_id": pl.Utf8(),
    "type": pl.Utf8(),
    "channel": pl.Utf8(),
    "ts": pl.Datetime("us", "UTC"),
    "amount": pl.Float64(),
    "margin": pl.Float64(),
    "cost": pl.Float64(),
    "referred_customer_id": pl.Utf8(),
    "converted": pl.Boolean(),
    "rating": pl.Int64(),
}
"""Columns and dtypes of :meth:`FrameRepository.events_frame`."""
CONSENTS_SCHEMA: Mapping[str, pl.DataType] = {
    "customer_id": pl.Utf8(),
    "profiling": pl.Boolean(),
    "marketing": pl.Boolean(),
}
"""Columns and dtypes of :meth:`FrameRepository.consents_frame`."""


class FrameRepository(UnitOfWork):
    """Population-wide frames of the tenant (part of :class:`~configurator.storage.store.SqlStore`)."""

    def events_frame(self) -> pl.DataFrame:
        """One row per stored interaction event of the tenant (columns in the module docstring).

        Ids are resolved in polars (hash joins) rather than by SQL joins, so the cost stays linear whatever the
        planner's statistics say right after a bulk load.
        """
        with self.atomic():
            session, tenant = self.session, self.tenant
            events = session.execute(
                select(
                    EventRow.tenant,
                    EventRow.event_id,
                    EventRow.customer_ref,
                    EventRow.anonymous_id,
                    EventRow.type,
                    EventRow.channel,
                    EventRow.ts,
                    EventRow.amount.cast(Float),
                    EventRow.margin.cast(Float),
                    EventRow.cost.cast(Float),
                    EventRow.referred_customer_id,
                    EventRow.converted,
                    EventRow.rating,
                ).where(EventRow.tenant == tenant, EventRow.type != "consent")
            ).all()
            canon = session.execute(
                select(Customer.customer_id, func.coalesce(Customer.merged_into, Customer.customer_id)).where(
                    Customer.tenant == tenant
                )
            ).all()
            anonymous = session.execute(
                select(Identity.value, Identity.customer_id).where(
                    Identity.tenant == tenant, Identity.kind == "anonymous_id"
                )
            ).all()
        raw = pl.DataFrame(
            [tuple(r) for r in events],
            schema={
                **{k: EVENTS_SCHEMA[k] for k in ("tenant", "event_id")},
                "customer_ref": pl.Utf8(),
                "anonymous_id": pl.Utf8(),
                **{k: v for k, v in EVENTS_SCHEMA.items() if k not in ("tenant", "event_id", "customer_id")},
            },
            orient="row",
        )
        ids = pl.DataFrame(
            [tuple(r) for r in canon], schema={"id": pl.Utf8(), "canonical": pl.Utf8()}, orient="row"
        )
        owners = pl.DataFrame(
            [tuple(r) for r in anonymous],
            schema={"anonymous_id": pl.Utf8(), "owner": pl.Utf8()},
            orient="row",
        )
        frame = (
            raw.join(
                ids.rename({"id": "customer_ref", "canonical": "_direct"}), on="customer_ref", how="left"
            )
            .join(owners, on="anonymous_id", how="left")
            .join(ids.rename({"id": "owner", "canonical": "_via"}), on="owner", how="left")
            .join(
                ids.rename({"id": "referred_customer_id", "canonical": "_referred"}),
                on="referred_customer_id",
                how="left",
            )
            .with_columns(
                pl.when(pl.col("customer_ref").is_not_null())
                .then(pl.coalesce("_direct", "customer_ref"))
                .otherwise(pl.coalesce("_via", "owner"))
                .alias("customer_id"),
                pl.coalesce("_referred", "referred_customer_id").alias("referred_customer_id"),
            )
            .select(list(EVENTS_SCHEMA))
            .sort("ts", "event_id")
        )
        return frame

    def consents_frame(self) -> pl.DataFrame:
        """One row per canonical customer: ``customer_id``, ``profiling``, ``marketing`` (defaults applied)."""
        with self.atomic():
            session, tenant = self.session, self.tenant
            customers = session.execute(
                select(Customer.customer_id)
                .where(Customer.tenant == tenant, Customer.merged_into.is_(None))
                .order_by(Customer.customer_id)
            ).scalars()
            choices: dict[tuple[str, str], bool] = {
                (c, p): g
                for c, p, g in session.execute(
                    select(Consent.customer_id, Consent.purpose, Consent.granted).where(
                        Consent.tenant == tenant
                    )
                )
            }
            data = [(c, *(choices.get((c, p), DEFAULTS[p]) for p in PURPOSES)) for c in customers]
        return pl.DataFrame(data, schema=dict(CONSENTS_SCHEMA), orient="row")

    def profiling_allowed(self) -> set[str]:
        """Canonical ids of the customers who did not object to profiling."""
        frame = self.consents_frame()
        return set(frame.filter(pl.col("profiling"))["customer_id"].to_list())
