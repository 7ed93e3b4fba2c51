"""Build personalised quotes: an assembled bundle, priced step by step, re-checked, explained, ready to render.

:func:`build_quote` turns one :class:`~configurator.assembly.assemble.AssembledBundle` into a
:class:`~configurator.quoting.model.Quote`: list-price lines from :func:`~configurator.offer.lines.price_lines`,
the waterfall from :func:`~configurator.offer.pricing.waterfall` with the bundle's priced services, and the
bundle's reasons (the events of the customer's history behind each choice). Before pricing it re-checks the
configuration with the independent checker (:func:`~configurator.catalog.check.find_violations`): an invalid bundle
is never quoted, whatever the caller passes (:class:`InvalidBundleError` names the violated rules).

:func:`quote_for_customer` does the whole interaction for a stored customer: reads their profile (language,
country), their tier and needs, assembles, and builds one quote per bundle (or the best). :func:`render_many`
renders a batch of quotes, in a process pool when asked (PDF is CPU bound).

Errors (defined in :mod:`configurator.errors`)::

    QuoteBuildError (ConfiguratorError, ValueError)
    ├── InvalidBundleError                          the bundle fails the checker (violated rules in ``violations``)
    ├── UnknownCustomerError (also NotFoundError)   the store does not know the customer (nearest id suggested)
    └── NoFittingBundleError                        no bundle meets the request as asked (the repair in ``repair``)

Example:
    >>> import datetime as dt
    >>> from configurator.assembly import assemble, context_from_events
    >>> from configurator.catalog.models import Catalog
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}}},
    ...     "pricing": {"tiers": {"mvc": {"discount_pct": 5}}},
    ...     "services": {"fit": {"kind": "advisory", "price": 80, "included_for": ["mvc"]}}})
    >>> ann = context_from_events(bike, "ann", [], tier="mvc", country="PT")
    >>> bundle = assemble(bike, ann, k=1)[0]
    >>> at = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    >>> quote = build_quote(bike, bundle, customer_id="ann", tenant="shop", quote_id="Q-1", locale="pt_PT",
    ...     country="PT", tier="mvc", created_at=at)
    >>> [(s.kind, str(s.subtotal)) for s in quote.waterfall.steps]
    [('list', '400.00'), ('quantity', '400.00'), ('tier', '380.00'), ('tax', '467.40'), ('rounding', '467.40')]
    >>> quote.total, quote.valid_until, [s.service for s in quote.services]
    (Decimal('467.40'), datetime.date(2026, 12, 23), ['fit'])
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, get_args

from configurator.assembly.assemble import AssembledBundle, assemble
from configurator.assembly.context import customer_context
from configurator.assembly.ports import CustomerStore
from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog, Tier
from configurator.customers.identity import IdentityStore, canonical_id
from configurator.errors import (
    InvalidBundleError,
    NoFittingBundleError,
    QuoteBuildError,
    RepairLike,
    UnknownCustomerError,
    suggest,
)
from configurator.offer.lines import price_lines
from configurator.offer.pricing import Contract, ManualDiscount, PricingContext, waterfall
from configurator.quoting.model import Quote, met_requirements
from configurator.quoting.render import Format, RenderedQuote, render_quote

if TYPE_CHECKING:  # typing only
    from configurator.customers.tiers import TierAssigner
    from configurator.needs.catalog import CatalogNeedsView
    from configurator.needs.models import NeedsModel
    from configurator.needs.transfer import Transfer

__all__ = [
    "DEFAULT_TERMS",
    "build_quote",
    "bundle_summary",
    "check_bundle",
    "customer_details",
    "customer_locale",
    "default_quote_id",
    "describe_repair",
    "locale_code",
    "quote_for_customer",
    "render_many",
]

DEFAULT_TERMS: tuple[str, ...] = ("terms.validity", "terms.payment", "terms.delivery", "terms.warranty")
"""The terms every quote carries unless the caller gives others (message ids, translated when rendered)."""

_TIERS: tuple[str, ...] = get_args(Tier)


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise QuoteBuildError(
            f"created_at: expected an aware datetime (with a time zone), got {at.isoformat()}"
        )
    return at


def locale_code(locale: str) -> str:
    """``pt-pt`` -> ``pt_PT``: the form the renderer and Babel expect.

    Example:
        >>> locale_code("pt-pt"), locale_code("SV")
        ('pt_PT', 'sv')
    """
    language, _, territory = locale.replace("-", "_").partition("_")
    if not language.isalpha():
        raise QuoteBuildError(f"locale: expected a locale such as 'pt_PT' or 'sv', got {locale!r}")
    return language.lower() + (f"_{territory.upper()}" if territory else "")


def check_bundle(catalog: Catalog, configuration: Configuration, on: dt.date | None = None) -> None:
    """Raise :class:`InvalidBundleError` unless the independent checker finds ``configuration`` valid.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"options": {"alu": {"price": 1}, "carbon": {"price": 2}}}}})
        >>> check_bundle(c, Configuration({"frame": {"alu": 1, "carbon": 1}}))
        Traceback (most recent call last):
        ...
        configurator.errors.InvalidBundleError: refusing to quote an invalid c bundle: it violates 1 rule(s): module:frame:choose (...)
    """
    if configuration.catalog is not None and configuration.catalog != catalog.catalog:
        raise QuoteBuildError(
            f"the bundle is a configuration of catalog {configuration.catalog!r}, not {catalog.catalog!r}"
        )
    violations = find_violations(catalog, configuration, on=on)
    if violations:
        raise InvalidBundleError(catalog.catalog, violations)


def build_quote(
    catalog: Catalog,
    bundle: AssembledBundle,
    *,
    customer_id: str,
    tenant: str,
    quote_id: str,
    locale: str,
    country: str,
    tier: str,
    quantity: int = 1,
    contract: Contract | None = None,
    manual: ManualDiscount | None = None,
    created_at: dt.datetime,
    valid_days: int = 30,
    terms: Sequence[str] = DEFAULT_TERMS,
    on: dt.date | None = None,
    services: Mapping[str, bool] | None = None,
    requirements: Sequence[str] = (),
) -> Quote:
    """A draft quote (version 1) for one assembled bundle, re-checked and priced step by step.

    Args:
        catalog: the catalog the bundle was configured in.
        bundle: the bundle (configuration, services, reasons) from :func:`~configurator.assembly.assemble`.
        customer_id: the customer.
        tenant: the shop.
        quote_id: the quote number.
        locale: the language to render it in (``pt_PT``; ``pt-PT`` is accepted).
        country: ISO 3166 alpha-2 code of the ship-to country (tax).
        tier: the customer's tier; must be the one the bundle's services were priced for.
        quantity: how many bundles are ordered.
        contract: the customer's contract, if any.
        manual: a sales rep's discount, if any (below the floor it flags ``needs_approval``).
        created_at: when the quote is made (aware).
        valid_days: the offer holds until ``created_at``'s date plus this many days.
        terms: the terms' message ids.
        on: the date for effective dates in the check (default: ``created_at``'s date).
        services: a service's id -> True (in the quote) or False (declined); by default the services included
            for the tier are in (free) and the paid ones are only offered (``Quote.declined``).
        requirements: what the customer required of the bundle (``module.option``, ``!module.option``); the
            quote keeps those the bundle meets.

    Returns:
        The quote: lines at list price, the waterfall (chosen paid services added after the discounts;
        included ones listed on the quote for free), the bundle's reasons and the terms; the budget the bundle
        was assembled under, if any, which the order carries when the quote is accepted.

    Raises:
        InvalidBundleError: the configuration violates a rule of the catalog (checked here, independently).
        QuoteBuildError: a naive ``created_at``, a tier other than the bundle's, a bad locale or validity.
        PricingError: a bad quantity, country, contract or discount.
    """
    created_at = _aware(created_at)
    if tier not in _TIERS:
        raise QuoteBuildError(f"tier: expected one of {', '.join(_TIERS)}, got {tier!r}")
    if bundle.tier != tier:
        raise QuoteBuildError(
            f"tier: the bundle's services were priced for tier {bundle.tier!r}, not {tier!r}; assemble again"
        )
    if isinstance(valid_days, bool) or not isinstance(valid_days, int) or valid_days < 0:
        raise QuoteBuildError(f"valid_days: expected a whole number of days >= 0, got {valid_days!r}")
    check_bundle(catalog, bundle.configuration, on if on is not None else created_at.date())
    lines = price_lines(catalog, bundle.configuration)
    chosen = dict(services or {})
    unknown = sorted(set(chosen) - {s.service for s in bundle.services})
    if unknown:
        raise QuoteBuildError(f"services: {', '.join(unknown)} not offered with this bundle to this customer")
    # The tier policy, visibly: an included service is in unless declined; a paid one only when chosen.
    kept = tuple(s for s in bundle.services if chosen.get(s.service, s.included))
    declined = tuple(s for s in bundle.services if not chosen.get(s.service, s.included))
    priced = tuple(s for s in kept if not s.included)
    context = PricingContext(
        country=country,
        quantity=quantity,
        tier=tier,  # type: ignore[arg-type]  # checked above
        contract=contract,
        manual=manual,
        services=priced,
    )
    steps = waterfall(catalog, lines, context)
    configuration = bundle.configuration
    if configuration.catalog is None:
        configuration = dataclasses.replace(configuration, catalog=catalog.catalog)
    return Quote(
        quote_id=quote_id,
        version=1,
        tenant=tenant,
        customer_id=customer_id,
        catalog_id=catalog.catalog,
        catalog_version=str(catalog.version),
        locale=locale_code(locale),
        currency=steps.currency,
        created_at=created_at,
        valid_until=created_at.date() + dt.timedelta(days=valid_days),
        tier=tier,
        quantity=quantity,
        configuration=configuration,
        lines=lines,
        services=kept,
        waterfall=steps,
        reasons=bundle.reasons,
        terms=tuple(terms),
        declined=declined,
        requirements=met_requirements(configuration, requirements),
        budget=bundle.budget,
    )


# -- a stored customer --------------------------------------------------------------------------------------


def customer_locale(
    language: str | None, country: str | None, catalog: Catalog, default: str | None = None
) -> str:
    """The locale to quote in: the customer's language in their country, else ``default``, else the catalog's.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en", "pt"],
        ...     "modules": {"m": {"options": {"o": {}}}}})
        >>> customer_locale("pt", "PT", c), customer_locale("sv", None, c), customer_locale(None, "SE", c)
        ('pt_PT', 'sv', 'en')
    """
    if language:
        code = locale_code(language)
        if "_" not in code and country:
            code = f"{code}_{country.upper()}"
        return code
    return locale_code(default or catalog.default_locale)


def customer_details(store: IdentityStore, customer_id: str) -> dict[str, str]:
    """What a quote shows of the customer: ``name``, ``company``, ``email``, ``phone``, ``address`` when known.

    Raises:
        UnknownCustomerError: the store does not know the id (the nearest known id is suggested).
    """
    canonical = _canonical(store, customer_id)
    profile = store.get_profile(canonical)
    assert profile is not None  # _canonical found it
    found = {
        "name": profile.name,
        "company": profile.extra.get("company"),
        "email": profile.email,
        "phone": profile.phone,
        "address": profile.address,
    }
    return {k: v for k, v in found.items() if v}


def _canonical(store: IdentityStore, customer_id: str) -> str:
    canonical = canonical_id(store, customer_id)
    if canonical is None:
        known = [p.customer_id for p in store.canonical_profiles()]
        raise UnknownCustomerError(customer_id, store.tenant, suggest(customer_id, known))
    return canonical


def describe_repair(repair: RepairLike | None, currency: str = "") -> str:
    """A repair proposal in one line (what to give up, the budget to raise to, what is kept).

    Example:
        >>> from decimal import Decimal
        >>> from configurator.assembly.assemble import RepairProposal
        >>> describe_repair(RepairProposal(("motor.hub",), 3, ("frame.carbon",), Decimal("1900")), "EUR")
        'give up motor.hub; raise the budget to 1900 EUR; keep frame.carbon'
    """
    if repair is None:
        return "the catalog has no valid bundle at all"
    parts = []
    if repair.drop:
        parts.append("give up " + ", ".join(repair.drop))
    if repair.raise_budget_to is not None:
        parts.append(f"raise the budget to {repair.raise_budget_to} {currency}".rstrip())
    if repair.keep:
        parts.append("keep " + ", ".join(repair.keep))
    return "; ".join(parts) or "no change proposed"


def quote_for_customer(
    store: CustomerStore,
    catalog: Catalog,
    customer_id: str,
    *,
    budget: Decimal | int | str | None = None,
    requirements: Sequence[str] = (),
    locale: str | None = None,
    country: str | None = None,
    tiers: str | Mapping[str, str] | TierAssigner | None = None,
    quote_id: str | None = None,
    created_at: dt.datetime | None = None,
    quantity: int = 1,
    valid_days: int = 30,
    k: int = 3,
    best: bool = False,
    accept_repair: bool = False,
    on: dt.date | None = None,
    population: NeedsModel | None = None,
    view: CatalogNeedsView | None = None,
    transfer: Transfer | None = None,
) -> list[Quote]:
    """Quotes for a stored customer: profile, tier and needs read from the store, bundles assembled and priced.

    Args:
        store: the tenant's store.
        catalog: the catalog.
        customer_id: any of the customer's ids (merged profiles resolve to the canonical one).
        budget: the most a bundle's list price may be (default: the budget they stated, if any).
        requirements: hard requirements (``module.option`` or ``!module.option``).
        locale: the language to quote in (default: the ``language`` trait of their profile in their country,
            else the catalog's default locale).
        country: the ship-to country (default: the ``country`` trait, else the territory of the locale).
        tiers: the tier, tiers by customer id or a fitted ``TierAssigner``; None computes the tenant's tiers.
        quote_id: the quote number (default :func:`default_quote_id`); ``-<rank>`` is appended when there is
            more than one quote.
        created_at: when (aware; default now).
        quantity: bundles ordered.
        valid_days: days the offer holds.
        k: how many bundles to assemble (a growth tier adds an upgrade).
        best: quote the best bundle only.
        accept_repair: quote the bundle that assumes a repair when the request cannot be met as asked.
        on: the date for effective dates (default: ``created_at``'s date).
        population: a fitted population model to share between customers.
        view: the catalog's needs view to share between customers.
        transfer: what the customer's orders of other catalogs teach this one
            (``configurator.assembly.needs.transfer_for``), to share between customers.

    Returns:
        One quote per assembled bundle, best first (one when ``best``).

    Raises:
        UnknownCustomerError: no such customer.
        NoFittingBundleError: no bundle meets the request as asked (the repair is in the error).
        InvalidBundleError: a bundle fails the checker.
        QuoteBuildError: no country is known for the customer.
    """
    created = _aware(created_at) if created_at is not None else dt.datetime.now(dt.UTC)
    day = on if on is not None else created.date()
    canonical = _canonical(store, customer_id)
    profile = store.get_profile(canonical)
    traits = profile.extra if profile is not None else {}
    chosen = (
        locale_code(locale)
        if locale
        else customer_locale(traits.get("language"), traits.get("country"), catalog)
    )
    where = country or traits.get("country") or chosen.partition("_")[2] or None
    if not where:
        raise QuoteBuildError(
            f"customer {canonical}: no country in their profile or locale {chosen!r}; pass country (tax needs one)"
        )
    context = customer_context(
        store, store.tenant, canonical, catalog, tiers=tiers, country=where, population=population, view=view,
        transfer=transfer,
    )  # fmt: skip
    limit = Decimal(str(budget)) if budget is not None else None
    bundles = assemble(catalog, context, budget=limit, requirements=requirements, k=k, on=day)
    if not bundles:
        raise NoFittingBundleError(f"no valid {catalog.catalog} bundle exists on {day}")
    first = bundles[0]
    if first.role in ("repaired", "over_budget") and not accept_repair:
        asked = f"budget {first.budget} {catalog.currency}" if first.budget is not None else "no budget"
        wanted = ", ".join(requirements) or "no requirements"
        raise NoFittingBundleError(
            f"no {catalog.catalog} bundle for {canonical} meets the request ({wanted}; {asked}); "
            f"repair: {describe_repair(first.repair, catalog.currency)}",
            first.repair,
            first,
        )
    if best:
        bundles = bundles[:1]
    base = quote_id or default_quote_id(created, canonical, catalog.catalog)
    return [
        build_quote(
            catalog,
            bundle,
            customer_id=canonical,
            tenant=store.tenant,
            quote_id=base if len(bundles) == 1 else f"{base}-{bundle.rank}",
            locale=chosen,
            country=where,
            tier=context.tier,
            quantity=quantity,
            created_at=created,
            valid_days=valid_days,
            on=day,
            requirements=requirements,
        )
        for bundle in bundles
    ]


def default_quote_id(created_at: dt.datetime, customer_id: str, catalog_id: str) -> str:
    """``Q-<date>-<customer>-<catalog initials>``: short enough for a quote's header, one per customer, catalog, day.

    Example:
        >>> default_quote_id(dt.datetime(2026, 11, 23, tzinfo=dt.UTC), "c-1004", "ebike-urban")
        'Q-20261123-c-1004-EU'
    """
    initials = "".join(part[:1] for part in catalog_id.replace("_", "-").split("-") if part).upper()
    return f"Q-{created_at:%Y%m%d}-{customer_id}-{initials}"


def bundle_summary(quote: Quote, catalog: Catalog, *, limit: int = 3) -> str:
    """A short description of the quoted bundle in the quote's language: the first options, then a count.

    Example:
        >>> from configurator.quoting.model import EXAMPLE
        >>> from configurator.catalog.models import Catalog
        >>> c = Catalog.model_validate({"catalog": "bike-city", "version": "1", "currency": "EUR",
        ...     "locales": ["en", "pt"], "modules": {"frame": {"options": {"alu_m": {"label":
        ...     {"en": "Aluminium M", "pt": "Alumínio M"}}}}}})
        >>> bundle_summary(Quote.from_data(EXAMPLE), c)
        'Alumínio M'
    """
    language = quote.locale.partition("_")[0]
    labels = []
    for line in quote.lines:
        if line.path:
            continue
        module = catalog.modules.get(line.module)
        option = module.options.get(line.option) if module else None
        label = catalog.text(option.label, language, line.option) if option else line.option
        labels.append(label + (f" x{line.qty}" if line.qty > 1 else ""))
    shown = ", ".join(labels[:limit])
    return shown + (f" +{len(labels) - limit}" if len(labels) > limit else "")


# -- batches ------------------------------------------------------------------------------------------------

_WORKER_CATALOGS: dict[str, Catalog] = {}


def _init_worker(catalogs: Mapping[str, Catalog]) -> None:
    _WORKER_CATALOGS.clear()
    _WORKER_CATALOGS.update(catalogs)


def _render_job(job: tuple[Quote, Format, Mapping[str, str] | None]) -> RenderedQuote:
    quote, format, customer = job
    return render_quote(quote, _WORKER_CATALOGS[quote.catalog_id], format=format, customer=customer)


def render_many(
    quotes: Sequence[Quote],
    catalogs: Mapping[str, Catalog],
    *,
    format: Format = "html",
    customers: Sequence[Mapping[str, str] | None] | None = None,
    processes: int | None = 1,
) -> list[RenderedQuote]:
    """Render quotes in order, in this process or in a pool of ``processes`` (0 or None: one per CPU core).

    Each worker receives the catalogs once; PDF, which is CPU bound, scales with the cores, HTML rarely pays for
    the pool.

    Args:
        quotes: the quotes.
        catalogs: their catalogs by id.
        format: ``html``, ``md``, ``txt`` or ``pdf``.
        customers: each quote's customer details (see :func:`customer_details`), or None.
        processes: 1 renders here; more uses a process pool.

    Example:
        >>> from configurator.quoting.model import EXAMPLE
        >>> from configurator.catalog.models import Catalog
        >>> c = Catalog.model_validate({"catalog": "bike-city", "version": "1", "currency": "EUR",
        ...     "locales": ["en"], "modules": {"frame": {"options": {"alu_m": {}}}}})
        >>> [r.format for r in render_many([Quote.from_data(EXAMPLE)] * 2, {"bike-city": c}, format="txt")]
        ['txt', 'txt']
    """
    details = list(customers) if customers is not None else [None] * len(quotes)
    if len(details) != len(quotes):
        raise QuoteBuildError(
            f"customers: expected {len(quotes)} entries (one per quote), got {len(details)}"
        )
    missing = sorted({q.catalog_id for q in quotes} - set(catalogs))
    if missing:
        raise QuoteBuildError(f"catalogs: no catalog for {', '.join(missing)}")
    jobs = [(q, format, d) for q, d in zip(quotes, details, strict=True)]
    workers = processes or os.cpu_count() or 1
    if workers <= 1 or len(jobs) <= 1:
        return [render_quote(q, catalogs[q.catalog_id], format=f, customer=d) for q, f, d in jobs]
    chunk = max(1, len(jobs) // (4 * workers))
    # fork: workers start without re-importing the package (spawn would cost a second per worker).
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(dict(catalogs),)
    ) as pool:
        return list(pool.map(_render_job, jobs, chunksize=chunk))
