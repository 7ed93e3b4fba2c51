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

from pydantic import Field, SecretStr
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
        secret_key: the server secret (``CONFIGURATOR_SECRET_KEY``, at least 32 characters) under which API
            keys and sign-in cookies are stored as keyed hashes (HMAC-SHA256). Required by the API and by
            ``configurator keys``; changing it invalidates every key and sign-in (see docs/api.md). Suppression
            hashes and erased-person tokens are keyed under purpose keys derived from it
            (:mod:`configurator.customers.keyring`).
        previous_secret_keys: earlier server secrets (``CONFIGURATOR_PREVIOUS_SECRET_KEYS``, comma-separated)
            whose suppression hashes are still honoured after a rotation, so an erased person stays out.
        catalogs_dir: the folder of catalog YAML files the API serves (``CONFIGURATOR_CATALOGS_DIR``).
        cookie_secure: mark the rep page's sign-in cookie ``Secure`` (sent over HTTPS only; browsers also send
            it to ``http://localhost``). Turn off only behind a trusted TLS-terminating proxy that speaks
            plain HTTP to browsers, which you should not have.
        sign_in_hours: hours a rep's sign-in lasts.
        session_ttl: seconds an unused configuration session stays open.
        sessions_per_key: open configuration sessions one credential may hold (the oldest idle one is closed
            to make room, never another credential's).
        sessions_per_tenant: open configuration sessions one tenant may hold (beyond it, opening one is a 429).
        discount_limits: the largest line discount (percent) a rep may give on a quote without an approval, per
            customer value tier (``CONFIGURATOR_DISCOUNT_LIMITS``, ``tier=pct`` pairs separated by commas; a
            tier left out may get no line discount without one). Above it the quote version waits for a
            principal with the ``approve`` scope (``POST /quotes/{id}/approve``).
        retention: how many days each event type is kept (``CONFIGURATOR_RETENTION``, ``type=days`` pairs
            separated by commas, e.g. ``viewed=365,configured=730``; empty: keep everything); applied by
            ``configurator customers purge`` (:mod:`configurator.customers.retention`).
        warm_reasons: when a catalog version is first served in a session, work out in the background what
            each single choice removes and why (``CONFIGURATOR_WARM_REASONS``, default off: measured on 2
            cores, it slowed clicks while it ran and did not make later reasons measurably faster, since
            most reason time comes after several choices); see :mod:`configurator.api.warmup`.
    """

    model_config = SettingsConfigDict(env_prefix="CONFIGURATOR_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path('configurator.db').resolve()}")
    tenant: str = "default"
    backend: str = "cpsat"
    locale: str = "en"
    phone_region: str = "PT"
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    secret_key: SecretStr | None = None
    previous_secret_keys: SecretStr | None = None
    catalogs_dir: str = "catalogs"
    cookie_secure: bool = True
    sign_in_hours: float = Field(default=10.0, gt=0, le=24 * 31)
    session_ttl: float = Field(default=1800.0, gt=0)
    sessions_per_key: int = Field(default=64, ge=1)
    sessions_per_tenant: int = Field(default=2048, ge=1)
    discount_limits: str = "mvc=15,mgc=10,standard=5,below_zero=0"
    retention: str = ""
    warm_reasons: bool = False

    def require_secret(self) -> bytes:
        """The secret key's bytes.

        Raises:
            SettingsError: no secret key is set, or it is shorter than 32 characters.

        Example:
            >>> Settings(secret_key="x" * 32).require_secret()[:3]
            b'xxx'
            >>> Settings(secret_key=None).require_secret()
            Traceback (most recent call last):
            ...
            configurator.errors.SettingsError: no secret key: set CONFIGURATOR_SECRET_KEY to a random string of at least 32 characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(32))"
        """
        from configurator.errors import SettingsError

        value = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        if len(value) < 32:
            got = "no secret key" if not value else f"the secret key has {len(value)} characters"
            raise SettingsError(
                f"{got}: set CONFIGURATOR_SECRET_KEY to a random string of at least 32 characters, e.g. "
                'python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        return value.encode()


def get_settings() -> Settings:
    """Current settings (read from the environment on every call)."""
    return Settings()
