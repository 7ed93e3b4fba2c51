"""Requirements of a purchase: parsing, second choices and the evidence they leave."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.assembly.needs import needs_for
from configurator.assembly.requirements import (
    PRICED_OUT,
    REQUIRED_CHOICE,
    RESTRICTED_CHOICE,
    RULED_OUT,
    SECOND_CHOICE,
    customer_evidence,
    parse_requirement,
    priced_out,
    restricted_choices,
    ruled_out,
    second_choices,
)
from configurator.catalog.check import find_violations
from configurator.catalog.models import Catalog
from configurator.customers.events import Event, validate_event
from configurator.errors import ConfigurationError
from configurator.needs.catalog import CatalogNeedsView
from configurator.solver.session import ConfigurationSession
from configurator.storage import SqlStore, make_engine, upgrade

BIKE = Catalog.model_validate(
    {
        "catalog": "bike",
        "version": "1",
        "currency": "EUR",
        "locales": ["en"],
        "modules": {
            "frame": {"options": {"steel": {}, "alu": {}, "carbon": {}}},
            "rack": {"choose": "optional", "options": {"cargo": {}, "light": {}}},
            "bell": {"options": {"ding": {}, "dong": {}}},
            "extras": {"choose": "any", "options": {"lamp": {}, "lock": {}}},
        },
        "rules": [{"id": "cargo-steel", "if": "rack.cargo", "requires": "frame.steel"}],
    }
)
VIEW = CatalogNeedsView(BIKE)


def _configured(
    event_id: str, month: int, selections: dict[str, Any], required: list[str] | None = None
) -> Event:
    return validate_event(
        {"event_id": event_id, "type": "configured", "customer_id": "c", "channel": "web",
         "ts": f"2026-{month:02d}-01T10:00:00Z", "catalog": "bike", "complete": True,
         "selections": selections, "required": required},
        tenant="shop",
    )  # fmt: skip


def _purchased(
    event_id: str, month: int, selections: dict[str, Any], required: list[str] | None = None
) -> Event:
    line = {
        "item": "bike",
        "catalog": "bike",
        "unit_price": "100",
        "selections": selections,
        "required": required,
    }
    return validate_event(
        {"event_id": event_id, "type": "purchased", "customer_id": "c", "channel": "store",
         "ts": f"2026-{month:02d}-01T10:00:00Z", "order_id": event_id, "margin": "10", "lines": [line]},
        tenant="shop",
    )  # fmt: skip


CARBON = {"frame": "carbon", "bell": "ding"}
CARGO = {"frame": "steel", "rack": "cargo", "bell": "ding"}


def test_parse_requirement_reads_both_forms_and_refuses_others() -> None:
    """``module.option`` selects, ``!module.option`` excludes; text of neither form is refused."""
    assert parse_requirement(" frame.alu ").selected and not parse_requirement("! frame.alu").selected
    assert parse_requirement("!frame.alu").option == "alu"
    with pytest.raises(ConfigurationError, match=r"expected 'module\.option'"):
        parse_requirement("frame")


def test_a_choice_the_requirements_forced_is_a_second_choice() -> None:
    """The cargo rack rules out the carbon bought before: the steel frame is a second choice, in both records."""
    events = [
        _purchased("p1", 1, CARBON),
        _purchased("p2", 2, CARGO, ["rack.cargo"]),
        _configured("c2", 2, CARGO, ["rack.cargo"]),
    ]
    assert second_choices(VIEW, events) == {"p2": frozenset({"frame"}), "c2": frozenset({"frame"})}
    assert second_choices(VIEW, list(reversed(events))) == second_choices(VIEW, events)


def test_no_second_choice_without_requirements_or_when_the_earlier_option_was_left() -> None:
    """A change the requirements did not force is a choice; so is the first purchase; so is the required module."""
    assert second_choices(VIEW, [_purchased("p1", 1, CARBON), _purchased("p2", 2, CARGO)]) == {}
    assert second_choices(VIEW, [_purchased("p1", 2, CARGO, ["rack.cargo"])]) == {}
    alu = {"frame": "alu", "bell": "dong"}
    assert second_choices(VIEW, [_purchased("p1", 1, CARBON), _purchased("p2", 2, alu, ["bell.dong"])]) == {}
    light = {"frame": "alu", "rack": "light", "bell": "ding"}
    assert (
        second_choices(VIEW, [_purchased("p1", 1, CARBON), _purchased("p2", 2, light, ["rack.light"])]) == {}
    )


def test_an_exclusion_forces_a_second_choice_in_its_own_module() -> None:
    """``!frame.carbon`` rules out the carbon bought before: whatever frame comes next is a second choice."""
    alu = {"frame": "alu", "bell": "ding"}
    events = [_purchased("p1", 1, CARBON), _purchased("p2", 2, alu, ["!frame.carbon"])]
    assert second_choices(VIEW, events) == {"p2": frozenset({"frame"})}


def test_a_second_choice_does_not_count_as_a_free_choice_later() -> None:
    """Steel forced twice stays second; steel chosen freely later is a choice, and then a later force is not."""
    events = [
        _purchased("p1", 1, CARBON),
        _purchased("p2", 2, CARGO, ["rack.cargo"]),
        _purchased("p3", 3, CARGO, ["rack.cargo"]),
    ]
    assert set(second_choices(VIEW, events)) == {"p2", "p3"}
    steel = {"frame": "steel", "bell": "ding"}
    freely = [
        _purchased("p1", 1, CARBON),
        _purchased("p2", 2, steel),
        _purchased("p3", 3, CARGO, ["rack.cargo"]),
    ]
    assert second_choices(VIEW, freely) == {}


def test_requirements_the_catalog_no_longer_knows_force_nothing() -> None:
    """An order naming a withdrawn module or option is read without second choices, never an error."""
    events = [_purchased("p1", 1, CARBON), _purchased("p2", 2, CARGO, ["rack.cargo", "basket.big"])]
    assert second_choices(VIEW, events) == {}


def test_customer_evidence_weighs_only_the_second_choices_purchase_and_configuration_down() -> None:
    """The forced frame keeps SECOND_CHOICE of its importance, the required rack REQUIRED_CHOICE; the rest all."""
    events = [_purchased("p1", 1, CARBON), _purchased("p2", 2, CARGO, ["rack.cargo"])]
    found = {(e.source, e.variable): e.importance for e in customer_evidence(VIEW, events)}
    assert found[("p2", "frame")] == SECOND_CHOICE
    assert found[("p2", "rack")] == REQUIRED_CHOICE < 1.0
    assert found[("p1", "frame")] == found[("p2", "bell")] == 1.0
    plain = [e for event in events for e in VIEW.evidence(event)]
    assert len(customer_evidence(VIEW, events)) == len(plain)


def test_a_required_option_counts_less_than_a_free_choice() -> None:
    """Required once (a multi-choice option too), chosen freely once: the free choice leads; unknown names are skipped."""
    events = [
        _purchased(
            "p1", 1, {"frame": "alu", "bell": "ding", "extras": {"lamp": 1}}, ["frame.alu", "extras.lamp"]
        ),
        _purchased("p2", 2, {"frame": "carbon", "bell": "ding"}, ["frame.gold", "!frame.steel"]),
    ]
    found = {(e.source, e.variable, e.value): e.importance for e in customer_evidence(VIEW, events)}
    alu, carbon = VIEW.variable_of("frame", "alu"), VIEW.variable_of("frame", "carbon")
    assert found[("p1", *alu)] == found[("p1", *VIEW.variable_of("extras", "lamp"))] == REQUIRED_CHOICE
    assert found[("p2", *carbon)] == found[("p1", "bell", 1)] == 1.0
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    store.write_events(events)
    needs = needs_for(store, "shop", "c", BIKE)
    assert VIEW.option_of("frame", needs.recommend("frame", {})[0][0]) == ("frame", "carbon")


def test_the_next_proposal_prefers_the_earlier_free_choice() -> None:
    """Bought carbon freely, then steel forced by the rack: the customer's frame is carbon, then steel."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    store.write_events([_purchased("p1", 1, CARBON), _purchased("p2", 2, CARGO, ["rack.cargo"])])
    needs = needs_for(store, "shop", "c", BIKE)
    ranked = [VIEW.option_of("frame", value) for value, _ in needs.recommend("frame", {})]
    assert ranked == [("frame", "carbon"), ("frame", "steel"), ("frame", "alu")]
    store.write_events([_purchased("p3", 3, CARGO)])  # the rack's frame, now chosen without a requirement
    needs = needs_for(store, "shop", "c", BIKE)
    assert VIEW.option_of("frame", needs.recommend("frame", {})[0][0]) == ("frame", "steel")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["carbon", "steel", "alu"]),
            st.sampled_from([[], ["rack.cargo"], ["!frame.carbon"], ["!frame.steel", "bell.dong"]]),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_a_second_choice_is_never_an_option_chosen_freely_before(
    purchases: list[tuple[str, list[str]]],
) -> None:
    """Whatever the history: a flagged module's option differs from every free earlier one, which are ruled out."""
    events = [
        _purchased(f"p{i}", i + 1, {"frame": frame, "bell": "ding"}, required or None)
        for i, (frame, required) in enumerate(purchases)
    ]
    found = second_choices(VIEW, events)
    free: set[str] = set()
    for i, (frame, required) in enumerate(purchases):
        ruled_out = (
            {"carbon", "alu"} if "rack.cargo" in required else {r[7:] for r in required if r[0] == "!"}
        )
        forced = bool(free) and frame not in free and free <= ruled_out
        assert ("frame" in found.get(f"p{i}", frozenset())) == forced
        if not forced:
            free.add(frame)


def test_a_choice_among_options_the_requirements_narrowed_counts_less() -> None:
    """The frame bought under the rack requirement (which rules out two frames) keeps RESTRICTED_CHOICE."""
    events = [_purchased("p1", 1, CARGO, ["rack.cargo"]), _purchased("p2", 2, CARBON, ["!frame.steel"])]
    assert restricted_choices(VIEW, events[0]) == frozenset({"frame"})
    # a negative requirement narrows too, here also the rack (the cargo rack needs the steel frame)
    assert restricted_choices(VIEW, events[1]) == frozenset({"frame", "rack"})
    assert restricted_choices(VIEW, _purchased("p3", 3, CARGO)) == frozenset()
    assert restricted_choices(VIEW, _purchased("p4", 4, CARGO, ["frame.steel", "basket.big"])) == frozenset()
    found = {(e.source, e.variable): e.importance for e in customer_evidence(VIEW, events)}
    assert found[("p1", "frame")] == RESTRICTED_CHOICE < 1.0
    assert found[("p2", "frame")] == SECOND_CHOICE  # also a second choice (steel ruled out): the lower share
    assert found[("p1", "rack")] == REQUIRED_CHOICE and found[("p1", "bell")] == 1.0


def test_a_free_choice_leads_a_restricted_one() -> None:
    """Steel bought under the rack's requirement, then alu freely: the customer's frame is alu, then steel."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    alu = {"frame": "alu", "bell": "ding"}
    store.write_events([_purchased("p1", 1, CARGO, ["rack.cargo"]), _purchased("p2", 2, alu)])
    needs = needs_for(store, "shop", "c", BIKE)
    ranked = [VIEW.option_of("frame", value) for value, _ in needs.recommend("frame", {})]
    assert ranked[:2] == [("frame", "alu"), ("frame", "steel")]


PRICED = Catalog.model_validate(
    {
        "catalog": "bike",
        "version": "1",
        "currency": "EUR",
        "locales": ["en"],
        "modules": {
            "frame": {"options": {"alu": {"price": 500}, "carbon": {"price": 1500}}},
            "extras": {"choose": "any", "options": {"bell": {"price": 10}, "lights": {"price": 200}}},
        },
    }
)
PRICED_VIEW = CatalogNeedsView(PRICED)


def _bought_within(event_id: str, budget: str | None, paid: str = "615") -> Event:
    """The alu frame alone, paid ``paid`` (tax included) under ``budget``."""
    line = {
        "item": "bike",
        "catalog": "bike",
        "unit_price": paid,
        "selections": {"frame": "alu"},
        "budget": budget,
    }
    return validate_event(
        {"event_id": event_id, "type": "purchased", "customer_id": "c", "channel": "store",
         "ts": "2026-01-01T10:00:00Z", "order_id": event_id, "margin": "10", "lines": [line]},
        tenant="shop",
    )  # fmt: skip


def test_an_option_the_budget_left_out_counts_less() -> None:
    """Under a budget 85 above what was paid (69 of list price at its rate), the lights and carbon were out of reach."""
    tight = _bought_within("p1", "700")
    assert priced_out(PRICED_VIEW, tight) == frozenset({"extras.lights", "frame"})
    found = {e.variable: e.importance for e in customer_evidence(PRICED_VIEW, [tight])}
    assert found["extras.lights"] == PRICED_OUT < 1.0
    assert found["frame"] == RESTRICTED_CHOICE and found["extras.bell"] == 1.0  # the bell was affordable
    assert priced_out(PRICED_VIEW, _bought_within("p2", None)) == frozenset()
    assert priced_out(PRICED_VIEW, _bought_within("p3", "5000")) == frozenset()  # everything within reach
    configured = validate_event(
        {"event_id": "c1", "type": "configured", "customer_id": "c", "channel": "web",
         "ts": "2026-01-01T10:00:00Z", "catalog": "bike", "complete": True, "selections": {"frame": "alu"},
         "budget": "700"},
        tenant="shop",
    )  # fmt: skip
    assert priced_out(PRICED_VIEW, configured) == frozenset()  # no total: the headroom is unknown


def test_the_budget_prices_options_at_the_units_they_take() -> None:
    """Brass instead of 14 steel handles costs 14 x 15 more, and the bracket comes in pairs: both out of reach."""
    units = Catalog.model_validate(
        {
            "catalog": "kitchen", "version": "1", "currency": "EUR", "locales": ["en"],
            "modules": {
                "handles": {"options": {"steel": {"price": 10, "qty": {"min": 1, "max": 40}},
                                        "brass": {"price": 25, "qty": {"min": 1, "max": 40}}}},
                "extras": {"choose": "any", "options": {"bracket": {"price": 60, "qty": {"min": 2, "max": 4}},
                                                        "hook": {"price": 60}}},
            },
        }
    )  # fmt: skip
    line = {"item": "kitchen", "catalog": "kitchen", "unit_price": "140", "selections": {"handles": {"steel": 14}},
            "budget": "240"}  # fmt: skip
    bought = validate_event(
        {"event_id": "k1", "type": "purchased", "customer_id": "c", "channel": "store",
         "ts": "2026-01-01T10:00:00Z", "order_id": "k1", "margin": "10", "lines": [line]},
        tenant="shop",
    )  # fmt: skip
    assert priced_out(CatalogNeedsView(units), bought) == frozenset({"handles", "extras.bracket"})


def test_leaving_out_what_the_budget_did_not_allow_says_less_than_leaving_out_what_it_did() -> None:
    """The lights left out under a tight budget keep a higher utility than the lights left out under a loose one."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    store.write_events([_bought_within("p1", "700")])
    store.write_events([validate_event({**_bought_within("q1", "5000").model_dump(mode="json"), "customer_id": "d"},
                                       tenant="shop")])  # fmt: skip
    tight = PRICED_VIEW.option_weights(needs_for(store, "shop", "c", PRICED))
    loose = PRICED_VIEW.option_weights(needs_for(store, "shop", "d", PRICED))
    assert tight["extras.lights"] > loose["extras.lights"]
    assert tight["extras.bell"] == pytest.approx(loose["extras.bell"])


LAPTOP = Catalog.model_validate(
    {
        "catalog": "laptop",
        "version": "1",
        "currency": "EUR",
        "locales": ["en"],
        "modules": {
            "os": {"options": {"windows": {"price": 100}, "ubuntu": {"price": 20}}},
            "keyboard": {"options": {"us": {}, "nordic": {}}},
            "software": {"choose": "any", "options": {"office": {"price": 250}, "backup": {"price": 40},
                                                      "remote": {"price": 30}}},
        },
        "rules": [
            {"id": "office-windows", "if": "software.office", "requires": "os.windows"},
            {"id": "remote-us", "if": "software.remote", "requires": "keyboard.us"},
            {"id": "nordic-windows", "if": "keyboard.nordic", "requires": "os.windows"},
        ],
    }
)  # fmt: skip
LAPTOP_VIEW = CatalogNeedsView(LAPTOP)


def _laptop(
    event_id: str, selections: dict[str, Any], customer: str = "c", budget: str | None = None
) -> Event:
    """A purchase of one laptop configuration (paid 100, under ``budget``)."""
    line = {
        "item": "laptop",
        "catalog": "laptop",
        "unit_price": "100",
        "selections": selections,
        "budget": budget,
    }
    return validate_event(
        {"event_id": event_id, "type": "purchased", "customer_id": customer, "channel": "store",
         "ts": "2026-01-01T10:00:00Z", "order_id": event_id, "margin": "10", "lines": [line]},
        tenant="shop",
    )  # fmt: skip


def test_an_option_the_other_choices_ruled_out_counts_less() -> None:
    """Ubuntu left no room for the office suite: leaving it out keeps RULED_OUT of its strength, backup all of it."""
    ubuntu = _laptop("p1", {"os": "ubuntu", "keyboard": "us", "software": ["backup"]})
    assert ruled_out(LAPTOP_VIEW, ubuntu) == frozenset({"software.office"})
    found = {e.variable: e.importance for e in customer_evidence(LAPTOP_VIEW, [ubuntu])}
    assert found["software.office"] == RULED_OUT < 1.0
    assert found["software.remote"] == 1.0 and found["os"] == 1.0
    windows = _laptop("p2", {"os": "windows", "keyboard": "us"})
    assert ruled_out(LAPTOP_VIEW, windows) == frozenset()  # everything was open
    nordic = _laptop("p3", {"os": "windows", "keyboard": "nordic"})
    assert ruled_out(LAPTOP_VIEW, nordic) == frozenset({"software.remote"})


def test_an_option_both_the_budget_and_the_other_choices_left_out_is_weighed_down_once() -> None:
    """The office suite, out of reach and ruled out by Ubuntu, keeps RULED_OUT of its strength, not less."""
    tight = _laptop("p1", {"os": "ubuntu", "keyboard": "us"}, budget="110")
    assert "software.office" in priced_out(LAPTOP_VIEW, tight) & ruled_out(LAPTOP_VIEW, tight)
    found = {e.variable: e.importance for e in customer_evidence(LAPTOP_VIEW, [tight])}
    assert found["software.office"] == RULED_OUT
    assert found["software.backup"] == PRICED_OUT  # out of reach, open to Ubuntu


def test_choices_without_a_valid_completion_or_unknown_to_the_catalog_rule_nothing_out() -> None:
    """A record the rules never allowed rules nothing out; options the catalog no longer has are left aside."""
    dirty = _laptop("p1", {"os": "ubuntu", "keyboard": "nordic"})
    assert ruled_out(LAPTOP_VIEW, dirty) == frozenset()
    older = _laptop("p2", {"os": "ubuntu", "keyboard": "azerty", "software": ["office"]})
    assert ruled_out(LAPTOP_VIEW, older) == frozenset()  # office was chosen; nothing else depends on ubuntu
    assert ruled_out(LAPTOP_VIEW, _laptop("p3", {"software": ["backup"]})) == frozenset()  # no single choice


@settings(max_examples=40, deadline=None)
@given(
    os=st.sampled_from(["windows", "ubuntu"]),
    keyboard=st.sampled_from(["us", "nordic"]),
    software=st.sets(st.sampled_from(["office", "backup", "remote"])),
)
def test_an_option_is_ruled_out_exactly_when_no_valid_configuration_adds_it_to_the_single_choices(
    os: str, keyboard: str, software: set[str]
) -> None:
    """Checked against every configuration of the catalog: ruled out = no valid one with the singles and it."""
    event = _laptop("p1", {"os": os, "keyboard": keyboard, "software": sorted(software)})
    found = ruled_out(LAPTOP_VIEW, event)
    valid = [
        (o, k, set(extra))
        for o in ("windows", "ubuntu")
        for k in ("us", "nordic")
        for extra in ([], ["office"], ["backup"], ["remote"], ["office", "backup"], ["office", "remote"],
                      ["backup", "remote"], ["office", "backup", "remote"])
        if not find_violations(LAPTOP, {"os": o, "keyboard": k, "software": list(extra)})
    ]  # fmt: skip
    completes = any(o == os and k == keyboard for o, k, _ in valid)
    for option in ("office", "backup", "remote"):
        open_ = any(o == os and k == keyboard and option in extra for o, k, extra in valid)
        expected = completes and option not in software and not open_
        assert (f"software.{option}" in found) == expected


def test_leaving_out_what_the_other_choices_ruled_out_says_less_than_leaving_out_what_they_allowed() -> None:
    """The office suite left out beside Ubuntu keeps a higher learned utility than beside Windows."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    store.write_events([_laptop("p1", {"os": "ubuntu", "keyboard": "us"}, customer="c"),
                        _laptop("q1", {"os": "windows", "keyboard": "us"}, customer="d")])  # fmt: skip
    ubuntu = LAPTOP_VIEW.option_weights(needs_for(store, "shop", "c", LAPTOP))
    windows = LAPTOP_VIEW.option_weights(needs_for(store, "shop", "d", LAPTOP))
    assert ubuntu["software.office"] > windows["software.office"]
    assert ubuntu["software.backup"] == pytest.approx(windows["software.backup"])


def test_a_catalog_without_a_decision_diagram_rules_nothing_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a diagram the exact domains would cost a solver query per option on every request: none are read."""
    monkeypatch.setattr(ConfigurationSession, "diagram", lambda self: None)
    uncompiled = CatalogNeedsView(LAPTOP.model_copy())
    ubuntu = _laptop("p1", {"os": "ubuntu", "keyboard": "us"})
    assert ruled_out(uncompiled, ubuntu) == frozenset()
    monkeypatch.undo()
    assert ruled_out(CatalogNeedsView(LAPTOP.model_copy()), ubuntu) == frozenset({"software.office"})


def test_an_option_another_line_of_the_same_order_chose_keeps_its_full_strength() -> None:
    """Office ruled out beside Ubuntu on one line and chosen beside Windows on the other: the choice counts fully."""
    lines = [
        {"item": "laptop", "catalog": "laptop", "unit_price": "100",
         "selections": {"os": "ubuntu", "keyboard": "us"}},
        {"item": "laptop", "catalog": "laptop", "unit_price": "400",
         "selections": {"os": "windows", "keyboard": "us", "software": ["office"]}},
    ]  # fmt: skip
    order = validate_event(
        {"event_id": "p1", "type": "purchased", "customer_id": "c", "channel": "store",
         "ts": "2026-01-01T10:00:00Z", "order_id": "p1", "margin": "10", "lines": lines},
        tenant="shop",
    )  # fmt: skip
    assert ruled_out(LAPTOP_VIEW, order) == frozenset({"software.office"})
    office = [(e.value, e.importance) for e in customer_evidence(LAPTOP_VIEW, [order])
              if e.variable == "software.office"]  # fmt: skip
    assert sorted(office) == [(0, RULED_OUT), (1, 1.0)]
