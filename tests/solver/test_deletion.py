"""Deletion with core refinement: the result conflicts, and every element of it is needed."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from configurator.solver.deletion import irreducible

conflicts = st.lists(st.frozensets(st.integers(0, 9), min_size=1, max_size=3), max_size=4)


@given(conflicts, st.lists(st.integers(0, 9), unique=True), st.booleans())
def test_the_answer_conflicts_and_is_irreducible(
    minimal: list[frozenset[int]], candidates: list[int], whole_core: bool
) -> None:
    """A set conflicts when it holds one of the given conflicts; the answer does, and no element can go."""

    def conflicting(items: Sequence[int]) -> bool:
        return any(c <= set(items) for c in minimal)

    def core(items: Sequence[int]) -> list[int] | None:
        if not conflicting(items):
            return None
        if whole_core:  # a weak solver: the whole set as its core
            return list(range(len(items)))
        first = next(c for c in minimal if c <= set(items))
        return [k for k, x in enumerate(items) if x in first]

    found = irreducible(candidates, core)
    if found is None:
        assert not conflicting(candidates)
        return
    assert conflicting(found) and [x for x in candidates if x in found] == found
    for x in found:
        assert not conflicting([y for y in found if y != x])
