"""Tests of configurator.needs.masked: the pairwise model learned by masked pseudo-likelihood."""

from __future__ import annotations

import math

import numpy as np
import pytest

from configurator.errors import ConfiguratorError, NotFittedError
from configurator.needs.masked import MaskedLogisticNeeds
from configurator.needs.models import NeedsModel, make_model

ROWS = [{"a": 1, "b": 0, "c": 5, "d": 0}] * 4 + [{"a": 2, "b": 1, "c": 6, "d": 1}] * 4 + [{"a": 2, "c": 6}]


def test_fit_returns_self_and_learns_state() -> None:
    """Fitting returns the model, with one weight matrix and intercept per variable."""
    model = MaskedLogisticNeeds(l2=1.0)
    assert model.fit(ROWS) is model
    assert len(model.weights_) == len(model.intercepts_) == 4
    assert model.weights_[2].shape == (8, 2)


def test_unfitted_model_raises() -> None:
    """Asking before fit raises NotFittedError."""
    with pytest.raises(NotFittedError):
        MaskedLogisticNeeds().distribution("a", {})


def test_parameters_are_validated() -> None:
    """A non-positive penalty, no copies or no iterations are refused."""
    with pytest.raises(ConfiguratorError):
        MaskedLogisticNeeds(l2=0.0)
    with pytest.raises(ConfiguratorError):
        MaskedLogisticNeeds(copies=0)
    with pytest.raises(ConfiguratorError):
        MaskedLogisticNeeds(max_iter=0)


def test_follows_any_chosen_subset() -> None:
    """The model predicts from one chosen variable as well as from several (trained on masked sales)."""
    model = MaskedLogisticNeeds(l2=1.0).fit(ROWS)
    for partial, expected in (({"a": 1}, 5), ({"d": 1}, 6), ({"a": 2, "b": 1}, 6), ({"b": 0, "d": 0}, 5)):
        assert model.recommend("c", partial)[0][0] == expected


def test_own_value_never_weighs() -> None:
    """A variable's own one-hot rows stay at zero in its regression (no leak of the target)."""
    model = MaskedLogisticNeeds(l2=1.0).fit(ROWS)
    for j, weights in enumerate(model.weights_):
        start = int(model.offsets_[j])
        assert not np.any(weights[start : start + weights.shape[1]])


def test_empty_partial_gives_the_marginal_order() -> None:
    """With nothing chosen, the most sold value ranks first and the distribution sums to 1."""
    model = MaskedLogisticNeeds(l2=1.0).fit(ROWS)
    distribution = model.distribution("a", {})
    assert max(distribution, key=distribution.__getitem__) == 2
    assert math.isclose(sum(distribution.values()), 1.0)


def test_constant_and_unrecorded_variables() -> None:
    """A one-value variable and a never-recorded one are answered without training a regression."""
    rows = [{"a": 0, "b": 1}, {"a": 0, "b": 2}]
    model = MaskedLogisticNeeds().fit(rows, {"a": (0,), "b": (1, 2), "z": (7, 8)})
    assert model.recommend("a", {"b": 2})[0][0] == 0
    assert set(model.distribution("z", {"a": 0})) == {7, 8}


def test_seeded_fit_is_reproducible() -> None:
    """The same seed gives the same weights."""
    first = MaskedLogisticNeeds(l2=1.0, seed=3).fit(ROWS)
    second = MaskedLogisticNeeds(l2=1.0, seed=3).fit(ROWS)
    assert all(np.array_equal(a, b) for a, b in zip(first.weights_, second.weights_, strict=True))


def test_make_model_builds_it() -> None:
    """make_model knows the masked model by name, and it is a NeedsModel."""
    model = make_model("masked_logistic")
    assert isinstance(model, MaskedLogisticNeeds)
    assert isinstance(model, NeedsModel)
