"""Tests of configurator.needs.network: the Bayesian network learned by hill climbing, exact inference."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.errors import ConfiguratorError, NotFittedError
from configurator.needs import network
from configurator.needs.models import NeedsModel, make_model
from configurator.needs.network import BayesianNetworkNeeds

ROWS = [{"trim": t, "engine": e, "pack": int(t == e == 1)} for t in (0, 1) for e in (0, 1)] * 5


def _acyclic(parents: tuple[tuple[int, ...], ...]) -> bool:
    """Whether the parent lists form a directed acyclic graph."""
    done: set[int] = set()
    for start in range(len(parents)):
        path: set[int] = set()
        stack = [(start, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                path.discard(node)
                done.add(node)
                continue
            if node in path:
                return False
            if node in done:
                continue
            path.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in parents[node])
    return True


def _brute_force(model: BayesianNetworkNeeds, variable: str, partial: dict[str, int]) -> dict[int, float]:
    """P(variable | partial) by enumerating every joint assignment of the learned network."""
    sizes = [len(model.domains_[name]) for name in model.variables_]
    j = model.variables_.index(variable)
    fixed = {
        model.variables_.index(name): model.domains_[name].index(value) for name, value in partial.items()
    }
    mass = np.zeros(sizes[j])
    for codes in itertools.product(*(range(s) for s in sizes)):
        if any(codes[c] != code for c, code in fixed.items()):
            continue
        p = 1.0
        for v, table in enumerate(model.tables_):
            p *= float(table[(*(codes[x] for x in model.parents_[v]), codes[v])])
        mass[codes[j]] += p
    mass /= mass.sum()
    return {value: float(mass[k]) for k, value in enumerate(model.domains_[variable])}


def test_fit_returns_self_and_learns_an_acyclic_network() -> None:
    """Fitting returns the model; every variable has at most max_parents parents and the graph has no cycle."""
    model = BayesianNetworkNeeds(max_parents=1)
    assert model.fit(ROWS) is model
    assert all(len(p) <= 1 for p in model.parents_)
    assert _acyclic(model.parents_)
    assert len(model.tables_) == 3 and math.isfinite(model.score_)


def test_learns_a_dependency_on_two_variables() -> None:
    """The pack that comes only with both the trim and the engine is predicted from both, not from one."""
    model = BayesianNetworkNeeds().fit(ROWS)
    assert model.recommend("pack", {"trim": 1, "engine": 1})[0][0] == 1
    assert model.recommend("pack", {"trim": 1, "engine": 0})[0][0] == 0
    assert model.distribution("pack", {"trim": 1, "engine": 1})[1] > 0.85


def test_unfitted_model_raises() -> None:
    """Asking before fit raises NotFittedError."""
    with pytest.raises(NotFittedError):
        BayesianNetworkNeeds().distribution("a", {})
    with pytest.raises(NotFittedError):
        BayesianNetworkNeeds().parents_of("a")


@pytest.mark.parametrize(
    "kwargs",
    [{"max_parents": -1}, {"ess": 0.0}, {"alpha": 0.0}, {"max_table": 0}],
)
def test_parameters_are_validated(kwargs: dict[str, float]) -> None:
    """A negative parent count, a non-positive sample size or pseudo-count, or no table room is refused."""
    with pytest.raises(ConfiguratorError, match="BayesianNetworkNeeds"):
        BayesianNetworkNeeds(**kwargs)  # type: ignore[arg-type]


def test_no_parents_gives_the_smoothed_marginal() -> None:
    """With max_parents 0 every variable is independent: its distribution is its smoothed marginal."""
    model = BayesianNetworkNeeds(max_parents=0, alpha=1.0).fit(ROWS)
    assert model.parents_ == ((), (), ())
    assert math.isclose(model.distribution("pack", {"trim": 1, "engine": 1})[1], (5 + 1) / (20 + 2))


def test_table_size_caps_the_families() -> None:
    """A family whose table would exceed max_table is never considered."""
    model = BayesianNetworkNeeds(max_table=3).fit(ROWS)
    assert model.parents_ == ((), (), ())


def test_unrecorded_cells_still_teach_the_other_families() -> None:
    """Rows that did not record the pack still count for the trim and the engine."""
    rows = [*ROWS, *[{"trim": 1, "engine": 1}] * 30]
    model = BayesianNetworkNeeds(max_parents=0, alpha=1.0).fit(rows)
    assert math.isclose(model.distribution("trim", {})[1], (10 + 30 + 1) / (50 + 2))
    assert math.isclose(model.distribution("pack", {})[1], (5 + 1) / (20 + 2))


def test_too_large_an_elimination_answers_the_marginal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the factor limit a query answers the variable's smoothed marginal instead of running out of memory."""
    model = BayesianNetworkNeeds().fit(ROWS)
    monkeypatch.setattr(network, "MAX_CELLS", 1)
    found = model.distribution("pack", {"trim": 1})
    assert math.isclose(found[1], (5 + 0.5) / (20 + 1))


def test_the_same_sales_give_the_same_network() -> None:
    """The search is deterministic: the same rows give the same parents."""
    assert BayesianNetworkNeeds().fit(ROWS).parents_ == BayesianNetworkNeeds().fit(list(ROWS)).parents_


def test_make_model_builds_it() -> None:
    """make_model knows the network by name, and it is a NeedsModel."""
    model = make_model("bayes_net")
    assert isinstance(model, BayesianNetworkNeeds) and isinstance(model, NeedsModel)


rows_strategy = st.lists(
    st.fixed_dictionaries(
        {"a": st.integers(0, 2), "b": st.integers(0, 1), "c": st.integers(0, 1)},
        optional={"d": st.integers(0, 2)},
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, partial=st.dictionaries(st.sampled_from("bcd"), st.integers(0, 1), max_size=3))
def test_inference_is_exact_in_the_learned_network(
    rows: list[dict[str, int]], partial: dict[str, int]
) -> None:
    """Variable elimination gives the same P(a | chosen) as enumerating the learned network's joint."""
    model = BayesianNetworkNeeds(max_parents=2).fit(
        rows, {"a": (0, 1, 2), "b": (0, 1), "c": (0, 1), "d": (0, 1, 2)}
    )
    found = model.distribution("a", partial)
    expected = _brute_force(model, "a", partial)
    assert all(math.isclose(found[v], expected[v], rel_tol=1e-6, abs_tol=1e-9) for v in expected)


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, partial=st.dictionaries(st.sampled_from("abcd"), st.integers(0, 1), max_size=3))
def test_one_pass_over_the_junction_tree_gives_every_exact_marginal(
    rows: list[dict[str, int]], partial: dict[str, int]
) -> None:
    """Asking about every variable on the same choices (one calibration) matches enumerating the joint."""
    model = BayesianNetworkNeeds(max_parents=2).fit(
        rows, {"a": (0, 1, 2), "b": (0, 1), "c": (0, 1), "d": (0, 1, 2)}
    )
    for _ in range(2):  # the second round is answered from the calibrated tree
        for name in model.variables_:
            if name in partial:
                continue
            found = model.distribution(name, partial)
            expected = _brute_force(model, name, partial)
            assert all(math.isclose(found[v], expected[v], rel_tol=1e-6, abs_tol=1e-9) for v in expected)


def test_repeated_choices_are_answered_from_the_calibrated_tree() -> None:
    """The second question on the same choices calibrates the tree once; the third is read from it."""
    model = BayesianNetworkNeeds().fit(ROWS)
    first = model.distribution("pack", {"trim": 1})
    assert model._calibrated is None
    assert model.distribution("engine", {"trim": 1}) == pytest.approx(
        model.distribution("engine", {"trim": 1})
    )
    assert model._calibrated is not None
    assert model.distribution("pack", {"trim": 1}) == pytest.approx(first)


def test_a_junction_tree_too_big_leaves_queries_to_elimination_given_the_evidence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When a clique would exceed the cell limit, repeated questions are still exact (elimination on the evidence)."""
    monkeypatch.setattr(network, "MAX_CELLS", 4)
    model = BayesianNetworkNeeds().fit(ROWS)
    assert not model._tree.fits
    partial = {"trim": 1, "engine": 1}
    for _ in range(3):
        found = model.distribution("pack", partial)
        expected = _brute_force(model, "pack", partial)
        assert all(math.isclose(found[v], expected[v], rel_tol=1e-6) for v in expected)
    assert model._calibrated is None


@settings(max_examples=60, deadline=None)
@given(
    rows=rows_strategy,
    partial=st.dictionaries(st.sampled_from("abcde"), st.integers(0, 1), max_size=3),
    target=st.sampled_from("abcde"),
)
def test_elimination_is_exact_with_unrelated_parts_and_no_junction_tree(
    rows: list[dict[str, int]], partial: dict[str, int], target: str
) -> None:
    """Without a junction tree, each question is eliminated exactly, choices in unrelated parts included."""
    dice = [{**row, "e": k % 2} for k, row in enumerate(rows)]  # a part of its own, whatever the sales
    domains = {"a": (0, 1, 2), "b": (0, 1), "c": (0, 1), "d": (0, 1, 2), "e": (0, 1)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(network, "MAX_CELLS", 1)
        model = BayesianNetworkNeeds(max_parents=2).fit(dice, domains)
        patch.setattr(network, "MAX_CELLS", 10**6)
        assert not model._tree.fits
        partial.pop(target, None)
        found = model.distribution(target, partial)
    expected = _brute_force(model, target, partial)
    assert all(math.isclose(found[v], expected[v], rel_tol=1e-6, abs_tol=1e-9) for v in expected)


def test_a_column_sold_with_one_value_gets_no_parents() -> None:
    """A column every sale gave the same value has nothing to explain, even beside a rare option."""
    rows = [
        {"rack": int(k == 0), "paint": 1} for k in range(30)
    ]  # BDeu alone would link paint to the rare rack
    model = BayesianNetworkNeeds().fit(rows, {"rack": (0, 1), "paint": (0, 1)})
    assert model.parents_of("paint") == []
    assert model.distribution("paint", {"rack": 1})[1] == pytest.approx((30 + 0.5) / (30 + 1))


def test_components_number_each_connected_part_by_its_lowest_variable() -> None:
    """Links count either way; a variable with no link is a part of its own."""
    assert network._components(((), (2,), (), (1, 0), ())) == [0, 0, 0, 0, 4]


def test_parents_of_an_unknown_variable_is_refused() -> None:
    """Asking the parents of a variable the model never learned names it in a clear error."""
    with pytest.raises(ConfiguratorError, match="unknown variable 'colour'"):
        BayesianNetworkNeeds().fit(ROWS).parents_of("colour")
