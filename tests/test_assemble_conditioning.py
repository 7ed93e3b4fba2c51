"""Tests that assembly conditions the learned needs on the request's choices (requirements, guided answers)."""

from __future__ import annotations

from configurator.assembly.assemble import assemble, tier_weights
from configurator.assembly.context import context_from_events
from configurator.assembly.policy import DEFAULT_POLICIES
from configurator.catalog.models import Catalog
from configurator.customers.events import Event, validate_event
from configurator.solver.session import Choice

BIKE = Catalog.model_validate(
    {
        "catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
        "modules": {
            "frame": {"options": {"alu": {"price": 500}, "carbon": {"price": 500}}},
            "motor": {"options": {"hub": {"price": 500}, "mid": {"price": 500}}},
        },
    }
)  # fmt: skip


def _sales() -> list[Event]:
    pairs = [("alu", "hub")] * 6 + [("carbon", "mid")] * 4
    return [
        validate_event(
            {
                "event_id": f"s{i}",
                "type": "configured",
                "customer_id": f"c{i}",
                "channel": "web",
                "ts": "2026-05-01T12:00:00Z",
                "catalog": "bike",
                "complete": True,
                "selections": {"frame": frame, "motor": motor},
            },
            tenant="shop",
        )
        for i, (frame, motor) in enumerate(pairs)
    ]


def test_a_requirement_moves_the_rest_of_the_proposal() -> None:
    """Requiring carbon proposes the motor people who chose carbon chose, not the most popular one."""
    new = context_from_events(BIKE, "new", [], sales=_sales())
    assert assemble(BIKE, new, k=1)[0].configuration.selections["motor"] == {"hub": 1}
    carbon = assemble(BIKE, new, requirements=["frame.carbon"], k=1)[0]
    assert carbon.configuration.selections == {"frame": {"carbon": 1}, "motor": {"mid": 1}}


def test_decided_modules_get_no_learned_weights() -> None:
    """A module the choices decide is left to the session: tier weights carry none of its options."""
    new = context_from_events(BIKE, "new", [], sales=_sales())
    weights = tier_weights(new, DEFAULT_POLICIES["standard"], [Choice("frame", "carbon", True)])
    assert not any(key.startswith("frame.") for key in weights.options)
    assert weights.options["motor.mid"] > weights.options.get("motor.hub", 0.0)
