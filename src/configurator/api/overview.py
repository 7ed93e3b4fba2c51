"""The customer overview in words: ``GET /customers/{id}/overview`` in the caller's locale.

:func:`overview_out` turns the facts of :func:`configurator.customers.overview.customer_overview` into the
wire models below: the value tier explained in plain words (the numbers behind it in ``numbers``), the learned
needs with the events behind each, a timeline of every interaction across channels, quotes, orders and the
installed base. Every sentence is a gettext message of the quoting catalogs (ids ``overview.*``, translated in
en, pt, es and sv), every product, option and service is named by its catalog label in the locale, money and
dates come from Babel (Portuguese is written as in Portugal). Internal ids (event ids, option ids) never appear
in a text where words exist: an option a catalog no longer has is shown by its id, the only name left.

Learned needs (:func:`learned_needs`) are the customer's probability of each option their own events speak
for, in every served catalog those events touch, over that catalog's population model (fitted at most every
:data:`~configurator.api.sessions.POPULATION_SECONDS` per app). A customer who objected to profiling has none.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.customers.events import validate_event
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR",
    ...     "locales": ["en", "pt"], "name": {"en": "Urban e-bike", "pt": "Bicicleta Urban"},
    ...     "modules": {"frame": {"label": {"en": "Frame", "pt": "Quadro"}, "options": {
    ...         "carbon": {"label": {"en": "Carbon", "pt": "Carbono"}}}}}})
    >>> words = Words("pt", {"bike": bike})
    >>> chose = validate_event({"event_id": "e1", "type": "configured", "customer_id": "c", "channel": "web",
    ...     "ts": "2026-03-01T10:00:00Z", "catalog": "bike", "selections": {"frame": "carbon"}}, tenant="t")
    >>> words.event(chose), words.channel("web")
    ('Começou a configurar Bicicleta Urban: Quadro: Carbono', 'Loja online')
    >>> Words("en", {"bike": bike}).event(chose)
    'Started configuring Urban e-bike: Frame: Carbon'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from configurator.catalog.models import Catalog
from configurator.customers.events import (
    ConsentChanged,
    Event,
    Feedback,
    Purchased,
    QuoteSent,
    Referral,
    Returned,
    Review,
    StatedNeed,
    SupportTicket,
    Viewed,
)
from configurator.customers.overview import InstalledFact, OrderFact, Overview, QuoteFact, TierFacts
from configurator.quoting.i18n import Translator

if TYPE_CHECKING:
    from configurator.api.service import Service
    from configurator.needs.catalog import CatalogNeedsView
    from configurator.needs.models import NeedsModel
    from configurator.storage import SqlStore

__all__ = [
    "MESSAGES",
    "N_",
    "ContactOut",
    "InstalledOut",
    "LearnedNeed",
    "NeedEventOut",
    "NeedOut",
    "OrderOut",
    "OverviewOut",
    "QuoteSummaryOut",
    "TierOut",
    "TimelineOut",
    "Words",
    "learned_needs",
    "overview_out",
    "text_locale",
]

# -- wire models --------------------------------------------------------------------------------------------


class ContactOut(BaseModel):
    """How to reach the customer."""

    emails: list[str]
    phones: list[str] = Field(description="In the international format (+351 913 456 789).")
    address: str | None


class TierOut(BaseModel):
    """The value tier, explained in plain words, with the numbers behind it."""

    code: str = Field(description="mvc, mgc, standard or below_zero.")
    label: str
    explanation: str
    numbers: dict[str, float | int | str | None] = Field(
        description="The tier snapshot's numbers, plus purchases and spent over the last 12 months."
    )
    computed_at: dt.datetime | None = Field(default=None, description="When the snapshot was computed.")


class NeedEventOut(BaseModel):
    """An interaction behind a learned need: when, where, what happened (in words)."""

    at: dt.datetime
    channel: str
    channel_label: str
    text: str


class NeedOut(BaseModel):
    """A learned need: an option this customer's own events speak for, and how strongly."""

    catalog: str
    catalog_label: str
    module: str
    module_label: str
    option: str
    label: str
    strength: float = Field(ge=0, le=1, description="The customer's probability of choosing this option.")
    because: list[NeedEventOut] = Field(description="The events behind it, newest first.")


class TimelineOut(BaseModel):
    """One interaction: when, on which channel, what kind and what happened (in words)."""

    at: dt.datetime
    channel: str
    channel_label: str
    kind: str
    text: str


class QuoteSummaryOut(BaseModel):
    """One of the customer's quotes."""

    quote_id: str
    catalog: str | None
    catalog_label: str | None
    versions: int
    status: str
    status_label: str
    total: Decimal | None
    total_text: str | None
    currency: str
    updated_at: dt.datetime


class OrderOut(BaseModel):
    """One order: when, what (in words) and the total."""

    order_id: str
    at: dt.datetime
    catalog: str | None
    items: list[str]
    total: Decimal
    total_text: str
    currency: str


class InstalledOut(BaseModel):
    """One owned option or item (a service bought has no module) and since when it is owned."""

    catalog: str | None
    module: str | None
    module_label: str | None
    option: str
    label: str
    count: int = Field(description="How many are owned (summed over the orders).")
    since: dt.datetime


class OverviewOut(BaseModel):
    """Everything we know about a customer, in the locale asked for."""

    customer_id: str
    display_name: str
    language: str | None
    language_label: str | None
    company: str | None
    country: str | None
    country_label: str | None
    locale: str = Field(description="The locale of the texts (pt is written as in Portugal: pt_PT).")
    contact: ContactOut
    profiling: bool
    tier: TierOut
    needs: list[NeedOut]
    timeline: list[TimelineOut] = Field(description="Newest first, at most `limit`.")
    timeline_total: int = Field(description="Every stored interaction of the customer.")
    quotes: list[QuoteSummaryOut]
    orders: list[OrderOut]
    installed: list[InstalledOut]


# -- words --------------------------------------------------------------------------------------------------


def N_(msgid: str) -> str:
    """Mark a message id for extraction (``tests/quoting/test_render.py`` checks each .po file has them)."""
    return msgid


MESSAGES = (
    N_("overview.channel.web"),
    N_("overview.channel.sales_rep"),
    N_("overview.channel.email"),
    N_("overview.channel.phone"),
    N_("overview.channel.store"),
    N_("overview.channel.api"),
    N_("overview.tier.mvc"),
    N_("overview.tier.mgc"),
    N_("overview.tier.standard"),
    N_("overview.tier.below_zero"),
    N_("overview.purchases.one"),
    N_("overview.purchases.other"),
    N_("overview.intent.one"),
    N_("overview.intent.other"),
    N_("overview.tier.mvc.explanation"),
    N_("overview.tier.mgc.explanation"),
    N_("overview.tier.standard.explanation"),
    N_("overview.tier.below_zero.explanation"),
    N_("overview.tier.objection.explanation"),
    N_("overview.tier.unranked.explanation"),
    N_("overview.quote.draft"),
    N_("overview.quote.pending_approval"),
    N_("overview.quote.sent"),
    N_("overview.quote.accepted"),
    N_("overview.quote.expired"),
    N_("overview.quote.superseded"),
    N_("overview.quote.requested"),
    N_("overview.the_shop"),
    N_("overview.goods"),
    N_("overview.quantity"),
    N_("overview.event.viewed"),
    N_("overview.event.visited"),
    N_("overview.event.configured"),
    N_("overview.event.configured.partial"),
    N_("overview.event.quote_requested"),
    N_("overview.event.quote_sent"),
    N_("overview.event.purchased"),
    N_("overview.event.returned"),
    N_("overview.event.support"),
    N_("overview.event.support.phone"),
    N_("overview.resolved"),
    N_("overview.open"),
    N_("overview.event.referral"),
    N_("overview.event.referral.converted"),
    N_("overview.event.review"),
    N_("overview.event.stated.budget"),
    N_("overview.event.stated.wants"),
    N_("overview.event.stated.refuses"),
    N_("overview.event.stated.attribute"),
    N_("overview.event.stated"),
    N_("overview.event.feedback"),
    N_("overview.score"),
    N_("overview.event.consent.profiling.granted"),
    N_("overview.event.consent.profiling.withdrawn"),
    N_("overview.event.consent.marketing.granted"),
    N_("overview.event.consent.marketing.withdrawn"),
)
"""Every message of the overview (``overview.*`` ids of the quoting catalogs, translated in en, pt, es, sv)."""

_STATUSES = ("draft", "pending_approval", "sent", "accepted", "expired", "superseded", "requested")
_CHANNELS = ("web", "sales_rep", "email", "phone", "store", "api")


def text_locale(locale: str) -> str:
    """The locale texts are written in: a bare ``pt`` is Portugal's Portuguese.

    Example:
        >>> text_locale("pt"), text_locale("pt_BR"), text_locale("sv")
        ('pt_PT', 'pt_BR', 'sv')
    """
    return "pt_PT" if locale == "pt" else locale


class Words:
    """Sentences, labels, money and dates of the overview in one locale, over the served catalogs.

    Args:
        locale: a locale we ship (``pt`` is written as ``pt_PT``).
        catalogs: the served catalogs by id (their labels name products, options and services).
    """

    def __init__(self, locale: str, catalogs: Mapping[str, Catalog]) -> None:
        self.locale = text_locale(locale)
        self.t = Translator(self.locale)
        self.catalogs = catalogs

    def say(self, msgid: str, /, **values: str) -> str:
        """A message in the locale, placeholders filled in."""
        return self.t.gettext(msgid, **values)

    def money(self, amount: Decimal | float | int, currency: str) -> str:
        """An amount as the locale writes it."""
        return self.t.money(Decimal(str(amount)).quantize(Decimal("0.01")), currency)

    def channel(self, channel: str) -> str:
        """A channel's name (``sales_rep`` -> ``Sales rep``)."""
        return self.say(f"overview.channel.{channel}") if channel in _CHANNELS else channel

    def status(self, status: str) -> str:
        """A quote status in words (an unknown one as written, underscores as spaces)."""
        return self.say(f"overview.quote.{status}") if status in _STATUSES else status.replace("_", " ")

    def tier_label(self, code: str) -> str:
        """A tier's name."""
        return self.say(f"overview.tier.{code}") if code in ("mvc", "mgc", "standard", "below_zero") else code

    # -- catalog labels ---------------------------------------------------------------------------------------

    def product(self, catalog_id: str | None) -> str:
        """A catalog's product name (the shop itself when no catalog is named)."""
        if catalog_id is None:
            return self.say("overview.the_shop")
        cat = self.catalogs.get(catalog_id)
        return self.t.text(cat.name, f"{catalog_id}.name", catalog_id) if cat is not None else catalog_id

    def module(self, catalog_id: str | None, module: str) -> str:
        """A module's label."""
        cat = self.catalogs.get(catalog_id or "")
        mod = cat.modules.get(module) if cat is not None else None
        return self.t.text(mod.label, f"modules.{module}.label", module) if mod is not None else module

    def option(self, catalog_id: str | None, module: str, option: str) -> str:
        """An option's label."""
        cat = self.catalogs.get(catalog_id or "")
        mod = cat.modules.get(module) if cat is not None else None
        opt = mod.options.get(option) if mod is not None else None
        if opt is None:
            return option
        return self.t.text(opt.label, f"modules.{module}.options.{option}.label", option)

    def item(self, catalog_id: str | None, item: str) -> str:
        """An order or view item: a product (a catalog id), a service, ``module.option``, or free text."""
        if item in self.catalogs:
            return self.product(item)
        cat = self.catalogs.get(catalog_id or "")
        if cat is not None and item in cat.services:
            return self.t.text(cat.services[item].label, f"services.{item}.label", item)
        module, dot, option = item.partition(".")
        if cat is not None and dot and module in cat.modules:
            return self.option(catalog_id, module, option)
        for other in self.catalogs.values():
            if item in other.services:
                return self.t.text(other.services[item].label, f"services.{item}.label", item)
        return item

    def choices(self, catalog_id: str | None, selections: Mapping[str, Mapping[str, int]] | None) -> str:
        """A configuration in words: ``Frame: Carbon; Extras: 2 × Rack``."""
        parts = []
        for module, chosen in (selections or {}).items():
            picked = [
                self.quantity(qty, self.option(catalog_id, module, option))
                for option, qty in chosen.items()
                if qty > 0
            ]
            if picked:
                parts.append(f"{self.module(catalog_id, module)}: {', '.join(picked)}")
        return "; ".join(parts)

    def quantity(self, qty: int, label: str) -> str:
        """``label``, or ``3 × label`` for more than one."""
        return label if qty == 1 else self.say("overview.quantity", qty=self.t.number(qty), label=label)

    # -- events ---------------------------------------------------------------------------------------------

    def event(self, event: Event) -> str:
        """What happened, in words (a sentence of the locale)."""
        handler = getattr(self, f"_{event.type}", None)
        return str(handler(event)) if handler is not None else event.type

    @staticmethod
    def _with(text: str, detail: str | None) -> str:
        return f"{text}: {detail}" if detail else text

    def _viewed(self, e: Viewed) -> str:
        if e.item:
            return self.say("overview.event.viewed", item=self.item(e.catalog, e.item))
        if e.catalog:
            return self.say("overview.event.viewed", item=self.product(e.catalog))
        return self.say("overview.event.visited")

    def _configured(self, e: Any) -> str:
        msgid = "overview.event.configured" if e.complete else "overview.event.configured.partial"
        return self._with(
            self.say(msgid, product=self.product(e.catalog)), self.choices(e.catalog, e.selections)
        )

    def _quote_requested(self, e: Any) -> str:
        text = self.say("overview.event.quote_requested", product=self.product(e.catalog))
        return self._with(text, self.choices(e.catalog, e.selections) or e.message)

    def _quote_sent(self, e: QuoteSent) -> str:
        total = self.money(e.total, e.currency)
        return self.say("overview.event.quote_sent", product=self.product(e.catalog), total=total)

    def _purchased(self, e: Purchased) -> str:
        items = ", ".join(
            self.quantity(line.quantity, self.item(line.catalog, line.item)) for line in e.lines
        )
        return self.say("overview.event.purchased", items=items, total=self.money(e.order_total, e.currency))

    def _returned(self, e: Returned) -> str:
        items = ", ".join(self.item(None, item) for item in e.items) or self.say("overview.goods")
        text = self.say("overview.event.returned", items=items, amount=self.money(e.amount, "EUR"))
        return self._with(text, e.reason)

    def _support_ticket(self, e: SupportTicket) -> str:
        text = self.say("overview.event.support.phone" if e.channel == "phone" else "overview.event.support")
        text = self._with(text, e.topic)
        if e.resolved is not None:
            text += f" ({self.say('overview.resolved' if e.resolved else 'overview.open')})"
        return text

    def _referral(self, e: Referral) -> str:
        return self.say("overview.event.referral.converted" if e.converted else "overview.event.referral")

    def _review(self, e: Review) -> str:
        about = self.item(e.catalog, e.item) if e.item else self.product(e.catalog)
        text = self.say("overview.event.review", product=about, rating=str(e.rating))
        return self._with(text, f"“{e.text}”" if e.text else None)

    def _stated_need(self, e: StatedNeed) -> str:
        need, value = e.need, e.value
        if need == "budget" and isinstance(value, int | float) and not isinstance(value, bool):
            return self.say(
                "overview.event.stated.budget", amount=self.money(value, self._currency(e.catalog))
            )
        kind, _, ref = need.partition(":")
        if kind == "option":
            module, _, option = ref.partition(".")
            label = self.option(self._catalog_of(e.catalog, module, option), module, option)
            refused = value is False or (isinstance(value, int | float) and value == 0)
            msgid = "overview.event.stated.refuses" if refused else "overview.event.stated.wants"
            return self.say(msgid, option=label)
        shown = "" if value is None else str(value)
        if kind == "attribute":
            label = self._attribute(e.catalog, ref)
            return self.say("overview.event.stated.attribute", attribute=label, value=shown)
        return self._with(self.say("overview.event.stated"), shown)

    def _feedback(self, e: Feedback) -> str:
        text = self._with(self.say("overview.event.feedback"), f"“{e.text}”")
        if e.score is not None:
            text += f" ({self.say('overview.score', score=str(e.score))})"
        return text

    def _consent(self, e: ConsentChanged) -> str:
        return self.say(f"overview.event.consent.{e.purpose}.{'granted' if e.granted else 'withdrawn'}")

    def _currency(self, catalog_id: str | None) -> str:
        cat = self.catalogs.get(catalog_id or "")
        return cat.currency if cat is not None else "EUR"

    def _catalog_of(self, catalog_id: str | None, module: str, option: str) -> str | None:
        """The named catalog, else the first served one that has ``module.option``."""
        if catalog_id is not None:
            return catalog_id
        for cid, cat in self.catalogs.items():
            if module in cat.modules and option in cat.modules[module].options:
                return cid
        return None

    def _attribute(self, catalog_id: str | None, name: str) -> str:
        for cid, cat in self.catalogs.items():
            if (catalog_id in (None, cid)) and name in cat.attributes:
                return self.t.text(cat.attributes[name].label, f"attributes.{name}.label", name)
        return name

    # -- the tier -------------------------------------------------------------------------------------------

    def tier(self, tier: TierFacts) -> TierOut:
        """The tier, its label and a plain-words explanation with the numbers behind it."""
        n = tier.numbers
        count = tier.purchases
        purchases = self.say(
            "overview.purchases.one" if count == 1 else "overview.purchases.other", count=self.t.number(count)
        )
        amount = self.money(tier.spent, tier.currency)
        rank = {"rank": str(n.get("value_rank", "")), "ranked": str(n.get("ranked_customers", ""))}
        if tier.objection:
            explanation = self.say("overview.tier.objection.explanation")
        elif not tier.ranked:
            explanation = self.say("overview.tier.unranked.explanation", purchases=purchases, amount=amount)
        elif tier.code == "below_zero":
            explanation = self.say(
                "overview.tier.below_zero.explanation",
                cost=self.money(n.get("cost_to_serve") or 0, tier.currency),
                margin=self.money(n.get("margin") or 0, tier.currency),
            )
        elif tier.code == "mgc":
            intent = self.say(
                "overview.intent.one" if tier.open_intent == 1 else "overview.intent.other",
                count=self.t.number(tier.open_intent),
            )
            explanation = self.say(
                "overview.tier.mgc.explanation",
                intent=intent,
                rank=str(n.get("growth_rank", "")),
                ranked=rank["ranked"],
            )
        else:
            msgid = (
                "overview.tier.mvc.explanation"
                if tier.code == "mvc"
                else "overview.tier.standard.explanation"
            )
            explanation = self.say(msgid, purchases=purchases, amount=amount, **rank)
        numbers: dict[str, float | int | str | None] = {
            key: value for key, value in n.items() if isinstance(value, int | float) or value is None
        }
        numbers |= {
            "purchases_12m": count,
            "spent_12m": str(tier.spent),
            "open_intent_events": tier.open_intent,
            "currency": tier.currency,
        }
        return TierOut(
            code=tier.code,
            label=self.tier_label(tier.code),
            explanation=explanation,
            numbers=numbers,
            computed_at=tier.computed_at,
        )


# -- learned needs ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LearnedNeed:
    """An option a customer's own events speak for: its catalog, module and option, strength and events."""

    catalog: str
    module: str
    option: str
    strength: float
    sources: tuple[str, ...]


_POPULATIONS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str, str], tuple[float, Any, Any]]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()


def _population(svc: Service, store: SqlStore, catalog: Catalog) -> tuple[CatalogNeedsView, NeedsModel]:
    """The catalog's needs view and population model for the tenant, fitted at most every few minutes per app."""
    from configurator.api.sessions import POPULATION_SECONDS
    from configurator.assembly.needs import population_sales
    from configurator.needs.catalog import CatalogNeedsView

    key = (store.tenant, catalog.catalog, catalog.version)
    now = time.monotonic()
    with _LOCK:
        cache = _POPULATIONS.setdefault(svc, {})
        hit = cache.get(key)
    if hit is not None and now - hit[0] < POPULATION_SECONDS:
        return hit[1], hit[2]
    view = CatalogNeedsView(catalog)
    population = view.fit_population(population_sales(store, catalog.catalog))
    with _LOCK:
        cache[key] = (now, view, population)
    return view, population


def learned_needs(svc: Service, store: SqlStore, facts: Overview) -> list[LearnedNeed]:
    """The options the customer's own events speak for, in every served catalog they touch, strongest first.

    The strength is the customer's probability of the option (their events over the population's model),
    the same figure that ranks a session's recommendations; options their events speak against (returns,
    refusals) are left out. A customer who objected to profiling has no learned needs.
    """
    from configurator.assembly.requirements import customer_evidence
    from configurator.needs.customer import CustomerNeeds

    if not facts.profiling:
        return []
    found: list[LearnedNeed] = []
    for catalog in svc.catalogs.values():
        view, population = _population(svc, store, catalog)
        signals = customer_evidence(view, facts.events)
        if not signals:
            continue
        needs = CustomerNeeds(population).observe(*signals)
        for module, mod in catalog.modules.items():
            for option in mod.options:
                variable, value = view.variable_of(module, option)
                sources = view.explain(needs, module, option)
                hard = needs.requirements_.get(variable)
                if not sources or (needs.evidence_.get(variable, {}).get(value, 0.0) <= 0 and hard is None):
                    continue
                strength = needs.distribution(variable, {})[value]
                found.append(LearnedNeed(catalog.catalog, module, option, round(strength, 4), tuple(sources)))
    found.sort(key=lambda n: (-n.strength, n.catalog, n.module, n.option))
    return found


# -- the overview -------------------------------------------------------------------------------------------


def overview_out(
    facts: Overview,
    needs: Sequence[LearnedNeed],
    words: Words,
    *,
    limit: int,
) -> OverviewOut:
    """The overview's wire model: the facts and needs in the words of ``words``' locale."""
    by_id = {e.event_id: e for e in facts.events}
    return OverviewOut(
        customer_id=facts.customer_id,
        display_name=facts.name or facts.company or facts.customer_id,
        language=facts.language,
        language_label=_language(words, facts.language),
        company=facts.company,
        country=facts.country,
        country_label=words.t.country(facts.country) if facts.country else None,
        locale=words.locale,
        contact=ContactOut(
            emails=list(facts.contact.emails),
            phones=[words.t.phone(p) for p in facts.contact.phones],
            address=facts.contact.address,
        ),
        profiling=facts.profiling,
        tier=words.tier(facts.tier),
        needs=[_need(words, need, by_id) for need in needs],
        timeline=[
            TimelineOut(
                at=e.ts,
                channel=e.channel,
                channel_label=words.channel(e.channel),
                kind=e.type,
                text=words.event(e),
            )
            for e in facts.events[:limit]
        ],
        timeline_total=len(facts.events),
        quotes=[_quote(words, q) for q in facts.quotes],
        orders=[_order(words, o) for o in facts.orders],
        installed=_installed(words, facts.installed),
    )


def _language(words: Words, language: str | None) -> str | None:
    if not language:
        return None
    name = words.t.babel.languages.get(language.partition("_")[0])
    return str(name) if name else language


def _need(words: Words, need: LearnedNeed, by_id: Mapping[str, Event]) -> NeedOut:
    events = sorted(
        (by_id[s] for s in need.sources if s in by_id), key=lambda e: (e.ts, e.event_id), reverse=True
    )
    return NeedOut(
        catalog=need.catalog,
        catalog_label=words.product(need.catalog),
        module=need.module,
        module_label=words.module(need.catalog, need.module),
        option=need.option,
        label=words.option(need.catalog, need.module, need.option),
        strength=need.strength,
        because=[
            NeedEventOut(
                at=e.ts, channel=e.channel, channel_label=words.channel(e.channel), text=words.event(e)
            )
            for e in events
        ],
    )


def _quote(words: Words, q: QuoteFact) -> QuoteSummaryOut:
    return QuoteSummaryOut(
        quote_id=q.quote_id,
        catalog=q.catalog,
        catalog_label=words.product(q.catalog) if q.catalog else None,
        versions=q.versions,
        status=q.status,
        status_label=words.status(q.status),
        total=q.total,
        total_text=words.money(q.total, q.currency) if q.total is not None else None,
        currency=q.currency,
        updated_at=q.updated_at,
    )


def _order(words: Words, o: OrderFact) -> OrderOut:
    items = []
    for line in o.lines:
        label = words.quantity(line.quantity, words.item(line.catalog, line.item))
        chosen = words.choices(line.catalog, line.selections)
        items.append(f"{label} ({chosen})" if chosen else label)
    catalogs = [line.catalog for line in o.lines if line.catalog]
    return OrderOut(
        order_id=o.order_id,
        at=o.at,
        catalog=catalogs[0] if catalogs else None,
        items=items,
        total=o.total,
        total_text=words.money(o.total, o.currency),
        currency=o.currency,
    )


def _installed(words: Words, owned: Sequence[InstalledFact]) -> list[InstalledOut]:
    """Each owned option (or item without a configuration) once: how many, since the first order."""
    rows: dict[tuple[str | None, str | None, str], InstalledOut] = {}
    for item in owned:
        picks: list[tuple[str | None, str, int]]
        if item.configuration:
            picks = [
                (m, o, q) for m, chosen in item.configuration.items() for o, q in chosen.items() if q > 0
            ]
        else:
            picks = [(None, item.item, 1)]
        for module, option, qty in picks:
            key = (item.catalog, module, option)
            count = qty * item.quantity
            if key in rows:
                rows[key].count += count
                continue
            rows[key] = InstalledOut(
                catalog=item.catalog,
                module=module,
                module_label=words.module(item.catalog, module) if module else None,
                option=option,
                label=words.option(item.catalog, module, option)
                if module
                else words.item(item.catalog, option),
                count=count,
                since=item.since,
            )
    return list(rows.values())
