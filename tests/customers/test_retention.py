"""Retention policies: periods per event type, and what stays of an old event."""

from __future__ import annotations

import pytest

from configurator.customers.retention import REMOVED, RetentionPolicy, anonymised
from configurator.errors import ConfiguratorError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("viewd=30", "expected type=days with a type among"),
        ("viewed", "expected type=days"),
        ("viewed=0", "viewed: expected days from 1 to 36500, got '0'"),
        ("viewed=1.5", "got '1.5'"),
        ("viewed=30,viewed=60", "viewed is named twice"),
    ],
)
def test_a_bad_policy_names_the_pair(text: str, message: str) -> None:
    """Unknown types, periods out of range and repeats are refused with the pair named."""
    with pytest.raises(ConfiguratorError, match=message):
        RetentionPolicy.parse(text)


def test_an_empty_policy_keeps_everything() -> None:
    """No pairs: no type has a period."""
    assert RetentionPolicy.parse(" , ").days == {}


def test_anonymised_events_keep_their_measures_and_stay_valid() -> None:
    """An order keeps its lines and margin; a review its rating without text; feedback a marker for its text."""
    order = {
        "type": "purchased",
        "order_id": "o1",
        "margin": "30",
        "lines": [{"item": "x", "unit_price": "9"}],
        "traits": {"name": "Ana"},
        "anonymous_id": "b1",
    }
    assert anonymised(order) == {
        "type": "purchased",
        "order_id": "o1",
        "margin": "30",
        "lines": [{"item": "x", "unit_price": "9"}],
    }
    assert anonymised({"type": "review", "rating": 5, "text": "Ana loved it"}) == {
        "type": "review",
        "rating": 5,
    }
    assert anonymised({"type": "feedback", "text": "call me on 912", "score": 9}) == {
        "type": "feedback",
        "text": REMOVED,
        "score": 9,
    }
