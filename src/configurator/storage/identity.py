"""Identity: customer profiles, the identifiers that point to them, merges and suppressed identifiers.

The rules (matching, merging, which profile wins) live in :mod:`configurator.customers.identity`; this
module stores what they decide and answers their look-ups (``IdentityStore``).

Example:
    >>> import datetime as dt
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> people = IdentityRepository(engine, "shop")
    >>> at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    >>> people.add_profile(Profile("c1", "external", created_at=at)), people.claim("email", "a@b.example", "c1", at)
    (True, 'c1')
    >>> people.add_profiles([Profile("c1", "external", created_at=at), Profile("c2", "external", created_at=at)])
    >>> people.repoint("c2", "c1"), people.merged_ids("c1"), people.canonical_ids(["c1", "c2", "c9"])
    (0, ['c2'], {'c1': 'c1', 'c2': 'c1'})
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any, cast

from sqlalchemy import bindparam, delete, or_, select, update

from configurator.customers.consent import merged_consent
from configurator.customers.identity import Origin, Profile
from configurator.storage.audit import AuditRepository
from configurator.storage.consent import ConsentRepository
from configurator.storage.models import (
    Consent,
    Customer,
    Identity,
    InstalledItem,
    Order,
    Quote,
    QuoteVersion,
    Suppression,
)
from configurator.storage.sql import chunks, dialect_insert, prebuilt_insert, rowcount, table

__all__ = ["IdentityRepository", "profile_from_row", "profile_values"]

_CUSTOMERS = table(Customer)
_IDENTITIES = table(Identity)
_PROFILE_FIELDS = ("merged_into", "name", "email", "phone", "address", "extra", "traits_at")
_GET_PROFILE = select(_CUSTOMERS).where(
    _CUSTOMERS.c.tenant == bindparam("t"), _CUSTOMERS.c.customer_id == bindparam("cid")
)
_UPDATE_PROFILE = (
    update(_CUSTOMERS)
    .where(_CUSTOMERS.c.tenant == bindparam("t"), _CUSTOMERS.c.customer_id == bindparam("cid"))
    .values({name: bindparam(f"v_{name}") for name in _PROFILE_FIELDS})
)
_OWNER = select(_IDENTITIES.c.customer_id).where(
    _IDENTITIES.c.tenant == bindparam("t"),
    _IDENTITIES.c.kind == bindparam("kind"),
    _IDENTITIES.c.value == bindparam("value"),
)
_SUPPRESSED = select(table(Suppression).c.identifier_hash).where(
    table(Suppression).c.tenant == bindparam("t"),
    table(Suppression).c.identifier_hash.in_(bindparam("hashes", expanding=True)),
)


def profile_from_row(row: Any) -> Profile:
    """The :class:`~configurator.customers.identity.Profile` of a ``customers`` row."""
    return Profile(
        customer_id=row.customer_id,
        origin=cast(Origin, row.origin),
        merged_into=row.merged_into,
        name=row.name,
        email=row.email,
        phone=row.phone,
        address=row.address,
        extra=dict(row.extra or {}),
        created_at=row.created_at,
        traits_at=row.traits_at,
    )


def profile_values(tenant: str, profile: Profile) -> dict[str, Any]:
    """The ``customers`` row of a profile."""
    return {
        "tenant": tenant,
        "customer_id": profile.customer_id,
        "origin": profile.origin,
        "merged_into": profile.merged_into,
        "name": profile.name,
        "email": profile.email,
        "phone": profile.phone,
        "address": profile.address,
        "extra": dict(profile.extra),
        "created_at": profile.created_at,
        "traits_at": profile.traits_at,
    }


class IdentityRepository(AuditRepository, ConsentRepository):
    """Profiles and identifiers of the tenant (part of :class:`~configurator.storage.store.SqlStore`).

    Implements ``customers.identity.IdentityStore`` (with the audit log of :class:`AuditRepository`).
    """

    def get_profile(self, customer_id: str) -> Profile | None:
        """The stored profile (not following ``merged_into``), or None."""
        with self.atomic():
            row = self.execute(_GET_PROFILE, {"t": self.tenant, "cid": customer_id}).first()
            return None if row is None else profile_from_row(row)

    def add_profile(self, profile: Profile) -> bool:
        """Insert the profile unless its id exists; True when inserted."""
        with self.atomic():
            stmt = prebuilt_insert(self.session, Customer, returning=True)
            return self.execute(stmt, profile_values(self.tenant, profile)).first() is not None

    def add_profiles(self, profiles: Iterable[Profile]) -> None:
        """Insert, in one statement, the profiles whose ids are new (a concurrent writer may add the same)."""
        rows = [profile_values(self.tenant, p) for p in profiles]
        if not rows:
            return
        with self.atomic():
            s = self.session
            s.execute(dialect_insert(s, Customer).on_conflict_do_nothing(), rows)

    def update_profile(self, profile: Profile) -> None:
        """Save traits, ``traits_at`` and ``merged_into`` of an existing profile."""
        values = profile_values(self.tenant, profile)
        params = {"t": self.tenant, "cid": profile.customer_id}
        params.update({f"v_{k}": values[k] for k in _PROFILE_FIELDS})
        with self.atomic():
            self.execute(_UPDATE_PROFILE, params)

    def owner(self, kind: str, value: str) -> str | None:
        """The customer id an identifier points to, or None."""
        with self.atomic():
            found: str | None = self.execute(
                _OWNER, {"t": self.tenant, "kind": kind, "value": value}
            ).scalar()
            return found

    def claim(self, kind: str, value: str, customer_id: str, at: dt.datetime) -> str:
        """Point an unowned identifier to ``customer_id``; return its owner afterwards."""
        with self.atomic():
            stmt = prebuilt_insert(self.session, Identity, returning=False)
            self.execute(
                stmt,
                {
                    "tenant": self.tenant,
                    "kind": kind,
                    "value": value,
                    "customer_id": customer_id,
                    "created_at": at,
                },
            )
            found = self.owner(kind, value)
            assert found is not None
            return found

    def claim_anonymous_ids(self, claims: Mapping[str, tuple[str, dt.datetime]]) -> None:
        """Point unowned anonymous ids (``value -> (customer id, when)``) to their customers, in one statement.

        An id another writer claimed first keeps its owner (:meth:`anonymous_owners` tells).
        """
        if not claims:
            return
        with self.atomic():
            s = self.session
            s.execute(
                dialect_insert(s, Identity).on_conflict_do_nothing(),
                [
                    {
                        "tenant": self.tenant,
                        "kind": "anonymous_id",
                        "value": v,
                        "customer_id": c,
                        "created_at": at,
                    }
                    for v, (c, at) in sorted(claims.items())
                ],
            )

    def identifiers(self, customer_id: str) -> list[tuple[str, str]]:
        """``(kind, value)`` of the identifiers pointing to ``customer_id``."""
        with self.atomic():
            rows = self.session.execute(
                select(Identity.kind, Identity.value)
                .where(Identity.tenant == self.tenant, Identity.customer_id == customer_id)
                .order_by(Identity.kind, Identity.value)
            ).all()
            return [(k, v) for k, v in rows]

    def merged_ids(self, customer_id: str) -> list[str]:
        """Ids of the profiles merged into ``customer_id``."""
        with self.atomic():
            # Sorted here: an ORDER BY on the key lets SQLite walk the tenant's whole primary key instead of
            # the (tenant, merged_into) index, which grows with the tenant.
            return sorted(
                self.session.execute(
                    select(Customer.customer_id).where(
                        Customer.tenant == self.tenant, Customer.merged_into == customer_id
                    )
                ).scalars()
            )

    def repoint(self, loser: str, winner: str) -> int:
        """Move identifiers, merged profiles, consents, orders, quotes and installed base to ``winner``."""
        with self.atomic():
            s = self.session
            moved = s.execute(
                update(Identity)
                .where(Identity.tenant == self.tenant, Identity.customer_id == loser)
                .values(customer_id=winner)
            )
            s.execute(
                update(Customer)
                .where(
                    Customer.tenant == self.tenant,
                    or_(Customer.customer_id == loser, Customer.merged_into == loser),
                )
                .values(merged_into=winner)
            )
            for model in (Order, Quote, QuoteVersion, InstalledItem):
                tbl = table(model)
                s.execute(
                    update(tbl)
                    .where(tbl.c.tenant == self.tenant, tbl.c.customer_id == loser)
                    .values(customer_id=winner)
                )
            winners = {c.purpose: c for c in self.consents(winner)}
            for state in self.consents(loser):
                self.replace_consent(merged_consent(winner, state, winners.get(state.purpose)))
            s.execute(delete(Consent).where(Consent.tenant == self.tenant, Consent.customer_id == loser))
            return rowcount(moved)

    def canonical_profiles(self) -> list[Profile]:
        """Every profile not merged into another."""
        with self.atomic():
            rows = self.session.execute(
                select(*_CUSTOMERS.c)
                .where(Customer.tenant == self.tenant, Customer.merged_into.is_(None))
                .order_by(Customer.customer_id)
            ).all()
            return [profile_from_row(r) for r in rows]

    def canonical_customer_ids(self) -> list[str]:
        """The id of every profile not merged into another, sorted (ids only: cheap for a million customers)."""
        with self.atomic():
            return list(
                self.session.execute(
                    select(Customer.customer_id)
                    .where(Customer.tenant == self.tenant, Customer.merged_into.is_(None))
                    .order_by(Customer.customer_id)
                ).scalars()
            )

    def canonical_ids(self, customer_ids: Collection[str]) -> dict[str, str]:
        """``customer id -> canonical id`` (following a merge) of the stored ones among ``customer_ids``."""
        found: dict[str, str] = {}
        with self.atomic():
            for chunk in chunks(list(customer_ids)):
                rows = self.session.execute(
                    select(Customer.customer_id, Customer.merged_into).where(
                        Customer.tenant == self.tenant, Customer.customer_id.in_(chunk)
                    )
                ).all()
                found.update({c: m or c for c, m in rows})
        return found

    def anonymous_owners(self, anonymous_ids: Collection[str]) -> dict[str, str]:
        """``anonymous id -> customer id`` of the owned ones among ``anonymous_ids``."""
        found: dict[str, str] = {}
        with self.atomic():
            for chunk in chunks(sorted(set(anonymous_ids))):
                rows = self.session.execute(
                    select(Identity.value, Identity.customer_id).where(
                        Identity.tenant == self.tenant,
                        Identity.kind == "anonymous_id",
                        Identity.value.in_(chunk),
                    )
                ).all()
                found.update({v: c for v, c in rows})
        return found

    def suppressed(self, hashes: Collection[str]) -> set[str]:
        """The given identifier hashes that belong to erased people."""
        found: set[str] = set()
        with self.atomic():
            for chunk in chunks(sorted(hashes)):
                found.update(self.execute(_SUPPRESSED, {"t": self.tenant, "hashes": list(chunk)}).scalars())
        return found
