"""Quotes: build and save one for a customer, render a version, accept it.

``POST /customers/{customer_id}/quotes`` builds and saves one; ``GET /quotes/{quote_id}`` renders a version
(HTML, Markdown, text, PDF or JSON); ``POST /quotes/{quote_id}/accept`` records the order.

Example:
    >>> [route.path for route in router.routes]
    ['/customers/{customer_id}/quotes', '/quotes/{quote_id}', '/quotes/{quote_id}/accept']
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from configurator.api import schemas as s
from configurator.api.auth import Acceptor, Quoter, Reader
from configurator.api.service import ServiceDep
from configurator.api.views import MEDIA_TYPES, links, quote_out
from configurator.api.wire import MAX_VERSION, Identifier, LocaleTag

if TYPE_CHECKING:
    from configurator.quoting.model import Quote
    from configurator.storage import SqlStore

__all__ = ["accept", "create_quote", "get_quote", "router", "save_or_revise"]

router = APIRouter(tags=["quotes"])

_REVISABLE = (
    "catalog_id",
    "catalog_version",
    "locale",
    "currency",
    "created_at",
    "valid_until",
    "tier",
    "quantity",
    "configuration",
    "lines",
    "services",
    "waterfall",
    "reasons",
    "terms",
)
"""The fields a re-quote of the same number may change (a new version)."""


def save_or_revise(store: SqlStore, made: Quote) -> Quote:
    """Save a new quote number, or the next version of an open quote with that number (a rep re-quoting).

    The same content again (timestamps aside) returns the stored version; an accepted or expired quote keeps
    its number and the new quote takes the next free ``<number>-2``, ``-3``... A number that belongs to
    another customer is refused (``QuoteCustomerMismatchError``, 409) and that quote stays as it is.
    """
    from configurator.errors import QuoteNotFoundError, QuoteStateError
    from configurator.quoting.lifecycle import load_quote, revise, save_quote

    number, suffix = made.quote_id, 1
    while True:
        try:
            latest = load_quote(store, number)
        except QuoteNotFoundError:
            return save_quote(store, dataclasses.replace(made, quote_id=number))
        changes = {name: getattr(made, name) for name in _REVISABLE}
        same = latest.customer_id == made.customer_id and all(
            getattr(latest, name) == value
            for name, value in changes.items()
            if name not in ("created_at", "valid_until")
        )
        if same:
            return latest
        try:  # as the requesting customer's: the lifecycle refuses another customer's number
            return revise(store, dataclasses.replace(latest, customer_id=made.customer_id), **changes)
        except QuoteStateError:
            suffix += 1
            number = f"{made.quote_id}-{suffix}"


@router.post("/customers/{customer_id}/quotes", status_code=201)
def create_quote(
    svc: ServiceDep, who: Quoter, customer_id: Identifier, body: s.QuoteIn, response: Response
) -> s.QuoteOut:
    """Build the customer's best quote (priced, checked, in their language) and save it as version 1, draft."""
    from configurator.quoting.build import quote_for_customer

    cat = svc.catalog(body.catalog)
    store = svc.store(who)
    canonical = svc.canonical(store, customer_id)
    tier, _ = svc.tier(store, canonical)
    made = quote_for_customer(
        store,
        cat,
        canonical,
        budget=body.budget,
        requirements=tuple(body.requirements),
        locale=body.locale,
        country=body.country,
        tiers=tier,
        quote_id=body.quote_id,
        created_at=svc.now(),
        quantity=body.quantity,
        best=True,
        accept_repair=body.accept_repair,
    )[0]
    saved = save_or_revise(store, made)
    svc.audit(store, who, "quote.save", saved.quote_id, related=canonical, version=saved.version)
    response.headers["Location"] = links(saved.quote_id, saved.version)["html"].partition("?")[0]
    return quote_out(saved, svc.catalogs)


@router.get(
    "/quotes/{quote_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The quote rendered (HTML, Markdown, text or PDF), or as JSON with format=json.",
            "content": {media.partition(";")[0]: {} for media in MEDIA_TYPES.values()}
            | {"application/json": {"schema": {"$ref": "#/components/schemas/QuoteOut"}}},
        }
    },
)
def get_quote(
    svc: ServiceDep,
    who: Reader,
    quote_id: Identifier,
    format: Literal["html", "md", "txt", "pdf", "json"] = "html",
    version: Annotated[
        int | None, Query(ge=1, le=MAX_VERSION, description="Default: the latest version.")
    ] = None,
    locale: LocaleTag | None = None,
) -> Response:
    """A stored quote version rendered in its language, with the media type of the format."""
    from configurator.quoting.build import customer_details
    from configurator.quoting.lifecycle import load_quote
    from configurator.quoting.render import render_quote

    store = svc.store(who)
    quote = load_quote(store, quote_id, version)
    if format == "json":
        return JSONResponse(jsonable_encoder(quote_out(quote, svc.catalogs)))
    rendered = render_quote(
        quote,
        svc.catalog(quote.catalog_id),
        format=format,
        locale=locale,
        customer=customer_details(store, quote.customer_id),
    )
    name = f"{quote.quote_id}-v{quote.version}.{format}"
    return Response(
        rendered.content,
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{urllib.parse.quote(name)}",
            "Content-Language": rendered.locale.replace("_", "-"),
        },
    )


@router.post("/quotes/{quote_id}/accept")
def accept(svc: ServiceDep, who: Acceptor, quote_id: Identifier, body: s.AcceptIn) -> s.AcceptOut:
    """Accept a quote version: records the order once (accepting the same version again changes nothing)."""
    from configurator.quoting.lifecycle import accept_quote, load_quote

    store = svc.store(who)
    version = body.version or load_quote(store, quote_id).version
    order = accept_quote(
        store,
        quote_id,
        version,
        body.at or svc.now(),
        margin=body.margin,
        order_id=body.order_id,
        channel=body.channel,
    )
    accepted = load_quote(store, quote_id, version)
    status = accepted.status
    svc.audit(
        store, who, "quote.accept", quote_id, related=accepted.customer_id, version=version, order_id=order
    )
    return s.AcceptOut(quote_id=quote_id, version=version, status=status, order_id=order)
