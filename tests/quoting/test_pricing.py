"""Tests of configurator.offer pricing: list lines, the waterfall's steps, floor, tax, rounding and errors."""

from __future__ import annotations

import doctest
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from configurator import load_catalog, load_configuration
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.errors import ConfigurationError, ConfiguratorError, PricingError
from configurator.offer.lines import Line, ServiceLine, price_lines
from configurator.offer.pricing import TIERS, Contract, FloorPolicy, ManualDiscount, PricingContext, waterfall
from configurator.offer.tax import TAX_RATES, minor_units
from configurator.offer.waterfall import STEP_KINDS, Waterfall, net_before_services
from strategies import catalog_data, configurations
from support import ROOT

D = Decimal
EXAMPLES = {
    "ebike": ("catalogs/ebike.yaml", "catalogs/examples/ebike-urban.yaml"),
    "kitchen": ("catalogs/kitchen.yaml", "catalogs/examples/kitchen-modular.yaml"),
    "laptop": ("catalogs/laptop.yaml", "catalogs/examples/laptop-pro14.yaml"),
    "valve": ("catalogs/valve.yaml", "catalogs/examples/valve-pn5.yaml"),
}


def example(name: str) -> tuple[Catalog, tuple[Line, ...]]:
    """An example catalog and the lines of its example configuration."""
    catalog_path, configuration_path = EXAMPLES[name]
    catalog = load_catalog(ROOT / catalog_path)
    return catalog, price_lines(catalog, load_configuration(ROOT / configuration_path))


def small(pricing: dict[str, Any] | None = None, currency: str = "EUR", **prices: str) -> Catalog:
    """A one-module-per-option catalog (``module m_X`` with option ``o``) with the given prices and pricing."""
    data: dict[str, Any] = {
        "catalog": "small",
        "version": "1",
        "currency": currency,
        "locales": ["en"],
        "modules": {
            f"m_{name}": {"choose": "optional", "options": {"o": {"price": price}}}
            for name, price in prices.items()
        },
    }
    if pricing:
        data["pricing"] = pricing
    return Catalog.model_validate(data)


def lines_of(catalog: Catalog) -> tuple[Line, ...]:
    """Every option of ``catalog`` selected once."""
    return price_lines(
        catalog, Configuration({m: {o: 1 for o in mod.options} for m, mod in catalog.modules.items()})
    )


def kinds(w: Waterfall) -> list[str]:
    """The step kinds in order."""
    return [s.kind for s in w.steps]


def step(w: Waterfall, kind: str) -> tuple[Decimal, Decimal]:
    """Amount and subtotal of the only step of ``kind``."""
    [found] = [s for s in w.steps if s.kind == kind]
    return found.amount, found.subtotal


def note(w: Waterfall, kind: str) -> str:
    """The note of the only step of ``kind``."""
    [found] = [s for s in w.steps if s.kind == kind]
    return found.note


# -- price_lines ---------------------------------------------------------------------------------------------


def test_price_lines_lists_selected_options_in_catalog_order_at_list_price() -> None:
    """Each selected option is a line with its catalog price and quantity; the list step is their sum."""
    _, lines = example("ebike")
    assert len(lines) == 18
    assert lines[1] == Line("frame", "alu_lowstep", 1, D("1490.00"))
    assert sum(line.amount for line in lines) == D("7342.90")


def test_price_lines_follow_a_sub_assembly_with_its_own_options_under_its_path() -> None:
    """Sub-assembly options come right after the option they configure, with ``path`` set to it."""
    _, lines = example("kitchen")
    keys = [line.key for line in lines]
    at = keys.index("tall_units.oven_tower")
    assert keys[at + 1 : at + 5] == [
        "tall_units.oven_tower/housing.tall_2250",
        "tall_units.oven_tower/main_oven.pyro_60",
        "tall_units.oven_tower/compact.steam_45",
        "tall_units.oven_tower/drawer.warming_14",
    ]
    assert {line.path for line in lines[at + 1 : at + 5]} == {"tall_units.oven_tower"}
    assert sum(line.amount for line in lines) == D("14312.40")


def test_price_lines_multiply_sub_assembly_quantities_by_the_option_quantity() -> None:
    """Two units of a sub-assembly option carry twice its configuration's quantities."""
    catalog, _ = example("valve")
    config = load_configuration(ROOT / EXAMPLES["valve"][1])
    doubled = Configuration({**config.selections, "mounting": {"manifold": 2}}, config.sub, config.catalog)
    lines = {line.key: line for line in price_lines(catalog, doubled)}
    assert lines["mounting.manifold"].qty == 2
    assert lines["mounting.manifold/stations.station_single"].qty == 12


def test_price_lines_name_an_unknown_option() -> None:
    """An option the catalog does not have is a ConfigurationError with a suggestion."""
    catalog, _ = example("ebike")
    with pytest.raises(ConfigurationError, match=r"frame\.alu_lowstp.*did you mean"):
        price_lines(catalog, Configuration({"frame": {"alu_lowstp": 1}}))


# -- the example catalogs, computed by hand ------------------------------------------------------------------


def test_ebike_five_bikes_for_an_mvc_customer_in_portugal() -> None:
    """7342.90 x 5 = 36714.50; -3 % volume = -1101.44; commuter -40 x 5, secure -30 x 5; -7 % tier; +23 % VAT."""
    catalog, lines = example("ebike")
    w = waterfall(catalog, lines, PricingContext(country="PT", tier="mvc", quantity=5))
    assert [(s.kind, s.ref, s.amount, s.subtotal) for s in w.steps] == [
        ("list", "ebike-urban", D("7342.90"), D("7342.90")),
        ("quantity", "5", D("29371.60"), D("36714.50")),
        ("volume", "min_qty 5", D("-1101.44"), D("35613.06")),  # 1101.435 rounds half up
        ("bundle", "commuter-pack", D("-200.00"), D("35413.06")),
        ("bundle", "secure-pack", D("-150.00"), D("35263.06")),
        ("tier", "mvc", D("-2468.41"), D("32794.65")),  # 2468.4142
        ("tax", "PT", D("7542.77"), D("40337.42")),  # 7542.7695
        ("rounding", "EUR", D("0.00"), D("40337.42")),
    ]
    assert w.floor == D("27535.88")  # 75 % of 36714.50 = 27535.875, rounded up
    assert not w.needs_approval
    assert w.total == D("40337.42")


def test_kitchen_with_contract_manual_discount_and_services_in_spain() -> None:
    """Kitchen in Spain: contract -10 %, manual -200 within the floor, one priced and one included service.

    14312.40; no appliance pack (no top-level oven); full-service -150, light-pack -25; 21 % IVA.
    """
    catalog, lines = example("kitchen")
    context = PricingContext(
        country="ES",
        tier="standard",
        contract=Contract("K-42", discount_pct=D(10), catalog="kitchen-modular"),
        manual=ManualDiscount("rep-3", amount=D(200), reason="showroom kitchen"),
        services=(
            ServiceLine("measure", "advisory", False, D("120.00"), D("120.00")),
            ServiceLine("setup", "post_sale", True, D("30.00"), D(0), "included for tier mvc"),
        ),
    )
    w = waterfall(catalog, lines, context)
    assert [(s.kind, s.amount, s.subtotal) for s in w.steps] == [
        ("list", D("14312.40"), D("14312.40")),
        ("quantity", D("0.00"), D("14312.40")),
        ("bundle", D("-150.00"), D("14162.40")),
        ("bundle", D("-25.00"), D("14137.40")),
        ("contract", D("-1413.74"), D("12723.66")),
        ("manual", D("-200.00"), D("12523.66")),
        ("services", D("120.00"), D("12643.66")),
        ("services", D("0.00"), D("12643.66")),
        ("tax", D("2655.17"), D("15298.83")),  # 2655.1686
        ("rounding", D("0.00"), D("15298.83")),
    ]
    assert w.floor == D("10734.30")  # 14312.40 x 0.75
    assert not w.needs_approval
    assert "showroom kitchen" in w.steps[5].note
    assert "included" in w.steps[7].note


def test_laptop_contract_price_per_unit_replaces_a_higher_price() -> None:
    """Ten laptops: 33050.00, -3 % volume, two bundles on the same base, -4 % mgc, then 2900.00 each."""
    catalog, lines = example("laptop")
    context = PricingContext(
        country="SE", tier="mgc", quantity=10, contract=Contract("L-1", unit_price=D(2900))
    )
    w = waterfall(catalog, lines, context)
    assert [(s.kind, s.amount, s.subtotal) for s in w.steps] == [
        ("list", D("3305.00"), D("3305.00")),
        ("quantity", D("29745.00"), D("33050.00")),
        ("volume", D("-991.50"), D("32058.50")),
        ("bundle", D("-1282.34"), D("30776.16")),  # 4 % of 32058.50, the base before bundles; largest first
        ("bundle", D("-400.00"), D("30376.16")),
        ("tier", D("-1215.05"), D("29161.11")),  # 1215.0464
        ("contract", D("-161.11"), D("29000.00")),
        ("tax", D("7250.00"), D("36250.00")),
        ("rounding", D("0.00"), D("36250.00")),
    ]


def test_a_contract_price_above_the_price_so_far_changes_nothing() -> None:
    """The contract price is a ceiling: a customer never pays more because of it."""
    catalog, lines = example("laptop")
    w = waterfall(catalog, lines, PricingContext(country="SE", contract=Contract("L-1", unit_price=D(9999))))
    amount, subtotal = step(w, "contract")
    assert amount == 0
    assert subtotal == D("3305.00") - D(40) - D("132.20")
    assert "lower stands" in note(w, "contract")


def test_valve_manual_discount_below_the_floor_needs_approval_and_is_not_clamped() -> None:
    """524.60 - 12.00 smart-valve = 512.60; a 30 % manual discount goes below 75 % of list: flagged, kept."""
    catalog, lines = example("valve")
    w = waterfall(catalog, lines, PricingContext(country="US", manual=ManualDiscount("rep-7", pct=D(30))))
    assert step(w, "manual") == (D("-153.78"), D("358.82"))  # 30 % of 512.60
    assert w.floor == D("393.45")  # 75 % of 524.60
    assert w.needs_approval
    assert "needs approval" in note(w, "manual")
    tax = w.steps[-2]
    assert (tax.ref, tax.rate, tax.amount) == ("US", D(0), D("0.00"))
    assert "state" in tax.note  # US sales tax is not computed: the step says so
    assert w.total == D("358.82")


def test_a_floor_policy_per_catalog_overrides_the_tenant_limit() -> None:
    """With 35 % allowed for the valve catalog, the same 30 % discount needs no approval."""
    catalog, lines = example("valve")
    policy = FloorPolicy(D(25), {"valve-pn5": D(35)})
    w = waterfall(
        catalog, lines, PricingContext(country="US", manual=ManualDiscount("rep-7", pct=D(30)), floor=policy)
    )
    assert w.floor == D("340.99")  # 65 % of 524.60 = 340.99
    assert not w.needs_approval


def test_catalog_discounts_beyond_the_floor_need_no_approval() -> None:
    """Volume, bundle, tier and contract discounts are approved already; only the rep's discount is bounded."""
    catalog = small({"tiers": {"mvc": {"discount_pct": 40}}}, a="100.00")
    w = waterfall(catalog, lines_of(catalog), PricingContext(country="DE", tier="mvc"))
    assert w.floor == D("60.00")
    assert not w.needs_approval
    w = waterfall(
        catalog,
        lines_of(catalog),
        PricingContext(country="DE", tier="mvc", manual=ManualDiscount("r", amount=D("0.01"))),
    )
    assert w.needs_approval


# -- steps, rounding, zero ------------------------------------------------------------------------------------


def test_volume_takes_the_best_break_that_applies() -> None:
    """With breaks at 5 and 20, 19 bundles get the 5-break and 20 bundles the 20-break."""
    catalog = small(
        {"volume": [{"min_qty": 5, "discount_pct": 4}, {"min_qty": 20, "discount_pct": 9}]}, a="10.00"
    )
    assert "volume" not in kinds(
        waterfall(catalog, lines_of(catalog), PricingContext(country="PT", quantity=4))
    )
    w19 = waterfall(catalog, lines_of(catalog), PricingContext(country="PT", quantity=19))
    w20 = waterfall(catalog, lines_of(catalog), PricingContext(country="PT", quantity=20))
    assert step(w19, "volume") == (D("-7.60"), D("182.40"))
    assert step(w20, "volume") == (D("-18.00"), D("182.00"))


def test_percentages_round_half_up_to_the_minor_unit() -> None:
    """12.5 % of 1.00 EUR is 0.125, which rounds to 0.13."""
    catalog = small({"tiers": {"mgc": {"discount_pct": "12.5"}}}, a="1.00")
    w = waterfall(catalog, lines_of(catalog), PricingContext(country="US", tier="mgc"))
    assert step(w, "tier") == (D("-0.13"), D("0.87"))


def test_four_decimal_list_prices_are_rounded_once_by_the_rounding_step() -> None:
    """Three parts at 0.0125: the list is exact (0.0375), the rounding step brings the total to 0.04."""
    catalog = small(a="0.0125", b="0.0125", c="0.0125")
    w = waterfall(catalog, lines_of(catalog), PricingContext(country="US"))
    assert step(w, "list") == (D("0.0375"), D("0.0375"))
    assert step(w, "rounding") == (D("0.0025"), D("0.04"))
    assert w.total.as_tuple().exponent == -2


def test_zero_decimal_currency() -> None:
    """In yen every amount is whole: 10 % of 1005 is 100.5, rounded half up to 101."""
    catalog = small({"tiers": {"mvc": {"discount_pct": 10}}}, currency="JPY", a="1005")
    w = waterfall(catalog, lines_of(catalog), PricingContext(country="US", tier="mvc", tax_rate=D(10)))
    assert step(w, "tier") == (D(-101), D(904))
    assert w.total == D(994)  # 904 + 90.4 -> 90
    assert w.total.as_tuple().exponent == 0


def test_discounts_larger_than_the_price_stop_at_zero_and_say_so() -> None:
    """A 60 EUR bundle discount on a 50 EUR bundle takes 50; nothing goes negative; later steps take 0."""
    catalog = small({"bundles": [{"id": "big", "when": "m_a.o", "discount_amount": 60}]}, a="50.00")
    w = waterfall(
        catalog, lines_of(catalog), PricingContext(country="PT", manual=ManualDiscount("r", amount=D(5)))
    )
    assert step(w, "bundle") == (D("-50.00"), D("0.00"))
    assert "stopped at zero" in w.steps[2].note
    assert step(w, "manual") == (D("0.00"), D("0.00"))
    assert w.total == 0
    assert all(s.subtotal >= 0 for s in w.steps)


def test_bundle_conditions_see_tier_and_country() -> None:
    """A bundle discount whose condition names the tier applies only to that tier."""
    catalog = small(
        {"bundles": [{"id": "vip", "when": 'tier == "mvc" & country in ["PT"]', "discount_pct": 5}]}, a="100"
    )
    assert "bundle" in kinds(waterfall(catalog, lines_of(catalog), PricingContext(country="PT", tier="mvc")))
    assert "bundle" not in kinds(
        waterfall(catalog, lines_of(catalog), PricingContext(country="ES", tier="mvc"))
    )
    assert "bundle" not in kinds(waterfall(catalog, lines_of(catalog), PricingContext(country="PT")))


def test_equal_bundle_discounts_in_any_order_give_the_same_steps() -> None:
    """Two 5 % bundles and a 3 EUR bundle, in two orders: same amounts by id, same total."""
    bundles = [
        {"id": "x", "when": "m_a.o", "discount_pct": 5},
        {"id": "y", "when": "m_a.o", "discount_pct": 5},
        {"id": "z", "when": "m_a.o", "discount_amount": 3},
    ]
    one = small({"bundles": bundles}, a="99.99")
    two = small({"bundles": bundles[::-1]}, a="99.99")
    w1 = waterfall(one, lines_of(one), PricingContext(country="PT"))
    w2 = waterfall(two, lines_of(two), PricingContext(country="PT"))
    assert sorted((s.ref, s.amount) for s in w1.steps) == sorted((s.ref, s.amount) for s in w2.steps)
    assert step(w1, "tax") == step(w2, "tax")
    assert w1.total == w2.total


# -- errors ---------------------------------------------------------------------------------------------------


def test_unknown_country_is_named_unless_a_rate_is_given() -> None:
    """A country the tax table lacks is an error naming it; a given rate prices it."""
    catalog = small(a="10.00")
    with pytest.raises(PricingError, match=r"no tax rate for 'NO' \(known: DE, ES, FR, GB, PT, SE, US\)"):
        waterfall(catalog, lines_of(catalog), PricingContext(country="NO"))
    w = waterfall(catalog, lines_of(catalog), PricingContext(country="NO", tax_rate=D(25)))
    assert step(w, "tax") == (D("2.50"), D("12.50"))
    assert isinstance(PricingError("x"), ConfiguratorError)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: PricingContext(country="PT", quantity=0),
            r"quantity: expected a whole number of bundles >= 1, got 0",
        ),
        (lambda: PricingContext(country="PT", quantity=True), r"quantity"),
        (
            lambda: PricingContext(country="PT", tier="gold"),  # type: ignore[arg-type]
            r"tier: expected one of mvc, mgc, standard, below_zero",
        ),
        (lambda: PricingContext(country="Portugal"), r"country: expected an ISO 3166 alpha-2 code"),
        (lambda: PricingContext(country="PT", currency="euro"), r"currency: expected an ISO 4217 code"),
        (lambda: PricingContext(country="PT", tax_rate=D(-1)), r"tax_rate: expected a number >= 0"),
        (lambda: PricingContext(country="PT", minor_units=7), r"minor_units: expected 0 to 4"),
        (
            lambda: ManualDiscount("rep-1", amount=D(-10)),
            r"manual discount by rep-1 amount: expected a number >= 0",
        ),
        (lambda: ManualDiscount("rep-1", pct=D(101)), r"pct: expected a number <= 100, got 101"),
        (lambda: ManualDiscount("rep-1"), r"give exactly one of pct, amount"),
        (
            lambda: ManualDiscount("rep-1", pct=0.1),  # type: ignore[arg-type]
            r"expected a Decimal, an int or a numeric string, got 0\.1",
        ),
        (lambda: ManualDiscount("rep-1", pct=D("NaN")), r"expected a finite number"),
        (lambda: Contract("K", unit_price=D(1), discount_pct=D(1)), r"contract K: give exactly one"),
        (lambda: FloorPolicy(D(120)), r"floor max_discount_pct: expected a number <= 100"),
    ],
)
def test_bad_inputs_are_clear_errors(make: Any, message: str) -> None:
    """Each bad input names the field, what was expected and what was found."""
    with pytest.raises(PricingError, match=message):
        make()


def test_waterfall_errors_name_the_problem() -> None:
    """A contract for another catalog, another currency, an unknown currency, lines that do not fit."""
    catalog = small(a="10.00")
    lines = lines_of(catalog)
    with pytest.raises(PricingError, match="contract K is for catalog other, not small"):
        waterfall(
            catalog,
            lines,
            PricingContext(country="PT", contract=Contract("K", discount_pct=D(1), catalog="other")),
        )
    with pytest.raises(PricingError, match="priced in EUR, got SEK"):
        waterfall(catalog, lines, PricingContext(country="PT", currency="SEK"))
    with pytest.raises(PricingError, match="unknown currency 'QQQ'"):
        waterfall(small(currency="QQQ", a="1"), lines, PricingContext(country="PT"))
    assert waterfall(
        small(currency="QQQ", a="1"), lines, PricingContext(country="PT", minor_units=1)
    ).total == D("12.3")
    with pytest.raises(ConfigurationError, match="unknown module 'm_b'"):
        waterfall(catalog, [Line("m_b", "o", 1, D(1))], PricingContext(country="PT"))
    with pytest.raises(PricingError, match=r"line m_a\.o: expected a quantity >= 1, got 0"):
        waterfall(catalog, [Line("m_a", "o", 0, D(1))], PricingContext(country="PT"))
    with pytest.raises(PricingError, match=r"line m_a\.o unit_price: expected a number >= 0"):
        waterfall(catalog, [Line("m_a", "o", 1, D(-1))], PricingContext(country="PT"))


# -- tax table and currencies ---------------------------------------------------------------------------------


def test_default_tax_table() -> None:
    """The shipped standard rates."""
    assert dict(TAX_RATES) == {"PT": 23, "ES": 21, "SE": 25, "GB": 20, "DE": 19, "FR": 20, "US": 0}


def test_minor_units_are_babels_for_every_currency() -> None:
    """Every currency Babel knows gets Babel's decimals; unknown codes get None."""
    from babel.numbers import get_currency_precision, list_currencies

    codes = sorted(list_currencies())
    assert len(codes) > 100
    assert {code: minor_units(code) for code in codes} == {
        code: get_currency_precision(code) for code in codes
    }
    assert (minor_units("EUR"), minor_units("JPY"), minor_units("KWD"), minor_units("QQQ")) == (2, 0, 3, None)


def test_docs_pricing_examples_run() -> None:
    """docs/pricing.md: its worked example is a doctest that passes."""
    result = doctest.testfile(
        str(ROOT / "docs" / "pricing.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 5
    assert result.failed == 0


# -- properties -----------------------------------------------------------------------------------------------


@st.composite
def priced(draw: st.DrawFn) -> tuple[dict[str, Any], Configuration, PricingContext]:
    """A random catalog (as data), a configuration of it and a pricing context."""
    data = draw(catalog_data())
    catalog = Catalog.model_validate(data, context={"default_locale": data["locales"][0]})
    selections = draw(configurations(catalog))
    configuration = Configuration(
        {m: {o: q for o, q in opts.items() if q > 0} for m, opts in selections.items()}
    )
    money = st.decimals(min_value=0, max_value=50_000, places=2)
    pct = st.decimals(min_value=0, max_value=100, places=2)
    contract = draw(
        st.none()
        | st.builds(Contract, st.just("K"), unit_price=money)
        | st.builds(Contract, st.just("K"), discount_pct=pct)
    )
    manual = draw(
        st.none()
        | st.builds(ManualDiscount, st.just("rep"), pct=pct)
        | st.builds(ManualDiscount, st.just("rep"), amount=money)
    )
    services = tuple(
        ServiceLine(f"s{i}", "training", included, price, D(0) if included else price)
        for i, (included, price) in enumerate(draw(st.lists(st.tuples(st.booleans(), money), max_size=2)))
    )
    context = PricingContext(
        country=draw(st.sampled_from(sorted(TAX_RATES))),
        quantity=draw(st.integers(1, 600)),
        tier=draw(st.sampled_from(TIERS)),
        contract=contract,
        manual=manual,
        floor=FloorPolicy(draw(pct)),
        services=services,
        minor_units=draw(st.integers(0, 3)),
    )
    return data, configuration, context


def check_sums(w: Waterfall, lines: Sequence[Line]) -> None:
    """The waterfall adds up: lines to the list step, each step to its subtotal, all steps to the total."""
    assert w.steps[0].kind == "list"
    assert w.steps[0].amount == sum((line.amount for line in lines), D(0))
    running = D(0)
    for s in w.steps:
        running += s.amount
        assert s.subtotal == running
    assert w.total == sum((s.amount for s in w.steps), D(0))
    order = [STEP_KINDS.index(k) for k in kinds(w)]
    assert order == sorted(order)


@given(priced())
def test_property_waterfall_adds_up_never_negative_and_rounds_to_minor_units(
    case: tuple[dict[str, Any], Configuration, PricingContext],
) -> None:
    """Totals are sums of steps, nothing is negative, the total has the currency's decimals, floor is honoured."""
    data, configuration, context = case
    catalog = Catalog.model_validate(data, context={"default_locale": data["locales"][0]})
    lines = price_lines(catalog, configuration)
    w = waterfall(catalog, lines, context)
    check_sums(w, lines)
    assert all(s.subtotal >= 0 for s in w.steps)
    assert context.minor_units is not None
    assert w.total.as_tuple().exponent == -context.minor_units
    if net_before_services(w) < w.floor:
        assert w.needs_approval
    if w.needs_approval:
        assert context.manual is not None
    assert w.floor <= w.list_total


@st.composite
def more_bundles(draw: st.DrawFn, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The catalog's bundle discounts plus two to four more on its options (ids ``zz0``...)."""
    refs = [f"{m}.{o}" for m, module in data["modules"].items() for o in module["options"]]
    extra = [
        {"id": f"zz{i}", "when": draw(st.sampled_from(refs))}
        | (
            {"discount_pct": draw(st.decimals(0, 100, places=2))}
            if draw(st.booleans())
            else {"discount_amount": draw(st.decimals(0, 5_000, places=2))}
        )
        for i in range(draw(st.integers(2, 4)))
    ]
    return [*data.get("pricing", {}).get("bundles", []), *extra]


@given(priced(), st.data())
def test_property_the_order_of_bundle_discounts_changes_nothing(
    case: tuple[dict[str, Any], Configuration, PricingContext], draw: st.DataObject
) -> None:
    """Shuffling the catalog's bundle discounts gives the same steps and the same total."""
    data, configuration, context = case
    bundles = draw.draw(more_bundles(data))
    shuffled = draw.draw(st.permutations(bundles))
    results = []
    for listed in (bundles, shuffled):
        d = {**data, "pricing": {**data.get("pricing", {}), "bundles": listed}}
        catalog = Catalog.model_validate(d, context={"default_locale": d["locales"][0]})
        results.append(waterfall(catalog, price_lines(catalog, configuration), context))
    first, second = results
    assert first.steps == second.steps
    assert first.needs_approval == second.needs_approval


@given(
    st.lists(st.decimals(min_value=0, max_value=100, places=1), min_size=1, max_size=3),
    st.integers(min_value=1, max_value=6),
    st.decimals(min_value=D("0.01"), max_value=10_000, places=2),
    st.randoms(use_true_random=False),
)
def test_property_equal_percentage_discounts_commute(
    distinct: list[Decimal], copies: int, price: Decimal, rnd: Any
) -> None:
    """Bundles with equal percentages, in any order, each take the same share of the same base."""
    pcts = [p for p in distinct for _ in range(copies)]
    bundles = [{"id": f"b{i}", "when": "m_a.o", "discount_pct": p} for i, p in enumerate(pcts)]
    a = small({"bundles": bundles}, a=str(price))
    b = small({"bundles": rnd.sample(bundles, len(bundles))}, a=str(price))
    wa = waterfall(a, lines_of(a), PricingContext(country="SE"))
    wb = waterfall(b, lines_of(b), PricingContext(country="SE"))
    assert wa.total == wb.total
    by_pct_a = sorted((s.rate, s.amount) for s in wa.steps if s.kind == "bundle")
    by_pct_b = sorted((s.rate, s.amount) for s in wb.steps if s.kind == "bundle")
    assert by_pct_a == by_pct_b


@given(
    st.decimals(min_value=0, max_value=100_000, places=4),
    st.integers(1, 50),
    st.decimals(min_value=0, max_value=200_000, places=2),
)
def test_property_a_manual_amount_never_drives_the_price_negative(
    price: Decimal, qty: int, off: Decimal
) -> None:
    """Any manual amount stops at zero; below the floor the quote needs approval."""
    catalog = small(a=str(price))
    w = waterfall(
        catalog,
        lines_of(catalog),
        PricingContext(country="GB", quantity=qty, manual=ManualDiscount("r", amount=off)),
    )
    check_sums(w, lines_of(catalog))
    assert all(s.subtotal >= 0 for s in w.steps)
    assert w.needs_approval == (net_before_services(w) < w.floor)
    assert w.total.as_tuple().exponent == -2
