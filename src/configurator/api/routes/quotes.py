"""Quotes: build and save one for a customer, edit it into versions, approve, send, render and accept it.

``POST /customers/{customer_id}/quotes`` quotes a session's choices, a configuration or the customer's best
bundle exactly as configured; ``PATCH /quotes/{quote_id}`` makes the next version from edits (selections and
quantities, services, line discounts); ``GET /quotes/{quote_id}/versions`` and ``/diff`` show the history;
``POST /quotes/{quote_id}/approve`` (scope ``approve``) lets a discount above the tier's limit through;
``POST /quotes/{quote_id}/send`` queues the PDF in the outbox; ``GET /quotes/{quote_id}`` renders a version
(HTML, Markdown, text, PDF as a download, or JSON); ``POST /quotes/{quote_id}/accept`` records the order.

Example:
    >>> [(sorted(route.methods)[0], route.path) for route in router.routes]  # doctest: +NORMALIZE_WHITESPACE
    [('POST', '/customers/{customer_id}/quotes'), ('GET', '/quotes/{quote_id}'), ('PATCH', '/quotes/{quote_id}'),
     ('GET', '/quotes/{quote_id}/versions'), ('GET', '/quotes/{quote_id}/diff'),
     ('POST', '/quotes/{quote_id}/approve'), ('POST', '/quotes/{quote_id}/send'),
     ('POST', '/quotes/{quote_id}/accept')]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from configurator.access import Principal
from configurator.api import quote_schemas as qs
from configurator.api import schemas as s
from configurator.api.auth import Acceptor, Approver, Quoter, Reader
from configurator.api.service import Service, ServiceDep
from configurator.api.views import MEDIA_TYPES, links
from configurator.api.wire import MAX_VERSION, Identifier, LocaleTag

if TYPE_CHECKING:
    from configurator.catalog.configuration import Configuration
    from configurator.catalog.models import Catalog
    from configurator.quoting.edit import QuoteEdits
    from configurator.quoting.model import Quote
    from configurator.solver.session import Choice
    from configurator.storage import SqlStore

__all__ = [
    "accept",
    "approve_quote",
    "create_quote",
    "edit_quote",
    "get_quote",
    "quote_diff",
    "quote_history",
    "router",
    "save_or_revise",
    "send",
]


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
    "discounts",
    "declined",
    "discount_limit",
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


def _edits(body: qs.QuoteCreateIn | qs.QuoteEditIn, configuration: Configuration | None) -> QuoteEdits:
    from configurator.quoting.edit import QuoteEdits

    return QuoteEdits(
        configuration=configuration,
        quantity=body.quantity,
        services=dict(body.services),
        discounts={d.line: Decimal(d.pct) for d in body.discounts},
    )


def _configuration(selections: Mapping[str, object]) -> Configuration:
    from configurator.catalog.configuration import Configuration

    return Configuration.from_data({"selections": selections}, where="body")


def _limits(svc: Service) -> dict[str, Decimal]:
    from configurator.quoting.edit import discount_limits

    return discount_limits(svc.settings.discount_limits)


def _detail(svc: Service, store: SqlStore, quote: Quote, locale: str | None = None) -> qs.QuoteDetailOut:
    from configurator.quoting.lifecycle import quote_versions

    info = next((v for v in quote_versions(store, quote.quote_id) if v.version == quote.version), None)
    return qs.quote_detail(quote, svc.catalogs, info, locale)


def _session_configuration(
    svc: Service, store: SqlStore, who: Principal, session_id: str, catalog_id: str | None
) -> tuple[Catalog, Configuration]:
    """The catalog and the configuration a live session holds (quantities included)."""
    from configurator.errors import QuoteBuildError

    live = svc.sessions.get(store, who, session_id)
    cat = live.catalog
    if catalog_id is not None and catalog_id != cat.catalog:
        raise QuoteBuildError(
            f"catalog: session {session_id!r} configures {cat.catalog!r}, not {catalog_id!r}"
        )
    chosen = _session_selections(live.session.choices)
    return cat, _configuration(
        {m: {o: q for o, q in options.items() if q > 0} for m, options in chosen.items()}
    )


@router.post("/customers/{customer_id}/quotes", status_code=201)
def create_quote(
    svc: ServiceDep, who: Quoter, customer_id: Identifier, body: qs.QuoteCreateIn, response: Response
) -> qs.QuoteDetailOut:
    """Quote a session's choices, a configuration, or (neither given) the customer's best bundle, as version 1.

    The quote keeps exactly what was configured, quantities included. Services included for the customer's
    tier are in at no charge unless declined; other services offered only when chosen. Line discounts above
    the tier's limit make the version wait for an approval (status ``pending_approval``).
    """
    from configurator.errors import QuoteBuildError
    from configurator.quoting.build import quote_for_customer
    from configurator.quoting.edit import configured_quote, customer_configured_quote

    store = svc.store(who)
    canonical = svc.canonical(store, customer_id)
    tier, _ = svc.tier(store, canonical)
    if body.session_id is not None and body.selections is not None:
        raise QuoteBuildError("give session_id or selections, not both")
    if body.session_id is not None:
        cat, configuration = _session_configuration(svc, store, who, body.session_id, body.catalog)
    else:
        if body.catalog is None:
            raise QuoteBuildError("catalog: required unless session_id is given")
        cat = svc.catalog(body.catalog)
        if body.selections is not None:
            configuration = _configuration(body.selections)
        else:
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
                transfer=svc.transfer(store, cat.catalog),
            )[0]
            quote = configured_quote(
                cat,
                made.configuration,
                _edits(body, None),
                customer_id=canonical,
                tenant=store.tenant,
                quote_id=made.quote_id,
                locale=made.locale,
                country=_country(made),
                tier=tier,
                created_at=made.created_at,
                limits=_limits(svc),
                reasons=made.reasons,
                rep=who.actor,
                requirements=made.requirements,
                budget=made.budget,
            )
            return _saved(svc, store, who, quote, canonical, response)
    quote = customer_configured_quote(
        store,
        cat,
        canonical,
        configuration,
        _edits(body, None),
        tier=tier,
        created_at=svc.now(),
        locale=body.locale,
        country=body.country,
        quote_id=body.quote_id,
        limits=_limits(svc),
        rep=who.actor,
        requirements=tuple(body.requirements),
        budget=body.budget,
        transfer=svc.transfer(store, cat.catalog),
    )
    return _saved(svc, store, who, quote, canonical, response)


def _saved(
    svc: Service, store: SqlStore, who: Principal, quote: Quote, customer: str, response: Response
) -> qs.QuoteDetailOut:
    saved = save_or_revise(store, quote)
    svc.audit(store, who, "quote.save", saved.quote_id, related=customer, version=saved.version)
    response.headers["Location"] = links(saved.quote_id, saved.version)["html"].partition("?")[0]
    return _detail(svc, store, saved)


def _country(quote: Quote) -> str:
    """The ship-to country a quote was taxed for (its ``tax`` step)."""
    return next(step.ref for step in quote.waterfall.steps if step.kind == "tax")


def _session_selections(choices: Sequence[Choice]) -> dict[str, dict[str, int]]:
    """A session's selected choices as ``module -> {option: quantity}`` (a choice without one counts 1)."""
    found: dict[str, dict[str, int]] = {}
    for choice in choices:
        if choice.selected:
            found.setdefault(choice.module, {})[choice.option] = choice.qty or 1
    return found


@router.get(
    "/quotes/{quote_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The quote rendered (HTML, Markdown, text or PDF), or as JSON with format=json.",
            "content": {media.partition(";")[0]: {} for media in MEDIA_TYPES.values()}
            | {"application/json": {"schema": {"$ref": "#/components/schemas/QuoteDetailOut"}}},
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
    from configurator.quoting.send import attachment_name

    store = svc.store(who)
    quote = load_quote(store, quote_id, version)
    if format == "json":
        return JSONResponse(jsonable_encoder(_detail(svc, store, quote, locale)))
    rendered = render_quote(
        quote,
        svc.catalog(quote.catalog_id),
        format=format,
        locale=locale,
        customer=customer_details(store, quote.customer_id),
    )
    name = attachment_name(quote.quote_id, quote.version, format)
    how = "attachment" if format == "pdf" else "inline"  # the PDF link downloads
    return Response(
        rendered.content,
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'{how}; filename="{name}"',
            "Content-Language": rendered.locale.replace("_", "-"),
        },
    )


@router.patch("/quotes/{quote_id}")
def edit_quote(svc: ServiceDep, who: Quoter, quote_id: Identifier, body: qs.QuoteEditIn) -> qs.QuoteDetailOut:
    """Make the quote's next version from edits: selections and quantities, bundles ordered, services, discounts."""
    from configurator.errors import QuoteVersionConflictError
    from configurator.quoting.edit import edit_changes
    from configurator.quoting.lifecycle import load_quote, revise

    store = svc.store(who)
    latest = load_quote(store, quote_id)
    if body.version is not None and body.version != latest.version:
        raise QuoteVersionConflictError(
            f"quote {quote_id!r}: version {body.version} was edited, the latest is {latest.version}; reload it"
        )
    cat = svc.catalog(latest.catalog_id)
    configuration = _configuration(body.selections) if body.selections is not None else None
    changes = edit_changes(
        cat,
        latest,
        _edits(body, configuration),
        country=_country(latest),
        created_at=svc.now(),
        limits=_limits(svc),
        rep=who.actor,
    )
    new = revise(store, latest, **changes)
    svc.audit(store, who, "quote.revise", quote_id, related=new.customer_id, version=new.version)
    return _detail(svc, store, new)


@router.get("/quotes/{quote_id}/versions")
def quote_history(
    svc: ServiceDep, who: Reader, quote_id: Identifier, locale: LocaleTag | None = None
) -> list[qs.VersionOut]:
    """Every version of the quote, oldest first, with its status, total, approval and sending."""
    from configurator.errors import QuoteNotFoundError
    from configurator.quoting.lifecycle import quote_versions

    store = svc.store(who)
    versions = quote_versions(store, quote_id)
    if not versions:
        raise QuoteNotFoundError(f"unknown quote {quote_id!r}")
    language = locale or (store.quote_version_rows(quote_id, versions[-1].version)[0].locale or "en")
    return [qs.version_out(v, language) for v in versions]


@router.get("/quotes/{quote_id}/diff")
def quote_diff(
    svc: ServiceDep,
    who: Reader,
    quote_id: Identifier,
    from_version: Annotated[
        int | None, Query(alias="from", ge=1, le=MAX_VERSION, description="Default: the version before to.")
    ] = None,
    to_version: Annotated[
        int | None, Query(alias="to", ge=1, le=MAX_VERSION, description="Default: the latest version.")
    ] = None,
    locale: LocaleTag | None = None,
) -> qs.DiffOut:
    """What changed between two versions: lines added, removed, changed (before/after), services, totals."""
    from configurator.errors import QuoteBuildError
    from configurator.quoting.diff import diff_quotes
    from configurator.quoting.lifecycle import load_quote

    store = svc.store(who)
    after = load_quote(store, quote_id, to_version)
    start = from_version if from_version is not None else max(after.version - 1, 1)
    if start > after.version:
        raise QuoteBuildError(f"from: expected a version up to {after.version}, got {start}")
    before = load_quote(store, quote_id, start)
    return qs.diff_out(diff_quotes(before, after), svc.catalogs.get(after.catalog_id), locale or after.locale)


@router.post("/quotes/{quote_id}/approve")
def approve_quote(svc: ServiceDep, who: Approver, quote_id: Identifier, body: qs.ApproveIn) -> qs.ApproveOut:
    """Approve a version's price (a discount above the tier's limit): it can then be sent and accepted."""
    from configurator.quoting.lifecycle import approve, load_quote, quote_versions

    store = svc.store(who)
    version = body.version or load_quote(store, quote_id).version
    approve(store, quote_id, version, who.actor, svc.now())
    info = next(v for v in quote_versions(store, quote_id) if v.version == version)
    return qs.ApproveOut(
        quote_id=quote_id,
        version=version,
        status=info.status,
        approved_by=info.approved_by,
        approved_at=info.approved_at,
    )


@router.post("/quotes/{quote_id}/send")
def send(svc: ServiceDep, who: Quoter, quote_id: Identifier, body: qs.SendIn) -> qs.SendOut:
    """Send a version: it becomes ``sent`` and its message, with the PDF, waits in the outbox for the mailer.

    A version waiting for an approval is refused (409), and so is a customer without an email.
    """
    from configurator.errors import QuoteError, QuoteStateError
    from configurator.quoting.build import customer_details
    from configurator.quoting.lifecycle import load_quote, quote_versions
    from configurator.quoting.render import render_quote
    from configurator.quoting.send import send_quote

    store = svc.store(who)
    quote = load_quote(store, quote_id, body.version)
    info = next(v for v in quote_versions(store, quote_id) if v.version == quote.version)
    if quote.needs_approval and info.approved_at is None:
        raise QuoteStateError(
            f"cannot send quote {quote_id!r} version {quote.version}: it waits for an approval "
            "(POST /quotes/{id}/approve, scope approve)"
        )
    details = customer_details(store, quote.customer_id)
    recipient = details.get("email")
    if not recipient:
        raise QuoteError(f"cannot send quote {quote_id!r}: customer {quote.customer_id!r} has no email")
    pdf = render_quote(quote, svc.catalog(quote.catalog_id), format="pdf", customer=details).content
    message = send_quote(
        store,
        quote,
        svc.now(),
        recipient=recipient,
        pdf=pdf if isinstance(pdf, bytes) else pdf.encode(),
        name=details.get("name"),
    )
    svc.audit(store, who, "quote.send", quote_id, related=quote.customer_id, version=quote.version)
    return qs.SendOut(
        quote_id=quote_id, version=quote.version, status="sent", outbox_id=message, recipient=recipient
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
