"""Reps sign in to the page with their own account: login and password (argon2), then a sign-in cookie.

``GET /rep/sign-in`` shows the form (in the rep's language); ``POST /rep/sign-in`` checks login and password
and sets the sign-in cookie (``Secure; HttpOnly; SameSite=Strict``; only its keyed hash is stored), then goes
to the page (the form carries a token that must match the one kept in a ``SameSite=Strict`` cookie when the
form was served, so another site cannot sign a rep's browser in to an account of its choosing); ``POST /rep/sign-out`` ends the sign-in on every worker. The page sends the cookie with each API
call, and the anti-forgery token it was rendered with in ``X-CSRF-Token``. Sign-ins and sign-outs are
audited with who. The form is plain HTML: it works without JavaScript.

Example:
    >>> safe_next("/rep?customer=c-1"), safe_next("//evil.example/rep"), safe_next("https://x/rep")
    ('/rep?customer=c-1', '/rep', '/rep')
"""

from __future__ import annotations

import hmac
import secrets
import urllib.parse
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from configurator.errors import AuthenticationError

if TYPE_CHECKING:
    from fastapi import APIRouter

    from configurator.access import Accounts, Principal
    from configurator.settings import Settings
    from configurator.storage import SqlStore

__all__ = ["COOKIE", "FORM_COOKIE", "RepAccess", "add_sign_in_routes", "safe_next", "signed_in"]

COOKIE = "configurator_session"
"""The sign-in cookie's name (the API reads the same cookie)."""

FORM_COOKIE = "configurator_sign_in_form"
"""The sign-in form's token, also sent as a hidden field: a form posted from another site lacks the cookie."""

_MAX_FORM = 4096


class RepAccess(Protocol):
    """What the sign-in routes need from the app (the API's service provides it)."""

    settings: Settings

    def accounts(self) -> Accounts:
        """The rep accounts and their sign-ins."""
        ...

    def store(self, who: Principal) -> SqlStore:
        """A store of the caller's tenant."""
        ...

    def audit(self, store: SqlStore, who: Principal, action: str, subject: str, **details: Any) -> None:
        """Append to the tenant's audit log."""
        ...


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path under ``/rep`` of this site only (never another site)."""
    if not target or not target.startswith("/rep") or target.startswith("//") or "\\" in target:
        return "/rep"
    return target


def signed_in(request: Request, access: RepAccess) -> tuple[Principal, str] | None:
    """The signed-in rep and their cookie, or None (no cookie, or signed out or expired)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return access.accounts().authenticate(token), token
    except AuthenticationError:
        return None


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > _MAX_FORM:
        return {}
    pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v for k, v in pairs[:8]}


def _form_matches(request: Request, form: dict[str, str]) -> bool:
    """Whether the form carries the token its page was served with (in a ``SameSite=Strict`` cookie)."""
    sent, kept = form.get("form_token", ""), request.cookies.get(FORM_COOKIE, "")
    return bool(kept) and hmac.compare_digest(sent.encode(), kept.encode())


def add_sign_in_routes(web: APIRouter, access: RepAccess, render: Any) -> None:
    """Add ``/rep/sign-in`` (GET, POST) and ``/rep/sign-out`` (POST) to ``web``.

    ``render(request, lang, **values)`` renders the sign-in form in the negotiated language.
    """

    @web.get("/rep/sign-in", response_class=HTMLResponse, include_in_schema=False)
    def sign_in_form(request: Request) -> Response:
        """The sign-in form (with a fresh form token, also kept in a cookie, against cross-site sign-ins)."""
        token = secrets.token_urlsafe(24)
        answer = HTMLResponse(
            render(
                request,
                next=safe_next(request.query_params.get("next")),
                failed=request.query_params.get("failed") == "1",
                form_token=token,
            ),
            headers={"Cache-Control": "no-store"},
        )
        answer.set_cookie(
            FORM_COOKIE,
            token,
            max_age=3600,
            path="/rep/sign-in",
            secure=access.settings.cookie_secure,
            httponly=True,
            samesite="strict",
        )
        return answer

    @web.post("/rep/sign-in", include_in_schema=False)
    async def sign_in(request: Request) -> Response:
        """Check login and password; set the sign-in cookie and go to the page."""
        form = await _form(request)
        target = safe_next(form.get("next"))
        failed = RedirectResponse(
            "/rep/sign-in?" + urllib.parse.urlencode({"failed": "1", "next": target}), status_code=303
        )
        if not _form_matches(request, form):  # posted from another site, or a form older than an hour
            return failed
        try:
            token, who, _ = await run_in_threadpool(
                access.accounts().sign_in, form.get("login", ""), form.get("password", "")
            )
        except (AuthenticationError, ValueError):
            return failed
        access.audit(access.store(who), who, "sign-in", who.actor)
        answer = RedirectResponse(target, status_code=303)
        answer.set_cookie(
            COOKIE,
            token,
            max_age=int(access.settings.sign_in_hours * 3600),  # the store's expiry is what counts
            path="/",
            secure=access.settings.cookie_secure,
            httponly=True,
            samesite="strict",
        )
        return answer

    @web.post("/rep/sign-out", include_in_schema=False)
    async def sign_out(request: Request) -> Response:
        """End the sign-in (the form carries the page's anti-forgery token)."""
        found = signed_in(request, access)
        form = await _form(request)
        if found is not None and form.get("csrf") == access.accounts().csrf(found[1]):
            who, token = found
            access.accounts().sign_out(token)
            access.audit(access.store(who), who, "sign-out", who.actor)
        answer = RedirectResponse("/rep/sign-in", status_code=303)
        answer.delete_cookie(
            COOKIE, path="/", secure=access.settings.cookie_secure, httponly=True, samesite="strict"
        )
        return answer
