"""What the customer pays: the payable waterfall, the services in its total, and the list-price bound of a budget."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.offer.lines import ServiceLine
from configurator.offer.payable import list_cap, payable, services_in_total

BIKE = Catalog.model_validate(
    {
        "catalog": "bike",
        "version": "1",
        "currency": "EUR",
        "locales": ["en"],
        "modules": {
            "frame": {"options": {"alu": {"price": "1000.00"}, "carbon": {"price": "2500.00"}}},
            "bell": {"choose": "optional", "options": {"ding": {"price": "19.90"}}},
        },
        "pricing": {
            "tiers": {"mvc": {"discount_pct": 6}, "mgc": {"discount_pct": 3}},
            "bundles": [{"id": "ring", "when": "bell.ding", "discount_pct": 2}],
        },
    }
)
FIT = ServiceLine("fit", "advisory", False, Decimal("80.00"), Decimal("80.00"))
SETUP = ServiceLine("setup", "post_sale", True, Decimal("30.00"), Decimal(0))


def test_payable_total_has_tier_bundle_discounts_services_and_tax() -> None:
    """The total is list price less bundle and tier discounts, plus the paid services in it, plus tax."""
    config = Configuration({"frame": {"alu": 1}, "bell": {"ding": 1}})
    w = payable(BIKE, config, country="PT", tier="mvc", services=[FIT, SETUP])
    kinds = [s.kind for s in w.steps]
    assert {"bundle", "tier", "services", "tax"} <= set(kinds)
    # (1019.90 - 2 % = 999.50) - 6 % = 939.53; + 80.00 = 1019.53; + 23 % = 1254.02
    assert w.total == Decimal("1254.02") and w.list_total == Decimal("1019.90")


def test_services_in_total_follow_the_tier_policy_unless_chosen() -> None:
    """Included services are in unless declined; paid ones only when chosen."""
    assert services_in_total([FIT, SETUP]) == (SETUP,)
    assert services_in_total([FIT, SETUP], {"fit": True, "setup": False}) == (FIT,)


def test_unknown_country_adds_no_tax() -> None:
    """Without a known country the total is the net (no tax can be known)."""
    config = Configuration({"frame": {"alu": 1}})
    assert payable(BIKE, config, country=None, tier="standard").total == Decimal("1000.00")
    assert payable(BIKE, config, country="XX", tier="standard").total == Decimal("1000.00")


@settings(max_examples=60, deadline=None)
@given(
    budget=st.decimals(min_value=1, max_value=10_000, places=2),
    country=st.sampled_from(["PT", "ES", "SE", "US", None]),
    tier=st.sampled_from(["mvc", "mgc", "standard", "below_zero"]),
)
def test_list_cap_is_the_highest_list_price_that_fits(
    budget: Decimal, country: str | None, tier: str
) -> None:
    """A list price at the cap fits the budget once discounted and taxed; one unit above it may not."""
    cap = list_cap(BIKE, budget, country=country, tier=tier)
    probe = Catalog.model_validate(
        BIKE.model_dump(mode="json")
        | {"modules": {"frame": {"options": {"p": {"price": str(cap)}, "q": {"price": str(cap + 1)}}}}}
        | {"pricing": BIKE.pricing.model_dump(mode="json") | {"bundles": []}}
    )
    at_cap = payable(probe, Configuration({"frame": {"p": 1}}), country=country, tier=tier).total
    above = payable(probe, Configuration({"frame": {"q": 1}}), country=country, tier=tier).total
    assert at_cap <= budget + Decimal("0.02")  # rounding of two steps at most
    assert above > budget
