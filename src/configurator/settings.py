"""Settings from the environment (prefix ``CONFIGURATOR_``) or a ``.env`` file.

Example:
    >>> import os
    >>> os.environ["CONFIGURATOR_TENANT"] = "shop-1"
    >>> Settings().tenant
    'shop-1'
    >>> del os.environ["CONFIGURATOR_TENANT"]
    >>> Settings().database_url.startswith("sqlite:///")
    True
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Runtime settings.

    Attributes:
        database_url: SQLAlchemy URL; SQLite file by default, PostgreSQL with ``postgresql+psycopg://...``.
        tenant: the tenant (shop) every row is scoped to unless a call names another.
        backend: the default solver backend.
        locale: the default locale for messages and quotes.
        phone_region: the ISO country used to read phone numbers written without a country code.
        max_body_bytes: the largest HTTP request body the API reads (``CONFIGURATOR_MAX_BODY_BYTES``); a
            larger one is refused with a 413 ``too-large`` problem before it is parsed.
    """

    model_config = SettingsConfigDict(env_prefix="CONFIGURATOR_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path('configurator.db').resolve()}")
    tenant: str = "default"
    backend: str = "cpsat"
    locale: str = "en"
    phone_region: str = "PT"
    max_body_bytes: int = Field(default=1_048_576, ge=1)


def get_settings() -> Settings:
    """Current settings (read from the environment on every call)."""
    return Settings()
