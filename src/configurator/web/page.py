"""The ``/rep`` routes: the page shell (Jinja2) in the rep's language and its two static files.

The page itself only calls the public HTTP API (``/catalogs``, ``/sessions``, ``/customers``, ``/quotes``); this
module renders the shell with the fixed strings of one language (:mod:`configurator.web.strings`) and serves
``rep.js`` and ``rep.css``.

The language is negotiated with Babel over :data:`LANGUAGES` from ``?lang=`` and the ``Accept-Language``
header, whose weights are honoured (a language weighted ``q=0`` is never chosen).

Example:
    >>> pick_language("sv", None), pick_language(None, "pt-BR,pt;q=0.9,en;q=0.8"), pick_language("xx", None)
    ('sv', 'pt', 'en')
    >>> pick_language(None, "pt;q=0, es;q=0.5"), pick_language(None, "sv;q=0")
    ('es', 'en')
    >>> STRINGS["es"]["propose"]
    'Proponer paquetes'
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from importlib import resources
from typing import TYPE_CHECKING, Annotated

from babel.core import negotiate_locale
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from configurator.web.signin import RepAccess, add_sign_in_routes, signed_in
from configurator.web.strings import LANGUAGES, STRINGS

if TYPE_CHECKING:
    import jinja2

__all__ = ["LANGUAGES", "STRINGS", "accepted_languages", "pick_language", "router"]

_STATIC = {"rep.js": "text/javascript; charset=utf-8", "rep.css": "text/css; charset=utf-8"}


_RANGE = re.compile(r"\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*")
"""A language range of ``Accept-Language`` (RFC 9110, 12.5.4), lower case, ``_`` already made ``-``."""
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
"""A weight: 0 to 1 with at most three decimals."""
_MOST_RANGES = 64
"""Ranges read from one header (a browser sends a handful); the rest are ignored."""


def accepted_languages(header: str | None) -> list[tuple[str, float]]:
    """The language ranges of an ``Accept-Language`` header with their weights, most preferred first.

    Ranges come in lower case with ``-`` (``pt_BR`` becomes ``pt-br``); equal weights keep the header's order.
    A range that is malformed, has a parameter other than its weight, or whose weight is not a number from 0 to
    1 (three decimals at most), is left out, so a malformed header gives an empty list rather than an error. Ranges weighted 0 are kept (they refuse a language).

    Args:
        header: the header's value, if any.

    Returns:
        ``(range, weight)`` pairs, highest weight first; ``*`` stands for any other language.

    Example:
        >>> accepted_languages("pt-BR,pt;q=0.9, en;q=0.8, *;q=0.1")
        [('pt-br', 1.0), ('pt', 0.9), ('en', 0.8), ('*', 0.1)]
        >>> accepted_languages("sv;q=0, es;q=0.5, de")
        [('de', 1.0), ('es', 0.5), ('sv', 0.0)]
        >>> accepted_languages("en;q=high, ;;, pt;q=2, es-ES;q=0.3"), accepted_languages(None)
        ([('es-es', 0.3)], [])
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")[:_MOST_RANGES]):
        tag, *params = (part.strip() for part in item.split(";"))
        tag = tag.lower().replace("_", "-")
        if not _RANGE.fullmatch(tag) or len(params) > 1:
            continue
        weight = 1.0
        if params:  # the only parameter a language range takes is its weight
            name, equals, value = (x.strip() for x in params[0].partition("="))
            if name.lower() != "q" or not equals or not _QVALUE.fullmatch(value):
                continue
            weight = float(value)
        ranked.append((-weight, position, tag))
    return [(tag, -weight) for weight, _, tag in sorted(ranked)]


def pick_language(asked: str | None, accept_language: str | None) -> str:
    """The page's language: the one asked for, else the browser's most preferred supported one, else English.

    Babel's :func:`babel.core.negotiate_locale` matches the ranges against :data:`LANGUAGES` in order of
    preference (a regional variant such as ``pt-PT`` or ``pt-BR`` gives its language). ``*`` stands for the
    supported languages the header does not name. A language weighted ``q=0`` is never chosen, not even as the
    fallback: that is English, else the first supported language the header does not refuse.

    Args:
        asked: the ``lang`` query parameter (``pt``, ``pt_PT`` or ``pt-PT``), if any.
        accept_language: the ``Accept-Language`` header, if any.

    Returns:
        One of :data:`LANGUAGES`.

    Example:
        >>> pick_language("pt_PT", "sv")
        'pt'
        >>> pick_language(None, "es;q=0.2, *"), pick_language(None, "en;q=0, de"), pick_language(None, "q=;")
        ('en', 'pt', 'en')
    """
    if asked:
        found = negotiate_locale([asked.replace("_", "-")], LANGUAGES, sep="-", aliases={})
        if found:
            return found.lower()
    ranges = accepted_languages(accept_language)
    refused = {tag for tag, weight in ranges if weight == 0}
    available = [lang for lang in LANGUAGES if lang not in refused]
    named = {tag.partition("-")[0] for tag, _ in ranges}
    preferred: list[str] = []
    for tag, weight in ranges:
        if weight == 0:
            continue
        preferred += [lang for lang in available if lang not in named] if tag == "*" else [tag]
    found = negotiate_locale(preferred, available, sep="-", aliases={})
    if found:
        return found.lower()
    return available[0] if available else "en"


@functools.cache
def _environment() -> jinja2.Environment:
    """The page's template environment: sandboxed like every template environment of the product."""
    try:
        import jinja2
        from jinja2.sandbox import ImmutableSandboxedEnvironment
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "the sales-rep page needs jinja2: pip install 'configurator[api,pdf]'", name=exc.name
        ) from exc
    return ImmutableSandboxedEnvironment(
        loader=jinja2.PackageLoader("configurator.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


@functools.cache
def _static(name: str) -> bytes:
    return (resources.files("configurator.web") / "static" / name).read_bytes()


def router(access: RepAccess) -> APIRouter:
    """The ``/rep`` page, its sign-in and its static files, to include in the API app.

    Args:
        access: the rep accounts, the tenant's stores and the audit log (the API's service).

    Returns:
        A router with ``GET /rep`` (the page, for a signed-in rep; ``?lang=en|pt|es|sv``, ``?customer=ID``,
        ``?catalog=ID`` prefill it, ``?session=ID`` restores a session; anyone else is sent to the sign-in form), ``/rep/sign-in`` (GET, POST),
        ``POST /rep/sign-out`` and ``GET /rep/static/{name}`` (``rep.js``, ``rep.css``).
    """
    web = APIRouter(tags=["sales-rep page"])

    def render_sign_in(request: Request, **values: object) -> str:
        language = pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))
        root = request.scope.get("root_path", "").rstrip("/")
        return (
            _environment()
            .get_template("sign-in.html")
            .render(lang=language, t=STRINGS[language], root=root, static=f"{root}/rep/static", **values)
        )

    @web.get(
        "/rep",
        response_class=HTMLResponse,
        responses={303: {"description": "Not signed in: to the sign-in form (`Location`)."}},
    )
    def rep_page(
        request: Request,
        lang: Annotated[str | None, Query(description="en, pt, es or sv (default: the browser's).")] = None,
        customer: Annotated[str | None, Query(max_length=200)] = None,
        catalog: Annotated[str | None, Query(max_length=200)] = None,
        session: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        """The sales-rep page: a customer's summary, the configuration with reasons, bundles and quotes."""
        found = signed_in(request, access)
        if found is None:
            here = "/rep" + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/rep/sign-in?" + urllib.parse.urlencode({"next": here}), status_code=303)
        who, token = found
        language = pick_language(lang, request.headers.get("accept-language"))
        root = request.scope.get("root_path", "").rstrip("/")
        html = (
            _environment()
            .get_template("rep.html")
            .render(
                lang=language,
                languages=LANGUAGES,
                t=STRINGS[language],
                api=root + "/",
                static=f"{root}/rep/static",
                customer=customer or "",
                catalog=catalog or "",
                session=session or "",
                csrf=access.accounts().csrf(token),
                rep=who.name,
                can=" ".join(scope for scope in ("quote", "approve", "accept") if who.allows(scope)),
            )
        )
        return HTMLResponse(html, headers={"Content-Language": language, "Cache-Control": "no-store"})

    add_sign_in_routes(web, access, render_sign_in)

    @web.get("/rep/static/{name}", include_in_schema=False)
    def rep_static(name: str) -> Response:
        """One of the page's static files."""
        if name not in _STATIC:
            raise HTTPException(404, f"no static file {name!r}")
        return Response(_static(name), media_type=_STATIC[name], headers={"Cache-Control": "no-cache"})

    return web
