"""The budget judge: the best bundle whose payable total fits, and whether its first try at the cap settled it."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.assembly.budget import BudgetJudge
from configurator.assembly.policy import DEFAULT_POLICIES
from configurator.catalog.models import Catalog
from configurator.solver.session import ConfigurationSession, Weights

BIKE = Catalog.model_validate(
    {
        "catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
        "modules": {"frame": {"options": {"alu": {"price": 400}, "steel": {"price": 300}, "carbon": {"price": 900}}}},
    }
)  # fmt: skip
LIKES_CARBON = Weights(options={"frame.carbon": 3.0, "frame.alu": 2.0, "frame.steel": 1.0})


def test_an_answer_the_first_try_found_is_settled_at_the_cap() -> None:
    """Within 500 the best bundle under the list-price cap is alu, found at once, and it fits."""
    judge = BudgetJudge(BIKE, DEFAULT_POLICIES["standard"], Decimal(500), country=None)
    found, settled = judge.optimize_within_cap(ConfigurationSession(BIKE), LIKES_CARBON)
    assert found is not None and found.configuration.selections == {"frame": {"alu": 1}} and settled
    assert judge.optimize(ConfigurationSession(BIKE), LIKES_CARBON) == found


def test_an_answer_a_later_try_found_is_not_settled_at_the_cap() -> None:
    """With a cap too high for the budget the first try finds carbon, over budget; alu comes from a lower cap."""
    judge = BudgetJudge(BIKE, DEFAULT_POLICIES["standard"], Decimal(500), country=None)
    judge.cap = Decimal(
        1000
    )  # as services in the total can make it: a list price under the cap, over the budget
    found, settled = judge.optimize_within_cap(ConfigurationSession(BIKE), LIKES_CARBON)
    assert found is not None and found.configuration.selections == {"frame": {"alu": 1}} and not settled


def test_nothing_within_the_budget_is_not_settled() -> None:
    """Under the cheapest frame's price nothing fits: no answer, and nothing to keep."""
    judge = BudgetJudge(BIKE, DEFAULT_POLICIES["standard"], Decimal(200), country=None)
    assert judge.optimize_within_cap(ConfigurationSession(BIKE), LIKES_CARBON) == (None, False)


@settings(max_examples=25, deadline=None)
@given(budget=st.integers(150, 1200), carbon=st.floats(-2, 4), alu=st.floats(-2, 4))
def test_within_cap_answers_as_optimize_whatever_the_budget_and_weights(
    budget: int, carbon: float, alu: float
) -> None:
    """optimize_within_cap answers what optimize answers, and says settled only for an answer within the budget."""
    judge = BudgetJudge(BIKE, DEFAULT_POLICIES["standard"], Decimal(budget), country="PT")
    weights = Weights(options={"frame.carbon": carbon, "frame.alu": alu}, price=-0.001)
    found, settled = judge.optimize_within_cap(ConfigurationSession(BIKE), weights)
    assert found == judge.optimize(ConfigurationSession(BIKE), weights)
    assert not settled or (found is not None and judge.fits(found.configuration))
