"""Authentication for every route: an API key (``Authorization: Bearer cfg_...``) or a rep's sign-in cookie.

A handler declares the scope it needs with one of the caller types below (``who: Reader``, ``who: Quoter``,
...): FastAPI resolves the credential, checks the scope and hands the handler the
:class:`~configurator.access.Principal`, whose tenant scopes every read and write of the request. No
credential, or an unknown, revoked or expired one, is a 401 ``unauthenticated`` problem (with
``WWW-Authenticate: Bearer``); a valid credential without the scope is a 403 ``forbidden``. A request
authenticated by the sign-in cookie that changes anything must also carry the page's anti-forgery token in
``X-CSRF-Token`` (403 otherwise), so another site cannot make a rep's browser act.

Verified keys are remembered for :data:`KEY_CACHE_SECONDS` per process (a revoked key stops working within
that time on every worker), so a request does not pay a database round trip to authenticate.

Example:
    >>> sorted(CALLERS)
    ['accept', 'admin', 'approve', 'events', 'quote', 'read']
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from starlette.concurrency import run_in_threadpool

from configurator.access import Principal
from configurator.access.tokens import keyed_hash, same_hash
from configurator.api.service import get_service
from configurator.errors import AuthenticationError, PermissionDeniedError

if TYPE_CHECKING:
    from configurator.access import KeyRing

__all__ = [
    "CALLERS",
    "COOKIE",
    "CSRF_HEADER",
    "KEY_CACHE_SECONDS",
    "Acceptor",
    "Admin",
    "Approver",
    "EventWriter",
    "KeyCache",
    "Quoter",
    "Reader",
    "caller",
]

COOKIE = "configurator_session"
"""The rep page's sign-in cookie (``Secure; HttpOnly; SameSite=Strict``)."""

CSRF_HEADER = "X-CSRF-Token"
"""The header that carries the page's anti-forgery token on cookie-authenticated changes."""

KEY_CACHE_SECONDS = 5.0
"""How long a worker trusts a key it has verified before it looks again (revocation delay)."""

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    bearerFormat="cfg_<key id>_<secret>",
    description="An API key of the tenant (`configurator keys create`), sent as `Authorization: Bearer cfg_...`.",
)
_cookie = APIKeyCookie(
    name=COOKIE,
    auto_error=False,
    scheme_name="signIn",
    description="A rep's sign-in on the web page (POST /rep/sign-in); changes also need the X-CSRF-Token header.",
)


class KeyCache:
    """Keys verified recently in this process, by keyed hash, for a few seconds (bounded, thread-safe)."""

    def __init__(self, seconds: float = KEY_CACHE_SECONDS, size: int = 1024) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, secret_key: bytes, token: str) -> Principal | None:
        """The key's caller when verified less than ``seconds`` ago, else None."""
        digest = keyed_hash(secret_key, token[:200])
        with self._lock:
            hit = self._entries.get(digest)
        if hit is not None and time.monotonic() - hit[0] < self.seconds:
            return hit[1]
        return None

    def verify(self, ring: KeyRing, secret_key: bytes, token: str) -> Principal:
        """The key's caller from the store (after :meth:`cached` missed), remembered from now on.

        Raises:
            AuthenticationError: malformed, unknown or revoked key.
        """
        now = time.monotonic()
        who = ring.authenticate(token)
        digest = keyed_hash(secret_key, token[:200])
        with self._lock:
            self._entries[digest] = (now, who)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return who


async def caller(
    security_scopes: SecurityScopes,
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """The authenticated caller, holding every scope the route asks for.

    Runs on the event loop: a key verified in the last seconds costs no database round trip and no thread;
    otherwise the lookup runs in a worker thread.

    Raises:
        AuthenticationError: no credential, or a bad one (401).
        PermissionDeniedError: a scope is missing, or a cookie-authenticated change lacks its token (403).
    """
    svc = get_service(request)
    who: Principal | None
    if bearer is not None:
        token = bearer.credentials
        who = svc.key_cache.cached(svc.secret, token)
        if who is None:
            who = await run_in_threadpool(svc.key_cache.verify, svc.keys(), svc.secret, token)
    elif cookie:
        who = await run_in_threadpool(svc.accounts().authenticate, cookie)
        if request.method not in _SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not same_hash(sent, svc.accounts().csrf(cookie)):
                raise PermissionDeniedError(f"missing or wrong {CSRF_HEADER} header: reload the page")
    else:
        raise AuthenticationError(
            "no credential: send an API key as 'Authorization: Bearer cfg_...', or sign in on /rep"
        )
    for scope in security_scopes.scopes:
        if not who.allows(scope):
            raise PermissionDeniedError(f"this credential lacks the {scope!r} scope")
    request.state.principal = who
    return who


Reader = Annotated[Principal, Security(caller, scopes=["read"])]
"""A caller with the ``read`` scope."""
EventWriter = Annotated[Principal, Security(caller, scopes=["events"])]
"""A caller with the ``events`` scope."""
Quoter = Annotated[Principal, Security(caller, scopes=["quote"])]
"""A caller with the ``quote`` scope."""
Acceptor = Annotated[Principal, Security(caller, scopes=["accept"])]
"""A caller with the ``accept`` scope."""
Approver = Annotated[Principal, Security(caller, scopes=["approve"])]
"""A caller with the ``approve`` scope: approves quotes whose discounts are above the tier's limit."""
Admin = Annotated[Principal, Security(caller, scopes=["admin"])]
"""A caller with the ``admin`` scope (every other scope included)."""

CALLERS = {
    "read": Reader,
    "events": EventWriter,
    "quote": Quoter,
    "accept": Acceptor,
    "approve": Approver,
    "admin": Admin,
}
"""The caller type of each scope."""
