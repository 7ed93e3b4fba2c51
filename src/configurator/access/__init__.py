"""Access: who may call, for which tenant, with which scopes (API keys and rep accounts).

- :mod:`~configurator.access.scopes`: the scopes (read, events, quote, accept, approve, admin);
- :mod:`~configurator.access.principal`: the authenticated caller (:class:`Principal`);
- :mod:`~configurator.access.tokens`: key format and keyed hashes (HMAC-SHA256 under the server secret);
- :mod:`~configurator.access.keys`: :class:`KeyRing`, API keys per tenant;
- :mod:`~configurator.access.accounts`: :class:`Accounts`, reps with argon2 passwords and sign-ins.

The API (:mod:`configurator.api`) turns a request's key or sign-in cookie into a :class:`Principal`; the
tenant comes from the credential, never from the request. ``configurator keys`` and ``configurator users``
manage them from the command line.
"""

from configurator.access.accounts import MIN_PASSWORD, Accounts, normal_login
from configurator.access.keys import KeyRing, check_label, check_tenant
from configurator.access.principal import Principal
from configurator.access.scopes import SCOPES, Scope, grants, parse_scopes

__all__ = [
    "MIN_PASSWORD",
    "SCOPES",
    "Accounts",
    "KeyRing",
    "Principal",
    "Scope",
    "check_label",
    "check_tenant",
    "grants",
    "normal_login",
    "parse_scopes",
]
