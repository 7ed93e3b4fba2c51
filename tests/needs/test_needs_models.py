"""Tests of configurator.needs.models: the estimator contract of every population model."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.errors import ConfiguratorError, NotFittedError
from configurator.needs.models import (
    MODELS,
    BlendNeeds,
    ChowLiuNeeds,
    NeedsModel,
    SimilarityNeeds,
    make_model,
)
from configurator.needs.network import BayesianNetworkNeeds

VARIABLES = ("a", "b", "c", "d")
ROWS = [{"a": 1, "b": 0, "c": 5, "d": 0}] * 3 + [{"a": 2, "b": 1, "c": 6, "d": 1}] * 3 + [{"a": 2, "c": 6}]


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[dict[str, int]], dict[str, tuple[int, ...]]]:
    """Small random sales tables (cells may be missing) with their domains."""
    domains = {name: tuple(range(draw(st.integers(1, 4)))) for name in VARIABLES}
    cell = st.one_of(st.none(), st.integers(0, 3))
    rows: list[dict[str, int]] = []
    for _ in range(draw(st.integers(1, 12))):
        row = {name: value for name in VARIABLES if (value := draw(cell)) is not None}
        rows.append({name: value for name, value in row.items() if value in domains[name]})
    return rows, domains


@pytest.mark.parametrize("name", list(MODELS))
def test_fit_returns_self(name: str) -> None:
    """Fitting returns the model itself."""
    model = make_model(name)
    assert model.fit(ROWS) is model


@pytest.mark.parametrize("name", list(MODELS))
def test_unfitted_model_raises(name: str) -> None:
    """Asking an unfitted model raises NotFittedError."""
    with pytest.raises(NotFittedError):
        make_model(name).distribution("a", {})


@pytest.mark.parametrize("name", list(MODELS))
def test_models_learn_the_dependency(name: str) -> None:
    """Every model but the popularity baseline follows the chosen value."""
    model = make_model(name).fit(ROWS)
    if name != "most_frequent":
        assert model.recommend("c", {"a": 1, "b": 0})[0][0] == 5
    assert model.recommend("c", {"a": 2, "b": 1})[0][0] == 6


def test_default_is_the_bayesian_network() -> None:
    """The first registered model is the Bayesian network; the blend mixes the kernel and the tree."""
    assert next(iter(MODELS)) == BayesianNetworkNeeds.name
    fitted = BlendNeeds().fit(ROWS)
    assert [type(m) for m in fitted.members_] == [SimilarityNeeds, ChowLiuNeeds]


def test_blend_members_are_validated() -> None:
    """A blend refuses no members, a non-positive weight and itself."""
    for members in ((), (("similarity", 0.0),), (("blend", 1.0),)):
        with pytest.raises(ConfiguratorError):
            BlendNeeds(members)


def test_tree_alpha_is_validated() -> None:
    """The tree refuses a non-positive pseudo-count."""
    with pytest.raises(ConfiguratorError):
        ChowLiuNeeds(alpha=0.0)


def test_tree_spans_every_variable() -> None:
    """The Chow-Liu tree has one edge less than variables and joins them all."""
    model = ChowLiuNeeds().fit(ROWS)
    assert len(model.edges_) == len(model.variables_) - 1
    assert {v for edge in model.edges_ for v in edge} == set(range(len(model.variables_)))


def test_tree_evidence_through_a_chain() -> None:
    """Evidence reaches the predicted variable through an unobserved one."""
    rows = [{"x": v, "y": v, "z": v} for v in (0, 1)] * 5 + [{"x": 0, "y": 0, "z": 0}] * 2
    model = ChowLiuNeeds().fit(rows)
    assert model.recommend("z", {"x": 1})[0][0] == 1
    assert model.recommend("z", {})[0][0] == 0


@settings(max_examples=40, deadline=None)
@given(table=tables(), name=st.sampled_from(list(MODELS)), data=st.data())
def test_estimator_contract(
    table: tuple[list[dict[str, int]], dict[str, tuple[int, ...]]], name: str, data: st.DataObject
) -> None:
    """On any small table: a distribution over the candidates summing to 1, deterministic, ranked inside."""
    rows, domains = table
    variable = data.draw(st.sampled_from(VARIABLES))
    partial = {
        n: data.draw(st.sampled_from(domains[n]))
        for n in data.draw(st.sets(st.sampled_from([v for v in VARIABLES if v != variable])))
    }
    candidates = data.draw(st.lists(st.sampled_from(domains[variable]), min_size=1, unique=True))
    first: NeedsModel = make_model(name).fit(rows, domains)
    second = make_model(name).fit(rows, domains)
    dist = first.distribution(variable, partial, candidates)
    assert list(dist) == candidates
    assert math.isclose(sum(dist.values()), 1.0)
    assert all(p >= 0 for p in dist.values())
    assert dist == second.distribution(variable, partial, candidates)
    ranked = first.recommend(variable, partial, candidates)
    assert {value for value, _ in ranked} == set(candidates)


def test_blend_takes_the_masked_model_as_a_member() -> None:
    """A blend built by name can hold the masked model, which make_model knows outside MODELS."""
    model = BlendNeeds((("chow_liu", 1.0), ("masked_logistic", 1.0))).fit(ROWS)
    assert "masked_logistic" not in MODELS
    assert [m.name for m in model.members_] == ["chow_liu", "masked_logistic"]
    assert model.recommend("c", {"a": 1, "b": 0})[0][0] == 5


@pytest.mark.parametrize("name", list(MODELS))
def test_the_unconditioned_distribution_is_remembered_until_the_next_fit(name: str) -> None:
    """Given nothing, every model answers from its remembered scores: the same, until a new fit changes them."""
    rows = [{"a": 1, "b": 0, "c": 5}] * 3 + [{"a": 2, "b": 1, "c": 6}]
    model = make_model(name).fit(rows)
    first = model.distribution("c", {})
    assert model.distribution("c", {}) == first == model.distribution("c", {"unknown": 3})
    assert model.distribution("c", {"a": 2}) != first or name == "most_frequent"  # it ignores the partial
    model.fit([{"a": 2, "b": 1, "c": 6}] * 3 + [{"a": 1, "b": 0, "c": 5}])
    again = model.distribution("c", {})
    assert again[6] > again[5] and first[5] > first[6]
