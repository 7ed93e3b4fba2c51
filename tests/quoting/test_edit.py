"""Quoting exactly what was configured, editing a quote into versions, line discounts and approval, diff, send."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from configurator.assembly.needs import transfer_for
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.errors import InvalidBundleError, QuoteBuildError, QuoteStateError
from configurator.quoting.diff import diff_quotes
from configurator.quoting.edit import (
    QuoteEdits,
    configured_quote,
    customer_configured_quote,
    discount_limits,
    edit_changes,
)
from configurator.quoting.lifecycle import (
    accept_quote,
    approve,
    load_quote,
    quote_versions,
    revise,
    save_quote,
)
from configurator.quoting.model import Quote
from configurator.quoting.send import send_quote
from configurator.storage import SqlStore
from pg import Database
from pg import database as database
from support import transfer_shop

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
BIKE = Catalog.model_validate(
    {
        "catalog": "bike",
        "version": "1",
        "currency": "EUR",
        "locales": ["en", "pt"],
        "modules": {
            "frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
            "cages": {"choose": "any", "options": {"cage": {"price": 10, "qty": {"max": 3}}}},
        },
        "pricing": {"tiers": {"mvc": {"discount_pct": 5}}},
        "services": {
            "fit": {"kind": "advisory", "price": 80, "included_for": ["mvc"]},
            "course": {"kind": "training", "price": 100},
        },
    }
)
WANTED = Configuration({"frame": {"alu": 1}, "cages": {"cage": 3}})


def _quote(edits: QuoteEdits | None = None, tier: str = "mvc", quote_id: str = "Q-1") -> Quote:
    return configured_quote(
        BIKE,
        WANTED,
        edits,
        customer_id="c-1",
        tenant="shop",
        quote_id=quote_id,
        locale="pt_PT",
        country="PT",
        tier=tier,
        created_at=AT,
        limits=discount_limits(),
    )


@pytest.fixture
def store(database: Database) -> SqlStore:
    """A store of tenant ``shop`` on the test database."""
    return SqlStore(database.engine, "shop")


def test_a_configured_quote_keeps_every_option_and_quantity() -> None:
    """The quote's configuration and lines are exactly what was configured, quantities included."""
    quote = _quote(QuoteEdits(quantity=2))
    assert quote.configuration.selections == {"frame": {"alu": 1}, "cages": {"cage": 3}}
    assert [(line.key, line.qty) for line in quote.lines] == [("frame.alu", 1), ("cages.cage", 3)]
    assert quote.quantity == 2 and quote.waterfall.list_total == Decimal("860.00")


def test_a_quote_keeps_the_requirements_its_configuration_meets() -> None:
    """Met requirements are kept in order, once; one the configuration breaks is dropped; edits re-check them."""
    quote = configured_quote(
        BIKE, WANTED, customer_id="c-1", tenant="shop", quote_id="Q-1", locale="pt_PT", country="PT",
        tier="mvc", created_at=AT, requirements=("frame.alu", "!frame.carbon", "frame.carbon", "frame.alu"),
    )  # fmt: skip
    assert quote.requirements == ("frame.alu", "!frame.carbon")
    carbon = QuoteEdits(configuration=Configuration({"frame": {"carbon": 1}}))
    changes = edit_changes(BIKE, quote, carbon, country="PT", created_at=AT)
    assert changes["requirements"] == ()
    assert edit_changes(BIKE, quote, QuoteEdits(quantity=2), country="PT", created_at=AT)["requirements"] == (
        "frame.alu",
        "!frame.carbon",
    )


def test_a_requirement_the_catalog_does_not_have_is_refused() -> None:
    """A requirement naming an unknown module or option, or of neither form, is refused and names itself."""
    for bad in ("frame.steel", "!basket.big", "frame"):
        with pytest.raises(QuoteBuildError, match=f"requirements: expected .* got '{bad}'"):
            configured_quote(
                BIKE, WANTED, customer_id="c-1", tenant="shop", quote_id="Q-1", locale="pt_PT", country="PT",
                tier="mvc", created_at=AT, requirements=("frame.alu", bad),
            )  # fmt: skip


def test_an_invalid_configuration_is_never_quoted() -> None:
    """Two frames at once violate the catalog's rules: the checker refuses the quote."""
    with pytest.raises(InvalidBundleError):
        configured_quote(
            BIKE,
            Configuration({"frame": {"alu": 1, "carbon": 1}}),
            customer_id="c-1",
            tenant="shop",
            quote_id="Q-1",
            locale="en",
            country="PT",
            tier="mvc",
            created_at=AT,
        )


def test_included_services_are_opt_out_and_priced_ones_opt_in() -> None:
    """By default the tier's included service is in at no charge and a priced one is only offered."""
    plain = _quote()
    assert [(s, plain.service_state(s)) for s in ("fit", "course")] == [
        ("fit", "included"),
        ("course", "declined"),
    ]
    chosen = _quote(QuoteEdits(services={"fit": False, "course": True}))
    assert [(s, chosen.service_state(s)) for s in ("fit", "course")] == [
        ("fit", "declined"),
        ("course", "chosen"),
    ]
    assert chosen.total - plain.total == Decimal("92.25")  # the course at 75 (mvc: 25 % off) plus 23 % VAT


def test_a_service_not_offered_is_refused() -> None:
    """Choosing a service the catalog does not offer this customer is a clear error."""
    with pytest.raises(QuoteBuildError, match="services: warranty not offered"):
        _quote(QuoteEdits(services={"warranty": True}))


def test_line_discounts_are_taken_off_and_above_the_tier_limit_need_approval() -> None:
    """10 % off the frame takes 40.00 off the order; within mvc's 15 % no approval, above it one is needed."""
    within = _quote(QuoteEdits(discounts={"frame.alu": Decimal(10)}))
    assert [(d.line, d.amount) for d in within.discounts] == [("frame.alu", Decimal("40.00"))]
    manual = [s for s in within.waterfall.steps if s.kind == "manual"]
    assert manual and manual[0].amount == Decimal("-40.00")
    assert not within.needs_approval
    assert _quote(QuoteEdits(discounts={"frame.alu": Decimal(16)})).needs_approval
    assert _quote(QuoteEdits(discounts={"frame.alu": Decimal(6)}), tier="standard").needs_approval


def test_a_discount_on_no_line_is_refused() -> None:
    """A discount names a line of the quote; another is a clear error."""
    with pytest.raises(QuoteBuildError, match=r"no line 'frame\.carbon'"):
        _quote(QuoteEdits(discounts={"frame.carbon": Decimal(5)}))


def test_discount_limits_are_read_from_the_setting() -> None:
    """The defaults are mvc 15, mgc 10, standard 5, below_zero 0; a bad pair is refused."""
    assert discount_limits() == {
        "mvc": Decimal(15),
        "mgc": Decimal(10),
        "standard": Decimal(5),
        "below_zero": Decimal(0),
    }
    with pytest.raises(QuoteBuildError):
        discount_limits("mvc=120")


def test_edits_make_a_new_version_and_the_diff_names_each_change(store: SqlStore) -> None:
    """A quantity, a service and a discount changed: version 2, and the diff lists them with totals."""
    v1 = save_quote(store, _quote())
    edits = QuoteEdits(
        configuration=Configuration({"frame": {"alu": 1}, "cages": {"cage": 1}}),
        services={"fit": False},
        discounts={"frame.alu": Decimal(5)},
    )
    changes = edit_changes(BIKE, v1, edits, country="PT", created_at=AT + dt.timedelta(hours=1))
    v2 = revise(store, v1, **changes)
    assert v2.version == 2 and [v.status for v in quote_versions(store, "Q-1")] == ["superseded", "draft"]
    diff = diff_quotes(load_quote(store, "Q-1", 1), load_quote(store, "Q-1", 2))
    assert [(c.line, c.qty_before, c.qty_after) for c in diff.changed] == [
        ("frame.alu", 1, 1),
        ("cages.cage", 3, 1),
    ]
    assert diff.changed[0].discount_after == Decimal(5) and not diff.added and not diff.removed
    assert [(s.service, s.before, s.after) for s in diff.services] == [("fit", "included", "declined")]
    assert (diff.total_before, diff.total_after) == (v1.total, v2.total)


def test_a_version_above_the_limit_waits_for_approval_before_send_and_accept(store: SqlStore) -> None:
    """Pending approval: sending and accepting are refused until someone approves; then both go through."""
    quote = save_quote(store, _quote(QuoteEdits(discounts={"frame.alu": Decimal(20)})))
    assert quote.status == "pending_approval" == load_quote(store, "Q-1").status
    with pytest.raises(QuoteStateError, match="needs approval"):
        send_quote(store, quote, AT, recipient="ana@example.pt", pdf=b"%PDF")
    assert store.outbox_messages() == []
    with pytest.raises(QuoteStateError, match="needs approval"):
        accept_quote(store, "Q-1", 1, AT, margin=Decimal(10))
    assert approve(store, "Q-1", 1, "key:boss", AT)
    assert load_quote(store, "Q-1").status == "draft"
    assert [(e.action, e.actor) for e in store.audit_entries() if e.action == "quote_approved"] == [
        ("quote_approved", "key:boss")
    ]
    send_quote(store, load_quote(store, "Q-1"), AT, recipient="ana@example.pt", pdf=b"%PDF")
    assert accept_quote(store, "Q-1", 1, AT, margin=Decimal(10)) == "Q-1"


def test_sending_queues_one_message_per_version_in_the_customers_language(store: SqlStore) -> None:
    """The outbox has the recipient, a Portuguese subject, the PDF and its file name; sending again adds none."""
    quote = save_quote(store, _quote())
    first = send_quote(store, quote, AT, recipient="ana@example.pt", pdf=b"%PDF-1.7", name="Ana")
    again = send_quote(store, load_quote(store, "Q-1"), AT, recipient="ana@example.pt", pdf=b"%PDF-1.7")
    messages = store.outbox_messages(pending=True)
    assert first == again and len(messages) == 1
    message = messages[0]
    assert (message.recipient, message.subject, message.filename, message.attachment) == (
        "ana@example.pt",
        "A sua proposta Q-1",
        "quote-Q-1-v1.pdf",
        b"%PDF-1.7",
    )
    assert "Olá Ana" in message.text and message.sent_at is None
    assert load_quote(store, "Q-1").status == "sent"


def test_stored_payloads_without_the_new_fields_read_back() -> None:
    """A version stored before line discounts and service choices reads back with none of them."""
    data = _quote().to_data()
    for name in ("discounts", "declined", "discount_limit"):
        del data[name]
    old = Quote.from_data(data)
    assert old.discounts == () and old.declined == () and old.discount_limit is None
    assert dataclasses.replace(old, status="draft").needs_approval is False


def test_a_configured_quote_gives_the_reasons_the_other_catalogs_teach() -> None:
    """Ann's configured laptop quote says the light chassis is what her bike order taught, given the transfer."""
    store, bike, laptop = transfer_shop()
    transfer = transfer_for(store, {"bike": bike, "laptop": laptop}, besides="laptop")
    configuration = Configuration({"chassis": {"light": 1}})
    reasons = {}
    for name, given in (("with", transfer), ("without", None)):
        quote = customer_configured_quote(
            store, laptop, "ann", configuration, tier="standard", created_at=AT, country="PT", transfer=given
        )
        reasons[name] = [(r.option, r.because, r.events) for r in quote.reasons]
    assert reasons["with"] == [("light", "transferred", ("O-ann",))]
    assert not [r for r in reasons["without"] if r[1] == "transferred"]
