"""Catalog versions: the YAML text of every loaded version, immutable once stored.

Example:
    >>> import datetime as dt
    >>> from configurator.storage import make_engine, upgrade
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> catalogs = CatalogRepository(engine, "shop")
    >>> catalogs.save_catalog("bike", "1", "catalog: bike\\n"), catalogs.save_catalog("bike", "1", "changed")
    (True, False)
    >>> catalogs.load_catalog_text("bike"), [v for v, _ in catalogs.catalog_versions("bike")]
    ('catalog: bike\\n', ['1'])
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from configurator.storage.models import CatalogVersion
from configurator.storage.sql import insert_one
from configurator.storage.transaction import UnitOfWork

__all__ = ["CatalogRepository"]


class CatalogRepository(UnitOfWork):
    """Catalog versions of the tenant (part of :class:`~configurator.storage.store.SqlStore`)."""

    def save_catalog(
        self, catalog_id: str, version: str, yaml_text: str, *, loaded_at: dt.datetime | None = None
    ) -> bool:
        """Store a catalog version's YAML; versions are immutable (False when that version is already stored)."""
        with self.atomic():
            return insert_one(
                self.session,
                CatalogVersion,
                {
                    "tenant": self.tenant,
                    "catalog_id": catalog_id,
                    "version": version,
                    "yaml": yaml_text,
                    "loaded_at": loaded_at or dt.datetime.now(dt.UTC),
                },
            )

    def catalog_versions(self, catalog_id: str) -> list[tuple[str, dt.datetime]]:
        """``(version, loaded_at)`` of a catalog, oldest first."""
        with self.atomic():
            rows = self.session.execute(
                select(CatalogVersion.version, CatalogVersion.loaded_at)
                .where(CatalogVersion.tenant == self.tenant, CatalogVersion.catalog_id == catalog_id)
                .order_by(CatalogVersion.loaded_at, CatalogVersion.version)
            ).all()
            return [(v, at) for v, at in rows]

    def load_catalog_text(self, catalog_id: str, version: str | None = None) -> str | None:
        """The YAML of a catalog version (default: the one loaded last), or None."""
        stmt = select(CatalogVersion.yaml).where(
            CatalogVersion.tenant == self.tenant, CatalogVersion.catalog_id == catalog_id
        )
        if version is not None:
            stmt = stmt.where(CatalogVersion.version == version)
        stmt = stmt.order_by(CatalogVersion.loaded_at.desc(), CatalogVersion.version.desc()).limit(1)
        with self.atomic():
            return self.session.execute(stmt).scalar_one_or_none()
