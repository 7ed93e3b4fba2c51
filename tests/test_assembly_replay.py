"""Replay: the customer's past choices proposed again under the occasions they were chosen for."""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from configurator.assembly import assemble, replay
from configurator.assembly.budget import BudgetJudge
from configurator.assembly.context import context_from_events
from configurator.assembly.policy import DEFAULT_POLICIES, TierPolicy
from configurator.assembly.replay import (
    REPLAY_STEP,
    PastChoice,
    _still_chosen,
    past_choices,
    replayed,
    with_offsets,
)
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.customers.events import Event, validate_event
from configurator.solver.session import ConfigurationSession, Weights

BIKE_DATA: dict[str, Any] = {
    "catalog": "bike",
    "version": "1",
    "currency": "EUR",
    "locales": ["en"],
    "modules": {
        "frame": {"options": {"alu": {"price": 400}, "steel": {"price": 300}, "carbon": {"price": 900}}},
        "rack": {"choose": "optional", "options": {"cargo": {"price": 100}}},
        "lights": {"choose": "optional", "options": {"dynamo": {"price": 150}}},
    },
}
BIKE = Catalog.model_validate(BIKE_DATA)


def _configured(event_id: str, month: int, selections: dict[str, Any], **extra: Any) -> Event:
    return validate_event(
        {"event_id": event_id, "type": "configured", "customer_id": "ann", "channel": "web",
         "ts": f"2026-{month:02d}-01T12:00:00Z", "catalog": "bike", "complete": True, "selections": selections,
         **extra},
        tenant="shop",
    )  # fmt: skip


def _ordered(event_id: str, month: int, selections: dict[str, Any], **extra: Any) -> Event:
    line = {"item": "bike", "catalog": "bike", "unit_price": "900", "selections": selections, **extra}
    return validate_event(
        {"event_id": event_id, "type": "purchased", "customer_id": "ann", "channel": "store",
         "ts": f"2026-{month:02d}-01T12:00:00Z", "order_id": event_id, "margin": "10", "lines": [line]},
        tenant="shop",
    )  # fmt: skip


def _no_budget(budget: Decimal) -> BudgetJudge | None:
    return None


def _judge(budget: Decimal) -> BudgetJudge:
    return BudgetJudge(BIKE, DEFAULT_POLICIES["standard"], budget, country=None)


def _proposed(weights: Weights, past: PastChoice) -> Configuration:
    session = ConfigurationSession(BIKE)
    for text in past.required:
        module, option = text.split(".")
        session.select(module, option)
    found = (
        session.optimize(weights) if past.budget is None else _judge(past.budget).optimize(session, weights)
    )
    assert found is not None
    return found.configuration


def test_past_choices_reads_orders_and_complete_configurations_once() -> None:
    """An order and the configuration it was made from count once; a later order for another occasion counts."""
    carbon = {"frame": "carbon"}
    events = [
        _ordered("o2", 3, {"frame": "steel", "rack": "cargo"}, required=["rack.cargo"], budget="450"),
        _configured("c1", 1, carbon, budget="950", total="900"),
        _ordered("o1", 2, carbon, budget="950"),
    ]
    past = past_choices(BIKE, events)
    assert [(p.source, p.required, p.budget) for p in past] == [
        ("c1", (), Decimal("950")),
        ("o2", ("rack.cargo",), Decimal("450")),
    ]
    assert past[1].configuration.selections == {"frame": {"steel": 1}, "rack": {"cargo": 1}}


def test_past_choices_keeps_the_most_recent() -> None:
    """Only the ``limit`` most recent occasions are replayed, oldest first."""
    events = [
        _configured(f"c{m}", m, {"frame": "alu"}, budget=str(500 + m), total="400") for m in range(1, 6)
    ]
    assert [p.source for p in past_choices(BIKE, events, limit=2)] == ["c4", "c5"]
    assert past_choices(BIKE, events, limit=0) == ()


def test_partial_configurations_other_catalogs_and_unknown_options_are_not_replayed() -> None:
    """A partial configuration, another catalog's and one naming an option the catalog lacks are no occasions."""
    partial = validate_event(
        {"event_id": "p", "type": "configured", "customer_id": "ann", "channel": "web",
         "ts": "2026-01-01T12:00:00Z", "catalog": "bike", "complete": False, "selections": {"frame": "alu"}},
        tenant="shop",
    )  # fmt: skip
    elsewhere = validate_event(
        {"event_id": "x", "type": "configured", "customer_id": "ann", "channel": "web",
         "ts": "2026-01-02T12:00:00Z", "catalog": "laptop", "complete": True, "selections": {"os": "ubuntu"}},
        tenant="shop",
    )  # fmt: skip
    unknown = _configured("u", 3, {"frame": "titanium"})
    assert past_choices(BIKE, [partial, elsewhere, unknown]) == ()


def test_replay_changes_nothing_when_every_occasion_is_proposed_as_chosen() -> None:
    """Weights that already propose what the customer chose get no offsets."""
    past = past_choices(BIKE, [_configured("c1", 1, {"frame": "carbon"})])
    likes_carbon = Weights(options={"frame.carbon": 2.0, "rack.cargo": -1.0, "lights.dynamo": -1.0})
    assert replayed(ConfigurationSession(BIKE), past, lambda required: likes_carbon, _no_budget) == {}


def test_replay_proposes_each_occasion_as_chosen_where_averaged_needs_propose_neither() -> None:
    """Carbon alone within 950 and steel with the rack within 450: after replay both are proposed again."""
    events = [
        _configured("c1", 1, {"frame": "carbon"}, budget="950", total="900"),
        _configured("c2", 2, {"frame": "steel", "rack": "cargo"}, budget="450", total="400"),
    ]
    past = past_choices(BIKE, events)
    even = Weights(options={"frame.carbon": 0.0, "frame.steel": 0.0, "rack.cargo": 0.0}, price=-1 / 1150)
    assert [_proposed(even, p).selections == p.configuration.selections for p in past] == [False, False]
    offsets = replayed(ConfigurationSession(BIKE), past, lambda required: even, _judge)
    assert [
        _proposed(with_offsets(even, offsets), p).selections == p.configuration.selections for p in past
    ] == [True, True]
    assert all(value % REPLAY_STEP == 0 for value in offsets.values())


_KEYS = ("frame.alu", "frame.steel", "frame.carbon", "rack.cargo", "lights.dynamo")
_REQUIREMENTS = ((), ("frame.alu",), ("frame.steel",), ("frame.carbon",), ("rack.cargo",), ("lights.dynamo",))


def _best(utility: dict[str, int], required: tuple[str, ...]) -> tuple[Configuration, int] | None:
    """The best configuration of BIKE under ``required`` by brute force, and its margin over the runner-up."""
    scored = []
    for frame, rack, lights in itertools.product(
        ("alu", "steel", "carbon"), (None, "cargo"), (None, "dynamo")
    ):
        selections: dict[str, dict[str, int]] = {"frame": {frame: 1}}
        if rack:
            selections["rack"] = {rack: 1}
        if lights:
            selections["lights"] = {lights: 1}
        keys = {f"{m}.{o}" for m, options in selections.items() for o in options}
        if any(r not in keys for r in required):
            continue
        scored.append((sum(utility[k] for k in keys), Configuration(selections)))
    scored.sort(key=lambda s: -s[0])
    return scored[0][1], scored[0][0] - scored[1][0]


@settings(max_examples=20, deadline=None)
@given(
    utility=st.fixed_dictionaries({k: st.integers(-3, 3) for k in _KEYS}),
    occasions=st.lists(st.sampled_from(_REQUIREMENTS), min_size=1, max_size=4, unique=True),
)
def test_choices_one_taste_explains_are_all_proposed_again(
    utility: dict[str, int], occasions: list[tuple[str, ...]]
) -> None:
    """Whatever a hidden linear taste chose under each set of requirements, replay from flat weights proposes again."""
    past = []
    for number, required in enumerate(occasions):
        found = _best(utility, required)
        assert found is not None
        assume(found[1] > 0)  # the taste's choice is unique
        past.append(PastChoice(found[0], required, None, f"c{number}"))
    flat = Weights()
    offsets = replayed(ConfigurationSession(BIKE), past, lambda required: flat, _no_budget, epochs=500)
    assert [
        _proposed(with_offsets(flat, offsets), p).selections == p.configuration.selections for p in past
    ] == [True] * len(past)


@settings(max_examples=60, deadline=None)
@given(
    utility=st.fixed_dictionaries({k: st.integers(-3, 3) for k in _KEYS}),
    moves=st.dictionaries(st.sampled_from(_KEYS), st.integers(-2, 2)),
    required=st.sampled_from(_REQUIREMENTS),
)
def test_moves_that_cannot_change_the_best_configuration_are_recognised(
    utility: dict[str, int], moves: dict[str, int], required: tuple[str, ...]
) -> None:
    """Where a move raises only options of the best configuration and lowers only others, it stays the best."""
    found = _best(utility, required)
    assert found is not None
    chosen = {f"{m}.{o}" for m, options in found[0].selections.items() for o in options}
    assume(_still_chosen(chosen, {k: float(v) for k, v in moves.items()}))
    moved = {k: utility[k] + moves.get(k, 0) for k in _KEYS}
    after = _best(moved, required)
    assert after is not None
    assert sum(moved[k] for k in chosen) == sum(
        moved[f"{m}.{o}"] for m, options in after[0].selections.items() for o in options
    )


def test_a_replay_is_remembered_until_the_weights_or_the_budget_change(monkeypatch: Any) -> None:
    """The same occasions under the same weights and judges are not proposed again; other weights or budgets are."""
    calls: list[PastChoice] = []
    propose = replay._propose

    def counted(session: ConfigurationSession, past: PastChoice, weights: Weights, judge: Any) -> Any:
        calls.append(past)
        return propose(session, past, weights, judge)

    monkeypatch.setattr(replay, "_propose", counted)
    session = ConfigurationSession(BIKE)
    past = (PastChoice(Configuration({"frame": {"carbon": 1}}), (), Decimal(950), "c1"),)
    even = Weights(options={"frame.alu": 1.0})
    first = replayed(session, past, lambda required: even, _judge)
    assert first and calls
    first["frame.alu"] = 99.0
    calls.clear()
    assert replayed(session, past, lambda required: even, _judge) != first
    assert calls == []
    replayed(session, past, lambda required: Weights(options={"frame.steel": 1.0}), _judge)
    assert calls
    calls.clear()
    replayed(session, (dataclasses.replace(past[0], budget=Decimal(1200)),), lambda required: even, _judge)
    assert calls


def test_a_configuration_the_catalog_no_longer_accepts_is_not_replayed() -> None:
    """A rule added since (carbon excludes the rack) or a requirement of an unknown module leaves nothing to replay."""
    ruled = Catalog.model_validate(
        {
            **BIKE_DATA,
            "version": "2",
            "rules": [{"id": "no-rack", "excludes": ["frame.carbon", "rack.cargo"]}],
        }
    )
    past = (
        PastChoice(Configuration({"frame": {"carbon": 1}, "rack": {"cargo": 1}}), (), None, "c1"),
        PastChoice(Configuration({"frame": {"alu": 1}}), ("basket.wicker",), None, "c2"),
    )
    flat = Weights(options={"frame.steel": 1.0})
    assert replayed(ConfigurationSession(ruled), past, lambda required: flat, _no_budget) == {}


def _ann(*, profiling: bool = True) -> Any:
    events = [
        _configured("c1", 1, {"frame": "carbon"}, budget="950", total="900"),
        _configured("c2", 2, {"frame": "steel", "rack": "cargo"}, budget="450", total="400"),
    ]
    return context_from_events(BIKE, "ann", events, profiling=profiling)


def test_assemble_proposes_again_what_the_customer_chose_for_the_same_occasion() -> None:
    """Within 950 the proposal is carbon alone and within 450 steel with the rack, as the customer chose."""
    ann = _ann()
    assert [p.source for p in ann.past] == ["c1", "c2"]
    chosen = {950: {"frame": {"carbon": 1}}, 450: {"frame": {"steel": 1}, "rack": {"cargo": 1}}}
    for budget, selections in chosen.items():
        assert assemble(BIKE, ann, budget=budget, k=1)[0].configuration.selections == selections
    forgetful = dataclasses.replace(ann, past=())
    assert assemble(BIKE, forgetful, budget=950, k=1)[0].configuration.selections != chosen[950]


def test_a_customer_who_objected_to_profiling_is_not_replayed() -> None:
    """After a profiling objection the context keeps no past choices."""
    assert _ann(profiling=False).past == ()


def test_a_policy_that_ignores_the_needs_replays_nothing() -> None:
    """With a needs weight of 0 the proposal is the policy's alone: the same with and without the past."""
    ann = _ann()
    cheap = TierPolicy(tier="standard", needs_weight=0.0, price_weight=2.0)
    with_past = assemble(BIKE, ann, budget=950, k=1, policy=cheap)[0].configuration.selections
    without = assemble(BIKE, dataclasses.replace(ann, past=()), budget=950, k=1, policy=cheap)[
        0
    ].configuration
    assert with_past == without.selections == {"frame": {"steel": 1}}
