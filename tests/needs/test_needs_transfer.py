"""Tests of tastes read from purchases in one catalog and carried to another through attributes and price."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.customers.events import Event
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import CustomerNeeds
from configurator.needs.transfer import (
    MIN_BUYERS,
    PRICE,
    Transfer,
    cross_buyers,
    standardised,
    taste_profile,
    transferred_evidence,
)
from support import make_catalog


def _bike() -> Catalog:
    return make_catalog(
        {
            "frame": {
                "options": {
                    "alu": {"price": 400, "attrs": {"weight_g": 2100, "colour": "black"}},
                    "steel": {"price": 300, "attrs": {"weight_g": 2900, "colour": "red"}},
                    "carbon": {"price": 1200, "attrs": {"weight_g": 1200, "colour": "black"}},
                }
            },
            "bell": {"options": {"ding": {"price": 10, "attrs": {"colour": "red"}}}},
        },
        attributes={"colour": {"type": "enum", "values": ["black", "red"]}, "weight_g": {"type": "int"}},
        catalog="bike",
    )


def _laptop() -> Catalog:
    return make_catalog(
        {
            "chassis": {
                "options": {
                    "light": {"price": 900, "attrs": {"weight_g": 1100, "colour": "black"}},
                    "mid": {"price": 600, "attrs": {"weight_g": 1500, "colour": "red"}},
                    "heavy": {"price": 400, "attrs": {"weight_g": 1900, "colour": "red"}},
                }
            },
            "sleeve": {"choose": "optional", "options": {"felt": {"price": 20}, "hard": {"price": 40}}},
            "extras": {"choose": "any", "options": {"mouse": {"price": 30, "attrs": {"colour": "black"}}}},
        },
        attributes={"colour": {"type": "enum", "values": ["black", "red"]}, "weight_g": {"type": "int"}},
        catalog="laptop",
    )


def test_standardised_positions_have_zero_mean_within_each_module() -> None:
    """Each numeric attribute and the price are standardised within their module (mean 0)."""
    z = standardised(_bike())
    for name in ("weight_g", PRICE):
        values = [z[("frame", option, name)] for option in ("alu", "steel", "carbon")]
        assert abs(sum(values)) < 1e-9 and max(values) > 0 > min(values)
    assert z[("bell", "ding", PRICE)] == 0.0


def test_a_light_black_choice_makes_the_light_black_chassis_preferred() -> None:
    """A light, black, dear frame bought on the bike favours the light, black, dear chassis of the laptop."""
    profile = taste_profile([(_bike(), Configuration({"frame": {"carbon": 1}}), "o-1")])
    assert profile.levels["weight_g"] < 0 and profile.levels[PRICE] > 0
    assert profile.enums["colour"]["black"] > 0 > profile.enums["colour"]["red"]
    view = CatalogNeedsView(_laptop())
    evidence = transferred_evidence(view, profile)
    assert {e.kind for e in evidence} == {"transferred"} and {e.source for e in evidence} == {"o-1", ""}
    needs = CustomerNeeds(view.fit_population([])).observe(*evidence)
    assert needs.recommend("chassis", {})[0][0] == view.variable_of("chassis", "light")[1]


def test_a_module_without_alternatives_teaches_nothing() -> None:
    """A one-option module (the bell) says nothing; a profile of nothing gives no evidence."""
    profile = taste_profile([(_bike(), Configuration({"bell": {"ding": 1}}), "o-2")])
    assert profile.empty and profile.sources == ()
    assert transferred_evidence(CatalogNeedsView(_laptop()), profile) == []


def test_unknown_selections_of_an_old_order_are_skipped() -> None:
    """An order naming a module or option the catalog no longer has is read for the rest."""
    old = Configuration({"frame": {"titanium": 1}, "saddle": {"gel": 1}, "bell": {"ding": 1}})
    assert taste_profile([(_bike(), old, "o-3")]).empty


def test_only_single_choice_modules_with_attributes_in_common_get_evidence() -> None:
    """Multi-choice modules are left alone; the optional sleeve moves by price only."""
    profile = taste_profile([(_bike(), Configuration({"frame": {"steel": 1}}), "o-4")])
    variables = {e.variable for e in transferred_evidence(CatalogNeedsView(_laptop()), profile)}
    assert "extras.mouse" not in variables and "chassis" in variables


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["alu", "steel", "carbon"]), min_size=1, max_size=4))
def test_evidence_stays_within_one_configuration_and_only_positive_evidence_cites(frames: list[str]) -> None:
    """Each transferred signal weighs at most one configuration (|importance| <= 1); only push-ups cite orders."""
    orders = [(_bike(), Configuration({"frame": {f: 1}}), f"o-{k}") for k, f in enumerate(frames)]
    view = CatalogNeedsView(_laptop())
    evidence = transferred_evidence(view, taste_profile(orders))
    assert evidence
    for e in evidence:
        assert 0 < abs(e.importance) <= 1 and e.value in view.domains[e.variable]
        assert bool(e.source) == (e.importance > 0)


def test_only_the_difference_from_the_population_transfers() -> None:
    """A customer who buys what everyone buys gets no transferred evidence; one who differs does."""
    everyone = [(_bike(), Configuration({"frame": {"alu": 1}}), f"p-{k}") for k in range(3)]
    reference = taste_profile(everyone)
    view = CatalogNeedsView(_laptop())
    same = taste_profile([(_bike(), Configuration({"frame": {"alu": 1}}), "o-1")])
    assert transferred_evidence(view, same, reference) == []
    lighter = taste_profile([(_bike(), Configuration({"frame": {"carbon": 1}}), "o-2")])
    pushed = [e for e in transferred_evidence(view, lighter, reference) if e.importance > 0]
    assert [(e.variable, e.value) for e in pushed] == [
        view.variable_of("chassis", "light"),  # lighter than the others
        view.variable_of("sleeve", "hard"),  # dearer than the others
    ]


def test_a_transfer_reads_only_the_other_catalogs_orders() -> None:
    """Orders of this catalog or of a catalog the transfer does not know teach nothing through it."""
    transfer = Transfer({"bike": _bike()}, taste_profile([]))
    view = CatalogNeedsView(_laptop())
    carbon = Configuration({"frame": {"carbon": 1}})
    assert transfer.evidence(view, [("laptop", carbon, "o-1"), ("boat", carbon, "o-2")]) == []
    assert transfer.evidence(view, [("bike", carbon, "o-3")])


def _buyers(
    match: bool, n: int = 40
) -> list[tuple[list[tuple[str, Configuration, str]], list[Configuration]]]:
    """Buyers of both catalogs: a frame on the bike, then a chassis of the same (or the opposite) lightness."""
    frames = ["carbon", "alu", "steel"]
    chassis = {"carbon": "light", "alu": "mid", "steel": "heavy"}
    opposite = {"carbon": "heavy", "alu": "mid", "steel": "light"}
    out = []
    for k in range(n):
        frame = frames[k % 3]
        there = [("bike", Configuration({"frame": {frame: 1}}), f"o-{k}")]
        here = (chassis if match else opposite)[frame]
        out.append((there, [Configuration({"chassis": {here: 1}})]))
    return out


@pytest.mark.parametrize(("match", "strength"), [(True, 1.0), (False, 0.0)])
def test_calibration_keeps_a_transfer_that_foretells_and_turns_off_one_that_does_not(
    match: bool, strength: float
) -> None:
    """Buyers of both catalogs who chose alike make the transfer full strength; the opposite turns it off."""
    everyone = [(_bike(), Configuration({"frame": {f: 1}}), f) for f in ("carbon", "alu", "steel")]
    transfer = Transfer({"bike": _bike()}, taste_profile(everyone))
    view = CatalogNeedsView(_laptop())
    judged = transfer.calibrated(view, _buyers(match))
    assert judged.strength == strength and judged.calibration is not None
    assert judged.calibration.buyers == 40 and (judged.calibration.lift > 0) == match
    assert (judged.calibration.gain > 0) == match and judged.calibration.choices == 80  # chassis and sleeve
    carbon = [("bike", Configuration({"frame": {"carbon": 1}}), "o-x")]
    assert bool(judged.evidence(view, carbon)) == match


def test_too_few_buyers_leave_the_transfer_as_it_is() -> None:
    """Below MIN_BUYERS customers of both catalogs, the transfer keeps its strength and has no calibration."""
    transfer = Transfer({"bike": _bike()}, taste_profile([]))
    judged = transfer.calibrated(CatalogNeedsView(_laptop()), _buyers(False, n=MIN_BUYERS - 1))
    assert judged is transfer and judged.calibration is None and judged.strength == 1.0


def test_cross_buyers_pairs_each_customers_orders_on_both_sides() -> None:
    """Only customers with sales on both sides are buyers, with their orders elsewhere and purchases here."""
    from configurator.customers.events import validate_event

    def sale(event_id: str, customer: str, catalog: str, selections: dict[str, dict[str, int]]) -> Event:
        return validate_event(
            {"event_id": event_id, "type": "configured", "customer_id": customer, "channel": "web",
             "ts": "2026-05-01T12:00:00Z", "catalog": catalog, "complete": True, "selections": selections},
            tenant="shop",
        )  # fmt: skip

    sales = [
        sale("b1", "ann", "bike", {"frame": {"carbon": 1}, "bell": {"ding": 1}}),
        sale("l1", "ann", "laptop", {"chassis": {"light": 1}}),
        sale("b2", "bob", "bike", {"frame": {"steel": 1}, "bell": {"ding": 1}}),
    ]
    buyers = cross_buyers({"bike": _bike(), "laptop": _laptop()}, _laptop(), sales)
    assert len(buyers) == 1
    orders, bought = buyers[0]
    assert [(c, o) for c, _, o in orders] == [("bike", "b1")] and orders[0][1].quantity(
        "frame", "carbon"
    ) == 1
    assert [b.quantity("chassis", "light") for b in bought] == [1]
